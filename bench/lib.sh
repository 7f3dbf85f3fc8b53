# Shared by the bench scripts (sourced; expects ROOT and PORT): a throwaway configuration, the exported server
# started in the background, and authenticated API calls.
BENCH_TOKEN=bench-admin-token-0123456789

bench_config() { # WORK: WORK/config = the repository's config/ plus the benchmark port
  mkdir -p "$1/config"
  cp "$ROOT"/config/* "$1/config/"
  printf 'http.port=%s\nhttp.host=127.0.0.1\n' "$PORT" > "$1/config/io.flux.media.server.cfg"
}

bench_start() { # WORK LOG: starts the server on WORK/data and WORK/config, waits (bounded) for health
  (cd "$1" && FLUX_ADMIN_TOKEN=$BENCH_TOKEN FLUX_DATA_DIR="$1/data" FLUX_CONFIG_DIR="$1/config" \
     "$ROOT/runtime/bin/flux-server" > "$2" 2>&1 &)
  local deadline=$((SECONDS + 120))
  until curl -s -o /dev/null -f "http://127.0.0.1:$PORT/api/v1/health"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "server not healthy within 120 s:" >&2; tail -20 "$2" >&2; return 1; }
    sleep 0.2
  done
}

bench_api() { curl -s -H "Authorization: Bearer $BENCH_TOKEN" -H 'Content-Type: application/json' "$@"; }

bench_await_features() { # NAME...: waits until every named feature is installed (boot features install late)
  until bench_api "http://127.0.0.1:$PORT/api/v1/features" | python3 -c '
import json, sys
f = {x["name"]: x for x in json.load(sys.stdin)}
sys.exit(0 if all(f.get(n, {}).get("installed") for n in sys.argv[1:]) else 1)' "$@" 2>/dev/null; do
    sleep 0.2
  done
}

bench_server_pid() { pgrep -f "launch.storage.dir=$1/data" | head -1; } # WORK: the server's java process

bench_stop() { # PID: SIGTERM, wait (bounded), then SIGKILL
  local deadline=$((SECONDS + 30))
  kill "$1" 2>/dev/null || return 0
  while kill -0 "$1" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { kill -9 "$1" 2>/dev/null; break; }
    sleep 0.1
  done
}

bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # PID: utime + stime in clock ticks

bench_rss_mb() { awk -v k="${2:-VmRSS}" '$1 == k":" {printf "%.0f\n", $2 / 1024}' "/proc/$1/status"; } # PID [VmRSS|VmHWM]

bench_metric() { # NAME [LABEL=\"VALUE\"...]: sum of the series of a Prometheus metric on /metrics having every label
  bench_api "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" -v want="${*:2}" '
    BEGIN {n = split(want, w, " ")}
    $1 == m || index($1, m "{") == 1 {for (i = 1; i <= n; i++) if (!index($1, w[i])) next; s += $2}
    END {printf "%.0f\n", s}'
}

bench_gb_config() { # WORK [KEY=VALUE...]: the gb28181 feature's configuration, SIP on 127.0.0.1:GB_SIP_PORT
  {
    printf 'bind.address=127.0.0.1\nbind.port=%s\n.password=%s\n' "${GB_SIP_PORT:-15060}" "${GB_PASSWORD:-secret}"
    local kv; for kv in "${@:2}"; do printf '%s\n' "$kv"; done
  } > "$1/config/io.flux.media.protocol.gb28181.cfg"
}

bench_sim_cmd() { # prints the GB28181 device simulator's java command line (JVM options from SIM_JAVA_OPTS)
  local dir="$ROOT/bundles/io.flux.media.testing.gb28181/target"
  [ -f "$dir/classpath.txt" ] || { echo "simulator not built: ./flux sim --help builds it" >&2; return 1; }
  # shellcheck disable=SC2086
  echo "$("$ROOT/flux" java-home 2>/dev/null)/bin/java ${SIM_JAVA_OPTS:--Xmx512m} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn" \
    "-cp $dir/io.flux.media.testing.gb28181-0.1.0-SNAPSHOT.jar:$(cat "$dir/classpath.txt")" \
    "io.flux.media.testing.gb28181.SimulatorMain"
}
