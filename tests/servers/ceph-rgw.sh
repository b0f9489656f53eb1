#!/usr/bin/env bash
# Throwaway S3 server for tests: Ceph RADOS Gateway (radosgw 16, Debian 12 packages) on top of a
# private single-node Ceph cluster (1 ceph-mon, 1 ceph-osd with memstore), all on 127.0.0.1.
#
# Usage: tests/servers/ceph-rgw.sh start|stop|restart|status|env
#
#   start    Install the packages if missing (apt-get; root or passwordless sudo), start
#            mon + osd + radosgw in the background, wait until S3 answers signed requests,
#            create the test user, print the settings (human-readable on stderr, `export`
#            lines on stdout, so `eval "$(tests/servers/ceph-rgw.sh start)"` works).
#            Idempotent: when already running and answering it only prints the settings.
#            A stale instance (dead daemons, leftover directory) is cleaned up first.
#   stop     Kill the daemons this script started and remove the data directory.
#   restart  stop + start (fresh, empty server).
#   status   Exit 0 if all daemons run and S3 answers (signed ListBuckets), else 1.
#   env      Print the `export` lines:  eval "$(tests/servers/ceph-rgw.sh env)"
#   bucket NAME  Create bucket NAME (owned by the test user) if it does not exist yet.
#              STATICASSETS_S3_ENDPOINT  AWS_ACCESS_KEY_ID  AWS_SECRET_ACCESS_KEY  AWS_REGION
#
# Settings (environment):
#   STATICASSETS_RGW_PORT       S3 (HTTP) port on 127.0.0.1                  (default 7480)
#   STATICASSETS_RGW_DIR        data/run/log directory, removed by stop      (default /tmp/staticassets-rgw)
#   STATICASSETS_RGW_MON_PORT   ceph-mon msgr2 port; msgr1 = +1; OSD binds +2..+200
#                               (default RGW port + 10000 = 17480; stays off the system 3300/6789)
#   STATICASSETS_RGW_MEM_BYTES  memstore capacity, i.e. max bytes stored     (default 4294967296)
#   STATICASSETS_RGW_TIMEOUT    max seconds per startup step                 (default 90)
#   STATICASSETS_RGW_LEAN       1: no debug output, perf counters or op tracking (the benchmark's server) (default 0)
#
# Objects live in the OSD's memory (memstore): nothing survives `stop`. Logs: $DIR/log/.
# Memory: ~130 MB RSS idle (3 daemons); the OSD grows ~3x the bytes stored (150 MB -> ~0.5 GB).
# Use path-style addressing (no rgw_dns_name). AWSSDK.S3 v4 needs RequestChecksumCalculation and
# ResponseChecksumValidation = WHEN_REQUIRED against RGW 16 (else 400 XAmzContentSHA256Mismatch);
# Other AWS SDKs/CLIs, if they hit the same: AWS_REQUEST_CHECKSUM_CALCULATION=when_required
# AWS_RESPONSE_CHECKSUM_VALIDATION=when_required (deliberately not exported by `env`, so tests
# exercise the client's own setting).

set -uo pipefail
unset CEPH_ARGS CEPH_CONF

PROG="$(basename "$0")"
PORT="${STATICASSETS_RGW_PORT:-7480}"
DIR="${STATICASSETS_RGW_DIR:-/tmp/staticassets-rgw}"
MON_PORT="${STATICASSETS_RGW_MON_PORT:-}"
MEM_BYTES="${STATICASSETS_RGW_MEM_BYTES:-4294967296}"
TIMEOUT="${STATICASSETS_RGW_TIMEOUT:-90}"

ACCESS_KEY="staticassets-test"
SECRET_KEY="staticassets-test-secret"
USER_ID="staticassets-test"
REGION="us-east-1"

DAEMONS=(mon.a osd.0 client.rgw.a)
RGW_POOLS=(.rgw.root default.rgw.log default.rgw.control default.rgw.meta
           default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec)
EMPTY_SHA256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

