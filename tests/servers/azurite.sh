#!/usr/bin/env bash
# Throwaway Azure Blob Storage emulator for tests: Azurite (npm package), blob service only, on 127.0.0.1.
#
# Usage: tests/servers/azurite.sh start|stop|status|env
#
#   start    Install Azurite with npm if missing (into $STATICASSETS_AZURITE_HOME), start the blob service in the
#            background, wait until it answers, print `export` lines on stdout (so
#            `eval "$(tests/servers/azurite.sh start)"` works). Idempotent: if it already answers, just prints them.
#   stop     Stop it and delete its data folder.
#   status   Exit 0 if it answers.
#   env      Print the `export` lines:
#              STATICASSETS_AZURITE_ENDPOINT           http://127.0.0.1:PORT/devstoreaccount1
#              STATICASSETS_AZURITE_CONNECTION_STRING  connection string of Azurite's well-known development account
#
# Settings (environment):
#   STATICASSETS_AZURITE_PORT   blob port on 127.0.0.1                 (default 10000)
#   STATICASSETS_AZURITE_DIR    data + log folder, removed by stop     (default /tmp/staticassets-azurite)
#   STATICASSETS_AZURITE_HOME   where npm installs Azurite             (default /opt/staticassets-azurite)
#
# Azurite runs with --disableTelemetry (otherwise it tries to reach a cloud metadata address when stopping) and
# --skipApiVersionCheck (the .NET SDK may be newer than the emulator). The account key below is Azurite's
# published development key, not a secret.

set -uo pipefail

PORT="${STATICASSETS_AZURITE_PORT:-10000}"
DIR="${STATICASSETS_AZURITE_DIR:-/tmp/staticassets-azurite}"
HOME_DIR="${STATICASSETS_AZURITE_HOME:-/opt/staticassets-azurite}"
VERSION="3.37.0"
ACCOUNT="devstoreaccount1"
KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
ENDPOINT="http://127.0.0.1:$PORT/$ACCOUNT"
BIN="$HOME_DIR/node_modules/.bin/azurite-blob"

log() { echo "[azurite.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

print_env() {
    echo "export STATICASSETS_AZURITE_ENDPOINT=$ENDPOINT"
    echo "export STATICASSETS_AZURITE_CONNECTION_STRING='DefaultEndpointsProtocol=http;AccountName=$ACCOUNT;AccountKey=$KEY;BlobEndpoint=$ENDPOINT;'"
}

answers() {  # any HTTP answer from the blob endpoint (400 for a bare GET is fine)
    local code
    code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$ENDPOINT?comp=list" 2>/dev/null)"
    [[ -n "$code" && "$code" != 000 ]]
}

install() {
    [[ -x "$BIN" ]] && return 0
    command -v npm >/dev/null 2>&1 || die "npm is missing (apt-get install -y nodejs npm)"
    log "installing azurite@$VERSION into $HOME_DIR (npm)"
    mkdir -p "$HOME_DIR"
    npm install --prefix "$HOME_DIR" --no-audit --no-fund --loglevel=error "azurite@$VERSION" </dev/null >&2 \
        || die "npm install azurite@$VERSION failed"
}

start() {
    if answers; then
        log "already running at $ENDPOINT"
        print_env
        return 0
    fi
    install
    rm -rf "$DIR"
    mkdir -p "$DIR"
    log "starting Azurite blob service on 127.0.0.1:$PORT"
    setsid nohup "$BIN" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$DIR" --silent \
        --disableTelemetry --skipApiVersionCheck --loose </dev/null >"$DIR/azurite.log" 2>&1 &
    echo $! >"$DIR/azurite.pid"
    for _ in $(seq 1 60); do
        if answers; then
            log "ready at $ENDPOINT"
            print_env
            return 0
        fi
        kill -0 "$(cat "$DIR/azurite.pid")" 2>/dev/null || { tail -20 "$DIR/azurite.log" >&2; die "Azurite exited"; }
        sleep 0.5
    done
    tail -20 "$DIR/azurite.log" >&2
    die "Azurite did not answer within 30 s"
}

stop() {
    if [[ -f "$DIR/azurite.pid" ]]; then
        kill "$(cat "$DIR/azurite.pid")" 2>/dev/null
    fi
    pkill -f "azurite-blob --blobHost 127.0.0.1 --blobPort $PORT " 2>/dev/null
    rm -rf "$DIR"
    log "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) answers ;;
    env) print_env ;;
    *) sed -n '2,/^$/{/^#/!d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
