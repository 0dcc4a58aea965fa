#!/bin/sh
# Test runs as durable work across processes (SPEC §8):
#  1. a run of a synthetic catalog is interrupted by kill -9; the restarted
#     server resumes it, and every variant is counted once;
#  2. two processes on one PostgreSQL with test_runs.schedule "* * * * *"
#     start one run per tick between them, for two ticks.
# Usage: test_runs_processes_test.sh DOCGEN SOURCE_DIR MAKE_POLICIES
#        (under tests/with_postgres.sh: DOCGEN_TEST_POSTGRES)
set -u
DOCGEN=$1
SRC=$2
MAKE_POLICIES=$3
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PIDS=""
cleanup() { for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
. "$SRC/tests/support/checks.sh"
get() { curl -s -H 'Connection: close' "$1"; }  # auth mode none: loopback only

# serve NAME PORT ARGS...: starts a server logging to $TMP/NAME.log; its pid in LAST
serve() {
  name=$1 port=$2
  shift 2
  DOCGEN_AUTH=none "$DOCGEN" serve --listen "127.0.0.1:$port" "$@" >>"$TMP/$name.log" 2>&1 &
  LAST=$!
  PIDS="$PIDS $LAST"
  wait_http "http://127.0.0.1:$port/healthz" || { echo "FAIL: $name did not start"; tail -5 "$TMP/$name.log"; exit 1; }
}

# 1. kill -9 in the middle of a run, then a restart.
"$MAKE_POLICIES" "$TMP/synthetic" 0 20 >/dev/null || { echo "FAIL: cannot make the synthetic catalog"; exit 1; }
printf 'lease_seconds: 2\nworkers: 1\ntest_runs:\n  threads: 1\n' >"$TMP/config.yaml"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
serve crash "$PORT" --data "$TMP/data" --catalog "$TMP/synthetic/catalog" --config "$TMP/config.yaml"
RUN=$(curl -s -X POST -H 'Connection: close' "$URL/v1/test-runs" | jq -r .id)
done_before=0
for _ in $(seq 600); do
  done_before=$(get "$URL/v1/test-runs/$RUN" | jq .progress.variants_done)
  [ "$done_before" -ge 150 ] && break
  sleep 0.05
done
kill -9 "$LAST"
wait "$LAST" 2>/dev/null
TOTAL=$(sqlite3 "$TMP/data/docgen.sqlite" "SELECT json_extract(progress, '$.variants_total') FROM jobs WHERE id = '$RUN'")
echo "killed the server with $done_before of $TOTAL variants recorded"
check "the kill came in the middle of the run" '[ "$done_before" -ge 150 ] && [ "$done_before" -lt "$TOTAL" ]'
serve crash "$PORT" --data "$TMP/data" --catalog "$TMP/synthetic/catalog" --config "$TMP/config.yaml"
for _ in $(seq 1200); do
  [ "$(get "$URL/v1/test-runs/$RUN" | jq -r .status)" = succeeded ] && break
  sleep 0.1
done
get "$URL/v1/test-runs/$RUN" >"$TMP/run.json"
check "the run finished after the restart" '[ "$(jq -r .status "$TMP/run.json")" = succeeded ] && [ "$(jq .attempts "$TMP/run.json")" = 2 ]'
check "the second attempt took what the first recorded ($(jq .resumed "$TMP/run.json") variants)" \
  '[ "$(jq .resumed "$TMP/run.json")" -ge "$done_before" ] && [ "$(jq .resumed "$TMP/run.json")" -lt "$TOTAL" ]'
check "every variant is counted once: $TOTAL new" \
  '[ "$(jq .counts.new "$TMP/run.json")" = "$TOTAL" ] && [ "$(jq "[.counts[]] | add" "$TMP/run.json")" = "$TOTAL" ]'
kill -TERM "$LAST"
wait "$LAST" 2>/dev/null
check "one recorded result per variant" \
  '[ "$(sqlite3 "$TMP/data/docgen.sqlite" "SELECT COUNT(*), COUNT(DISTINCT key) FROM test_run_variants WHERE run_id = '"'$RUN'"'")" = "$TOTAL|$TOTAL" ]'

# 1b. SIGTERM in the middle of a run: the server stops soon, and the run
#     goes on after the restart without spending an attempt.
serve crash "$PORT" --data "$TMP/data" --catalog "$TMP/synthetic/catalog" --config "$TMP/config.yaml"
RUN=$(curl -s -X POST -H 'Connection: close' "$URL/v1/test-runs" | jq -r .id)
for _ in $(seq 600); do
  [ "$(get "$URL/v1/test-runs/$RUN" | jq .progress.variants_done)" -ge 100 ] && break
  sleep 0.05
done
stopped_at=$(date +%s)
kill -TERM "$LAST"
wait "$LAST" 2>/dev/null
check "a server stops within 10 s of SIGTERM in the middle of a test run" '[ $(($(date +%s) - stopped_at)) -le 10 ]'
serve crash "$PORT" --data "$TMP/data" --catalog "$TMP/synthetic/catalog" --config "$TMP/config.yaml"
for _ in $(seq 1200); do
  [ "$(get "$URL/v1/test-runs/$RUN" | jq -r .status)" = succeeded ] && break
  sleep 0.1
done
get "$URL/v1/test-runs/$RUN" >"$TMP/run.json"
check "the run given back at the stop finished after the restart, on the same attempt count" \
  '[ "$(jq -r .status "$TMP/run.json")" = succeeded ] && [ "$(jq .attempts "$TMP/run.json")" = 1 ] && [ "$(jq .resumed "$TMP/run.json")" -ge 100 ] && [ "$(jq "[.counts[]] | add" "$TMP/run.json")" = "$TOTAL" ]'
kill -TERM "$LAST"
wait "$LAST" 2>/dev/null

# 2. Two processes, one PostgreSQL, one schedule: one run per tick.
if [ -z "${DOCGEN_TEST_POSTGRES:-}" ]; then
  fail "DOCGEN_TEST_POSTGRES is not set: run this test through tests/with_postgres.sh"
else
  # Start well inside a minute, so that both processes see the same first tick.
  while [ "$(date -u +%S | sed 's/^0//')" -ge 40 ]; do sleep 1; done
  printf 'test_runs:\n  schedule: "* * * * *"\nblob_store: database\nwebhook_secret: whsec_dGVzdC1ydW5zLXNoYXJlZC1zZWNyZXQtMTIzNDU2\n' >"$TMP/shared.yaml"
  A=$(free_port)
  B=$(free_port)
  serve a "$A" --data "$TMP/a" --database "$DOCGEN_TEST_POSTGRES" --catalog "$SRC/examples/acme-cyber" --config "$TMP/shared.yaml"
  serve b "$B" --data "$TMP/b" --database "$DOCGEN_TEST_POSTGRES" --catalog "$SRC/examples/acme-cyber" --config "$TMP/shared.yaml"
  scheduled() { cat "$TMP/a.log" "$TMP/b.log" | grep '"scheduled test run' | jq -r '[.tick, .test_run_id, .msg] | join(" ")' | sort; }
  ticks() { scheduled | cut -d' ' -f1 | sort -u | wc -l; }
  for _ in $(seq 150); do [ "$(scheduled | wc -l)" -ge 2 ] && break; sleep 0.1; done
  # The next tick, made while both run (each looks every 10 s).
  for _ in $(seq 900); do [ "$(ticks)" -ge 2 ] && [ "$(scheduled | wc -l)" -ge 4 ] && break; sleep 0.1; done
  scheduled
  check "both processes tried both ticks" '[ "$(ticks)" = 2 ] && [ "$(scheduled | wc -l)" = 4 ]'
  check "each tick queued one run, the other process found it" \
    '[ "$(scheduled | grep -c "scheduled test run queued")" = 2 ] && [ "$(scheduled | grep -c "already queued by another process")" = 2 ] &&
     [ "$(scheduled | cut -d" " -f1,2 | sort -u | wc -l)" = 2 ]'
  for _ in $(seq 600); do
    [ "$(get "http://127.0.0.1:$A/v1/test-runs" | jq '[.test_runs[] | select(.status == "succeeded")] | length')" = 2 ] && break
    sleep 0.1
  done
  get "http://127.0.0.1:$B/v1/test-runs" >"$TMP/runs.json"
  check "two scheduled runs in all, both finished" \
    '[ "$(jq "[.test_runs[] | select(.trigger == \"schedule\" and .status == \"succeeded\")] | length" "$TMP/runs.json")" = 2 ] && [ "$(jq ".test_runs | length" "$TMP/runs.json")" = 2 ]'
  # The pictures are blobs in the database: either process serves any run's.
  PAGE=$(get "http://127.0.0.1:$A/v1/test-runs/$(jq -r '.test_runs[-1].id' "$TMP/runs.json")/variants?limit=1" | jq -r '.variants[0].images[0].new')
  check "a run's pictures are served by either process" \
    '[ "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$A$PAGE")" = 200 ] && [ "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$B$PAGE")" = 200 ]'
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  for log in "$TMP"/*.log; do echo "== $log"; tail -8 "$log"; done
  exit 1
fi
echo "test runs across processes: all checks passed"
