#!/bin/sh
# Crash test (SPEC §6 durability): submit 500 jobs, kill -9 the server while
# jobs run, restart it, and check that every job succeeded exactly once, with
# one result each, and that no blob is orphaned or missing.
# Usage: crash_test.sh DOCGEN SOURCE_DIR [JOBS]
set -u
DOCGEN=$1
SRC=$2
JOBS=${3:-500}
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
fail() { echo "FAIL: $*"; exit 1; }

cat >"$TMP/config.yaml" <<CONFIG
lease_seconds: 2
workers: 2
retry: {initial_ms: 100, cap_ms: 1000, max_attempts: 5}
CONFIG

start() {
  "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$SRC/examples/acme-cyber" \
    --config "$TMP/config.yaml" >>"$TMP/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    curl -sf "$URL/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "server did not start"
}

count() {  # count STATUS
  curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/jobs?status=$1&limit=1000" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['jobs']))"
}

TOKEN=$("$DOCGEN" token create --role admin --subject crash-test --data "$TMP/data" 2>/dev/null)
start
# Submitted over one keep-alive connection, faster than the workers drain them.
python3 - "$SRC/examples/quotes/renewal-copy.json" "$PORT" "$JOBS" "$TOKEN" <<'PY' || fail "submitting jobs failed"
import http.client, json, sys
quote = json.load(open(sys.argv[1]))
# 30 copied endorsements make each job a 36-document package: slow enough to be killed mid-run.
quote["prior"]["documents"] += [{"id": "CY-END-205", "variables": {"name": "Additional Insured %d" % n}} for n in range(30)]
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]), timeout=30)
for i in range(int(sys.argv[3])):
    quote["quote_id"] = "Q-C%d" % i
    connection.request("POST", "/v1/jobs", json.dumps({"quote": quote}),
                       {"Content-Type": "application/json", "Idempotency-Key": "crash-%d" % i,
                        "Authorization": "Bearer " + sys.argv[4]})
    response = connection.getresponse()
    response.read()
    if response.status != 202:
        print("job %d was not accepted (%d)" % (i, response.status))
        sys.exit(1)
PY
echo "submitted $JOBS jobs"

# Kill while jobs are running.
for _ in $(seq 400); do
  [ "$(count succeeded)" -ge 50 ] && break
  sleep 0.02
done
done_before=$(count succeeded)
kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=""
echo "killed the server with $done_before jobs done"
[ "$done_before" -lt "$JOBS" ] || fail "every job finished before the kill; nothing was tested"

start
for _ in $(seq 1800); do
  [ "$(count succeeded)" -ge "$JOBS" ] && break
  sleep 0.1
done
succeeded=$(count succeeded)
failed=$(count failed)
[ "$succeeded" -eq "$JOBS" ] || fail "$succeeded of $JOBS jobs succeeded ($failed failed)"

# Exactly once: one "job succeeded" log line per job, across both server runs.
python3 - "$TMP/server.log" "$JOBS" <<'PY' || exit 1
import json, sys, collections
counts = collections.Counter()
for line in open(sys.argv[1]):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("msg") == "job succeeded":
        counts[entry["job_id"]] += 1
twice = [job for job, n in counts.items() if n != 1]
if len(counts) != int(sys.argv[2]) or twice:
    print("FAIL: %d jobs logged success, %d more than once" % (len(counts), len(twice)))
    sys.exit(1)
PY

# One result each, every referenced blob present, no blob unreferenced.
kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=""
sqlite3 "$TMP/data/docgen.sqlite" "SELECT result FROM jobs" >"$TMP/results.txt" || fail "cannot read the database"
python3 - "$TMP/data/blobs" "$JOBS" "$TMP/results.txt" <<'PY' || exit 1
import json, os, sys
blob_dir, jobs = sys.argv[1], int(sys.argv[2])
referenced = set()
results = 0
for line in open(sys.argv[3]):
    result = json.loads(line)
    if not result:
        continue
    results += 1
    referenced.update([result["package_pdf"], result["package_json"]] + [d["blob"] for d in result["documents"]])
present = set()
for root, _, files in os.walk(blob_dir):
    present.update(files)
missing = referenced - present
orphans = present - referenced
if results != jobs or missing or orphans:
    print("FAIL: %d results, %d missing blobs, %d orphan files %s" % (results, len(missing), len(orphans), sorted(orphans)[:3]))
    sys.exit(1)
print("ok: %d jobs succeeded exactly once, %d distinct blobs, none missing or orphaned" % (results, len(present)))
PY
