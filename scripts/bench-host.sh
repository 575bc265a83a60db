#!/usr/bin/env bash
# Benchmarks the Spin-compatible test host (tests/host): in-process instantiate-and-handle
# latency (host-bench, p50/p99 over 1,000 requests), then requests/sec over loopback HTTP with
# wrk at 2 and 16 connections against the probe's trivial /exact route. Timing goals live
# here, never in tests. Called by scripts/bench.sh; DURATION (default 10s) tunes wrk runs.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"

echo "==> building the probe component and the host (profile host: optimised, no fat LTO)"
cargo build --target wasm32-wasip2 --release -p host-probe
cargo build --profile host -p spin-test-host --bins

echo "==> in-process latency"
target/host/host-bench --requests 1000 --route /exact

if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk"
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi

# A free loopback port: bind port 0 and read back what the kernel chose.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
SPIN_VARIABLE_API_TOKEN=bench target/host/spin-test-host \
    --manifest tests/host/fixtures/probe.toml \
    --runtime-config-file tests/host/fixtures/probe-runtime-config.toml \
    --listen "127.0.0.1:${port}" --in-memory >"$log" 2>&1 &
host_pid=$!
trap 'kill "$host_pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
    grep -q "Serving http://" "$log" && break
    kill -0 "$host_pid" 2>/dev/null || { cat "$log"; echo "spin-test-host exited" >&2; exit 1; }
    sleep 0.1
done
grep -q "Serving http://" "$log" || { cat "$log"; echo "spin-test-host did not start" >&2; exit 1; }

url="http://127.0.0.1:${port}/exact"
for connections in 2 16; do
    echo "==> wrk: ${connections} connections, ${DURATION}, GET ${url}"
    wrk --threads 2 --connections "$connections" --duration "$DURATION" "$url" \
        | grep -E "Requests/sec|Latency|requests in|Non-2xx" || true
done
