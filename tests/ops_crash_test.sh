#!/bin/sh
# Crash test of registered operations (SPEC §10): a regenerate run of
# 20,000 steps is started through the API, the server is killed with kill -9
# half-way, and a restarted server resumes the run: every step is applied
# exactly once (one new job per source job), and the audit log holds.
# Usage: ops_crash_test.sh DOCGEN SOURCE_DIR [STEPS]
set -u
DOCGEN=$1
SRC=$2
STEPS=${3:-20000}
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
DB=$TMP/data/docgen.sqlite
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
fail() { echo "FAIL: $*"; tail -5 "$TMP/server.log"; exit 1; }

printf 'lease_seconds: 2\nworkers: 1\n' >"$TMP/config.yaml"
start() {
  "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$SRC/examples/acme-cyber" \
    --config "$TMP/config.yaml" >>"$TMP/server.log" 2>&1 &
  PID=$!
  wait_http "$URL/healthz" || fail "server did not start"
}
run() { curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/ops/runs/$RUN"; }

TOKEN=$("$DOCGEN" token create --role admin --subject ops-crash-test --data "$TMP/data" 2>/dev/null)
start
# The jobs to regenerate: succeeded renders, written straight into the database.
sqlite3 "$DB" "INSERT INTO jobs (id, request_hash, status, quote, catalog_version, attempts, max_attempts, run_after,
  created_at, updated_at, finished_at, result, quote_id, kind)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $STEPS - 1)
  SELECT printf('job_%024x', i), 'h', 'succeeded', '{\"quote_id\": 7}', 1, 1, 5, t, t + i, t + i, t + i + 1, 'null', '',
  'render' FROM n, (SELECT (CAST(strftime('%s', 'now') AS INTEGER) - 3600) * 1000 AS t)" || fail "cannot add the jobs"

RUN=$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"reason": "ops crash test", "params": {"since": "1970-01-01"}}' \
  "$URL/v1/ops/regenerate:run" | jq -r .id) || fail "the run was not accepted"
for _ in $(seq 600); do
  done_before=$(run | jq .steps_done)
  [ "$done_before" -ge $((STEPS / 10)) ] && break
  sleep 0.05
done
kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=""
echo "killed the server at step $done_before of $STEPS"
[ "$done_before" -lt "$STEPS" ] || fail "the run finished before the kill; nothing was tested"

start
for _ in $(seq 1200); do
  [ "$(run | jq -r .status)" = succeeded ] && break
  sleep 0.1
done
[ "$(run | jq -r .status)" = succeeded ] || fail "the run did not finish after the restart: $(run | jq -c '{status, steps_done, error}')"
[ "$(run | jq .steps_done)" -eq "$STEPS" ] || fail "steps done: $(run | jq .steps_done) of $STEPS"
grep -q '"operation run resumed"' "$TMP/server.log" || fail "the restarted server did not say it resumed the run"

kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=""
# Exactly once: one new job per source job, each made by one step.
new=$(sqlite3 "$DB" "SELECT COUNT(*) FROM jobs WHERE id NOT LIKE 'job_00000000%'")
[ "$new" -eq "$STEPS" ] || fail "$new new jobs for $STEPS source jobs: $(sqlite3 "$DB" "SELECT status, COUNT(*) FROM jobs GROUP BY status")"
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM ops_steps WHERE run_id = '$RUN'")" -eq "$STEPS" ] || fail "steps recorded"
"$DOCGEN" audit verify --data "$TMP/data" >/dev/null || fail "the audit log does not verify"
echo "ops crash test passed: $STEPS steps, each applied once across a kill -9"
