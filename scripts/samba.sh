#!/usr/bin/env bash
# A throwaway Samba (SMB 2/3) server for the NAS storage tests.
#
#   scripts/samba.sh start   install Samba if needed, create the share and the user, start smbd (reuses a running one)
#   scripts/samba.sh env     print `export FLUX_TEST_SMB_URL=... FLUX_TEST_SMB_USER=... FLUX_TEST_SMB_PASSWORD=...`
#   scripts/samba.sh kill    kill smbd (and its per-connection children) but keep the share: `start` brings it back
#   scripts/samba.sh stop    kill smbd and delete its directory
#
# Typical use:  scripts/samba.sh start && eval "$(scripts/samba.sh env)"
#
# Settings (environment):
#   FLUX_SMB_PORT   TCP port, default 14445; smbd listens on 127.0.0.1 only
#   FLUX_SMB_DIR    server directory, default /tmp/flux-smb-<port>; holds smb.conf, the private passdb,
#                   lock/state/cache/pid directories, the log, the password (mode 600) and the share `flux`
#
# Nothing outside that directory is configured: smbd runs with `-s <dir>/smb.conf` and every path Samba
# writes to points inside it. smbd must run as root to switch to the share user, so a non-root caller
# needs sudo. The share user is the system account `fluxsmb` (created when missing, no login shell).
set -euo pipefail

PORT="${FLUX_SMB_PORT:-14445}"
DIR="${FLUX_SMB_DIR:-/tmp/flux-smb-$PORT}"
CONF="$DIR/smb.conf"
SHARE_DIR="$DIR/share"
PID_DIR="$DIR/pid"
LOG_FILE="$DIR/smbd.log"
PASSWORD_FILE="$DIR/password"
MARKER="$DIR/.flux-smb"        # proves the directory is ours before `stop` deletes it
SHARE=flux
SMB_USER=fluxsmb
READY_TIMEOUT_S=30
POLL_S=0.2

say() { echo "samba.sh: $*" >&2; }
die() { say "$*"; exit 1; }

case "$PORT" in
  ''|*[!0-9]*) die "FLUX_SMB_PORT must be a number, got '$PORT'" ;;
