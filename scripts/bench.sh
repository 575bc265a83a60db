#!/usr/bin/env bash
# Benchmarks (timing goals live here, never in tests). Prints:
#  1. the host's own figures (scripts/bench-host.sh): in-process instantiate-and-handle p50/p99
#     of a trivial component, and requests/sec over loopback with 2 and 16 connections;
#  2. the cart over loopback HTTP on the real o2o_cart.wasm with the demo catalog: what
#     knowing the caller costs (a guest's cart read vs the signed-in customer's), then reads
#     (GET /cart/{id}) and writes (PUT a line's quantity: key-value read + catalog-free write)
#     at 2 and 16 connections, and the release .wasm sizes;
#  3. quote latency natively and through the host (issue 4);
#  4. place-order natively (the domain workflow over in-memory SQLite);
#  5. as deployed, on file-backed state (scripts/bench-file.sh): the trivial component's
#     throughput, what the rate limit costs a request (issue 10), and place-order over HTTP at
#     1 and 16 connections with its ratio to the trivial component (issue 11);
#  6. the shop at the demo's size and at a real shop's, side by side (scripts/bench-scale.sh,
#     issue 12): quote, place order, cart read, availability and list pages, their host calls
#     and memory, and the issue's goals.
# DURATION (default 10s) sets each wrk run and each run of part 6 (BENCH_SECONDS overrides it
# there). Loopback or in-process only; every run stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"

scripts/bench-host.sh

echo "==> building the components and the host"
scripts/build
cargo build --profile host -p spin-test-host --bin spin-test-host
command -v wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null

echo "==> release .wasm sizes"
ls -l target/wasm32-wasip2/release/o2o_*.wasm | awk '{printf "%-20s %8d bytes\n", $9, $5}' \
    | sed 's#target/wasm32-wasip2/release/##'

scripts/seed >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
# The required secrets for this run, the rate limit out of the way, a customer token.
source scripts/bench-secrets
target/host/spin-test-host --manifest spin.toml --listen "127.0.0.1:${port}" --in-memory \
    --sqlite @.spin/seed.sql >"$log" 2>&1 &
host_pid=$!
lua="$(mktemp --suffix=.lua)"
trap 'kill "$host_pid" 2>/dev/null || true; rm -f "$log" "$lua" "${read_lua:-}"' EXIT
for _ in $(seq 1 300); do
    grep -q "Serving http://" "$log" && break
    kill -0 "$host_pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
done

base="http://127.0.0.1:${port}"
cart="$(curl -sf -X POST "$base/cart" -H "authorization: Bearer $token" | sed -E 's/.*"id":"([^"]+)".*/\1/')"
curl -sf -X POST "$base/cart/$cart/items" -H 'content-type: application/json' -H "authorization: Bearer $token" \
    -d '{"sku": "TEA-OOLONG-250G", "quantity": 1}' >/dev/null
cat >"$lua" <<'LUA'
wrk.method = "PUT"
wrk.body = '{"quantity": 2}'
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
LUA
read_lua="$(mktemp --suffix=.lua)"
echo 'wrk.headers["authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")' >"$read_lua"
export BENCH_TOKEN="$token"

# What knowing the caller costs per request (issue 7), in memory: the same read of a guest
# cart (no credentials: no token to verify, nothing counted) and of the customer's cart (a
# bearer token verified, and the request counted in SQLite).
guest="$(curl -sf -X POST "$base/cart" | sed -E 's/.*"id":"([^"]+)".*/\1/')"
curl -sf -X POST "$base/cart/$guest/items" -H 'content-type: application/json' \
    -d '{"sku": "TEA-OOLONG-250G", "quantity": 1}' >/dev/null
echo "==> cart read as a guest (no credentials): GET /cart/{id}, 2 connections, ${DURATION}"
wrk --threads 2 --connections 2 --duration "$DURATION" --latency "$base/cart/$guest" \
    | grep -E "Requests/sec|50%|99%|Non-2xx" || true
echo "==> cart read as the signed-in customer: GET /cart/{id}, 2 connections, ${DURATION}"
wrk --threads 2 --connections 2 --duration "$DURATION" --latency -s "$read_lua" "$base/cart/$cart" \
    | grep -E "Requests/sec|50%|99%|Non-2xx" || true

for connections in 2 16; do
    echo "==> cart read: GET /cart/{id}, ${connections} connections, ${DURATION}"
    wrk --threads 2 --connections "$connections" --duration "$DURATION" -s "$read_lua" "$base/cart/$cart" \
        | grep -E "Requests/sec|Latency|Non-2xx" || true
    echo "==> cart write: PUT /cart/{id}/items/{sku}, ${connections} connections, ${DURATION}"
    wrk --threads 2 --connections "$connections" --duration "$DURATION" -s "$lua" \
        "$base/cart/$cart/items/TEA-OOLONG-250G" | grep -E "Requests/sec|Latency|Non-2xx" || true
done

echo "==> place order natively: o2o-domain example place_order_bench (2,000 orders)"
cargo run -q -p o2o-domain --release --example place_order_bench

# Quote latency (issue 4): a 5-line and a 50-line basket against 20 active promotions, in the
# domain crate natively and through the host (in-process POST /quote on o2o_quote.wasm, no
# sockets). Both stop by themselves after a fixed number of runs.
echo "==> quote latency natively: o2o-domain example quote_bench (10,000 runs per basket)"
cargo run -q -p o2o-domain --release --example quote_bench
echo "==> quote latency through the host: o2o-e2e bin quote-bench (300 runs per basket)"
# (each request's JSON log line is dropped from stderr here: only the figures matter)
cargo run -q -p o2o-e2e --profile host --bin quote-bench 2> >(grep -v '^{"component"' >&2)

# As deployed: file-backed state, the rate limit's cost and place-order over HTTP.
kill "$host_pid" 2>/dev/null || true
scripts/bench-file.sh

# Both sizes side by side (issue 12), each run as long as DURATION says.
seconds="${DURATION%s}"
[[ "$seconds" =~ ^[0-9]+$ ]] || seconds=5
BENCH_SECONDS="${BENCH_SECONDS:-$seconds}" scripts/bench-scale.sh
