#!/usr/bin/env bash
# Benchmark: publish a generated tree through the engine to Ceph RGW behind a latency-adding proxy.
#
# Usage: bench/run.sh [--quick] [bench options...]      (bench/run.sh --help lists them)
#
# Builds bench/StaticAssets.Bench in Release, makes sure the Ceph RGW test server runs
# (tests/servers/ceph-rgw.sh start: idempotent; installs the packages on first use), takes the
# endpoint and credentials from it, and runs the bench with the arguments given.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PROJECT="$HERE/StaticAssets.Bench/StaticAssets.Bench.csproj"

for arg in "$@"; do
    if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
        dotnet build "$PROJECT" -c Release -nologo -v quiet >/dev/null
        exec dotnet "$HERE/StaticAssets.Bench/bin/Release/net10.0/StaticAssets.Bench.dll" --help
    fi
done

echo "[bench] building (Release)..." >&2
dotnet build "$PROJECT" -c Release -nologo -v quiet -clp:ErrorsOnly

echo "[bench] starting / checking the Ceph RGW server..." >&2
# `start` prints export lines on stdout (human-readable ones on stderr) and only prints them if already running.
exports="$(bash "$ROOT/tests/servers/ceph-rgw.sh" start)"
eval "$exports"
export STATICASSETS_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION

exec dotnet "$HERE/StaticAssets.Bench/bin/Release/net10.0/StaticAssets.Bench.dll" "$@"
