#!/bin/sh
# Service throughput (issue: service): end-to-end jobs through `docgen serve`
# (2 workers, SQLite, results fsynced) against `docgen render` run in a loop
# (2 at a time, one process per package), for the same example package; then
# wrk with keep-alive against POST /v1/packages:resolve.
# Usage: bench/service_bench.sh [JOBS] [WRK_SECONDS]
set -eu
cd "$(dirname "$0")/.."
JOBS=${1:-300}
SECONDS_WRK=${2:-10}
DOCGEN=build/release/docgen
TMP=$(mktemp -d)
. tests/support/net.sh
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers

TOKEN=$($DOCGEN token create --role admin --subject bench --data "$TMP/data" 2>/dev/null)
$DOCGEN serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog examples/acme-cyber --workers 2 2>"$TMP/server.log" &
SERVER=$!
for _ in $(seq 50); do curl -sf "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$PORT" "$JOBS" "$TOKEN" <<'PY'
import http.client, json, sys, time
port, jobs = int(sys.argv[1]), int(sys.argv[2])
auth = {"Authorization": "Bearer " + sys.argv[3]}
quote = json.load(open("examples/quotes/renewal-copy.json"))
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
start = time.time()
for i in range(jobs):
    quote["quote_id"] = "Q-B%d" % i
    c.request("POST", "/v1/jobs", json.dumps({"quote": quote}), dict(auth, **{"Content-Type": "application/json"}))
    r = c.getresponse(); r.read()
    assert r.status == 202, r.status
submitted = time.time() - start
while True:
    c.request("GET", "/v1/jobs?status=succeeded&limit=1000", headers=auth)
    done = len(json.loads(c.getresponse().read())["jobs"])
    if done >= jobs:
        break
    time.sleep(0.05)
elapsed = time.time() - start
print("service: %d jobs in %.2f s = %.1f jobs/s (submission %.2f s)" % (jobs, elapsed, jobs / elapsed, submitted))
open("/tmp/docgen-service-bench.txt", "w").write("%f" % (elapsed / jobs))
PY

# docgen render in a loop, two processes at a time, same package.
start=$(date +%s%N)
seq "$JOBS" | xargs -P 2 -I{} $DOCGEN render --catalog examples/acme-cyber examples/quotes/renewal-copy.json --out "$TMP/render-{}" >/dev/null
end=$(date +%s%N)
python3 - "$JOBS" "$start" "$end" <<'PY'
import sys
jobs, start, end = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
loop = (end - start) / 1e9 / jobs
service = float(open("/tmp/docgen-service-bench.txt").read())
print("docgen render loop (2 parallel processes): %.1f packages/s" % (1 / loop))
print("service time per job vs render loop: %.2fx (overhead %+.0f%%; negative: the service is faster, it keeps fonts and layouts warm)"
      % (service / loop, (service / loop - 1) * 100))
PY

if command -v wrk >/dev/null; then
  cat >"$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
local f = io.open("examples/quotes/renewal-copy.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
  echo "wrk -t2 -c16 -d${SECONDS_WRK}s POST /v1/packages:resolve (keep-alive):"
  wrk -t2 -c16 -d"${SECONDS_WRK}s" --latency -s "$TMP/post.lua" "$URL/v1/packages:resolve" | grep -E "Requests/sec|Latency|50%|99%|requests in"
fi
