#!/usr/bin/env bash
# Issue 23's figures, all from one run on a quiet machine: builds the
# release binary and the benchmarks, then runs each benchmark in turn and
# keeps everything it prints in docs/perf/run-<date>.log (and the load
# generator's JSON lines beside it, for docs/perf/chart.py).
#
# Usage: docs/perf/run.sh [seconds per load measurement, default 10]
# Needs: wrk, PostgreSQL on 127.0.0.1:5432 (trust), python3, curl, bc.
# Takes about half an hour. Nothing else should run on the machine meanwhile:
# the figures are ratios measured in the same run, on 2 shared cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
stamp=$(date -u +%Y-%m-%d)
log="docs/perf/run-$stamp.log"
json="docs/perf/loadgen-$stamp.jsonl"
: > "$log"
: > "$json"
say() { printf '\n## %s (%s)\n' "$1" "$(date -u +%H:%M:%S)" | tee -a "$log"; }

cargo build --release --bins --examples 2>&1 | tail -1
say "machine"
{ uname -sr; nproc; free -g | sed -n 2p; git rev-parse --short HEAD; } | tee -a "$log"
pgbench_out=$(psql postgres://postgres@127.0.0.1:5432/test -qc "SELECT 1" >/dev/null && \
    echo "SELECT 1;" > /tmp/lr-select1.sql && \
    pgbench -n -M prepared -c 1 -T 3 -f /tmp/lr-select1.sql postgres://postgres@127.0.0.1:5432/test 2>/dev/null | grep -E "latency average" || true)
echo "PostgreSQL round trip (pgbench, SELECT 1, one client): $pgbench_out" | tee -a "$log"

say "1. SQLite bookings: the single-writer floor and the API, wrk, 1 and 64 connections (three pairs at 64)"
target/release/examples/loadgen --connections 1,64 --seconds "$seconds" --json "$json" 2>&1 | tee -a "$log"
target/release/examples/loadgen --connections 64,64 --seconds "$seconds" --json "$json" 2>&1 | grep -v "^disk\|^server" | tee -a "$log"
say "1b. SQLite, the pooled floor of earlier sessions (labelled 'pooled'), for comparison"
target/release/examples/loadgen --target minimal --floor pooled --connections 1,64 --seconds "$seconds" --json "$json" 2>&1 | tee -a "$log"

say "2. PostgreSQL bookings: the floor and the API with open rules (api) and default rules (api-ci)"
target/release/examples/loadgen --db postgres --rules open,default --connections 1,64 --seconds "$seconds" --json "$json" 2>&1 | tee -a "$log"

say "3. Availability at district scale (200 rooms, a year) and the week ahead with history"
if [ -x target/release/examples/availability ]; then
    target/release/examples/availability 2>&1 | tee -a "$log"
    target/release/examples/availability --db postgres 2>&1 | tee -a "$log"
fi
target/release/examples/history --sizes 10000,1000000 --reps 500 --warmup 100 2>&1 | tee -a "$log"

say "4. Sign-in flood: 400 at once, GET /me meanwhile"
target/release/examples/signin_flood --logins 400 2>&1 | tee -a "$log"
target/release/examples/signin_flood --logins 400 --db postgres 2>&1 | tee -a "$log"

say "5. The web pages on a site with a year of bookings"
tests/perf/pages.sh target/release/livingroom 5 2>&1 | tee -a "$log"

say "6. A district on one deployment (DISTRICT=1 only: seeding takes minutes; see docs/scaling.md)"
if [ -x target/release/examples/district ] && [ "${DISTRICT:-0}" = 1 ]; then
    target/release/examples/district --db sqlite --seconds "$seconds" 2>&1 | tee -a "$log"
    target/release/examples/district --db postgres --instances 1,2,3 --seconds "$seconds" 2>&1 | tee -a "$log"
fi

python3 docs/perf/chart.py "$json" docs/perf/throughput.svg 2>&1 | tee -a "$log" || true
echo "done: $log" | tee -a "$log"
