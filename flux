#!/usr/bin/env bash
# Flux Media Server developer entry point.
#
#   ./flux run      build what is needed and start the server on embedded defaults
#   ./flux test     run the whole test suite (unit, integration, end-to-end)
#   ./flux build    build everything, skip tests
#   ./flux mvn ...  run Maven with the JDK this script picked
#
# The build and the server need JDK 21 or newer. The default `java` may be older, so this script
# looks for one: $JAVA_HOME, then `java` on the PATH, then every JDK under /usr/lib/jvm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQUIRED_JAVA=21

java_major() { # prints the feature version of the java binary $1, or nothing
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}') || return 0
  echo "${v%%.*}"
}

pick_jdk() {
  local candidates=() c best="" best_v=0 v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(java_major "$c/bin/java")
    [ -n "$v" ] || continue
    # Prefer the first candidate that is new enough ($JAVA_HOME wins when it qualifies).
    if [ "$v" -ge "$REQUIRED_JAVA" ]; then best="$c"; best_v="$v"; break; fi
  done
  if [ -z "$best" ]; then
    echo "flux: JDK $REQUIRED_JAVA or newer is required, but none was found." >&2
    echo "      Looked at \$JAVA_HOME, java on the PATH and /usr/lib/jvm/*." >&2
    echo "      Install one (for example: apt-get install openjdk-21-jdk) or set JAVA_HOME." >&2
    exit 3
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  [ -n "${FLUX_QUIET:-}" ] || echo "flux: using JDK $best_v at $JAVA_HOME" >&2
}

mvn_cmd() {
  local opts=(-B -ntp)
  [ -n "${CI:-}" ] && opts+=(-Dstyle.color=never)
  (cd "$ROOT" && mvn "${opts[@]}" "$@")
}

server_jar="$ROOT/runtime/target/flux-server.jar"

cmd="${1:-help}"
shift || true
case "$cmd" in
  run)
    pick_jdk
    if [ ! -f "$server_jar" ] || [ -n "$(find "$ROOT/bundles" "$ROOT/runtime" "$ROOT/features" -newer "$server_jar" -type f \
          -not -path '*/target/*' 2>/dev/null | head -n 1)" ]; then
      mvn_cmd -q install -DskipTests -pl runtime -am
    fi
    cd "$ROOT"
    exec "$ROOT/runtime/bin/flux-server" "$@"
    ;;
  test)
    pick_jdk
    "$ROOT/scripts/test-services.sh" start
    trap '"$ROOT/scripts/test-services.sh" stop' EXIT
    # shellcheck disable=SC1091
    . "$ROOT/target/test-services.env"
    mvn_cmd verify "$@"
    ;;
  build)
    pick_jdk
    mvn_cmd install -DskipTests "$@"
    ;;
  mvn)
    pick_jdk
    mvn_cmd "$@"
    ;;
  java-home)
    FLUX_QUIET=1 pick_jdk
    echo "$JAVA_HOME"
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
