#!/usr/bin/env bash
# wrk on the endpoints every open dashboard polls, token-authenticated, beside /health (the framework's floor):
# req/s and p50/p95/p99 latency at each concurrency (default 1, 8, 64), one table.
#
#   bench/wrk_polled.sh                         # its own server: bench/polled_reads.py serve (scratch PostgreSQL
#                                               # database, Redis db 8, gunicorn 2 workers × 4 threads, production
#                                               # settings), stopped at the end
#   BENCH_URL=http://127.0.0.1:8100 BENCH_TOKEN=<alice's token> bench/wrk_polled.sh   # a running stack (make run)
#
# Options (environment): BENCH_DRIVER (driver-alice), BENCH_CONCURRENCY ("1 8 64"), BENCH_SECONDS (5),
# BENCH_THREADS (2), BENCH_PLAIN=1 (own server with the read-side caches off).
# Needs wrk: `apt-get install -y wrk` (Debian/Ubuntu; the package is "wrk").
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed: apt-get install -y wrk   (Debian/Ubuntu; or build it from its sources)" >&2
  exit 2
fi

CONCURRENCY=${BENCH_CONCURRENCY:-1 8 64}
SECONDS_EACH=${BENCH_SECONDS:-5}
THREADS=${BENCH_THREADS:-2}
server_pid=""
env_file=""

stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$env_file" ] && rm -f "$env_file"
  return 0
}
trap stop_server EXIT

if [ -z "${BENCH_TOKEN:-}" ]; then
  env_file=$(mktemp -u /tmp/wrk-polled-XXXXXX.env)
  plain=()
  [ "${BENCH_PLAIN:-}" = "1" ] && plain=(--plain)
  .venv/bin/python bench/polled_reads.py serve --env-file "$env_file" "${plain[@]}" &
  server_pid=$!
  for _ in $(seq 1 600); do
    [ -f "$env_file" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
    sleep 0.2
  done
  [ -f "$env_file" ] || { echo "the server did not answer in time" >&2; exit 1; }
  # shellcheck disable=SC1090
  source "$env_file"
fi
export BENCH_TOKEN
DRIVER=${BENCH_DRIVER:-driver-alice}
URL=${BENCH_URL:-http://127.0.0.1:8100}
PATHS=("/health" "/charging-points" "/drivers/$DRIVER/sessions/current")

echo "wrk ${SECONDS_EACH} s per line, ${THREADS} threads, Token auth, Accept-Encoding: gzip; $URL; $(nproc) cores"
printf '%-40s %4s %9s %8s %8s %8s %7s %9s\n' "GET" "c" "req/s" "p50 ms" "p95 ms" "p99 ms" "errors" "x health"
for c in $CONCURRENCY; do
  health=""
  for path in "${PATHS[@]}"; do
    t=$(( c < THREADS ? c : THREADS ))
    line=$(wrk -t"$t" -c"$c" -d"${SECONDS_EACH}s" --timeout 5s -s bench/wrk_polled.lua "$URL$path" | grep '^RESULT')
    declare -A r=()
    for field in ${line#RESULT }; do r[${field%%=*}]=${field#*=}; done
    [ -z "$health" ] && health=${r[rps]}
    ratio=$(awk -v a="${r[rps]}" -v b="$health" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-40s %4d %9s %8s %8s %8s %7d %9s\n' "$path" "$c" "${r[rps]}" "${r[p50]}" "${r[p95]}" "${r[p99]}" \
      $(( r[non2xx3xx] + r[errors] )) "$ratio"
    unset r
  done
done
