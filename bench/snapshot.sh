#!/usr/bin/env bash
# Snapshot latency benchmark (issue 3): one replayed H.264 1080p stream; REQUESTS sequential snapshots in
# keyframe mode (decoded every time: keyframe mode never answers from the cache) and in auto mode with a
# long max_age_ms (cache hits); reports median and p99 of curl's total time. Usage: bench/snapshot.sh [REQUESTS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQUESTS="${1:-200}"
PORT="${PORT:-18091}"
WORK="$(mktemp -d /tmp/flux-bench-snapshot.XXXXXX)"
MEDIA="$ROOT/target/media"
trap 'pkill -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"

"$ROOT/scripts/test-media.sh" --bench "$MEDIA" >/dev/null
bench_config "$WORK"
printf 'media.dir=%s\n' "$MEDIA" > "$WORK/config/io.flux.media.protocol.replay.cfg"
bench_start "$WORK" "$WORK/server.log"
bench_await_features replay snapshot-keyframe
bench_api -o /dev/null -X POST -d '{"file":"h264-1080p-4mbps.mp4","name":"bench"}' "http://127.0.0.1:$PORT/api/v1/replays"
url="http://127.0.0.1:$PORT/api/v1/streams/replay/bench/snapshot"
until [ "$(bench_api -o /dev/null -w '%{http_code}' "$url?mode=keyframe")" = 200 ]; do sleep 0.2; done
for i in $(seq 1 20); do bench_api -o /dev/null "$url?mode=keyframe"; done   # warm-up (JIT, natives)

measure() { # mode query -> prints "median p99" in ms
  for i in $(seq 1 "$REQUESTS"); do
    bench_api -o /dev/null -w '%{http_code} %{time_total}\n' "$url?$1"
  done | awk '$1 != 200 {bad++} $1 == 200 {print $2 * 1000}' | sort -n | awk '{a[NR]=$1} END {
    if (NR == 0) { print "no successful requests"; exit 1 }
    p = int(NR * 0.99); if (p < 1) p = 1
    printf "median %.1f ms, p99 %.1f ms (%d requests)\n", a[int((NR+1)/2)], a[p], NR }'
}
echo "keyframe mode, 1080p: $(measure 'mode=keyframe')"
echo "cache hit (auto):     $(measure 'mode=auto&max_age_ms=60000')"
bench_api "http://127.0.0.1:$PORT/metrics" | grep -E '^snapshot_requests_total' || true
