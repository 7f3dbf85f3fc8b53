#!/usr/bin/env bash
# Storage backends benchmark (issue 6): N replayed H.264 1080p streams (4 Mbit/s unless CLIP_MBPS) recorded to each storage
# backend (local disk, NAS = the throwaway Samba of scripts/samba.sh, S3 = the S3Proxy of scripts/s3proxy.sh)
# for DURATION seconds after WARMUP; reports the sustained storage_write_bytes_total{backend} rate (median of
# SAMPLES equal windows), server CPU, RSS and storage_errors_total{backend}. Then, in the same run and with
# our server stopped, the raw figure for the same server: dd with fsync into the data directory, smbclient
# `put` of a RAW_MB file to the share, a plain SigV4 PUT of the same file to the bucket (curl --aws-sigv4),
# each RAW_SAMPLES times (median); and our figure as a fraction of raw.
# MODE=drain measures the upload path alone (see drain() below): FILL seconds of recording into the spool, then
# the spool drained into the backend with nothing else running.
# Usage: bench/storage-write.sh [BACKEND...]   (default: local nas s3; N streams from STREAMS, default 64;
# FRAGMENT_MS, the recorder's fragment.max.ms, default 1000; CLIP_MBPS, default 4, other values make and replay a 1080p clip of that bitrate, with grain so x264 needs it)
# The recording rate is set by the media (N x CLIP_MBPS), so "ours" is the rate offered, not the backend's
# ceiling, unless the backend falls behind (then errors/failed segments show it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STREAMS="${STREAMS:-64}"
DURATION="${DURATION:-45}"
SAMPLES="${SAMPLES:-3}"
WARMUP="${WARMUP:-15}"
RAW_MB="${RAW_MB:-512}"
RAW_SAMPLES="${RAW_SAMPLES:-3}"
PORT="${PORT:-18091}"
BACKENDS=("$@"); [ ${#BACKENDS[@]} -gt 0 ] || BACKENDS=(local nas s3)
WORK="$(mktemp -d /tmp/flux-bench-storage.XXXXXX)"
MEDIA="$ROOT/target/media"
STARTED_SMB=0; STARTED_S3=0
cleanup() {
  local pid; pid=$(bench_server_pid "$WORK" 2>/dev/null || true)
  [ -z "$pid" ] || bench_stop "$pid"
  [ "$STARTED_SMB" -eq 0 ] || "$ROOT/scripts/samba.sh" stop >/dev/null 2>&1 || true
  [ "$STARTED_S3" -eq 0 ] || "$ROOT/scripts/s3proxy.sh" stop >/dev/null 2>&1 || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"

CLIP_MBPS="${CLIP_MBPS:-4}"
"$ROOT/scripts/test-media.sh" --bench "$MEDIA" >/dev/null
INPUT="$MEDIA/h264-1080p-${CLIP_MBPS}mbps.mp4"
if [ ! -f "$INPUT" ]; then # same shape as test-media.sh's 4 Mbit/s clip (25 fps, GOP 50, 30 s), more bits
  ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=30" -vf "noise=alls=25:allf=t" \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 \
    -b:v "${CLIP_MBPS}M" -maxrate "${CLIP_MBPS}M" -bufsize "$((2 * CLIP_MBPS))M" -f mp4 -y "$INPUT.tmp"
  mv "$INPUT.tmp" "$INPUT"
fi
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
errors() { bench_metric storage_errors_total "backend=\"$1\""; }
segments() { bench_metric recording_segments_total "result=\"$1\""; }

backend_setup() { # BACKEND: the external server, the backend's config, and the recorder's target
  case "$1" in
    local) ;;
    nas)
      if [ "$STARTED_SMB" -eq 0 ]; then "$ROOT/scripts/samba.sh" start >/dev/null; STARTED_SMB=1; fi
      eval "$("$ROOT/scripts/samba.sh" env)"
      printf 'share.url=%s/bench\nuser=%s\n.password=%s\n' "$FLUX_TEST_SMB_URL" "$FLUX_TEST_SMB_USER" \
        "$FLUX_TEST_SMB_PASSWORD" > "$WORK/config/io.flux.media.storage.nas.cfg" ;;
    s3)
      if [ "$STARTED_S3" -eq 0 ]; then "$ROOT/scripts/s3proxy.sh" start >/dev/null; STARTED_S3=1; fi
      eval "$("$ROOT/scripts/s3proxy.sh" env)"
      printf 'endpoint=%s\nbucket=%s\nprefix=bench\naccess.key=%s\n.secret.key=%s\n' "$FLUX_TEST_S3_ENDPOINT" \
        "$FLUX_TEST_S3_BUCKET" "$FLUX_TEST_S3_ACCESS_KEY" "$FLUX_TEST_S3_SECRET_KEY" \
        > "$WORK/config/io.flux.media.storage.s3.cfg" ;;
  esac
  printf 'record.by.default=true\nsegment.duration.seconds=2\nfragment.max.ms=%s\nstorage.target=(flux.storage.type=%s)\n' \
    "${FRAGMENT_MS:-1000}" "$1" \
    > "$WORK/config/io.flux.media.recording.cfg"
}

