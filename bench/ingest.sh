#!/usr/bin/env bash
# Ingest-to-disk benchmark (issue 3): N replayed H.264 1080p 4 Mbps streams recorded to the local disk for
# DURATION seconds; reports MB/s written, samples/s per core, CPU-seconds per GB, GOP drops and RSS; then,
# in the same run, ffmpeg -c copy remuxing the same input to fragmented MP4, and the ratio of CPU-seconds
# per GB (ours / ffmpeg's). Usage: bench/ingest.sh [N...]   (default: 8 16 32)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-45}"
WARMUP="${WARMUP:-10}"
PORT="${PORT:-18090}"
COUNTS=("$@"); [ ${#COUNTS[@]} -gt 0 ] || COUNTS=(8 16 32)
WORK="$(mktemp -d /tmp/flux-bench-ingest.XXXXXX)"
MEDIA="$ROOT/target/media"
trap 'pkill -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"

"$ROOT/scripts/test-media.sh" --bench "$MEDIA" >/dev/null
INPUT="$MEDIA/h264-1080p-4mbps.mp4"
metric() { bench_api "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%.0f\n", s}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), JDK $("$ROOT/flux" java-home)"
echo "input: $INPUT ($(du -h "$INPUT" | cut -f1)), run ${DURATION}s after ${WARMUP}s warm-up"
for n in "${COUNTS[@]}"; do
  rm -rf "$WORK/data" "$WORK/config"
  bench_config "$WORK"
  printf 'media.dir=%s\nmax.replays=1000\n' "$MEDIA" > "$WORK/config/io.flux.media.protocol.replay.cfg"
  printf 'record.by.default=true\nsegment.duration.seconds=10\n' > "$WORK/config/io.flux.media.recording.cfg"
  bench_start "$WORK" "$WORK/server-$n.log"
  pid=$(pgrep -f "launch.storage.dir=$WORK/data" | head -1)
  bench_await_features replay storage-local
  for i in $(seq 1 "$n"); do
    bench_api -o /dev/null -X POST -d "{\"file\":\"$(basename "$INPUT")\",\"name\":\"cam$i\"}" "http://127.0.0.1:$PORT/api/v1/replays"
  done
  sleep "$WARMUP"
  b0=$(metric recording_bytes_total); s0=$(metric media_samples_total); d0=$(metric media_gops_dropped_total); c0=$(cpu_ticks "$pid")
  sleep "$DURATION"
  b1=$(metric recording_bytes_total); s1=$(metric media_samples_total); d1=$(metric media_gops_dropped_total); c1=$(cpu_ticks "$pid")
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  awk -v n="$n" -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v d="$((d1 - d0))" -v c="$((c1 - c0))" -v hz="$hz" -v t="$DURATION" -v rss="$rss" 'BEGIN {
    cpu = c / hz; printf "streams=%d  write=%.2f MB/s  samples=%.0f/s  cpu=%.2f cores  samples/s per core=%.0f  MB/s per core=%.2f  cpu-s/GB=%.2f  gop_drops=%d  rss=%d MB\n",
      n, b / t / 1e6, s / t, cpu / t, (cpu > 0 ? s / cpu : 0), (cpu > 0 ? b / 1e6 / cpu : 0), (b > 0 ? cpu / (b / 1e9) : 0), d, rss }'
done

# Peer: ffmpeg remuxing the same input ten times over to fragmented MP4, CPU time from the kernel.
out="$WORK/ffmpeg-remux.mp4"
/usr/bin/time -f "%U %S" -o "$WORK/ffmpeg.time" ffmpeg -nostdin -v error -stream_loop 9 -i "$INPUT" -c copy \
  -movflags frag_keyframe+empty_moov -f mp4 -y "$out"
read -r u s < "$WORK/ffmpeg.time"
bytes=$(stat -c %s "$out")
awk -v u="$u" -v s="$s" -v b="$bytes" 'BEGIN { printf "ffmpeg -c copy to fMP4: %.1f MB in %.2f cpu-s  cpu-s/GB=%.2f\n", b/1e6, u+s, (u+s)/(b/1e9) }'
