#!/bin/sh
# Test runs in the service (SPEC §8) on the example catalog: a run through
# the API is all new; approved (and audited), a second run is all same and
# renders nothing; a drafts run with one word changed in one template finds
# exactly that edition's variants changed, with a diff picture; bad requests
# get 4xx with what is wrong; the metrics count runs and variants.
# Usage: test_runs_service_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
. "$SRC/tests/support/checks.sh"

ADMIN=$("$DOCGEN" token create --role admin --subject release-manager --data "$TMP/data" 2>/dev/null)
VIEWER=$("$DOCGEN" token create --role viewer --subject on-call --data "$TMP/data" 2>/dev/null)
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$SRC/examples/acme-cyber" >"$TMP/server.log" 2>&1 &
PID=$!
wait_http "$URL/healthz" || { echo "FAIL: the server did not start"; cat "$TMP/server.log"; exit 1; }

api() {  # api METHOD PATH [BODY]: the response body in $TMP/body, the status printed
  if [ $# -ge 3 ]; then
    curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
      -H 'Connection: close' -d "$3" "$URL$2"
  else
    curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN" "$URL$2"
  fi
}
# start_run BODY: starts a run and waits (at most 60 s) until it ends; its id in RUN, its JSON in $TMP/run
start_run() {
  status=$(api POST /v1/test-runs "$1")
  [ "$status" = 202 ] || { fail "POST /v1/test-runs $1 answered $status: $(cat "$TMP/body")"; return; }
  RUN=$(jq -r .id "$TMP/body")
  for _ in $(seq 600); do
    api GET "/v1/test-runs/$RUN" >/dev/null
    case $(jq -r .status "$TMP/body") in succeeded|failed|canceled) break ;; esac
    sleep 0.1
  done
  cp "$TMP/body" "$TMP/run"
}
field() { jq -r "$1" "$TMP/run"; }

# 1. The first run: every variant new.
start_run '{}'
check "the first run succeeded" '[ "$(field .status)" = succeeded ]'
TOTAL=$(field .progress.variants_total)
check "the first run is all new ($TOTAL variants)" '[ "$TOTAL" -gt 0 ] && [ "$(field .counts.new)" = "$TOTAL" ] && [ "$(field .rendered)" = "$TOTAL" ]'
check "a run says what started it" '[ "$(field .trigger)" = manual ] && [ "$(field .requested_by)" = release-manager ]'
FIRST=$RUN
api GET "/v1/test-runs/$FIRST/variants?status=new&limit=1000" >/dev/null
check "its variants are listed by status, in enumeration order" \
  '[ "$(jq ".variants | length" "$TMP/body")" = "$TOTAL" ] && [ "$(jq -r ".variants[0].key" "$TMP/body")" = "CY-DEC@2025-01/cyber/CA/1" ]'
NEW_PAGE=$(jq -r '.variants[0].images[0].new' "$TMP/body")
curl -sf -H "Authorization: Bearer $VIEWER" "$URL$NEW_PAGE" -o "$TMP/page.png"
check "a new page is a PNG a viewer can fetch" '[ "$(head -c 4 "$TMP/page.png" | od -An -c | tr -d " ")" = "211PNG" ]'
api GET "/v1/test-runs/$FIRST/variants?limit=10" >/dev/null
NEXT=$(jq .next_after "$TMP/body")
api GET "/v1/test-runs/$FIRST/variants?limit=10&after=$NEXT" >/dev/null
check "variants come in pages (after=next_after)" '[ "$NEXT" = 10 ] && [ "$(jq ".variants[0].seq" "$TMP/body")" = 11 ]'

# 2. Approved, a second run is all same and draws nothing.
status=$(api POST "/v1/test-runs/$FIRST:approve" '{"reason": "first goldens"}')
check "approving the run makes its $TOTAL variants the goldens" '[ "$status" = 200 ] && [ "$(jq .approved "$TMP/body")" = "$TOTAL" ]'
api GET "/v1/audit?action=test_run.approve" >/dev/null
check "the approval is in the audit log, with its reason" \
  '[ "$(jq -r ".entries[0].target" "$TMP/body")" = "test_run:$FIRST" ] && [ "$(jq -r ".entries[0].reason" "$TMP/body")" = "first goldens" ]'
start_run '{}'
check "after approval a second run is all same" '[ "$(field .counts.same)" = "$TOTAL" ] && [ "$(field .rendered)" = 0 ]'
api GET "/v1/test-runs/$RUN/variants?status=changed" >/dev/null
check "?status=changed lists nothing then" '[ "$(jq ".variants | length" "$TMP/body")" = 0 ]'

