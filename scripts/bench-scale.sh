#!/usr/bin/env bash
# Benchmarks at a real shop's size (issue 12): the app on file-backed state at the demo's size
# and at a real shop's (scripts/seed --scale large: 10,000 products, 20 stores, a year of
# orders and stock movements), in the same run, side by side: quote (5 and 50 lines), place
# order (1 and 16 clients), cart read, availability near a point and the largest list pages,
# each with p50/p99, requests/s, the ratio to the trivial component, the host calls of one
# request and the peak linear memory, then the issue's goals with PASS or MISS. The figures
# come from tests/e2e/src/bin/scale-bench.rs (in-process requests, no sockets).
# BENCH_SECONDS (default 5) sets each run; every run stops by itself. Called by
# scripts/bench.sh at its end.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> building the components and the benchmark"
scripts/build
cargo build -q --profile host -p o2o-e2e --bin scale-bench

scripts/seed
scripts/seed --scale large

# Each request's JSON log line is dropped from stderr (and the empty lines that concurrent
# requests' interleaved writes leave): only the figures matter here.
target/host/scale-bench 2> >(grep -v -e '^{"component"' -e '^$' >&2)