raw_once() { # BACKEND: MB/s of one raw write of RAW_MB
  local t0 t1 f="$WORK/raw.bin"
  case "$1" in
    local)
      mkdir -p "$WORK/data"
      dd if=/dev/zero of="$WORK/data/ddtest" bs=1M count="$RAW_MB" conv=fsync 2>&1 |
        awk '/bytes/ {for (i = 1; i <= NF; i++) if ($i == "s,") s = $(i - 1); printf "%.1f\n", $1 / s / 1e6}'
      rm -f "$WORK/data/ddtest"; return ;;
    nas)
      t0=$(date +%s.%N)
      smbclient "//127.0.0.1/flux" -p 14445 -m SMB3 -U "$FLUX_TEST_SMB_USER%$FLUX_TEST_SMB_PASSWORD" \
        -c "put $f rawtest" >/dev/null || { echo "smbclient put failed" >&2; echo 0; return; }
      t1=$(date +%s.%N)
      smbclient "//127.0.0.1/flux" -p 14445 -m SMB3 -U "$FLUX_TEST_SMB_USER%$FLUX_TEST_SMB_PASSWORD" \
        -c "del rawtest" >/dev/null ;;
    s3)
      t0=$(date +%s.%N)
      curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$FLUX_TEST_S3_ACCESS_KEY:$FLUX_TEST_S3_SECRET_KEY" \
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T "$f" "$FLUX_TEST_S3_ENDPOINT/$FLUX_TEST_S3_BUCKET/rawtest" || { echo "S3 PUT failed" >&2; echo 0; return; }
      t1=$(date +%s.%N)
      curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$FLUX_TEST_S3_ACCESS_KEY:$FLUX_TEST_S3_SECRET_KEY" \
        -X DELETE "$FLUX_TEST_S3_ENDPOINT/$FLUX_TEST_S3_BUCKET/rawtest" ;;
  esac
  awk -v a="$t0" -v b="$t1" -v m="$RAW_MB" 'BEGIN {printf "%.1f\n", m * 1048576 / (b - a) / 1e6}'
}

window_rate() { # BACKEND SECONDS: MB/s between the first and the last change of the write counter in the window
  # The counter moves when an object is complete (every segment.duration.seconds per stream), so a plain
  # difference over a fixed window is off by up to one batch of segments; change point to change point is not.
  local end=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$end" ]; do
    echo "$(date +%s.%N) $(bench_metric storage_write_bytes_total "backend=\"$1\"")"
    sleep 0.25
  done | awk 'NR == 1 {v0 = $2} $2 != v0 && !a {a = 1; t1 = $1; v1 = $2} a && $2 != vl {t2 = $1; v2 = $2} {vl = $2}
    END {printf "%.2f\n", (t2 > t1 ? (v2 - v1) / (t2 - t1) / 1e6 : 0)}'
}

storage_json() { bench_api "http://127.0.0.1:$PORT/api/v1/recordings/storage"; }
storage_field() { storage_json | python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]) or 0)' "$1"; }

drain() { # BACKEND PID LOG: MODE=drain, the upload path alone. The backend's feature is not installed while N
  # streams record for FILL seconds, so every segment waits in the spool; the replays are then deleted and the
  # feature installed, and "ours" is the rate at which the spool drains into the backend (first to last change
  # of storage_write_bytes_total), with nothing else running in the server.
  local b="$1" pid="$2" log="$3" fill="${FILL:-60}" bytes t0 t1 w c0 c1
  if [ "$b" = local ]; then echo "backend=local: MODE=drain does not apply (the spool is renamed into the local store)"; bench_stop "$pid"; return; fi
  for i in $(seq 1 "$STREAMS"); do
    bench_api -o /dev/null -X POST -d "{\"file\":\"$(basename "$INPUT")\",\"name\":\"cam$i\"}" "http://127.0.0.1:$PORT/api/v1/replays"
  done
  sleep "$fill"
  for i in $(seq 1 "$STREAMS"); do bench_api -o /dev/null -X DELETE "http://127.0.0.1:$PORT/api/v1/replays/cam$i"; done
  until [ "$(storage_field spool_writing)" = 0 ]; do sleep 0.2; done
  bytes=$(storage_field spool_bytes); w=$(storage_field spool_waiting)
  w0=$(bench_metric storage_write_bytes_total "backend=\"$b\"")
  c0=$(bench_cpu_ticks "$pid")
  bench_api -o /dev/null -f -X POST "http://127.0.0.1:$PORT/api/v1/features/storage-$b/install"
  t0=""; t1=""; last="$w0"
  while :; do
    now=$(date +%s.%N); v=$(bench_metric storage_write_bytes_total "backend=\"$b\"")
    if [ "$v" != "$last" ]; then [ -n "$t0" ] || t0="$now"; t1="$now"; last="$v"; fi
    [ "$(storage_field spool_waiting)" = 0 ] && break
    sleep 0.1
  done
  c1=$(bench_cpu_ticks "$pid")
  local rss; rss=$(bench_rss_mb "$pid"); bench_stop "$pid"
  local raws=() raw; for _ in $(seq 1 "$RAW_SAMPLES"); do raws+=("$(raw_once "$b")"); done
  raw=$(printf '%s\n' "${raws[@]}" | median)
  awk -v b="$b" -v n="$w" -v by="$bytes" -v up="$((last - w0))" -v a="$t0" -v z="$t1" -v r="$raw" -v rr="${raws[*]}" \
      -v c="$((c1 - c0))" -v hz="$hz" -v rss="$rss" 'BEGIN { o = (z > a ? up / (z - a) / 1e6 : 0);
    printf "backend=%s drain: %d segments, %.0f MB spooled, %.0f MB uploaded in %.1f s  ours=%.1f MB/s  raw=%.1f MB/s (runs: %s)  ours/raw=%.3f  cpu=%.2f cores  rss=%d MB\n",
      b, n, by / 1e6, up / 1e6, z - a, o, r, rr, (r > 0 ? o / r : 0), c / hz / (z > a ? z - a : 1), rss }'
  echo "  server log: $(grep -c -E ' (ERROR|WARN) ' "$log" || true) ERROR/WARN lines"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(df -h /tmp | awk 'NR == 2 {print $1}') for /tmp, JDK $("$ROOT/flux" java-home)"
