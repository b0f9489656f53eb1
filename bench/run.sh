#!/usr/bin/env bash
# Benchmark: publish a generated tree through the engine to Ceph RGW behind a latency-adding proxy; with --publish,
# `dotnet publish` of a generated web app that references the package (bench/README.md).
#
# Usage: bench/run.sh [--quick | --memory | --scaling | --publish | --soak] [bench options...]   (bench/run.sh --help lists them)
#
# Installs the peers (Debian awscli, rclone) and GNU time if missing, builds bench/StaticAssets.Bench in Release,
# makes sure the Ceph RGW test server runs
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

# The peers it compares with, from Debian's packages (awscli 2.9.19 and rclone 1.60.1 on Debian 12), and GNU time
# for their peak RSS. Installed only when missing; skipped when --tools names none of the peers, and for --soak (our
# engine only).
need_peers=1
for ((i = 1; i <= $#; i++)); do
    if [[ "${!i}" == "--tools" ]]; then
        j=$((i + 1)); [[ "${!j:-}" =~ aws|rclone ]] || need_peers=0
    fi
    [[ "${!i}" == "--soak" ]] && need_peers=0
done
missing=()
if (( need_peers )); then
    [[ -x /usr/bin/aws ]] || missing+=(awscli)
    [[ -x /usr/bin/rclone ]] || missing+=(rclone)
fi
[[ -x /usr/bin/time ]] || missing+=(time)
if (( ${#missing[@]} > 0 )); then
    echo "[bench] installing ${missing[*]} (Debian packages)..." >&2
    SUDO=""; (( EUID == 0 )) || SUDO="sudo -n"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y "${missing[@]}" >/dev/null 2>&1 \
        || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y "${missing[@]}" >/dev/null; } \
        || { echo "[bench] could not install ${missing[*]}; install them or pass --tools ours,ours-process" >&2; exit 1; }
fi

# On linux-x64 the harness is published precompiled (ReadyToRun), as the package ships the task's assemblies for
# that platform (tasks/net10.0-linux-x64): a fresh "ours-process" run then pays what a `dotnet publish` pays.
BIN="$HERE/StaticAssets.Bench/bin/Release/net10.0"
if [[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 && "${BENCH_READYTORUN:-1}" == 1 ]]; then
    echo "[bench] building (Release, ReadyToRun for linux-x64)..." >&2
    BIN="$HERE/StaticAssets.Bench/bin/Release/net10.0/linux-x64/publish"
    dotnet publish "$PROJECT" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$BIN" \
        -nologo -v quiet -clp:ErrorsOnly
else
    echo "[bench] building (Release)..." >&2
    dotnet build "$PROJECT" -c Release -nologo -v quiet -clp:ErrorsOnly
fi

echo "[bench] starting / checking the Ceph RGW server..." >&2
# `start` prints export lines on stdout (human-readable ones on stderr) and only prints them if already running.
# The lean server configuration the published figures were measured with (docs/benchmarks.md); it applies when
# this starts the server, not to one already running.
exports="$(STATICASSETS_RGW_LEAN=1 bash "$ROOT/tests/servers/ceph-rgw.sh" start)"
eval "$exports"
export STATICASSETS_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION

exec dotnet "$BIN/StaticAssets.Bench.dll" "$@"
