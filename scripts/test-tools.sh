#!/usr/bin/env bash
# Installs the real media tools the tests use as judges and sources when a machine lacks them:
# ffmpeg/ffprobe (test media, validation of recordings) and GStreamer with mpegpsmux/x264enc (GB28181-style
# MPEG-PS), SIPp and sipsak (SIP registrar tests). Debian packages; needs root (CI and the development machines run as root).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
if ! command -v gst-launch-1.0 >/dev/null 2>&1 || ! gst-inspect-1.0 mpegpsmux >/dev/null 2>&1 \
    || ! gst-inspect-1.0 x264enc >/dev/null 2>&1; then
  need+=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
         gstreamer1.0-plugins-ugly)
fi
# SIP peers for the GB28181 registrar tests.
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v sipsak >/dev/null 2>&1 || need+=(sipsak)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-tools: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
