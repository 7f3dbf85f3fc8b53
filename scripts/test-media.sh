#!/usr/bin/env bash
# Generates the deterministic test media the media tests, end-to-end tests and benchmarks replay.
#
#   scripts/test-media.sh [--bench] [outdir]     (outdir defaults to target/media)
#
# Files (skipped when they already exist, written under a temporary name and then renamed):
#   h264-320x240.h264       H.264 Annex B, 10 s, 25 fps, 2 s GOP (IDR every 50 frames), B-frames
#   h265-320x240.h265       H.265 Annex B, 10 s, 25 fps, 2 s closed GOP
#   h264-320x240-aac.mp4    H.264 + AAC-LC 48 kHz stereo (sine), 10 s
#   h265-320x240.mp4        H.265 ('hvc1'), 10 s
#   h264-1080p-4mbps.mp4    H.264 1080p25 at 4 Mbit/s, 30 s (only with --bench)
# Installs ffmpeg with apt-get when it is missing. Output is bit-exact across runs of the same ffmpeg.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bench=0
out=""
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) out="$arg" ;;
  esac
done
out="${out:-$ROOT/target/media}"
mkdir -p "$out"

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "test-media: installing ffmpeg" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq ffmpeg >&2
fi

# Single-threaded, bit-exact encoding keeps the files identical from run to run.
common=(-hide_banner -loglevel error -nostdin -y)
out_opts=(-fflags +bitexact -map_metadata -1)
x264=("${out_opts[@]}" -c:v libx264 -preset veryfast -threads 1 -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0
      -flags:v +bitexact)
x265=("${out_opts[@]}" -c:v libx265 -preset veryfast -pix_fmt yuv420p -flags:v +bitexact
      -x265-params "keyint=50:min-keyint=50:scenecut=0:open-gop=0:frame-threads=1:pools=none:log-level=error")
video_320=(-f lavfi -i "testsrc=size=320x240:rate=25:duration=10")
audio_sine=(-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=10")

make() {
  local name="$1"
  shift
  local target="$out/$name"
  if [ -s "$target" ]; then
    echo "test-media: $name exists" >&2
    return
  fi
  local tmp="$out/.tmp-$$-$name"
  echo "test-media: generating $name" >&2
  if ! ffmpeg "${common[@]}" "$@" "$tmp"; then
    rm -f "$tmp"
    echo "test-media: ffmpeg failed for $name" >&2
    exit 1
  fi
  mv -f "$tmp" "$target"
}

make h264-320x240.h264 "${video_320[@]}" "${x264[@]}" -bsf:v h264_mp4toannexb -f h264
make h265-320x240.h265 "${video_320[@]}" "${x265[@]}" -bsf:v hevc_mp4toannexb -f hevc
make h264-320x240-aac.mp4 "${video_320[@]}" "${audio_sine[@]}" -map 0:v -map 1:a "${x264[@]}" \
  -c:a aac -b:a 96k -ac 2 -flags:a +bitexact -f mp4
make h265-320x240.mp4 "${video_320[@]}" "${x265[@]}" -tag:v hvc1 -f mp4
if [ "$bench" -eq 1 ]; then
  make h264-1080p-4mbps.mp4 -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=30" "${x264[@]}" \
    -b:v 4M -maxrate 4M -bufsize 8M -f mp4
fi
echo "$out"
