# Finds a JDK new enough for Flux and exports JAVA_HOME and PATH for it. Sourced by ./flux and
# runtime/bin/flux-server. Looks at $JAVA_HOME, then `java` on the PATH, then every JDK under /usr/lib/jvm.
REQUIRED_JAVA=${REQUIRED_JAVA:-21}

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
    [ -x "$c/bin/java" ] || continue
    [ -z "${FLUX_NEED_JAVAC:-}" ] || [ -x "$c/bin/javac" ] || continue
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
