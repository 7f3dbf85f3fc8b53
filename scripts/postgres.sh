#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests.
#
#   scripts/postgres.sh start   install PostgreSQL if needed, create and start the cluster (reuses a running one)
#   scripts/postgres.sh env     print `export FLUX_TEST_PG_URL=... FLUX_TEST_PG_USER=... FLUX_TEST_PG_PASSWORD=...`
#   scripts/postgres.sh stop    stop the cluster and delete its directory
#
# Typical use:  scripts/postgres.sh start && eval "$(scripts/postgres.sh env)"
#
# Settings (environment):
#   FLUX_PG_PORT   TCP port, default 55432; the server listens on 127.0.0.1 only
#   FLUX_PG_DIR    cluster directory, default /tmp/flux-pg-<port>; holds the data, the unix socket,
#                  the log and the generated password of role `flux` (mode 600)
#
# The role `flux` owns the database `flux_test`. The superuser `postgres` has no password and can only
# connect through the unix socket inside the cluster directory (mode 700).
set -euo pipefail

PORT="${FLUX_PG_PORT:-55432}"
DIR="${FLUX_PG_DIR:-/tmp/flux-pg-$PORT}"
DATA="$DIR/data"
SOCKET_DIR="$DIR/socket"
LOG_FILE="$DIR/postgres.log"
PASSWORD_FILE="$DIR/password"
MARKER="$DIR/.flux-pg"        # proves the directory is ours before `stop` deletes it
ROLE=flux
DATABASE=flux_test
READY_TIMEOUT_S=60
POLL_S=0.2

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

case "$PORT" in
  ''|*[!0-9]*) die "FLUX_PG_PORT must be a number, got '$PORT'" ;;