echo "input: $INPUT ($(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$INPUT" | awk '{printf "%.1f Mbit/s", $1 / 1e6}')), $STREAMS streams, ${WARMUP}s warm-up, ${DURATION}s in $SAMPLES windows; raw: $RAW_MB MiB x $RAW_SAMPLES"
head -c "$((RAW_MB * 1048576))" /dev/urandom > "$WORK/raw.bin"
for b in "${BACKENDS[@]}"; do
  rm -rf "$WORK/data" "$WORK/config"
  bench_config "$WORK"
  printf 'media.dir=%s\nmax.replays=1000\n' "$MEDIA" > "$WORK/config/io.flux.media.protocol.replay.cfg"
  backend_setup "$b"
  log="$WORK/server-$b.log"
  bench_start "$WORK" "$log"
  pid=$(bench_server_pid "$WORK")
  bench_await_features replay storage-local
  if [ "${MODE:-record}" = drain ]; then
    drain "$b" "$pid" "$log"
    continue
  fi
  if [ "$b" != local ]; then
    bench_api -o /dev/null -f -X POST "http://127.0.0.1:$PORT/api/v1/features/storage-$b/install"
    bench_await_features "storage-$b"
  fi
  for i in $(seq 1 "$STREAMS"); do
    bench_api -o /dev/null -X POST -d "{\"file\":\"$(basename "$INPUT")\",\"name\":\"cam$i\"}" "http://127.0.0.1:$PORT/api/v1/replays"
  done
  sleep "$WARMUP"
  e0=$(errors "$b"); f0=$(segments failed); k0=$(segments complete); d0=$(segments evicted)
  c0=$(bench_cpu_ticks "$pid"); win=$((DURATION / SAMPLES)); rates=()
  for _ in $(seq 1 "$SAMPLES"); do
    rates+=("$(window_rate "$b" "$win")")
  done
  c1=$(bench_cpu_ticks "$pid")
  e1=$(errors "$b"); f1=$(segments failed); k1=$(segments complete); d1=$(segments evicted); sp=$(bench_metric storage_spool_segments "")

  rss=$(bench_rss_mb "$pid")
  bench_stop "$pid"
  ours=$(printf '%s\n' "${rates[@]}" | median)
  raws=(); for _ in $(seq 1 "$RAW_SAMPLES"); do raws+=("$(raw_once "$b")"); done
  raw=$(printf '%s\n' "${raws[@]}" | median)
  awk -v b="$b" -v n="$STREAMS" -v o="$ours" -v rs="${rates[*]}" -v r="$raw" -v rr="${raws[*]}" -v c="$((c1 - c0))" \
      -v hz="$hz" -v t="$DURATION" -v e="$((e1 - e0))" -v et="$e1" -v f="$((f1 - f0))" -v k="$((k1 - k0))" \
      -v d="$((d1 - d0))" -v sp="${sp:-0}" -v rss="$rss" 'BEGIN {
    printf "backend=%s streams=%d  ours=%.2f MB/s (windows: %s)  raw=%.1f MB/s (runs: %s)  ours/raw=%.3f  cpu=%.2f cores  storage_errors=%d (total %d)  segments complete=%d failed=%d evicted=%d  spool_waiting_at_end=%d  rss=%d MB\n",
      b, n, o, rs, r, rr, (r > 0 ? o / r : 0), c / hz / t, e, et, k, f, d, sp, rss }'
  echo "  server log: $(grep -c -E ' (ERROR|WARN) ' "$log" || true) ERROR/WARN lines"
  grep -E ' (ERROR|WARN) ' "$log" | cut -c1-300 | sed 's/^/    /' | head -8 || true
  [ -z "${KEEP_WORK:-}" ] || echo "  kept: $log"
done
