#!/usr/bin/env bash
# GB28181 devices held (issue 4): N devices from the device simulator (bundles/io.flux.media.testing.gb28181)
# register over UDP at RATE/s with digest authentication and send a keepalive every 60 s (the server expects
# keepalive.interval.s=60 and declares a device offline after 3 missed). Once all are registered, STEADY
# seconds of steady state (longer than the 180 s keepalive timeout by default, so a device whose keepalives
# were refused would go offline within the window): the server's CPU (average cores), RSS (VmRSS, VmHWM), the
# lowest gb28181_devices_online seen (sampled every 10 s), the devices the REST API lists online at the end,
# keepalives the server answered 200 and refused, and the simulator's own keepalive and registration counters.
# Usage: bench/gb28181-devices.sh [N]   (default 10000)
# Env: RATE (500), STEADY (190), PORT (18093), GB_SIP_PORT (15064), GB_CONFIG (extra server keys, "k=v k=v"),
#      SIM_JAVA_OPTS (-Xmx512m), FLUX_JAVA_OPTS (server JVM options, added to the defaults).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-10000}"
RATE="${RATE:-500}"
STEADY="${STEADY:-190}"
PORT="${PORT:-18093}"
GB_SIP_PORT="${GB_SIP_PORT:-15064}"
GB_PASSWORD=bench-devices-secret
WORK="$(mktemp -d /tmp/flux-bench-gbdev.XXXXXX)"
SERVER_PID=""; SIM_PID=""
cleanup() {
  [ -z "$SIM_PID" ] || { kill "$SIM_PID" 2>/dev/null || true; }
  [ -z "$SERVER_PID" ] || bench_stop "$SERVER_PID"
  pkill -f "launch.storage.dir=$WORK/data" 2>/dev/null || true
  if [ -n "$SIM_PID" ]; then sleep 1; kill -9 "$SIM_PID" 2>/dev/null || true; fi
  if [ -n "${KEEP_LOG:-}" ]; then cp "$WORK"/*.log "$KEEP_LOG"/ 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
[ -f "$ROOT/runtime/target/flux-server.jar" ] || { echo "build first: ./flux build" >&2; exit 2; }
SIM="$(bench_sim_cmd)"
JAVA_HOME_BENCH="$("$ROOT/flux" java-home 2>/dev/null)"
hz=$(getconf CLK_TCK)
await() { # SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out waiting for $what" >&2; return 1; }
    sleep 0.5
  done
}

echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), JDK $JAVA_HOME_BENCH"
echo "server JVM: defaults of runtime/bin/flux-server${FLUX_JAVA_OPTS:+ plus $FLUX_JAVA_OPTS}; $N devices at ${RATE}/s, keepalive 60 s, steady state ${STEADY}s"
bench_config "$WORK"
# shellcheck disable=SC2086
GB_PASSWORD=$GB_PASSWORD GB_SIP_PORT=$GB_SIP_PORT bench_gb_config "$WORK" keepalive.interval.s=60 ${GB_CONFIG:-}
bench_start "$WORK" "$WORK/server.log"
SERVER_PID=$(bench_server_pid "$WORK")
bench_await_features gb28181
await 60 "SIP port" sh -c "ss -uln | grep -q '127.0.0.1\]*:$GB_SIP_PORT '"
rss_idle=$(bench_rss_mb "$SERVER_PID")

t0=$SECONDS
# shellcheck disable=SC2086
FLUX_SIM_PASSWORD=$GB_PASSWORD $SIM --server "127.0.0.1:$GB_SIP_PORT" --local-address 127.0.0.1 --devices "$N" \
  --channels 1 --keepalive 60 --rate "$RATE" --report 30 --cache-dir "$ROOT/target/flux-sim" > "$WORK/sim.log" 2>&1 &
SIM_PID=$!
online() { [ "$(bench_metric gb28181_devices_online)" -ge "$N" ]; }
await $((N / RATE + 120)) "$N devices online" online || true
reg_s=$((SECONDS - t0))
grep '^registration:' "$WORK/sim.log" || true

k0=$(bench_metric sip_requests_total 'method="MESSAGE"' 'status="200"'); r0=$(bench_metric sip_requests_total 'method="MESSAGE"')
c0=$(bench_cpu_ticks "$SERVER_PID"); s0=$(bench_cpu_ticks "$SIM_PID"); t0=$(date +%s%N)
min_online=$N; end=$((SECONDS + STEADY))
while [ "$SECONDS" -lt "$end" ]; do
  o=$(bench_metric gb28181_devices_online); [ "$o" -ge "$min_online" ] || min_online=$o
  sleep 10
done
c1=$(bench_cpu_ticks "$SERVER_PID"); s1=$(bench_cpu_ticks "$SIM_PID"); t1=$(date +%s%N)
k1=$(bench_metric sip_requests_total 'method="MESSAGE"' 'status="200"'); r1=$(bench_metric sip_requests_total 'method="MESSAGE"')
o=$(bench_metric gb28181_devices_online); [ "$o" -ge "$min_online" ] || min_online=$o
api_online=$(bench_api "http://127.0.0.1:$PORT/api/v1/gb28181/devices" | python3 -c 'import json,sys; d = json.load(sys.stdin); print(sum(1 for x in d if x.get("online")), len(d))')
rss=$(bench_rss_mb "$SERVER_PID"); hwm=$(bench_rss_mb "$SERVER_PID" VmHWM)
gc=$("$JAVA_HOME_BENCH/bin/jstat" -gcutil "$SERVER_PID" | awk 'NR == 2 {printf "old=%s%% young_gcs=%s full_gcs=%s gc_s=%s", $4, $7, $9, $NF}')
heap=$("$JAVA_HOME_BENCH/bin/jcmd" "$SERVER_PID" GC.heap_info 2>/dev/null | awk '/total/ && /used/ {printf "%s ", $0}' | tr -s ' ' | cut -c1-160)
sim_last=$(grep '^\[' "$WORK/sim.log" | tail -1)
failures=$(bench_metric gb28181_register_failures_total)
kill -TERM "$SIM_PID"; await 120 "simulator exit" sh -c "! kill -0 $SIM_PID 2>/dev/null" || kill -9 "$SIM_PID"; SIM_PID=""
grep '^done:' "$WORK/sim.log" || true
after_unregister=$(bench_metric gb28181_devices_online)
bench_stop "$SERVER_PID"; SERVER_PID=""
warns=$(grep -cE ' (WARN|ERROR) ' "$WORK/server.log" || true)

echo "simulator, last report: $sim_last"
echo "server heap: $heap"
grep -E ' (WARN|ERROR) ' "$WORK/server.log" | grep -v 'Jetty not started' | cut -c1-300 | head -3 || true
awk -v n="$N" -v rs="$reg_s" -v mo="$min_online" -v api="$api_online" -v c="$((c1 - c0))" -v sc="$((s1 - s0))" \
  -v hz="$hz" -v dt="$(( (t1 - t0) / 1000000 ))" -v k="$((k1 - k0))" -v refused="$(( (r1 - r0) - (k1 - k0) ))" \
  -v rss="$rss" -v hwm="$hwm" -v idle="$rss_idle" -v gc="$gc" -v f="$failures" -v au="$after_unregister" -v w="$warns" 'BEGIN {
  t = dt / 1000; split(api, a, " ")
  printf "summary: devices=%d  all online after %ds  min_online=%d  api_online=%d/%d  server cpu=%.3f cores  rss=%d MB (idle before: %d MB, +%.1f KB/device)  hwm=%d MB  %s  keepalives answered 200=%d (%.0f/s)  MESSAGE refused=%d  register_failures=%d  online after unregister=%d  simulator cpu=%.3f cores  warn/error lines=%d\n",
    n, rs, mo, a[1], a[2], c / hz / t, rss, idle, (rss - idle) * 1024 / n, hwm, gc, k, k / t, refused, f, au, sc / hz / t, w }'