# 3. A drafts run: one word of one template changed, before it is published.
TEXT=$(sed '0,/Cancellation/s//Termination/' "$SRC/examples/acme-cyber/templates/CY-NOT-CA.md" | jq -Rs .)
status=$(api PUT /v1/catalog/drafts/templates/templates/CY-NOT-CA.md "{\"text\": $TEXT}")
check "the template draft is saved" '[ "$status" = 200 ]'
start_run '{"drafts": true}'
check "the drafts run is a drafts run" '[ "$(field .trigger)" = drafts ] && [ "$(field .status)" = succeeded ]'
api GET "/v1/test-runs/$RUN/variants?status=changed" >/dev/null
CHANGED=$(jq -r '[.variants[].key] | join(" ")' "$TMP/body")
check "exactly the edited edition's variants are changed ($CHANGED)" \
  '[ -n "$CHANGED" ] && [ "$(jq "[.variants[].key | select(startswith(\"CY-NOT-CA@\") | not)] | length" "$TMP/body")" = 0 ] && [ "$(field .counts.changed)" = "$(jq ".variants | length" "$TMP/body")" ] && [ "$(field ".counts.same + .counts.changed")" = "$TOTAL" ]'
DIFF=$(jq -r '.variants[0].images[0].diff' "$TMP/body")
GOLDEN=$(jq -r '.variants[0].images[0].golden' "$TMP/body")
check "a changed page has its golden, new and diff pictures" '[ "$(jq ".variants[0].changed_pages" -c "$TMP/body")" = "[1]" ] &&
  curl -sf -H "Authorization: Bearer $VIEWER" "$URL$DIFF" -o /dev/null && curl -sf -H "Authorization: Bearer $VIEWER" "$URL$GOLDEN" -o /dev/null'
api GET /v1/catalog >/dev/null
check "a drafts run publishes nothing" '[ "$(jq .version "$TMP/body")" = 1 ]'
ONE=$(echo "$CHANGED" | cut -d" " -f1)
status=$(api POST "/v1/test-runs/$RUN:approve" "{\"variants\": [\"$ONE\"], \"reason\": \"one variant\"}")
check "approving one variant by its key approves that one only" '[ "$status" = 200 ] && [ "$(jq .approved "$TMP/body")" = 1 ]'
status=$(api POST "/v1/test-runs/$FIRST:approve" '{}')
check "an older run cannot overwrite goldens approved since it started (409)" \
  '[ "$status" = 409 ] && grep -q "was approved from run $RUN after run $FIRST started" "$TMP/body"'

# 4. Bad requests say what is wrong.
check "drafts must be a boolean (400)" '[ "$(api POST /v1/test-runs "{\"drafts\": \"yes\"}")" = 400 ] && grep -q "/drafts: true or false" "$TMP/body"'
check "an unknown field is refused (400)" '[ "$(api POST /v1/test-runs "{\"draft\": true}")" = 400 ] && grep -q "/draft: unknown field" "$TMP/body"'
check "an unknown status filter is refused (400)" '[ "$(api GET "/v1/test-runs/$FIRST/variants?status=broken")" = 400 ]'
check "an unknown run is 404" '[ "$(api GET /v1/test-runs/run_000000000000000000000000)" = 404 ]'
check "a missing picture is 404" '[ "$(api GET "/v1/test-runs/$FIRST/variants/1/diff/1.png")" = 404 ]'
check "approving with a bad variants list is refused (400)" '[ "$(api POST "/v1/test-runs/$FIRST:approve" "{\"variants\": [1]}")" = 400 ] && grep -q "/variants/0" "$TMP/body"'
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $VIEWER" "$URL/v1/test-runs")
check "a viewer cannot start a run (403)" '[ "$status" = 403 ]'

# 5. Metrics.
curl -s "$URL/metrics" >"$TMP/metrics"
check "runs are counted by trigger and outcome" 'grep -q "^docgen_test_runs_total{trigger=\"manual\",outcome=\"differences\"} 1$" "$TMP/metrics" &&
  grep -q "^docgen_test_runs_total{trigger=\"manual\",outcome=\"clean\"} 1$" "$TMP/metrics" &&
  grep -q "^docgen_test_runs_total{trigger=\"drafts\",outcome=\"differences\"} 1$" "$TMP/metrics"'
check "variants are counted by status" 'grep -q "docgen_test_run_variants_total{status=\"new\"} $TOTAL" "$TMP/metrics"'

kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=""
if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed; server log:"
  tail -20 "$TMP/server.log"
  exit 1
fi
echo "test runs in the service: all checks passed"
