#!/usr/bin/env bash
# Runs the whole test suite, doing its own set-up first. Ends with the line "N passed, N failed, N skipped".
# Extra arguments go to every `dotnet test`, e.g. --filter "FullyQualifiedName~EndToEnd"
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
# Nothing happens, and nothing is printed, when it is already installed.
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing chromium (apt-get) for the browser tests ..."
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
         && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
       </dev/null >/dev/null 2>&1; then
    echo "Could not install chromium (apt-get install chromium); the browser tests will fail."
  fi
fi

# One `dotnet test` per test project, each writing its own TRX report: engine and task tests first (seconds),
# then the integration tests (real servers, real `dotnet publish`), then the runtime package's (in-process apps and
# headless chromium against the S3 server).
status=0
projects=(StaticAssets.Engine.Tests StaticAssets.Tasks.Tests StaticAssets.Integration.Tests StaticAssets.AspNetCore.Tests)
for project in "${projects[@]}"; do
  dotnet test "$root/tests/$project/$project.csproj" -c Release --nologo \
    --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || status=$?
done

# The counts, summed over the test projects' TRX reports (the console summary's wording varies across SDK versions);
# a project that wrote no report (it did not build, or its test host crashed) counts as one failure.
missing=0
for project in "${projects[@]}"; do
  [[ -f "$results/$project.trx" ]] || { echo "No test results from $project."; missing=$((missing + 1)); }
done
trx=$(find "$results" -name '*.trx' 2>/dev/null)
count() { [[ -z "$trx" ]] && { echo 0; return; }; grep -ho '<Counters [^>]*>' $trx | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" | awk '{ sum += $1 } END { print sum + 0 }'; }
passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
echo "$passed passed, $((failed + missing)) failed, $((total - executed)) skipped"
[[ $missing -gt 0 && $status -eq 0 ]] && status=1
exit $status