esac
case "$DIR" in
  /*) ;;
  *) die "FLUX_PG_DIR must be an absolute path, got '$DIR'" ;;
esac

# initdb refuses to run as root, so root runs the server tools as the `postgres` system user.
if [ "$(id -u)" -eq 0 ]; then RUN_USER=postgres; else RUN_USER="$(id -un)"; fi

as_run_user() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$RUN_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

# Prints the directory holding initdb and pg_ctl: the newest /usr/lib/postgresql/<v>/bin, else the PATH.
find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

install_postgresql() {
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL server binaries (initdb, pg_ctl) are missing; install the 'postgresql' package or run this as root"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries are missing and apt-get is not available; install PostgreSQL yourself"
  say "installing PostgreSQL (apt-get install postgresql)"
  # The package would otherwise create and start a system-wide cluster on port 5432 that nobody uses here.
  mkdir -p /etc/postgresql-common/createcluster.d
  [ -e /etc/postgresql-common/createcluster.d/flux-no-main-cluster.conf ] ||
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/flux-no-main-cluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y postgresql
}

ensure_run_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u "$RUN_USER" >/dev/null 2>&1 && return 0
  say "creating system user $RUN_USER"
  local group=(--user-group)
  if getent group "$RUN_USER" >/dev/null 2>&1; then group=(--gid "$RUN_USER"); fi
  useradd --system "${group[@]}" --no-create-home --home-dir /var/lib/postgresql \
    --shell /usr/sbin/nologin "$RUN_USER"
}

tool() { # prints the path of a client tool, preferring the server's own version
  if [ -x "$BINDIR/$1" ]; then echo "$BINDIR/$1"; else command -v "$1"; fi
}

is_ready() { # our socket answers (not some other server that holds the port) and so does TCP
  "$(tool pg_isready)" -q -h "$SOCKET_DIR" -p "$PORT" -d postgres >/dev/null 2>&1 &&
    "$(tool pg_isready)" -q -h 127.0.0.1 -p "$PORT" -d postgres >/dev/null 2>&1
}

is_running() { # our cluster's postmaster is alive
  [ -f "$DATA/PG_VERSION" ] && as_run_user "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

wait_ready() {
  local polls=$(( READY_TIMEOUT_S * 5 )) i down=0
  for (( i = 0; i < polls; i++ )); do
    if is_ready; then return 0; fi
    # pg_ctl -W returns before the postmaster writes its pid file: only a lasting absence means it died.
    if is_running; then down=0; else down=$(( down + 1 )); fi
    if [ "$down" -ge 25 ]; then
      say "the server is not running; last lines of $LOG_FILE:"
      tail -n 20 "$LOG_FILE" >&2 || true
      return 1
    fi
    sleep "$POLL_S"
  done
  say "the server did not become ready within ${READY_TIMEOUT_S}s; last lines of $LOG_FILE:"
  tail -n 20 "$LOG_FILE" >&2 || true
  return 1
}

init_cluster() {
  if [ -e "$DIR" ] && [ ! -e "$MARKER" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    die "$DIR exists but was not created by this script; remove it or set FLUX_PG_DIR"
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR" "$SOCKET_DIR"
  touch "$MARKER"
  chmod 700 "$DIR" "$SOCKET_DIR"
  [ "$(id -u)" -ne 0 ] || chown -R "$RUN_USER": "$DIR"
  say "creating a cluster in $DATA"
  as_run_user "$BINDIR/initdb" -D "$DATA" --username=postgres --encoding=UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  # A throwaway test server: durability is not worth the fsyncs.
  cat >>"$DATA/postgresql.conf" <<EOF

# scripts/postgres.sh
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

ensure_password() {
  if [ ! -s "$PASSWORD_FILE" ]; then
    (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$PASSWORD_FILE")
  fi
  chmod 600 "$PASSWORD_FILE"
  [ "$(id -u)" -ne 0 ] || chown "$RUN_USER": "$PASSWORD_FILE"
}

ensure_role_and_database() {
  local password
  password="$(cat "$PASSWORD_FILE")"
  # The password goes through stdin, not argv, so `ps` never shows it.
  as_run_user "$(tool psql)" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U postgres -d postgres >/dev/null <<EOF
\\set pw '$password'
SELECT 'CREATE ROLE $ROLE LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \\gexec
ALTER ROLE $ROLE WITH LOGIN PASSWORD :'pw';
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \\gexec
EOF
}

print_env() {
  [ -s "$PASSWORD_FILE" ] || die "no cluster in $DIR; run 'scripts/postgres.sh start' first"
  echo "export FLUX_TEST_PG_URL='jdbc:postgresql://127.0.0.1:$PORT/$DATABASE'"
  echo "export FLUX_TEST_PG_USER='$ROLE'"
  echo "export FLUX_TEST_PG_PASSWORD='$(cat "$PASSWORD_FILE")'"
}

start() {
  BINDIR="$(find_bindir)" || { install_postgresql; BINDIR="$(find_bindir)" || die "PostgreSQL is installed but initdb/pg_ctl were not found"; }
  ensure_run_user
  if is_running && is_ready; then
    say "reusing the server already running on 127.0.0.1:$PORT ($DIR)"
  else
    [ -f "$DATA/PG_VERSION" ] || init_cluster
    say "starting PostgreSQL $("$BINDIR/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$PORT"
    if ! is_running; then
      as_run_user "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG_FILE" -W start >/dev/null ||
        { tail -n 20 "$LOG_FILE" >&2 || true; die "pg_ctl start failed"; }
    fi
    wait_ready || die "PostgreSQL did not start"
  fi
  ensure_password
  ensure_role_and_database
  say "ready: database $DATABASE, role $ROLE (eval \"\$(scripts/postgres.sh env)\")"
}

stop() {
  if [ ! -e "$DIR" ]; then
    say "nothing to stop ($DIR does not exist)"
    return 0
  fi
  [ -e "$MARKER" ] || die "$DIR was not created by this script; not touching it"
  if [ -f "$DATA/PG_VERSION" ]; then
    BINDIR="$(find_bindir)" || die "initdb/pg_ctl not found; cannot stop the server in $DATA"
    if is_running; then
      as_run_user "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    fi
  fi
  rm -rf "$DIR"
  say "stopped and removed $DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