log() { echo "[$PROG] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

setup() {
    [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65536 )) || die "bad STATICASSETS_RGW_PORT: '$PORT'"
    if [[ -z "$MON_PORT" ]]; then
        if (( PORT <= 55000 )); then MON_PORT=$(( PORT + 10000 )); else MON_PORT=$(( PORT - 10000 )); fi
    fi
    [[ "$MON_PORT" =~ ^[0-9]+$ ]] && (( MON_PORT > 1023 && MON_PORT + 200 < 65536 )) \
        || die "bad monitor port '$MON_PORT' (STATICASSETS_RGW_MON_PORT)"
    (( PORT < MON_PORT || PORT > MON_PORT + 200 )) \
        || die "STATICASSETS_RGW_PORT $PORT is inside the mon/OSD port range $MON_PORT-$((MON_PORT + 200))"
    [[ "$MEM_BYTES" =~ ^[0-9]+$ ]] || die "bad STATICASSETS_RGW_MEM_BYTES: '$MEM_BYTES'"
    [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "bad STATICASSETS_RGW_TIMEOUT: '$TIMEOUT'"
    [[ "$DIR" == /* ]] || die "STATICASSETS_RGW_DIR must be an absolute path: '$DIR'"
    while [[ "$DIR" == */ && "$DIR" != / ]]; do DIR="${DIR%/}"; done
    case "$DIR" in
        /|/tmp|/var|/var/tmp|/root|/home|/usr|/etc|/opt|/srv|/work|/bin|/lib|/dev|/proc|/sys|/run)
            die "refusing to use '$DIR' as the data directory (it gets deleted)" ;;
    esac
    ENDPOINT="http://127.0.0.1:${PORT}"
    CONF="$DIR/ceph.conf"
    MARKER="$DIR/.staticassets-rgw"
    LOG_DIR="$DIR/log"
    RUN_DIR="$DIR/run"
    LOCK_FILE="$DIR.lock"
}

# ---------------------------------------------------------------------------------------------
# small helpers

print_env() {
    cat <<EOF
export STATICASSETS_S3_ENDPOINT=$ENDPOINT
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=$REGION
EOF
}

print_settings() {
    log "Ceph RGW (S3) is running: endpoint $ENDPOINT (path-style), region $REGION"
    log "  access key $ACCESS_KEY / secret key $SECRET_KEY"
    log "  data + logs: $DIR  (stop with: $0 stop)"
    print_env
}

cephc()    { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
rgwadmin() { timeout 60 radosgw-admin -c "$CONF" "$@"; }

proc_running() {  # pid exists and is not a zombie
    local st
    [[ -n "${1:-}" ]] || return 1
    st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)"
    [[ -n "$st" && "$st" != Z ]]
}

pid_is_ours() {  # running and started with our private conf file
    proc_running "${1:-}" || return 1
    { tr '\0' '\n' < "/proc/$1/cmdline"; } 2>/dev/null | grep -qxF -- "$CONF"
}

pid_of() {  # daemon name -> pid recorded by its wrapper
    local f="$RUN_DIR/$1.daemon-pid"
    [[ -s "$f" ]] && tr -dc '0-9' < "$f"
}

daemon_alive() { pid_is_ours "$(pid_of "$1")"; }

our_pids() {  # processes started with our conf file: daemons, their wrappers, stuck CLI calls
    local p
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        [[ "$p" == "$$" || "$p" == "$BASHPID" ]] && continue
        case "$(cat "/proc/$p/comm" 2>/dev/null)" in
            ceph-mon|ceph-osd|radosgw|radosgw-admin|ceph|bash|timeout|python3*) pid_is_ours "$p" && echo "$p" ;;
        esac
    done
}

http_answers() {  # any HTTP status from the frontend
    local code
    code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null)"
    [[ -n "$code" && "$code" != 000 ]]
}

s3_signed_ok() {  # SigV4-signed ListBuckets with the test keys returns 200 + a bucket list
    local out
    out="$(curl -s -m 5 --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
             -H "x-amz-content-sha256: $EMPTY_SHA256" -w '\n%{http_code}' "$ENDPOINT/" 2>/dev/null)" || return 1
    [[ "${out##*$'\n'}" == 200 && "$out" == *ListAllMyBucketsResult* ]]
}

curl_has_sigv4() { curl --help all 2>/dev/null | grep -q -- '--aws-sigv4'; }

s3_ready() { if curl_has_sigv4; then s3_signed_ok; else http_answers; fi; }

is_running() {
    [[ -f "$MARKER" ]] || return 1
    local d
    for d in "${DAEMONS[@]}"; do daemon_alive "$d" || return 1; done
    s3_ready
}

