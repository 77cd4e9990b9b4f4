# Common environment: source it. Starts (if needed) a private redis and a sandbox on loopback.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
V="$ROOT/target/release/verify"
RUN="$HERE/run"; mkdir -p "$RUN"
RPORT="${RPORT:-16391}"
SPORT="${SPORT:-18391}"
S="http://127.0.0.1:$SPORT"
R="redis://127.0.0.1:$RPORT"
rcli() { redis-cli -p "$RPORT" "$@"; }
start_redis() {
  if ! redis-cli -p "$RPORT" ping >/dev/null 2>&1; then
    redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" >/dev/null
    for i in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}
stop_redis() { [ -f "$RUN/redis.pid" ] && kill "$(cat "$RUN/redis.pid")" 2>/dev/null; rm -f "$RUN/redis.pid"; }
start_sandbox() {
  if ! curl -sf "$S/_sandbox/health" >/dev/null 2>&1; then
    "$V" sandbox --listen "127.0.0.1:$SPORT" --json > "$RUN/sandbox.json" 2>"$RUN/sandbox.err" &
    echo $! > "$RUN/sandbox.pid"
    for i in $(seq 50); do curl -sf "$S/_sandbox/health" >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export TELESIGN_CUSTOMER_ID="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["telesign_customer_id"])' "$RUN/sandbox.json")"
  export TELESIGN_API_KEY="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["telesign_api_key"])' "$RUN/sandbox.json")"
  export DOTDIGITAL_USERNAME="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["dotdigital_username"])' "$RUN/sandbox.json")"
  export DOTDIGITAL_PASSWORD="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["dotdigital_password"])' "$RUN/sandbox.json")"
}
stop_sandbox() { [ -f "$RUN/sandbox.pid" ] && kill "$(cat "$RUN/sandbox.pid")" 2>/dev/null; rm -f "$RUN/sandbox.pid"; }
outbox_count() { # [to]
  if [ -n "${1:-}" ]; then curl -s "$S/_sandbox/messages?to=$1"; else curl -s "$S/_sandbox/messages"; fi |
    python3 -c 'import json,sys;print(len(json.load(sys.stdin)))'
}
clear_all() { curl -s -X DELETE "$S/_sandbox/messages" >/dev/null; curl -s -X DELETE "$S/_sandbox/faults" >/dev/null; rcli flushall >/dev/null; }
fault() { curl -s -X POST "$S/_sandbox/faults" -d "$1"; echo; }
export NO_PROXY='*' no_proxy='*'
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
