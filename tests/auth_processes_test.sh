#!/bin/sh
# Two docgen processes share one Redis token cache: a token introspected by
# the first is accepted by the second without another provider call, and a
# token the provider does not know is refused by both.
# Usage: auth_processes_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
REDIS_PORT=$(free_port); PROVIDER_PORT=$(free_port); A=$(free_port); B=$(free_port)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
fail() { echo "FAIL: $*"; exit 1; }

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null 2>&1 &
PIDS="$PIDS $!"
python3 - "$PROVIDER_PORT" <<'PY' &
import http.server, json, sys, urllib.parse
calls = 0
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = json.dumps({"calls": calls}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        global calls
        calls += 1
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        token = form.get("token", [""])[0]
        body = json.dumps({"active": token == "good-token", "scope": "docgen:viewer", "sub": "t"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
PIDS="$PIDS $!"
wait_redis "$REDIS_PORT" || fail "redis-server did not start on port $REDIS_PORT"
wait_http "http://127.0.0.1:$PROVIDER_PORT/stats" || fail "the fake provider did not start on port $PROVIDER_PORT"
cat >"$TMP/config.yaml" <<CONFIG
redis: redis://127.0.0.1:$REDIS_PORT
auth: {mode: introspection, introspection_url: "http://127.0.0.1:$PROVIDER_PORT/introspect"}
CONFIG
for PORT in $A $B; do
  "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data-$PORT" --catalog "$SRC/examples/acme-cyber" --config "$TMP/config.yaml" \
    >/dev/null 2>"$TMP/log-$PORT" &
  PIDS="$PIDS $!"
done
for PORT in $A $B; do
  wait_http "http://127.0.0.1:$PORT/healthz" || { cat "$TMP/log-$PORT"; fail "docgen did not start on port $PORT"; }
done
calls() { curl -s "http://127.0.0.1:$PROVIDER_PORT/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['calls'])"; }
status() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "http://127.0.0.1:$1/v1/catalog"; }

[ "$(status $A good-token)" = 200 ] || fail "first process refused a good token"
[ "$(calls)" = 1 ] || fail "expected 1 provider call, got $(calls)"
[ "$(status $B good-token)" = 200 ] || fail "second process refused a good token"
[ "$(calls)" = 1 ] || fail "the second process called the provider again ($(calls) calls): Redis is not shared"
[ "$(status $A bad-token)" = 401 ] || fail "first process accepted an unknown token"
[ "$(status $B bad-token)" = 401 ] || fail "second process accepted an unknown token"
[ "$(calls)" = 2 ] || fail "the negative verdict was not shared ($(calls) calls)"
if grep -q "good-token" "$TMP/log-$A" "$TMP/log-$B"; then fail "a token reached the logs"; fi
echo "ok: two processes shared the token cache (2 provider calls for 4 checks); no token in the logs"