port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

dump_logs() {  # daemon logs first, then the daemons' stderr and CLI output (usually the real reason)
    local f
    [[ -d "$LOG_DIR" ]] || return 0
    for f in "$LOG_DIR"/*.log "$LOG_DIR"/*.out; do
        [[ -f "$f" ]] && grep -q . "$f" || continue
        echo "----- tail $f -----" >&2
        grep -v '^[[:space:]]*$' "$f" | tail -n 20 | cut -c1-400 >&2
    done
}

fail() {  # startup failure: show logs, leave everything for inspection
    log "ERROR: $*"
    dump_logs
    log "start FAILED: $*"
    log "logs are in $LOG_DIR; clean up with: $0 stop"
    exit 1
}

STARTED=()
wait_for() {  # wait_for <what> <command...>: poll until success; fail early if a started daemon died
    local what="$1"; shift
    local deadline=$(( SECONDS + TIMEOUT )) d
    while :; do
        for d in "${STARTED[@]}"; do daemon_alive "$d" || fail "$d died while waiting for $what"; done
        "$@" >/dev/null 2>&1 && return 0
        (( SECONDS < deadline )) || fail "timed out after ${TIMEOUT}s waiting for $what"
        sleep 0.2
    done
}

all_started_alive() {
    local d
    for d in "${STARTED[@]}"; do daemon_alive "$d" || fail "$d died during startup"; done
}

LOCKED=0
lock() {  # serialize start/stop between concurrent callers (e.g. parallel test runs)
    (( LOCKED )) && return 0
    command -v flock >/dev/null 2>&1 || return 0
    mkdir -p "$(dirname "$LOCK_FILE")"
    exec 9>"$LOCK_FILE" || die "cannot open lock file $LOCK_FILE"
    flock -w $(( TIMEOUT * 4 )) 9 || die "timed out waiting for the lock $LOCK_FILE (another start/stop running?)"
    LOCKED=1
}

# ---------------------------------------------------------------------------------------------
# install

REQUIRED_BINS=(ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool curl timeout setsid awk)

missing_bins() {
    local b
    for b in "${REQUIRED_BINS[@]}"; do command -v "$b" >/dev/null 2>&1 || echo "$b"; done
}

ensure_packages() {
    [[ -z "$(missing_bins)" ]] && return 0
    local sudo=()
    if (( EUID != 0 )); then
        command -v sudo >/dev/null 2>&1 || die "missing: $(missing_bins | xargs); not root and no sudo: apt-get install radosgw ceph-mon ceph-osd curl"
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing: $(missing_bins | xargs); no apt-get here: install radosgw, ceph-mon, ceph-osd, curl"
    log "installing radosgw ceph-mon ceph-osd (apt-get; ~30 s) ..."
    local t0=$SECONDS out
    out="$(mktemp)"
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
           && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
                radosgw ceph-mon ceph-osd ceph-common curl; } </dev/null >"$out" 2>&1; then
        tail -n 30 "$out" >&2
        rm -f "$out"
        die "apt-get install of the ceph packages failed"
    fi
    rm -f "$out"
    [[ -z "$(missing_bins)" ]] || die "still missing after install: $(missing_bins | xargs)"
    log "packages installed in $(( SECONDS - t0 ))s"
}

# ---------------------------------------------------------------------------------------------
# stop

wait_gone() {  # wait_gone <seconds> <pids...>
    local deadline=$(( SECONDS + $1 )) p; shift
    for p in "$@"; do
        while proc_running "$p" && (( SECONDS < deadline )); do sleep 0.1; done
    done
}

stop_all() {
    local daemons=() wrappers=() p
    for p in $(our_pids); do
        if [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == bash ]]; then wrappers+=("$p"); else daemons+=("$p"); fi
    done
    if (( ${#daemons[@]} )); then
        log "stopping pids ${daemons[*]}"
        # SIGKILL: on a clean shutdown memstore writes every object to disk; the data is throwaway.
        # Daemons first, so their wrapper (parent) reaps them and no <defunct> ceph-* stays behind.
        kill -KILL "${daemons[@]}" 2>/dev/null
        wait_gone 15 "${daemons[@]}"
    fi
    if (( ${#wrappers[@]} )); then
        wait_gone 5 "${wrappers[@]}"
        for p in "${wrappers[@]}"; do proc_running "$p" && kill -KILL "$p" 2>/dev/null; done
        wait_gone 5 "${wrappers[@]}"
    fi
    local left
    left="$(our_pids | xargs)"
    [[ -z "$left" ]] || die "could not stop pids $left"
    if [[ -e "$DIR" ]]; then
        if [[ -f "$MARKER" || -z "$(ls -A "$DIR" 2>/dev/null)" ]]; then
            rm -rf -- "$DIR" || die "could not remove $DIR"
        else
            die "$DIR exists but was not made by this script (no $(basename "$MARKER")); not touching it"
        fi
    fi
}

# ---------------------------------------------------------------------------------------------
# start

# STATICASSETS_RGW_LEAN=1 (bench/run.sh sets it): a leaner server, so the benchmark measures the client more than
# the server: no debug output or gathering (the defaults write three log lines per request and gather more in
# memory), no perf counters or op tracking (docs/benchmarks.md). Off for the tests, which run Ceph as it comes.
DEBUG_SUBSYSTEMS=(asok auth buffer client context crush crypto filer finisher heartbeatmap journal journaler leveldb
                  lockdep memdb mgr mgrc mon monc ms none objclass objecter optracker osd paxos perfcounter
                  prioritycache rados refs reserver rgw rgw_sync rocksdb striper throttle timer tp)

write_conf() {
    local fsid="$1" lean_global="" lean_osd="" s
    if [[ "${STATICASSETS_RGW_LEAN:-0}" == 1 ]]; then
        lean_global="perf = false"$'\n'"throttler_perf_counter = false"$'\n'"mutex_perf_counter = false"$'\n'
        for s in "${DEBUG_SUBSYSTEMS[@]}"; do lean_global+="debug_$s = 0/0"$'\n'; done
        lean_osd="osd_enable_op_tracker = false"
    fi
    cat > "$CONF" <<EOF
# Generated by $PROG: private throwaway cluster on 127.0.0.1. Deleted by '$PROG stop'.
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv4 = true
ms_bind_ipv6 = false
ms_bind_port_min = $((MON_PORT + 2))
ms_bind_port_max = $((MON_PORT + 200))
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# auth "none" cannot do msgr2 "secure" mode, and radosgw defaults to ms_mon_client_mode = secure
# (it then loops on "get_initial_auth_request returned -13"): plain crc everywhere.
ms_cluster_mode = crc
ms_service_mode = crc
ms_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_client_mode = crc
run_dir = $RUN_DIR
crash_dir = $DIR/crash
keyring = $DIR/keyring
log_file = $LOG_DIR/\$name.log
log_to_file = true
log_to_stderr = false
err_to_stderr = true
mon_cluster_log_file = $LOG_DIR/cluster.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
mon_max_pg_per_osd = 1000
mon_data_avail_warn = 1
mon_data_avail_crit = 0
# a single mon: commit map changes at once instead of batching them for 1 s
# (RGW creates pools one by one; this takes cold start from ~12 s to ~3 s)
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
${lean_global}
[mon]
mon_data = $DIR/mon/\$cluster-\$id
admin_socket = $RUN_DIR/\$name.asok
pid_file = $RUN_DIR/\$name.pid

[mon.a]
public_addrv = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]

[osd]
osd_data = $DIR/osd/\$cluster-\$id
admin_socket = $RUN_DIR/\$name.asok
pid_file = $RUN_DIR/\$name.pid
osd_objectstore = memstore
${lean_osd}
memstore_device_bytes = $MEM_BYTES
# the OSD is put into CRUSH by hand before it boots (avoids a "wrong fsid" race at start)
osd_crush_update_on_start = false
osd_class_update_on_start = false

[client.rgw.a]
admin_socket = $RUN_DIR/\$name.asok
pid_file = $RUN_DIR/\$name.pid
rgw_data = $DIR/rgw
rgw_frontends = beast endpoint=127.0.0.1:$PORT
rgw_dynamic_resharding = false
rgw_run_sync_thread = false
rgw_enable_usage_log = false
rgw_enable_quota_threads = false
rgw_gc_obj_min_wait = 60
rgw_gc_processor_period = 60
EOF
}

start_daemon() {  # start_daemon <name> <binary> <args...>
    local name="$1"; shift
    # Foreground daemon (-f) as the child of a tiny bash wrapper in its own session, detached from
    # our stdin/stdout/tty, so it outlives this script and holds none of the caller's pipes. The
    # wrapper reaps the daemon when it dies (PID 1 in some containers/VMs never reaps orphans).
    setsid bash -c 'pidfile=$1; shift; "$@" & pid=$!; echo "$pid" > "$pidfile"; wait "$pid"; rc=$?
                    echo "$(date -u +%FT%TZ) $1 (pid $pid) exited with status $rc"' \
        ceph-rgw-wrapper "$RUN_DIR/$name.daemon-pid" "$@" -f -c "$CONF" \
        </dev/null >>"$LOG_DIR/$name.out" 2>&1 9>&- &
    local wrapper=$!
    disown "$wrapper" 2>/dev/null
    local deadline=$(( SECONDS + 10 ))
    until daemon_alive "$name"; do
        (( SECONDS < deadline )) && proc_running "$wrapper" || fail "$1 did not start (see $LOG_DIR/$name.out)"
        sleep 0.1
    done
    STARTED+=("$name")
}

osd_up() {
    local n
    n="$(cephc osd stat -f json 2>/dev/null | tr -d ' \n' | grep -o '"num_up_osds":[0-9]*' | cut -d: -f2)"
    [[ "$n" == 1 ]]
}

create_pools() {  # create RGW's pools up front so the first bucket/upload doesn't wait for them
    # one librados client (the ceph CLI's python) instead of 14 slow `ceph` CLI calls
    local py
    py="$(head -n 1 "$(command -v ceph)" | sed -n 's/^#! *//p' | awk '{print $1}')"
    [[ -x "$py" ]] || py=/usr/bin/python3
    timeout 60 "$py" - "$CONF" "${RGW_POOLS[@]}" >>"$LOG_DIR/ceph-cli.out" 2>&1 <<'PY' || fail "creating the RGW pools failed"
import json, sys, rados
cluster = rados.Rados(conffile=sys.argv[1])
cluster.connect(timeout=30)
for pool in sys.argv[2:]:
    for cmd in ({"prefix": "osd pool create", "pool": pool, "pg_num": 8, "pgp_num": 8, "pool_type": "replicated"},
                {"prefix": "osd pool application enable", "pool": pool, "app": "rgw"}):
        ret, out, err = cluster.mon_command(json.dumps(cmd), b"", timeout=30)
        if ret != 0:
            sys.exit("%s -> %d %s" % (json.dumps(cmd), ret, err))
cluster.shutdown()
PY
}

