#!/bin/sh
# Scale-out fault test: one API process (no workers) and three `docgen worker`
# processes share a private PostgreSQL server (blobs in the database). 2,000
# jobs with a webhook each are submitted; meanwhile two workers are killed
# with SIGKILL at random moments and restarted, and PostgreSQL is restarted
# once. Then: every job succeeded exactly once (one finish, one result, every
# blob present, none orphaned) and the webhook receiver saw each job's final
# event, correctly signed.
# Usage: scale_fault_test.sh DOCGEN SOURCE_DIR [JOBS]
set -u
DOCGEN=$1
SRC=$2
JOBS=${3:-2000}
. "$SRC/tests/support/net.sh"
. "$SRC/tests/support/postgres.sh"
TMP=$(mktemp -d)
PG_PORT=$(free_port); API_PORT=$(free_port); RECEIVER_PORT=$(free_port)
W1=$(free_port); W2=$(free_port); W3=$(free_port)
DB=$(pg_url "$PG_PORT")
API_PID=""; RECEIVER_PID=""; SUBMIT_PID=""; W1_PID=""; W2_PID=""; W3_PID=""
cleanup() {
  for p in $API_PID $W1_PID $W2_PID $W3_PID $SUBMIT_PID $RECEIVER_PID; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  pg_stop "$TMP" immediate
  if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
fail() {
  echo "FAIL: $*"
  for f in "$TMP"/*.log; do echo "--- last lines of $f"; tail -5 "$f"; done
  exit 1
}
sql() { psql "$DB" -XAtqc "$1" 2>/dev/null; }

pg_init "$TMP" || fail "initdb failed"
pg_start "$TMP" "$PG_PORT" || fail "PostgreSQL did not start"

# The receiver verifies every signature and records (job, finish time, type).
python3 - "$RECEIVER_PORT" "$TMP/events.txt" <<'PY' >"$TMP/receiver.log" 2>&1 &
import base64, hashlib, hmac, http.server, json, sys, threading
lock = threading.Lock()
out = open(sys.argv[2], "a")
# As the Standard Webhooks reference library does: the configured secret,
# without its whsec_ prefix, base64-decoded, is the HMAC key.
KEY = base64.b64decode("whsec_ZmF1bHQtdGVzdC1zZWNyZXQtb2YtMzItYnl0ZXMhISE=".removeprefix("whsec_"))
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = ("%s.%s." % (self.headers["webhook-id"], self.headers["webhook-timestamp"])).encode() + body
        expected = "v1," + base64.b64encode(hmac.new(KEY, signed, hashlib.sha256).digest()).decode()
        event = json.loads(body)
        ok = hmac.compare_digest(expected, self.headers["webhook-signature"])
        with lock:
            # The message id is msg_<job>_<finish time in ms>: one per finish of a job.
            out.write("%s %s %s %s\n" % (event["data"]["id"], self.headers["webhook-id"], event["type"],
                                         "signed" if ok else "BAD-SIGNATURE"))
            out.flush()
        self.send_response(204 if ok else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
RECEIVER_PID=$!

cat >"$TMP/config.yaml" <<CONFIG
database: $DB
blob_store: database
webhook_secret: whsec_ZmF1bHQtdGVzdC1zZWNyZXQtb2YtMzItYnl0ZXMhISE=
allow_private_callbacks: true
lease_seconds: 3
retry: {initial_ms: 200, cap_ms: 2000, max_attempts: 10}
CONFIG

start_worker() {  # start_worker N PORT
  "$DOCGEN" worker --listen "127.0.0.1:$2" --data "$TMP/worker$1" --config "$TMP/config.yaml" --workers 1 \
    >>"$TMP/worker$1.log" 2>&1 &
  eval "W$1_PID=$!"
  wait_http "http://127.0.0.1:$2/healthz" 200 || fail "worker $1 did not start"
}

TOKEN=$("$DOCGEN" token create --role generator --subject fault-test --data "$TMP/api" 2>/dev/null)
"$DOCGEN" serve --listen "127.0.0.1:$API_PORT" --data "$TMP/api" --config "$TMP/config.yaml" --workers 0 \
  --catalog "$SRC/examples/acme-cyber" >>"$TMP/api.log" 2>&1 &
API_PID=$!
wait_http "http://127.0.0.1:$API_PORT/healthz" 200 || fail "the API process did not start"
wait_http "http://127.0.0.1:$RECEIVER_PORT/" 100 || fail "the webhook receiver did not start"
start_worker 1 "$W1"; start_worker 2 "$W2"; start_worker 3 "$W3"

# Submitted with an Idempotency-Key each: a request cut off by the database
# restart is sent again and never makes a second job.
python3 - "$SRC/examples/quotes/new-ca-basic.json" "$API_PORT" "$JOBS" "$TOKEN" "$RECEIVER_PORT" \
  >"$TMP/submit.log" 2>&1 <<'PY' &
import http.client, json, sys, time
quote = json.load(open(sys.argv[1]))
port, jobs, token, receiver = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
connection = None
for i in range(jobs):
    quote["quote_id"] = "Q-F%d" % i
    body = json.dumps({"quote": quote, "callback_url": "http://127.0.0.1:%s/hook" % receiver})
    for attempt in range(200):
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("POST", "/v1/jobs", body, {"Content-Type": "application/json", "Idempotency-Key": "fault-%d" % i,
                                                         "Authorization": "Bearer " + token})
            response = connection.getresponse()
            response.read()
            if response.status in (200, 201, 202):
                break
            print("job %d: HTTP %d, retrying" % (i, response.status))
        except (OSError, http.client.HTTPException) as e:
            print("job %d: %s, retrying" % (i, e))
            connection = None
        time.sleep(0.1)
    else:
        print("job %d was never accepted" % i)
        sys.exit(1)
print("submitted", jobs)
PY
SUBMIT_PID=$!

succeeded() { n=$(sql "SELECT count(*) FROM jobs WHERE status = 'succeeded'"); echo "${n:-0}"; }
stored() { n=$(sql "SELECT count(*) FROM jobs"); echo "${n:-0}"; }
wait_for() {  # wait_for COUNTER N: bounded (10 minutes)
  for _ in $(seq 6000); do
    [ "$($1)" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "only $($1) jobs $1, waiting for $2"
}
# Random moments: PostgreSQL restarts while jobs are still being submitted
# and run; worker 1 dies in the second quarter of the work, worker 2 in the third.
set -- $(python3 -c "import random; n = $JOBS; print(random.randint(n // 4, n // 2), random.randint(n // 4, n // 2), random.randint(n // 2 + 1, 3 * n // 4))")
RESTART=$1; KILL1=$2; KILL2=$3

wait_for stored "$RESTART"
at="$(stored) stored, $(succeeded) succeeded"
pg_stop "$TMP" fast || fail "PostgreSQL did not stop"
# While it is away, health checks and metrics answer at once and say so.
[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$W3/readyz")" = 503 ] || fail "/readyz did not answer 503 with the database away"
curl -s -m 5 "http://127.0.0.1:$W3/metrics" | grep -q '^docgen_database_up 0' || fail "/metrics did not report docgen_database_up 0"
sleep 1
pg_start "$TMP" "$PG_PORT" || fail "PostgreSQL did not start again"
echo "restarted PostgreSQL at $at jobs"

wait_for succeeded "$KILL1"
kill -9 "$W1_PID"; wait "$W1_PID" 2>/dev/null
echo "killed worker 1 (SIGKILL) at $(succeeded) succeeded jobs"
sleep 0.5; start_worker 1 "$W1"

wait_for succeeded "$KILL2"
kill -9 "$W2_PID"; wait "$W2_PID" 2>/dev/null
echo "killed worker 2 (SIGKILL) at $(succeeded) succeeded jobs"
sleep 0.5; start_worker 2 "$W2"

wait "$SUBMIT_PID" || { cat "$TMP/submit.log"; fail "submitting jobs failed"; }
SUBMIT_PID=""
echo "submitted $JOBS jobs ($(grep -c retrying "$TMP/submit.log") requests sent again)"
wait_for succeeded "$JOBS"
for _ in $(seq 1200); do  # webhooks held by a killed process are retried once their hold (30 s) ends
  [ "$(sql "SELECT count(*) FROM jobs WHERE webhook_state = 'delivered'")" -ge "$JOBS" ] && break
  sleep 0.1
done
for p in $API_PID $W1_PID $W2_PID $W3_PID; do kill -TERM "$p" 2>/dev/null; done
for p in $API_PID $W1_PID $W2_PID $W3_PID; do wait "$p" 2>/dev/null; done
API_PID=""; W1_PID=""; W2_PID=""; W3_PID=""

sql "SELECT id, status, finished_at, attempts, result FROM jobs" >"$TMP/jobs.txt" || fail "cannot read the jobs"
sql "SELECT name FROM blobs" >"$TMP/blobs.txt" || fail "cannot read the blobs"
python3 - "$JOBS" "$TMP/jobs.txt" "$TMP/blobs.txt" "$TMP/events.txt" <<'PY' || fail "verification failed"
import collections, json, sys
jobs = int(sys.argv[1])
rows = [line.rstrip("\n").split("|", 4) for line in open(sys.argv[2])]
blobs = set(line.strip() for line in open(sys.argv[3]))
problems = []
if len(rows) != jobs:
    problems.append("%d jobs stored, expected %d (a submission made a duplicate or was lost)" % (len(rows), jobs))
finished = {}
referenced = set()
retried = 0
for job_id, status, finished_at, attempts, result in rows:
    if status != "succeeded":
        problems.append("%s is %s" % (job_id, status))
        continue
    finished[job_id] = finished_at
    retried += int(attempts) > 1
    result = json.loads(result)
    names = [result["package_pdf"], result["package_json"]] + [d["blob"] for d in result["documents"]]
    referenced.update(names)
events = collections.defaultdict(set)
bad = 0
for line in open(sys.argv[4]):
    job_id, message_id, kind, signature = line.split()
    bad += signature != "signed"
    events[job_id].add((message_id, kind))
for job_id, finished_at in finished.items():
    # Exactly once: one finish per job (a second success would have a second finish time).
    if events.get(job_id) != {("msg_%s_%s" % (job_id, finished_at), "job.succeeded")}:
        problems.append("%s: webhook events %s, expected one job.succeeded for its finish" % (job_id, sorted(events.get(job_id, []))))
if bad:
    problems.append("%d deliveries with a bad signature" % bad)
missing, orphans = referenced - blobs, blobs - referenced
if missing or orphans:
    problems.append("%d referenced blobs missing, %d blobs no job refers to" % (len(missing), len(orphans)))
for p in problems[:10]:
    print("FAIL:", p)
if problems:
    sys.exit(1)
print("ok: %d jobs succeeded exactly once (%d ran more than once after a fault), %d blobs, none missing or orphaned; "
      "%d webhook events received, every job's final event signed and seen" % (len(finished), retried, len(blobs),
                                                                               sum(1 for _ in open(sys.argv[4]))))
PY
