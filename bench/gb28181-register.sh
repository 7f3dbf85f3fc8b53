#!/usr/bin/env bash
# GB28181 REGISTER rate (issue 4): SIPp registers devices with digest authentication (bench/sipp/register.xml:
# REGISTER, 401, REGISTER with credentials, 200; a new Call-ID per call) against the embedded GB28181 server
# over UDP on loopback, in steps of a total target rate, STEP_SECONDS each. SIPp takes credentials from the
# command line only, so SIPP_PROCS processes run side by side, each one device re-registering at rate/SIPP_PROCS.
# Per step: calls completed and failed, retransmissions, achieved rate, mean registration time, the server's
# CPU (user+system of its process) and its own REGISTER counters. Stops after the first step with a failure or
# a retransmission and reports the highest clean step.
# Usage: bench/gb28181-register.sh [RATE...]   (default: 250 500 1000 2000 4000 8000)
# Env: STEP_SECONDS (15), SIPP_PROCS (8), WARMUP_SECONDS (10, at 200/s, not reported), PORT (18091),
#      GB_SIP_PORT (15061), SIPP_PORT_BASE (16100), GB_CONFIG (extra server keys, "k=v k=v"),
#      FLUX_JAVA_OPTS (server JVM options, added to the defaults).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEP_SECONDS="${STEP_SECONDS:-15}"
SIPP_PROCS="${SIPP_PROCS:-8}"
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
PORT="${PORT:-18091}"
GB_SIP_PORT="${GB_SIP_PORT:-15061}"
SIPP_PORT_BASE="${SIPP_PORT_BASE:-16100}"
GB_PASSWORD=bench-register-secret
RATES=("$@"); [ ${#RATES[@]} -gt 0 ] || RATES=(250 500 1000 2000 4000 8000)
WORK="$(mktemp -d /tmp/flux-bench-gbreg.XXXXXX)"
SERVER_PID=""
cleanup() {
  local p
  for p in $(pgrep -f "$WORK/sipp" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  [ -z "$SERVER_PID" ] || bench_stop "$SERVER_PID"
  pkill -f "launch.storage.dir=$WORK/data" 2>/dev/null || true
  if [ -n "${KEEP_LOG:-}" ] && [ -f "$WORK/server.log" ]; then cp "$WORK/server.log" "$KEEP_LOG"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
command -v sipp >/dev/null || { echo "sipp not installed (apt-get install sip-tester)" >&2; exit 2; }
[ -f "$ROOT/runtime/target/flux-server.jar" ] || { echo "build first: ./flux build" >&2; exit 2; }
hz=$(getconf CLK_TCK)

bench_config "$WORK"
# shellcheck disable=SC2086
GB_PASSWORD=$GB_PASSWORD GB_SIP_PORT=$GB_SIP_PORT bench_gb_config "$WORK" ${GB_CONFIG:-}
bench_start "$WORK" "$WORK/server.log"
SERVER_PID=$(bench_server_pid "$WORK")
bench_await_features gb28181
until ss -uln | grep -q "127.0.0.1\]*:$GB_SIP_PORT "; do
  [ "$SECONDS" -lt 180 ] || { echo "SIP port $GB_SIP_PORT not bound" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
cp "$ROOT/bench/sipp/register.xml" "$WORK/sipp-register.xml"

# One stats column of SIPp's last row, by name (the file is ;-separated with a header row).
stat_col() { awk -F';' -v c="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i} NF > 1 {v = $k} END {print v + 0}' "$1"; }
# Mean of a ResponseTime column (HH:MM:SS:usec) in ms.
stat_ms() { awk -F';' -v c="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i} NF > 1 {v = $k} END {split(v, t, ":"); printf "%.1f\n", (t[1] * 3600 + t[2] * 60 + t[3]) * 1000 + t[4] / 1000}' "$1"; }

# run_step NAME RATE SECONDS: SIPP_PROCS sipp processes, each device 340200000013201000NN, at RATE/SIPP_PROCS;
# sets ok, failed, retrans, elapsed, cpu_s, rtd_ms.
run_step() {
  local name=$1 rate=$2 secs=$3 k dev per calls
  per=$(awk -v r="$rate" -v p="$SIPP_PROCS" 'BEGIN {printf "%.3f", r / p}')
  calls=$(awk -v r="$per" -v s="$secs" 'BEGIN {printf "%d", r * s + 0.5}')
  local pids=() c0 c1 t0 t1
  c0=$(bench_cpu_ticks "$SERVER_PID"); t0=$(date +%s%N)
  for k in $(seq 1 "$SIPP_PROCS"); do
    dev=$(printf '340200000013201%05d' "$k")
    mkdir -p "$WORK/sipp/$name-$k"
    (cd "$WORK/sipp/$name-$k" && exec sipp -sf "$WORK/sipp-register.xml" -t u1 -i 127.0.0.1 \
       -p $((SIPP_PORT_BASE + k)) -s "$dev" -au "$dev" -ap "$GB_PASSWORD" -r "$per" -rp 1000 -m "$calls" \
       -nostdin -timeout "$((secs + 60))s" -max_retrans 5 -trace_stat -stf stats.csv -trace_err -error_file errors.log \
       "127.0.0.1:$GB_SIP_PORT" > out.log 2>&1) &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || true; done
  t1=$(date +%s%N); c1=$(bench_cpu_ticks "$SERVER_PID")
  ok=0; failed=0; retrans=0; rtd_ms=0
  for k in $(seq 1 "$SIPP_PROCS"); do
    local f="$WORK/sipp/$name-$k/stats.csv"
    if [ ! -s "$f" ]; then failed=$((failed + calls)); continue; fi
    ok=$((ok + $(stat_col "$f" 'SuccessfulCall(C)')))
    failed=$((failed + $(stat_col "$f" 'FailedCall(C)')))
    retrans=$((retrans + $(stat_col "$f" 'Retransmissions(C)')))
    rtd_ms=$(awk -v a="$rtd_ms" -v b="$(stat_ms "$f" 'ResponseTimeregister(C)')" -v n="$SIPP_PROCS" 'BEGIN {printf "%.2f", a + b / n}')
  done
  # calls never attempted (a sipp that died) are failures too
  local missing=$((calls * SIPP_PROCS - ok - failed)); [ "$missing" -le 0 ] || failed=$((failed + missing))
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  cpu_s=$(awk -v c="$((c1 - c0))" -v hz="$hz" 'BEGIN {printf "%.2f", c / hz}')
}

echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), JDK $("$ROOT/flux" java-home 2>/dev/null), $(sipp -v 2>&1 | grep -o 'SIPp v[^ ]*' | head -1)"
echo "server: gb28181 config ${GB_CONFIG:-defaults}, JVM defaults${FLUX_JAVA_OPTS:+ plus $FLUX_JAVA_OPTS}"
echo "$SIPP_PROCS sipp processes (one device each), UDP on loopback, ${STEP_SECONDS}s per step"
run_step warmup 200 "$WARMUP_SECONDS"
echo "warm-up: $ok ok, $failed failed, $retrans retransmissions"

best=""; best_line=""; next_line=""
for rate in "${RATES[@]}"; do
  r0=$(bench_metric sip_requests_total 'method="REGISTER"' 'status="200"'); f0=$(bench_metric gb28181_register_failures_total)
  run_step "r$rate" "$rate" "$STEP_SECONDS"
  r1=$(bench_metric sip_requests_total 'method="REGISTER"' 'status="200"'); f1=$(bench_metric gb28181_register_failures_total)
  line=$(awk -v r="$rate" -v ok="$ok" -v f="$failed" -v x="$retrans" -v e="$elapsed" -v c="$cpu_s" -v rtd="$rtd_ms" \
    -v s200="$((r1 - r0))" -v sf="$((f1 - f0))" 'BEGIN {
      printf "target=%d/s  ok=%d  failed=%d  retrans=%d  achieved=%.0f/s  mean_register=%.1f ms  server_cpu=%.2f cores  cpu_per_1k_reg=%.3f s  server_200=%d  server_refused=%d",
        r, ok, f, x, ok / e, rtd, c / e, (ok > 0 ? c / ok * 1000 : 0), s200, sf }')
  oom=$(grep -c 'OutOfMemoryError' "$WORK/server.log" || true)
  [ "$oom" -eq 0 ] || line="$line  SERVER_OOM=$oom"
  echo "$line"
  if [ "$failed" -eq 0 ] && [ "$retrans" -eq 0 ]; then
    best=$rate; best_line=$line
  else
    next_line=$line
    for f in "$WORK"/sipp/r"$rate"-*/errors.log; do [ -s "$f" ] && { echo "first SIPp errors ($f):"; head -5 "$f"; break; }; done
    break
  fi
done
errors=$(grep -cE ' (ERROR|WARN) ' "$WORK/server.log" || true)
echo "server log: $errors WARN/ERROR lines"; grep -E ' (ERROR|WARN) ' "$WORK/server.log" | grep -v 'Jetty not started' | head -5 || true
if grep -q OutOfMemoryError "$WORK/server.log"; then echo "server ran out of heap:"; grep -m3 OutOfMemoryError "$WORK/server.log"; fi
echo "server: heap max $(ps -o args= -p "$SERVER_PID" | grep -o -- '-Xmx[^ ]*' | tail -1), peak RSS $(bench_rss_mb "$SERVER_PID" VmHWM) MB, $(grep -c 'peerPacketSource' "$WORK/server.log" || true) JAIN SIP INFO lines per message in the log"
echo "summary: highest clean step ${best:-none}/s${best_line:+ ($best_line)}; next step: ${next_line:-none (all steps clean)}"
