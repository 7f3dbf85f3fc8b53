#!/usr/bin/env bash
# GB28181 live streams (issue 4): N concurrent 2 Mbit/s GB28181 streams (MPEG-PS over RTP/UDP from the device
# simulator, bundles/io.flux.media.testing.gb28181) invited through the REST API and recorded (time strategy,
# 10 s segments) by the server. N/CHANNELS devices with CHANNELS channels each; all invites, then all record
# starts, in parallel batches; once every session streams: WARMUP s, then MEASURE s of steady state: server
# CPU (cores, % of the machine, per stream), the simulator's CPU (it shares the machine), RSS, GC, loss
# (rtp_lost over sessions, rtp_packets_lost_total), GOP drops, written MB/s. Then the simulator hangs up and the
# packets it sent are compared with the packets the server counted (rtp_packets_total).
# Usage: bench/gb28181-streams.sh [N...]   (default: 100 250 500)
# Env: MEASURE (60), WARMUP (10), CHANNELS (10), PARALLEL (16 concurrent API calls), PORT (18092),
#      GB_SIP_PORT (15063), GB_CONFIG (extra server keys, "k=v k=v"), SIM_JAVA_OPTS (-Xmx512m), FLUX_JAVA_OPTS (server JVM options, added to the defaults).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEASURE="${MEASURE:-60}"
WARMUP="${WARMUP:-10}"
CHANNELS="${CHANNELS:-10}"
PARALLEL="${PARALLEL:-16}"
PORT="${PORT:-18092}"
GB_SIP_PORT="${GB_SIP_PORT:-15063}"
GB_PASSWORD=bench-streams-secret
COUNTS=("$@"); [ ${#COUNTS[@]} -gt 0 ] || COUNTS=(100 250 500)
WORK="$(mktemp -d /tmp/flux-bench-gbstreams.XXXXXX)"
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
api() { bench_api "http://127.0.0.1:$PORT/api/v1/$1" "${@:2}"; }
sessions_json() { api gb28181/sessions; }
receivers_closed() { [ "$(bench_metric gb28181_media_receivers)" = 0 ]; }
count_streaming() { sessions_json | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin) if s.get("state") == "streaming" and not s.get("end_reason")))'; }
await() { # SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out waiting for $what" >&2; return 1; }
    sleep 0.5
  done
}

echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), JDK $JAVA_HOME_BENCH"
echo "server JVM: defaults of runtime/bin/flux-server${FLUX_JAVA_OPTS:+ plus $FLUX_JAVA_OPTS}; simulator JVM: ${SIM_JAVA_OPTS:--Xmx512m}; warm-up ${WARMUP}s, measured ${MEASURE}s"
for n in "${COUNTS[@]}"; do
  devices=$(( (n + CHANNELS - 1) / CHANNELS ))
  rm -rf "$WORK/data" "$WORK/config"
  bench_config "$WORK"
  # shellcheck disable=SC2086
  GB_PASSWORD=$GB_PASSWORD GB_SIP_PORT=$GB_SIP_PORT bench_gb_config "$WORK" keepalive.interval.s=60 \
    media.port.min=31000 media.port.max=31999 sessions.max=2000 ${GB_CONFIG:-}
  bench_start "$WORK" "$WORK/server-$n.log"
  SERVER_PID=$(bench_server_pid "$WORK")
  bench_await_features gb28181 storage-local
  await 60 "SIP port" sh -c "ss -uln | grep -q '127.0.0.1\]*:$GB_SIP_PORT '"

  # shellcheck disable=SC2086
  FLUX_SIM_PASSWORD=$GB_PASSWORD $SIM --server "127.0.0.1:$GB_SIP_PORT" --local-address 127.0.0.1 \
    --devices "$devices" --channels "$CHANNELS" --max-sessions "$CHANNELS" --keepalive 60 --rate 200 --report 10 \
    --cache-dir "$ROOT/target/flux-sim" > "$WORK/sim-$n.log" 2>&1 &
  SIM_PID=$!
  online() { [ "$(bench_metric gb28181_devices_online)" -ge "$devices" ]; }
  await 120 "$devices devices online" online

  # Channel ids: the device id's domain, type 131, a sequence over all channels of the simulator.
  t0=$SECONDS
  for d in $(seq 1 "$devices"); do
    for c in $(seq 1 "$CHANNELS"); do
      i=$(( (d - 1) * CHANNELS + c )); [ "$i" -le "$n" ] || break
      printf '{"device_id":"340200000013200%05d","channel_id":"3402000000131%07d","transport":"udp"}\n' "$d" "$i"
    done
  done > "$WORK/invites.jsonl"
  xargs -d '\n' -P "$PARALLEL" -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $BENCH_TOKEN" \
    -H 'Content-Type: application/json' -X POST -d {} "http://127.0.0.1:$PORT/api/v1/gb28181/invite" \
    < "$WORK/invites.jsonl" > "$WORK/invite-codes.txt"
  invite_ok=$(grep -c '^200$' "$WORK/invite-codes.txt" || true)
  invite_s=$((SECONDS - t0))
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); print("gb28181/%s/%s" % (r["device_id"], r["channel_id"]))' "$WORK/invites.jsonl" > "$WORK/streams.txt"
  xargs -P "$PARALLEL" -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $BENCH_TOKEN" \
    -H 'Content-Type: application/json' -X POST -d '{"strategy":"time","value":10}' \
    "http://127.0.0.1:$PORT/api/v1/streams/{}/record/start" < "$WORK/streams.txt" > "$WORK/record-codes.txt"
  record_ok=$(grep -c '^200$' "$WORK/record-codes.txt" || true)
  all_streaming() { [ "$(count_streaming)" -ge "$n" ]; }
  if ! await 60 "$n sessions streaming" all_streaming; then echo "only $(count_streaming) of $n streaming" >&2; fi
  streaming_s=$((SECONDS - t0))
  sleep "$WARMUP"

  p0=$(bench_metric rtp_packets_total); l0=$(bench_metric rtp_packets_lost_total); g0=$(bench_metric media_gops_dropped_total)
  b0=$(bench_metric recording_bytes_total); c0=$(bench_cpu_ticks "$SERVER_PID"); s0=$(bench_cpu_ticks "$SIM_PID"); t0=$(date +%s%N)
  sleep "$MEASURE"
  p1=$(bench_metric rtp_packets_total); l1=$(bench_metric rtp_packets_lost_total); g1=$(bench_metric media_gops_dropped_total)
  b1=$(bench_metric recording_bytes_total); c1=$(bench_cpu_ticks "$SERVER_PID"); s1=$(bench_cpu_ticks "$SIM_PID"); t1=$(date +%s%N)
  rss=$(bench_rss_mb "$SERVER_PID"); hwm=$(bench_rss_mb "$SERVER_PID" VmHWM)
  gc=$("$JAVA_HOME_BENCH/bin/jstat" -gcutil "$SERVER_PID" | awk 'NR == 2 {printf "old=%s%% young_gcs=%s full_gcs=%s gc_s=%s", $4, $7, $9, $NF}')
  read -r streaming sess_lost sess_ended < <(sessions_json | python3 -c 'import json,sys
s = json.load(sys.stdin)
live = [x for x in s if not x.get("end_reason")]
print(sum(1 for x in live if x.get("state") == "streaming"), sum(x.get("rtp_lost", 0) for x in live), len(s) - len(live))')
  segments=$(find "$WORK/data" -name '*.mp4' 2>/dev/null | wc -l)

  # Hang up (the simulator sends BYE and stops media), then compare what it sent with what the server counted.
  kill -TERM "$SIM_PID"; await 60 "simulator exit" sh -c "! kill -0 $SIM_PID 2>/dev/null" || kill -9 "$SIM_PID"
  SIM_PID=""
  # Receivers report their last counts when they close: wait for that, not for a fixed time.
  await 30 "media receivers closed" receivers_closed \
    || echo "  (receivers still open: the received count may be short)" >&2
  sent=$(awk '/^done:/ {for (i = 1; i <= NF; i++) if ($(i + 1) == "RTP") print $i}' "$WORK/sim-$n.log" | tail -1)
  recv=$(bench_metric rtp_packets_total); lost_total=$(bench_metric rtp_packets_lost_total)
  bench_stop "$SERVER_PID"; SERVER_PID=""
  warns=$(grep -cE ' (WARN|ERROR) ' "$WORK/server-$n.log" || true)
  oom=$(grep -c OutOfMemoryError "$WORK/server-$n.log" || true)

  awk -v n="$n" -v ok="$invite_ok" -v rok="$record_ok" -v is="$invite_s" -v ss="$streaming_s" -v st="$streaming" \
    -v dt="$(( (t1 - t0) / 1000000 ))" -v c="$((c1 - c0))" -v sc="$((s1 - s0))" -v hz="$hz" -v cores="$(nproc)" \
    -v pk="$((p1 - p0))" -v lo="$((l1 - l0))" -v sl="$sess_lost" -v g="$((g1 - g0))" -v b="$((b1 - b0))" \
    -v rss="$rss" -v hwm="$hwm" -v sent="${sent:-0}" -v recv="$recv" -v lt="$lost_total" -v se="$sess_ended" \
    -v seg="$segments" -v gc="$gc" -v w="$warns" -v oom="$oom" 'BEGIN {
    t = dt / 1000; cpu = c / hz / t; scpu = sc / hz / t
    printf "streams=%d  invited=%d  recording=%d  all_streaming_after=%ds  streaming=%d  ended=%d  rtp=%.0f pkt/s (%.0f Mbit/s written %.1f MB/s)  lost_window=%d  lost_sessions=%d  gop_drops=%d\n",
      n, ok, rok, ss, st, se, pk / t, b * 8 / t / 1e6, b / t / 1e6, lo, sl, g
    printf "  server cpu=%.2f cores (%.0f%% of %d)  per stream=%.2f%% of a core  rss=%d MB  hwm=%d MB  %s  segments=%d  warn/error lines=%d  oom=%d\n",
      cpu, cpu / cores * 100, cores, cpu / n * 100, rss, hwm, gc, seg, w, oom
    printf "  simulator cpu=%.2f cores; packets sent=%d received=%d difference=%d (%.4f%%) lost_total=%d\n",
      scpu, sent, recv, sent - recv, (sent > 0 ? (sent - recv) / sent * 100 : 0), lt
  }'
  grep -E ' (WARN|ERROR) ' "$WORK/server-$n.log" | grep -v 'Jetty not started' | cut -c1-300 | head -3 || true
done
