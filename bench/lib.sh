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
