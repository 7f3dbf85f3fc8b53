#!/usr/bin/env bash
# Flux Media Server developer entry point.
#
#   ./flux run      build what is needed and start the server on embedded defaults
#   ./flux test     run the whole test suite (unit, integration, end-to-end)
#   ./flux build    build everything, skip tests
#   ./flux sim ...  run the GB28181 device simulator (--help lists its options)
#   ./flux mvn ...  run Maven with the JDK this script picked
#
# The build and the server need JDK 21 or newer. The default `java` may be older, so this script
# looks for one: $JAVA_HOME, then `java` on the PATH, then every JDK under /usr/lib/jvm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export FLUX_NEED_JAVAC=1

# shellcheck source=scripts/lib/jdk.sh
. "$ROOT/scripts/lib/jdk.sh"

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
      mvn_cmd -q install -DskipTests -pl runtime,features -am
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
  sim)
    pick_jdk
    sim_dir="$ROOT/bundles/io.flux.media.testing.gb28181"
    sim_jar="$sim_dir/target/io.flux.media.testing.gb28181-0.1.0-SNAPSHOT.jar"
    if [ ! -f "$sim_jar" ] || [ -n "$(find "$sim_dir/src/main" -newer "$sim_jar" -type f | head -n 1)" ]; then
      mvn_cmd -q install -DskipTests -f "$sim_dir/pom.xml"
    fi
    if [ ! -f "$sim_dir/target/classpath.txt" ] || [ "$sim_dir/pom.xml" -nt "$sim_dir/target/classpath.txt" ]; then
      mvn_cmd -q dependency:build-classpath -f "$sim_dir/pom.xml" -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$sim_dir/target/classpath.txt"
    fi
    exec "$JAVA_HOME/bin/java" -cp "$sim_jar:$(cat "$sim_dir/target/classpath.txt")" \
      io.flux.media.testing.gb28181.SimulatorMain "$@"
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
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
