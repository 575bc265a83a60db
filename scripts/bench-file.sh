#!/usr/bin/env bash
# Benchmarks as deployed: the app on a file-backed SQLite database and key-value store (the
# files `spin up` keeps under .spin/, here in a fresh temporary directory), over loopback HTTP
# with wrk. Prints:
#  1. the trivial component's throughput (the probe's /exact route), the yardstick;
#  2. what the rate limit costs a request (issue 10): the same cart read by a guest (nothing
#     counted) and by the signed-in customer (token verified, one SQLite upsert), and the
#     difference of their p50s;
#  3. place-order (issue 11): POST /orders at 1 and 16 connections, each request a fresh
#     Idempotency-Key, with orders/s, p50/p99 and the ratio to the trivial component.
# Timing goals live here, never in tests. Called by scripts/bench.sh; DURATION (default 10s)
# sets each wrk run; BENCH_MANIFEST (default spin.toml) runs another build of the app, e.g. a
# copy of spin.toml pointing at .wasm files kept from before a change, to compare the two on
# one machine. Loopback only; every run stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
MANIFEST="${BENCH_MANIFEST:-spin.toml}"
# The SQL the database is seeded with (scripts/seed writes the default); BENCH_SEED names
# another, e.g. one without the WAL pragma, to measure a rollback-journal database as Spin
# left it before issue 11.
SEED="${BENCH_SEED:-.spin/seed.sql}"

[ "$MANIFEST" = spin.toml ] && scripts/build >/dev/null
cargo build -q --target wasm32-wasip2 --release -p host-probe
cargo build -q --profile host -p spin-test-host --bin spin-test-host
command -v wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null
scripts/seed >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Starts the host with the given arguments; sets $started_pid and waits until it serves.
start_host() {
    local log="$1"
    shift
    target/host/spin-test-host "$@" >"$log" 2>&1 &
    started_pid=$!
    for _ in $(seq 1 300); do
        grep -q "Serving http://" "$log" && return 0
        kill -0 "$started_pid" 2>/dev/null || { cat "$log"; exit 1; }
        sleep 0.1
    done
    cat "$log"
    exit 1
}
# wrk's p50 or p99 line, in milliseconds.
percentile_ms() {
    awk -v p="$1" '$1 == p { v = $2
        if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v) }
        else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
        print v }'
}
rate() { awk '$1 == "Requests/sec:" { print $2 }'; }

state="$(mktemp -d)"
probe_log="$(mktemp)"
app_log="$(mktemp)"
read_lua="$(mktemp --suffix=.lua)"
order_lua="$(mktemp --suffix=.lua)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$state" "$probe_log" "$app_log" "$read_lua" "$order_lua"' EXIT

# 1. The yardstick.
probe_port="$(free_port)"
SPIN_VARIABLE_API_TOKEN=bench start_host "$probe_log" --manifest tests/host/fixtures/probe.toml \
    --runtime-config-file tests/host/fixtures/probe-runtime-config.toml \
    --listen "127.0.0.1:${probe_port}" --in-memory
pids+=("$started_pid")
trivial_1="$(wrk --threads 1 --connections 1 --duration "$DURATION" "http://127.0.0.1:${probe_port}/exact" | rate)"
trivial_16="$(wrk --threads 2 --connections 16 --duration "$DURATION" "http://127.0.0.1:${probe_port}/exact" | rate)"
echo "==> trivial component (in memory): ${trivial_1} req/s at 1 connection, ${trivial_16} at 16"

# The app, file-backed, seeded with the demo data as scripts/up seeds it; the required
# secrets for this run, the rate limit out of the way, a customer token.
source scripts/bench-secrets
export BENCH_TOKEN="$token"
app_port="$(free_port)"
start_host "$app_log" --manifest "$MANIFEST" --listen "127.0.0.1:${app_port}" \
    --state-dir "$state" --sqlite "@${SEED}"
pids+=("$started_pid")
base="http://127.0.0.1:${app_port}"
echo "==> the app of ${MANIFEST} on file-backed state in ${state} (journal mode: $(python3 -c "import sqlite3; print(sqlite3.connect('${state}/sqlite_db.db').execute('PRAGMA journal_mode').fetchone()[0])"))"

# 2. The rate limit's cost per request.
cart="$(curl -sf -X POST "$base/cart" -H "authorization: Bearer $token" | sed -E 's/.*"id":"([^"]+)".*/\1/')"
guest="$(curl -sf -X POST "$base/cart" | sed -E 's/.*"id":"([^"]+)".*/\1/')"
echo 'wrk.headers["authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")' >"$read_lua"
guest_out="$(wrk --threads 2 --connections 2 --duration "$DURATION" --latency "$base/cart/$guest")"
customer_out="$(wrk --threads 2 --connections 2 --duration "$DURATION" --latency -s "$read_lua" "$base/cart/$cart")"
guest_p50="$(percentile_ms 50% <<<"$guest_out")"
customer_p50="$(percentile_ms 50% <<<"$customer_out")"
echo "==> cart read, 2 connections: guest (not counted) $(rate <<<"$guest_out") req/s, p50 ${guest_p50} ms;" \
    "signed-in customer (counted) $(rate <<<"$customer_out") req/s, p50 ${customer_p50} ms"
grep -E "Non-2xx" <<<"$customer_out" || true
awk -v g="$guest_p50" -v c="$customer_p50" \
    'BEGIN { printf "==> knowing the caller and counting the request: %.2f ms at p50\n", c - g }'

# 3. Place-order, as deployed.
curl -sf -X POST "$base/stock/receipts" -H "x-api-key: $SPIN_VARIABLE_ADMIN_API_KEY" -H 'content-type: application/json' \
    -d '{"store_id": "SH-JINGAN", "sku": "TEA-OOLONG-250G", "quantity": 100000}' >/dev/null
cat >"$order_lua" <<'LUA'
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  prefix = args[1]
  counter = 0
end
local body = '{"lines": [{"sku": "TEA-OOLONG-250G", "quantity": 1}], ' ..
  '"fulfilment": {"mode": "pickup", "store_id": "SH-JINGAN"}, "payment_method": "online"}'
function request()
  counter = counter + 1
  local headers = {["content-type"] = "application/json",
                   ["authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
                   ["idempotency-key"] = prefix .. "-" .. tid .. "-" .. counter}
  return wrk.format("POST", "/orders", headers, body)
end
LUA
for connections in 1 16; do
    threads=$(( connections < 2 ? 1 : 2 ))
    out="$(wrk --threads "$threads" --connections "$connections" --duration "$DURATION" --latency \
        -s "$order_lua" "$base/orders" -- "file-$connections-$$")"
    trivial="$([ "$connections" = 1 ] && echo "$trivial_1" || echo "$trivial_16")"
    echo "==> place order, file-backed, ${connections} connection(s): $(rate <<<"$out") orders/s," \
        "p50 $(percentile_ms 50% <<<"$out") ms, p99 $(percentile_ms 99% <<<"$out") ms," \
        "$(awk -v o="$(rate <<<"$out")" -v t="$trivial" 'BEGIN { printf "%.3f", o / t }') of the trivial component"
    grep -E "Non-2xx" <<<"$out" || true
done