esac
case "$DIR" in
  /*) ;;
  *) die "FLUX_SMB_DIR must be an absolute path, got '$DIR'" ;;
esac

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo -n); fi
as_root() { "${SUDO[@]}" "$@"; }

install_samba() {
  command -v apt-get >/dev/null 2>&1 || die "smbd is missing and apt-get is not available; install Samba yourself"
  say "installing Samba (apt-get install samba smbclient)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y samba smbclient >&2 ||
    { as_root apt-get update >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y samba smbclient >&2; }
  # The package may start the system-wide smbd/nmbd on 445/139 where there is an init system; ours does not
  # need them, but they are the distribution's business, so they are left as the package set them up.
}

ensure_user() {
  id -u "$SMB_USER" >/dev/null 2>&1 && return 0
  say "creating system user $SMB_USER"
  as_root useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SMB_USER"
}

smbd_pid() { # the pid of our smbd parent, if it is alive
  local f="$PID_DIR/smbd-smb.conf.pid" pid
  [ -f "$f" ] || f="$PID_DIR/smbd.pid"
  [ -f "$f" ] || return 1
  pid="$(tr -dc 0-9 <"$f")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_answers() { # something accepts TCP on our port
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

is_ready() { # our smbd is alive and the share accepts our user
  smbd_pid >/dev/null && port_answers &&
    smbclient -s "$CONF" -p "$PORT" -U "$SMB_USER%$(cat "$PASSWORD_FILE")" -m SMB3 "//127.0.0.1/$SHARE" \
      -c 'ls' >/dev/null 2>&1
}

write_config() {
  mkdir -p "$DIR" "$SHARE_DIR" "$PID_DIR" "$DIR/lock" "$DIR/state" "$DIR/cache" "$DIR/private" "$DIR/ncalrpc"
  touch "$MARKER"
  chmod 755 "$DIR"
  chmod 700 "$DIR/private" "$DIR/lock" "$DIR/state" "$DIR/cache" "$PID_DIR" "$DIR/ncalrpc"
  chown "$SMB_USER": "$SHARE_DIR"
  chmod 770 "$SHARE_DIR"
  cat >"$CONF" <<EOF
# scripts/samba.sh: a private, throwaway Samba server (nothing of the system configuration is used)
[global]
  server role = standalone server
  workgroup = FLUX
  netbios name = FLUXTEST
  interfaces = 127.0.0.1
  bind interfaces only = yes
  smb ports = $PORT
  disable netbios = yes
  server min protocol = SMB2_02
  passdb backend = tdbsam:$DIR/private/passdb.tdb
  private dir = $DIR/private
  lock directory = $DIR/lock
  state directory = $DIR/state
  cache directory = $DIR/cache
  pid directory = $PID_DIR
  ncalrpc dir = $DIR/ncalrpc
  log file = $LOG_FILE
  max log size = 10000
  log level = 1
  logging = file
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  map to guest = never
  restrict anonymous = 2
  usershare path =
  registry shares = no
  include system krb5 conf = no

[$SHARE]
  path = $SHARE_DIR
  read only = no
  browseable = yes
  valid users = $SMB_USER
  force user = $SMB_USER
  create mask = 0660
  directory mask = 0770
EOF
}

ensure_password() {
  if [ ! -s "$PASSWORD_FILE" ]; then
    (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$PASSWORD_FILE")
  fi
  chmod 600 "$PASSWORD_FILE"
  local pw
  pw="$(cat "$PASSWORD_FILE")"
  # Through stdin, so `ps` never shows the password.
  printf '%s\n%s\n' "$pw" "$pw" | as_root smbpasswd -c "$CONF" -s -a "$SMB_USER" >/dev/null
}

wait_ready() {
  local polls=$(( READY_TIMEOUT_S * 5 )) i
  for (( i = 0; i < polls; i++ )); do
    if is_ready; then return 0; fi
    if ! smbd_pid >/dev/null && [ "$i" -ge 25 ]; then
      say "smbd is not running; last lines of $LOG_FILE:"
      tail -n 20 "$LOG_FILE" >&2 || true
      return 1
    fi
    sleep "$POLL_S"
  done
  say "smbd did not become ready within ${READY_TIMEOUT_S}s; last lines of $LOG_FILE:"
  tail -n 20 "$LOG_FILE" >&2 || true
  return 1
}

print_env() {
  [ -s "$PASSWORD_FILE" ] || die "no server in $DIR; run 'scripts/samba.sh start' first"
  echo "export FLUX_TEST_SMB_URL='smb://127.0.0.1:$PORT/$SHARE'"
  echo "export FLUX_TEST_SMB_USER='$SMB_USER'"
  echo "export FLUX_TEST_SMB_PASSWORD='$(cat "$PASSWORD_FILE")'"
  echo "export FLUX_TEST_SMB_SCRIPT='$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")'"
}

start() {
  command -v smbd >/dev/null 2>&1 && command -v smbclient >/dev/null 2>&1 || install_samba
  command -v smbd >/dev/null 2>&1 || die "Samba is installed but smbd was not found"
  if [ -e "$DIR" ] && [ ! -e "$MARKER" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    die "$DIR exists but was not created by this script; remove it or set FLUX_SMB_DIR"
  fi
  if [ -s "$PASSWORD_FILE" ] && is_ready; then
    say "reusing the server already running on 127.0.0.1:$PORT ($DIR)"
    return 0
  fi
  ensure_user
  write_config
  ensure_password
  if ! smbd_pid >/dev/null; then
    if port_answers; then die "port $PORT is taken by another program; set FLUX_SMB_PORT"; fi
    say "starting $(smbd --version) on 127.0.0.1:$PORT, share $SHARE at $SHARE_DIR"
    # --foreground keeps smbd from daemonizing; setsid + nohup detach it from this shell.
    as_root setsid nohup smbd --foreground --no-process-group -s "$CONF" </dev/null >>"$DIR/smbd.out" 2>&1 &
  fi
  wait_ready || die "smbd did not start"
  say "ready: smb://127.0.0.1:$PORT/$SHARE, user $SMB_USER (eval \"\$(scripts/samba.sh env)\")"
}

kill_server() { # our smbd parent and its children, by pid; $1 = signal (KILL simulates a crash)
  local sig="${1:-KILL}" pid children i
  pid="$(smbd_pid)" || { say "smbd is not running"; return 0; }
  children="$(pgrep -P "$pid" || true)"
  as_root kill "-$sig" "$pid" $children 2>/dev/null || true
  for (( i = 0; i < 50; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep "$POLL_S"
  done
  kill -0 "$pid" 2>/dev/null && as_root kill -KILL "$pid" 2>/dev/null || true
  # Children forked after the listing (a connection accepted at the last moment) are orphans of our parent now.
  for c in $children; do kill -0 "$c" 2>/dev/null && as_root kill -KILL "$c" 2>/dev/null || true; done
  rm -f "$PID_DIR"/*.pid
  say "killed smbd $pid${children:+ and its children $(echo $children)}"
}

stop() {
  if [ ! -e "$DIR" ]; then
    say "nothing to stop ($DIR does not exist)"
    return 0
  fi
  [ -e "$MARKER" ] || die "$DIR was not created by this script; not touching it"
  kill_server TERM
  as_root rm -rf "$DIR"
  say "stopped and removed $DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill) [ -e "$MARKER" ] || die "no server in $DIR"; kill_server KILL ;;
  env) print_env ;;
  *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
