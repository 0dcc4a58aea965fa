#!/bin/sh
# Token cache effectiveness (issue: auth): two `docgen serve` instances share
# one Redis and a fake RFC 7662 provider that answers 429 above 100 calls/s;
# wrk drives both with 1,000 distinct tokens. Prints requests served, calls
# to the provider, the ratio, and responses that were not 2xx.
# Also: build/release/bench/auth_check_bench for the cost of a cached check.
# Usage: bench/auth_bench.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
DURATION=${1:-60}
DOCGEN=build/release/docgen
TMP=$(mktemp -d)
. tests/support/net.sh
REDIS_PORT=$(free_port); PROVIDER_PORT=$(free_port); A=$(free_port); B=$(free_port)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null 2>&1 &
PIDS="$PIDS $!"
python3 - "$PROVIDER_PORT" <<'PY' &
import http.server, json, sys, threading, time, urllib.parse
calls = 0; limited = 0; lock = threading.Lock(); window = [time.time(), 0]
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = json.dumps({"calls": calls, "limited": limited}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        global calls, limited
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        with lock:
            calls += 1
            now = time.time()
            if now - window[0] >= 1: window[0], window[1] = now, 0
            window[1] += 1
            over = window[1] > 100
            if over: limited += 1
        if over:
            self.send_response(429); self.send_header("Retry-After", "1"); self.send_header("Content-Length", "0"); self.end_headers(); return
        body = json.dumps({"active": form.get("token", [""])[0].startswith("bench-token-"), "scope": "docgen:viewer",
                           "sub": "bench", "exp": int(time.time()) + 3600}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
PIDS="$PIDS $!"
cat >"$TMP/config.yaml" <<CONFIG
redis: redis://127.0.0.1:$REDIS_PORT
auth: {mode: introspection, introspection_url: "http://127.0.0.1:$PROVIDER_PORT/introspect", client_id: docgen, client_secret: bench,
       provider_rate_per_second: 40, max_wait_ms: 30000}
CONFIG
for PORT in $A $B; do
  $DOCGEN serve --listen "127.0.0.1:$PORT" --data "$TMP/data-$PORT" --catalog examples/acme-cyber --config "$TMP/config.yaml" 2>"$TMP/log-$PORT" &
  PIDS="$PIDS $!"
done
for PORT in $A $B; do for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done; done
cat >"$TMP/tokens.lua" <<'LUA'
local tokens = {}
for i = 1, 1000 do tokens[i] = "bench-token-" .. i end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/catalog", {["Authorization"] = "Bearer " .. tokens[math.random(1000)]})
end
LUA
wrk -t1 -c32 -d"${DURATION}s" -s "$TMP/tokens.lua" "http://127.0.0.1:$A" >"$TMP/wrk-a.txt" &
W1=$!
wrk -t1 -c32 -d"${DURATION}s" -s "$TMP/tokens.lua" "http://127.0.0.1:$B" >"$TMP/wrk-b.txt" &
W2=$!
wait $W1 $W2
STATS=$(curl -s "http://127.0.0.1:$PROVIDER_PORT/stats")
python3 - "$TMP/wrk-a.txt" "$TMP/wrk-b.txt" "$STATS" <<'PY'
import json, re, sys
served = failed = 0
for path in sys.argv[1:3]:
    text = open(path).read()
    served += int(re.search(r"(\d+) requests in", text).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    failed += int(m.group(1)) if m else 0
stats = json.loads(sys.argv[3])
print("requests served:            %d (two instances, 1,000 tokens)" % served)
print("calls to the provider:      %d (%d of them answered 429 by the provider)" % (stats["calls"], stats["limited"]))
print("requests per provider call: %.0f (target: at least 100; 1 without a cache)" % (served / max(stats["calls"], 1)))
print("non-2xx responses to clients: %d (target: none)" % failed)
PY
