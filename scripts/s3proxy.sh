#!/usr/bin/env bash
# A throwaway S3 API server for the tests: S3Proxy (org.gaul:s3proxy) with its filesystem backend.
#
#   scripts/s3proxy.sh start   download S3Proxy if needed, start it and create the test bucket (reuses a running one)
#   scripts/s3proxy.sh env     print `export FLUX_TEST_S3_ENDPOINT=... FLUX_TEST_S3_ACCESS_KEY=... ...`
#   scripts/s3proxy.sh stop    stop the server and delete its directory
#   scripts/s3proxy.sh kill    SIGKILL the server and keep its directory (a crash; `start` brings it back with
#                              the same buckets and secret)
#
# Typical use:  scripts/s3proxy.sh start && eval "$(scripts/s3proxy.sh env)"
#
# Settings (environment):
#   FLUX_S3_PORT   TCP port, default 18333; the server listens on 127.0.0.1 only
#   FLUX_S3_DIR    server directory, default /tmp/flux-s3proxy-<port>; holds the properties (mode 600),
#                  the buckets (data/), the log and the pid
#   FLUX_S3PROXY_VERSION   default 4.1.0; the jar is cached in ~/.cache/flux/s3proxy
#
# The server needs Java 21+; the script uses the JDK that ./flux picks (./flux java-home).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${FLUX_S3_PORT:-18333}"
DIR="${FLUX_S3_DIR:-/tmp/flux-s3proxy-$PORT}"
VERSION="${FLUX_S3PROXY_VERSION:-4.1.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/flux/s3proxy"
JAR="$CACHE/s3proxy-$VERSION-jar-with-dependencies.jar"
URL="https://repo1.maven.org/maven2/org/gaul/s3proxy/$VERSION/s3proxy-$VERSION-jar-with-dependencies.jar"
PROPS="$DIR/s3proxy.properties"
DATA="$DIR/data"
LOG_FILE="$DIR/s3proxy.log"
PID_FILE="$DIR/s3proxy.pid"
SECRET_FILE="$DIR/secret"
MARKER="$DIR/.flux-s3proxy"     # proves the directory is ours before `stop` deletes it
ACCESS_KEY=flux-test
BUCKET=flux-test
READY_TIMEOUT_S=60

say() { echo "s3proxy.sh: $*" >&2; }
die() { say "$*"; exit 1; }

case "$PORT" in
  ''|*[!0-9]*) die "FLUX_S3_PORT must be a number, got '$PORT'" ;;
esac
case "$DIR" in
  /*) ;;
  *) die "FLUX_S3_DIR must be an absolute path, got '$DIR'" ;;
esac

ensure_curl() {
  command -v curl >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || die "curl is missing; install it"
  say "installing curl (apt-get install curl)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update && apt-get install -y curl ca-certificates
}

ensure_jar() {
  [ -s "$JAR" ] && return 0
  ensure_curl
  mkdir -p "$CACHE"
  say "downloading S3Proxy $VERSION from Maven Central"
  curl -fsSL --retry 3 -o "$JAR.part" "$URL" || die "cannot download $URL"
  curl -fsSL --retry 3 -o "$JAR.sha1" "$URL.sha1" || die "cannot download $URL.sha1"
  echo "$(cut -c1-40 "$JAR.sha1")  $JAR.part" | sha1sum -c --quiet - || { rm -f "$JAR.part"; die "checksum mismatch for $URL"; }
  mv "$JAR.part" "$JAR"
  rm -f "$JAR.sha1"
}

java_bin() {
  local home
  home="$("$ROOT/flux" java-home 2>/dev/null)" || die "no JDK 21+ found (./flux java-home failed)"
  echo "$home/bin/java"
}

pid_alive() { [ -s "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

is_ready() { # our server answers S3 (an anonymous request is refused with an S3 error, which is enough)
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null)" || return 1
  [ "$code" = 403 ] || [ "$code" = 200 ]
}

start() {
  ensure_jar
  if pid_alive && is_ready; then
    say "reusing the server already running on 127.0.0.1:$PORT ($DIR)"
    mkdir -p "$DATA/$BUCKET"
    return 0
  fi
  if [ -e "$DIR" ] && [ ! -e "$MARKER" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    die "$DIR exists but was not created by this script; remove it or set FLUX_S3_DIR"
  fi
  if is_ready; then die "port $PORT is taken by another server; set FLUX_S3_PORT"; fi
  mkdir -p "$DIR" "$DATA"
  touch "$MARKER"
  chmod 700 "$DIR"
  [ -s "$SECRET_FILE" ] || (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$SECRET_FILE")
  (umask 077; cat >"$PROPS" <<EOF
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$(cat "$SECRET_FILE")
jclouds.provider=filesystem
jclouds.filesystem.basedir=$DATA
EOF
  )
  # The filesystem backend maps a bucket to a directory: creating it creates the bucket.
  mkdir -p "$DATA/$BUCKET"
  say "starting S3Proxy $VERSION on 127.0.0.1:$PORT"
  nohup "$(java_bin)" -jar "$JAR" --properties "$PROPS" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local i
  for (( i = 0; i < READY_TIMEOUT_S * 5; i++ )); do
    if is_ready; then say "ready: bucket $BUCKET (eval \"\$(scripts/s3proxy.sh env)\")"; return 0; fi
    if ! pid_alive; then
      say "S3Proxy exited; last lines of $LOG_FILE:"; tail -n 20 "$LOG_FILE" >&2 || true
      die "S3Proxy did not start"
    fi
    sleep 0.2
  done
  tail -n 20 "$LOG_FILE" >&2 || true
  die "S3Proxy did not answer within ${READY_TIMEOUT_S}s"
}

print_env() {
  [ -s "$SECRET_FILE" ] || die "no server in $DIR; run 'scripts/s3proxy.sh start' first"
  echo "export FLUX_TEST_S3_ENDPOINT='http://127.0.0.1:$PORT'"
  echo "export FLUX_TEST_S3_ACCESS_KEY='$ACCESS_KEY'"
  echo "export FLUX_TEST_S3_SECRET_KEY='$(cat "$SECRET_FILE")'"
  echo "export FLUX_TEST_S3_BUCKET='$BUCKET'"
  echo "export FLUX_TEST_S3PROXY_JAR='$JAR'"
}

stop() {
  if [ ! -e "$DIR" ]; then
    say "nothing to stop ($DIR does not exist)"
    return 0
  fi
  [ -e "$MARKER" ] || die "$DIR was not created by this script; not touching it"
  if pid_alive; then
    local pid i
    pid="$(cat "$PID_FILE")"
    kill "$pid" 2>/dev/null || true
    for (( i = 0; i < 100; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  say "stopped and removed $DIR"
}

kill_server() {
  [ -e "$MARKER" ] || die "no server in $DIR"
  if pid_alive; then
    local pid i
    pid="$(cat "$PID_FILE")"
    kill -9 "$pid" 2>/dev/null || true
    for (( i = 0; i < 100; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  say "killed the server on 127.0.0.1:$PORT; $DIR kept"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill) kill_server ;;
  env) print_env ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
