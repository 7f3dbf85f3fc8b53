#!/usr/bin/env bash
# Installs the media tools the tests need (scripts/test-tools.sh), then starts (start) or stops (stop) the
# real peers the test suite talks to, and writes their coordinates
# to target/test-services.env for ./flux test to export. Each peer has its own script; a fresh machine
# has none of them installed, so each script installs what it needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="$ROOT/target/test-services.env"

case "${1:-}" in
  start)
    mkdir -p "$ROOT/target"
    "$ROOT/scripts/test-tools.sh"
    "$ROOT/scripts/postgres.sh" start >&2
    "$ROOT/scripts/postgres.sh" env > "$ENV_FILE"
    "$ROOT/scripts/samba.sh" start >&2
    "$ROOT/scripts/samba.sh" env >> "$ENV_FILE"
    "$ROOT/scripts/s3proxy.sh" start >&2
    "$ROOT/scripts/s3proxy.sh" env >> "$ENV_FILE"
    ;;
  stop)
    "$ROOT/scripts/postgres.sh" stop >&2 || true
    "$ROOT/scripts/samba.sh" stop >&2 || true
    "$ROOT/scripts/s3proxy.sh" stop >&2 || true
    rm -f "$ENV_FILE"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