ensure_user() {
    local info
    if info="$(rgwadmin user info --uid="$USER_ID" 2>>"$LOG_DIR/radosgw-admin.out")"; then
        if [[ "$info" == *"\"access_key\": \"$ACCESS_KEY\""* && "$info" == *"\"secret_key\": \"$SECRET_KEY\""* ]]; then
            return 0
        fi
        rgwadmin key create --uid="$USER_ID" --key-type=s3 --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
            >/dev/null 2>>"$LOG_DIR/radosgw-admin.out" || fail "radosgw-admin key create failed"
    else
        rgwadmin user create --uid="$USER_ID" --display-name="StaticAssets test user" \
            --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
            >/dev/null 2>>"$LOG_DIR/radosgw-admin.out" || fail "radosgw-admin user create failed"
    fi
}

# A full memstore OSD makes RGW hold every write without an answer (a bench's CreateBucket waited minutes after
# repeated runs had filled the 4 GB store): such an instance is not usable, and start replaces it.
osd_full() { timeout 20 ceph -c "$DIR/ceph.conf" health 2>/dev/null | grep -q "full osd"; }

cmd_start() {
    lock
    if is_running; then
        if ! osd_full; then
            log "already running"
            print_settings
            return 0
        fi
        log "the running instance's OSD is full (writes would hang): replacing it with a fresh one"
    fi
    if [[ -e "$DIR" || -n "$(our_pids)" ]]; then
        local old_port
        old_port="$(cat "$DIR/port" 2>/dev/null)"
        if [[ -n "$old_port" && "$old_port" != "$PORT" ]]; then
            log "the instance in $DIR was started on port $old_port: replacing it with a fresh one on port $PORT"
        else
            log "cleaning up a stale instance in $DIR"
        fi
        stop_all
    fi

    ensure_packages

    local p
    for p in "$PORT" "$MON_PORT" "$((MON_PORT + 1))"; do
        ! port_in_use "$p" || die "port $p on 127.0.0.1 is already in use (change STATICASSETS_RGW_PORT / STATICASSETS_RGW_MON_PORT)"
    done

    local t0=$SECONDS fsid osd_uuid osd_id
    mkdir -p "$LOG_DIR" "$RUN_DIR" "$DIR/mon/ceph-a" "$DIR/osd/ceph-0" "$DIR/rgw" "$DIR/crash" \
        || die "cannot create $DIR"
    touch "$MARKER"
    echo "$PORT" > "$DIR/port"
    fsid="$(cat /proc/sys/kernel/random/uuid)"
    osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
    write_conf "$fsid"

    log "starting ceph-mon on 127.0.0.1:$MON_PORT"
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]" \
        "$DIR/monmap" >>"$LOG_DIR/mon.a.out" 2>&1 || fail "monmaptool failed"
    ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" </dev/null >>"$LOG_DIR/mon.a.out" 2>&1 \
        || fail "ceph-mon --mkfs failed"
    start_daemon mon.a ceph-mon -i a
    wait_for "ceph-mon to answer" cephc mon stat

    log "starting ceph-osd (memstore, max $MEM_BYTES bytes)"
    osd_id="$(cephc osd new "$osd_uuid" 2>>"$LOG_DIR/ceph-cli.out")" || fail "ceph osd new failed"
    [[ "$osd_id" == 0 ]] || fail "ceph osd new returned '$osd_id', expected 0"
    cephc osd crush add osd.0 1.0 root=default host=localhost >>"$LOG_DIR/ceph-cli.out" 2>&1 \
        || fail "ceph osd crush add failed"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" </dev/null >>"$LOG_DIR/osd.0.out" 2>&1 \
        || fail "ceph-osd --mkfs failed"
    start_daemon osd.0 ceph-osd -i 0
    wait_for "osd.0 to come up" osd_up
    create_pools

    log "starting radosgw on $ENDPOINT"
    start_daemon client.rgw.a radosgw -n client.rgw.a
    wait_for "radosgw to answer HTTP on $ENDPOINT" http_answers
    sleep 0.2; all_started_alive
    ensure_user
    wait_for "signed S3 requests to succeed on $ENDPOINT" s3_ready
    all_started_alive
    log "started in $(( SECONDS - t0 ))s"
    print_settings
}

