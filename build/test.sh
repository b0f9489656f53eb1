#!/usr/bin/env bash
# Runs the whole test suite, doing its own set-up first. Ends with the line "N passed, N failed, N skipped".
# Extra arguments go to `dotnet test`, e.g. --filter "FullyQualifiedName~EndToEnd"
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results="$root/artifacts/test-results"
rm -rf "$results"

# The real S3 server the S3 tests use (Ceph RGW on 127.0.0.1; installs the Debian packages on first use).
if ! s3_env=$(bash "$root/tests/servers/ceph-rgw.sh" start); then
  echo "Could not start the S3 test server (tests/servers/ceph-rgw.sh start); see the log above."
  echo "0 passed, 1 failed"
  exit 1
fi
eval "$s3_env"

# The Azure Blob emulator the Azure tests use (Azurite on 127.0.0.1; installs the npm package on first use).
if ! azure_env=$(bash "$root/tests/servers/azurite.sh" start); then
  echo "Could not start the Azure Blob test server (tests/servers/azurite.sh start); see the log above."
  echo "0 passed, 1 failed"
  exit 1
fi
eval "$azure_env"

# Headless chromium for StaticAssets.AspNetCore's browser tests (Debian's package; the tests download no browser).
if ! command -v chromium >/dev/null 2>&1; then
  sudo=$([[ $(id -u) -eq 0 ]] || echo sudo)
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium; } >/dev/null \
    || echo "Could not install chromium (apt-get); the browser tests will fail."
fi

dotnet test "$root/StaticAssets.Tasks.sln" -c Release --nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@"
status=$?

# The counts, from the TRX report (the console summary's wording varies across SDK versions).
trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [[ -n "$trx" ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
  echo "$passed passed, $failed failed, $((total - executed)) skipped"
else
  echo "0 passed, 1 failed (no test results were written)"
  [[ $status -eq 0 ]] && status=1
fi
exit $status
