#!/usr/bin/env bash
# Startup benchmark: time from process start to the first 200 on /api/v1/health, and RSS after the
# server has idled for IDLE_SECONDS, over RUNS runs (fresh data directory each run unless KEEP_DATA=1).
# Prints one line per run and the medians. Usage: bench/startup.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
IDLE_SECONDS="${IDLE_SECONDS:-5}"
PORT="${PORT:-18080}"
WORK="$(mktemp -d /tmp/flux-bench-startup.XXXXXX)"
trap 'pkill -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"

[ -f "$ROOT/runtime/target/flux-server.jar" ] || { echo "build first: ./flux build" >&2; exit 2; }
bench_config "$WORK"

times=(); rss=()
for i in $(seq 1 "$RUNS"); do
  if [ -z "${KEEP_DATA:-}" ] || [ "$i" = 1 ]; then rm -rf "$WORK/data"; fi
  cd "$WORK"
  start=$(date +%s%N)
  FLUX_ADMIN_TOKEN=$BENCH_TOKEN FLUX_CONFIG_DIR="$WORK/config" FLUX_DATA_DIR="$WORK/data" \
    "$ROOT/runtime/bin/flux-server" > "$WORK/run$i.log" 2>&1 &
  pid=$!
  deadline=$((start + 60000000000))
  until curl -s -o /dev/null -f "http://127.0.0.1:$PORT/api/v1/health"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || { echo "run $i: no 200 within 60 s" >&2; tail -20 "$WORK/run$i.log" >&2; exit 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  sleep "$IDLE_SECONDS"
  kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  times+=("$ms"); rss+=("$kb")
  echo "run $i: first 200 after ${ms} ms, RSS after ${IDLE_SECONDS} s idle: $((kb / 1024)) MB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median: first 200 after $(median "${times[@]}") ms, RSS $(( $(median "${rss[@]}") / 1024 )) MB over $RUNS runs"