cmd_status() {
    if is_running; then
        log "running: $ENDPOINT (data in $DIR)"
        return 0
    fi
    local d st=""
    for d in "${DAEMONS[@]}"; do
        if daemon_alive "$d"; then st+=" $d=up"; else st+=" $d=down"; fi
    done
    if http_answers; then st+=" http=answers"; else st+=" http=no-answer"; fi
    log "not running:$st"
    return 1
}

cmd_bucket() {  # cmd_bucket <name>: SigV4-signed PUT /<name>; 200 = created, 409 = it exists already
    local name="${1:-}" code
    [[ "$name" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "usage: $PROG bucket NAME (3-63 lowercase letters, digits, '.', '-')"
    is_running || die "the server is not running: $PROG start"
    code="$(curl -s -o /dev/null -m 10 -X PUT --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
             -H "x-amz-content-sha256: $EMPTY_SHA256" -w '%{http_code}' "$ENDPOINT/$name")" || die "could not reach $ENDPOINT"
    case "$code" in
        200|409) log "bucket $name is ready at $ENDPOINT/$name" ;;
        *) die "creating bucket $name answered HTTP $code" ;;
    esac
}

usage() { sed -n '2,/^$/{/^#/!d;s/^# \{0,1\}//;p}' "$0" >&2; }

main() {
    case "${1:-}" in
        start)   setup; cmd_start ;;
        stop)    setup; lock; stop_all; log "stopped" ;;
        restart) setup; lock; stop_all; cmd_start ;;
        status)  setup; cmd_status ;;
        env)     setup; print_env ;;
        bucket)  setup; cmd_bucket "${2:-}" ;;
        -h|--help|help) usage ;;
        *)       usage; exit 2 ;;
    esac
}

main "$@"
