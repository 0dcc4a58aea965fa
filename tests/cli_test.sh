#!/bin/sh
# The docgen command's contract (SPEC §5): exit codes, stdout vs stderr,
# standard input, --help on every command.
# Usage: cli_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
CATALOG=$SRC/examples/acme-cyber
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected exit $2, got $3"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}

"$DOCGEN" catalog lint "$CATALOG" >"$TMP/out" 2>"$TMP/err"; check "lint valid catalog" 0 $?
grep -q "0 errors" "$TMP/out" || { echo "FAIL: lint summary missing"; failures=$((failures + 1)); }

"$DOCGEN" catalog lint --format json "$CATALOG" >"$TMP/out"; check "lint json" 0 $?
grep -q '"valid": true' "$TMP/out" || { echo "FAIL: lint json not valid"; failures=$((failures + 1)); }

mkdir -p "$TMP/broken"
cp -r "$CATALOG/." "$TMP/broken/"
printf 'id: CY-DEC\ntitel: typo\n' >"$TMP/broken/documents/CY-DEC.yaml"
"$DOCGEN" catalog lint "$TMP/broken" >"$TMP/out" 2>"$TMP/err"; check "lint broken catalog" 2 $?
grep -q 'documents/CY-DEC.yaml:2: error \[unknown_field\]' "$TMP/err" || { echo "FAIL: finding not on stderr with file and line"; cat "$TMP/err"; failures=$((failures + 1)); }
grep -q 'cannot be used' "$TMP/out" || { echo "FAIL: no verdict on stdout"; failures=$((failures + 1)); }

"$DOCGEN" catalog lint "$TMP/does-not-exist" >/dev/null 2>&1; check "lint missing folder" 2 $?

"$DOCGEN" resolve --catalog "$CATALOG" "$SRC/examples/quotes/new-ca-basic.json" >"$TMP/out" 2>"$TMP/err"; check "resolve valid" 0 $?
[ -s "$TMP/err" ] && { echo "FAIL: stderr not empty for a valid package"; failures=$((failures + 1)); }
grep -q '"valid": true' "$TMP/out" || { echo "FAIL: package not on stdout"; failures=$((failures + 1)); }

"$DOCGEN" resolve --catalog "$CATALOG" - <"$SRC/examples/quotes/new-ca-basic.json" >"$TMP/stdin-out"; check "resolve from stdin" 0 $?
cmp -s "$TMP/out" "$TMP/stdin-out" || { echo "FAIL: stdin gives different bytes"; failures=$((failures + 1)); }

"$DOCGEN" resolve --catalog "$CATALOG" "$SRC/examples/quotes/errors-collected.json" >"$TMP/out" 2>"$TMP/err"; check "resolve invalid" 2 $?
grep -q '"valid": false' "$TMP/out" || { echo "FAIL: invalid package not printed"; failures=$((failures + 1)); }
grep -q 'not_deletable' "$TMP/err" || { echo "FAIL: errors not on stderr"; failures=$((failures + 1)); }

echo '{"quote_id": ' | "$DOCGEN" resolve --catalog "$CATALOG" - >"$TMP/out" 2>/dev/null; check "resolve malformed JSON" 2 $?
grep -q 'invalid_quote' "$TMP/out" || { echo "FAIL: malformed JSON not reported"; failures=$((failures + 1)); }

"$DOCGEN" resolve --catalog "$TMP/broken" "$SRC/examples/quotes/new-ca-basic.json" >"$TMP/out" 2>"$TMP/err"; check "resolve with broken catalog" 2 $?
[ -s "$TMP/out" ] && { echo "FAIL: output written for a broken catalog"; failures=$((failures + 1)); }
grep -q 'unknown_field' "$TMP/err" || { echo "FAIL: lint findings not on stderr"; failures=$((failures + 1)); }

"$DOCGEN" resolve --catalog "$CATALOG" "$TMP/nope.json" >/dev/null 2>&1; check "resolve missing quote file" 2 $?
if [ -w /dev/full ]; then
  "$DOCGEN" resolve --catalog "$CATALOG" "$SRC/examples/quotes/new-ca-basic.json" >/dev/full 2>/dev/null; check "output that cannot be written" 1 $?
fi
"$DOCGEN" resolve >/dev/null 2>&1; check "resolve without arguments" 2 $?
"$DOCGEN" frobnicate >/dev/null 2>&1; check "unknown command" 2 $?

# render: every file, valid PDFs, nothing at all on failure, same bytes twice.
OUT=$TMP/render/out
"$DOCGEN" render --catalog "$CATALOG" "$SRC/examples/quotes/renewal-copy.json" --out "$OUT" >"$TMP/out" 2>"$TMP/err"; check "render valid" 0 $?
for f in package.pdf package.json documents/01-CY-DEC.pdf documents/07-CY-END-300.pdf; do
  [ -s "$OUT/$f" ] || { echo "FAIL: render did not write $f"; failures=$((failures + 1)); }
done
[ "$(ls "$OUT/documents" | wc -l)" -eq 7 ] || { echo "FAIL: expected 7 document PDFs"; failures=$((failures + 1)); }
if command -v qpdf >/dev/null; then
  for pdf in "$OUT"/package.pdf "$OUT"/documents/*.pdf; do
    qpdf --check "$pdf" >/dev/null 2>&1 || { echo "FAIL: qpdf --check $pdf"; failures=$((failures + 1)); }
  done
fi
"$DOCGEN" render --catalog "$CATALOG" "$SRC/examples/quotes/renewal-copy.json" --out "$TMP/render/again" >/dev/null; check "render again" 0 $?
cmp -s "$OUT/package.pdf" "$TMP/render/again/package.pdf" || { echo "FAIL: package.pdf differs between runs"; failures=$((failures + 1)); }
"$DOCGEN" render --catalog "$CATALOG" "$SRC/examples/quotes/new-ca-basic.json" --out "$OUT" >/dev/null; check "render replaces an existing folder" 0 $?
[ "$(ls "$OUT/documents" | wc -l)" -eq 5 ] || { echo "FAIL: old documents left in a replaced folder"; failures=$((failures + 1)); }

mkdir -p "$TMP/precious" && echo keep >"$TMP/precious/thesis.txt"
"$DOCGEN" render --catalog "$CATALOG" "$SRC/examples/quotes/new-ca-basic.json" --out "$TMP/precious" >/dev/null 2>&1; check "render refuses a folder with other files" 1 $?
[ -f "$TMP/precious/thesis.txt" ] || { echo "FAIL: render deleted files it did not write"; failures=$((failures + 1)); }
"$DOCGEN" render --catalog "$CATALOG" "$SRC/examples/quotes/new-ca-basic.json" --out "$TMP/render/slash/" >/dev/null; check "render to a path with a trailing slash" 0 $?
[ -s "$TMP/render/slash/package.pdf" ] || { echo "FAIL: trailing slash output missing"; failures=$((failures + 1)); }
rm -rf "$TMP/render/slash"
"$DOCGEN" render --catalog "$CATALOG" "$SRC/examples/quotes/errors-collected.json" --out "$TMP/render/bad" >/dev/null 2>"$TMP/err"; check "render invalid quote" 2 $?
grep -q 'not_deletable' "$TMP/err" || { echo "FAIL: render errors not on stderr"; failures=$((failures + 1)); }
cp -r "$CATALOG/." "$TMP/missing-value/" 2>/dev/null || { mkdir -p "$TMP/missing-value" && cp -r "$CATALOG/." "$TMP/missing-value/"; }
printf '# Notice\n\nBroker: {{quote.broker.name}}\n' >"$TMP/missing-value/templates/CY-NOT-CA.md"
"$DOCGEN" render --catalog "$TMP/missing-value" "$SRC/examples/quotes/new-ca-basic.json" --out "$TMP/render/bad" >/dev/null 2>"$TMP/err"; check "render missing value" 2 $?
grep -q 'templates/CY-NOT-CA.md:3: error \[missing_value\]' "$TMP/err" || { echo "FAIL: missing_value not named with file and line"; cat "$TMP/err"; failures=$((failures + 1)); }
leftovers=$(ls "$TMP/render" | grep -v '^out$' | grep -v '^again$' || true)
[ -z "$leftovers" ] || { echo "FAIL: failed renders left files behind: $leftovers"; failures=$((failures + 1)); }

# serve and worker refuse bad settings before touching any database or port.
printf 'database: postgresql://docgen@127.0.0.1:1/docgen\n' >"$TMP/shared.yaml"
"$DOCGEN" worker --config "$TMP/shared.yaml" --data "$TMP/w" >/dev/null 2>"$TMP/err"; check "worker: a shared database needs a webhook secret" 2 $?
grep -q "webhook_secret" "$TMP/err" || { echo "FAIL: the missing webhook secret is not named"; cat "$TMP/err"; failures=$((failures + 1)); }
"$DOCGEN" worker --data "$TMP/w" >/dev/null 2>"$TMP/err"; check "worker: needs PostgreSQL" 2 $?
grep -q "needs a shared PostgreSQL database" "$TMP/err" || { echo "FAIL: worker without a database: unclear error"; cat "$TMP/err"; failures=$((failures + 1)); }
"$DOCGEN" worker --workers 0 --config "$TMP/shared.yaml" --data "$TMP/w" >/dev/null 2>"$TMP/err"; check "worker: at least one worker" 2 $?
grep -q "workers must be between 1 and 64" "$TMP/err" || { echo "FAIL: worker count error unclear"; cat "$TMP/err"; failures=$((failures + 1)); }
printf 'blob_store: database\n' >"$TMP/blobs.yaml"
"$DOCGEN" serve --config "$TMP/blobs.yaml" --data "$TMP/s" --listen 127.0.0.1:0 >/dev/null 2>"$TMP/err"; check "serve: database blobs need PostgreSQL" 2 $?
grep -q "blob_store: database needs a PostgreSQL database" "$TMP/err" || { echo "FAIL: blob_store error unclear"; cat "$TMP/err"; failures=$((failures + 1)); }
printf 'idle_poll_ms: 1\n' >"$TMP/poll.yaml"
"$DOCGEN" serve --config "$TMP/poll.yaml" --data "$TMP/s" >/dev/null 2>"$TMP/err"; check "serve: idle_poll_ms out of range" 2 $?
grep -q "poll.yaml:1: idle_poll_ms must be a whole number of milliseconds between 10 and 60000" "$TMP/err" || { echo "FAIL: idle_poll_ms error without file and line"; cat "$TMP/err"; failures=$((failures + 1)); }
printf 'data: x\nwokers: many\n' >"$TMP/typo.yaml"
"$DOCGEN" serve --config "$TMP/typo.yaml" --workers many >/dev/null 2>"$TMP/err"; check "serve: unknown key and bad flag" 2 $?
grep -q 'typo.yaml:2: unknown setting "wokers"; did you mean "workers"?' "$TMP/err" || { echo "FAIL: unknown key without line or suggestion"; cat "$TMP/err"; failures=$((failures + 1)); }
grep -q -- '--workers: must be a whole number between 0 and 64, not "many"' "$TMP/err" || { echo "FAIL: bad --workers not reported with the other errors"; cat "$TMP/err"; failures=$((failures + 1)); }
DOCGEN_WEBHOOK_SECRET=not-base64 "$DOCGEN" serve --data "$TMP/s" >/dev/null 2>"$TMP/err"; check "serve: a webhook secret must be base64" 2 $?
grep -q "DOCGEN_WEBHOOK_SECRET: must be base64 (optionally prefixed whsec_)" "$TMP/err" || { echo "FAIL: raw webhook secret error unclear"; cat "$TMP/err"; failures=$((failures + 1)); }

# validate and validator test (SPEC §7): results on stdout in input order,
# the summary on stderr, exit 0 / 3 / 2.
POLICIES=$SRC/examples/validate/policies.jsonl
"$DOCGEN" validate --catalog "$CATALOG" "$POLICIES" >"$TMP/out" 2>"$TMP/err"; check "validate: some policies have errors" 3 $?
[ "$(wc -l <"$TMP/out")" -eq "$(grep -c . "$POLICIES")" ] || { echo "FAIL: not one result per policy"; failures=$((failures + 1)); }
head -n1 "$POLICIES" | jq -r .policy_id >"$TMP/first-id" 2>/dev/null && head -n1 "$TMP/out" | jq -r .policy_id | cmp -s - "$TMP/first-id" ||
  { echo "FAIL: results not in input order"; failures=$((failures + 1)); }
grep -q "^validated 12 policies" "$TMP/err" || { echo "FAIL: no summary on stderr"; cat "$TMP/err"; failures=$((failures + 1)); }
grep -q "missing_document" "$TMP/err" || { echo "FAIL: summary without findings by code"; failures=$((failures + 1)); }
"$DOCGEN" validate --catalog "$CATALOG" - <"$POLICIES" >"$TMP/stdin-out" 2>/dev/null; check "validate from stdin" 3 $?
cmp -s "$TMP/out" "$TMP/stdin-out" || { echo "FAIL: validate from stdin gives different bytes"; failures=$((failures + 1)); }
"$DOCGEN" validate --catalog "$CATALOG" --threads 1 "$POLICIES" >"$TMP/one-thread" 2>/dev/null
cmp -s "$TMP/out" "$TMP/one-thread" || { echo "FAIL: results depend on the number of threads"; failures=$((failures + 1)); }
"$DOCGEN" validate --catalog "$CATALOG" --format summary "$POLICIES" >"$TMP/out" 2>"$TMP/err"; check "validate --format summary" 3 $?
grep -q "^validated 12 policies" "$TMP/out" || { echo "FAIL: --format summary does not print the summary"; failures=$((failures + 1)); }
grep -q '"policy_id"' "$TMP/out" && { echo "FAIL: --format summary printed results"; failures=$((failures + 1)); }
# The first example policy is ok (examples/validate/expected.jsonl line 1).
sed -n 1p "$POLICIES" | "$DOCGEN" validate --catalog "$CATALOG" - >/dev/null 2>&1; check "validate: an ok policy" 0 $?
sed -n 1p "$POLICIES" | jq . >"$TMP/pretty.json"
"$DOCGEN" validate --catalog "$CATALOG" "$TMP/pretty.json" >"$TMP/out" 2>/dev/null
[ "$(wc -l <"$TMP/out")" -eq 1 ] || { echo "FAIL: a pretty-printed JSON object is not one policy"; failures=$((failures + 1)); }
printf 'not json\n{"quote": {}}\n{"n": 1E999999999}\n' | "$DOCGEN" validate --catalog "$CATALOG" - >"$TMP/out" 2>/dev/null; check "validate: malformed lines" 3 $?
[ "$(grep -c invalid_policy "$TMP/out")" -eq 3 ] || { echo "FAIL: malformed lines are not invalid_policy results"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" validate --catalog "$CATALOG" "$TMP/nope.jsonl" >/dev/null 2>"$TMP/err"; check "validate: missing file" 2 $?
grep -q "cannot read policies file" "$TMP/err" || { echo "FAIL: missing policies file unclear"; failures=$((failures + 1)); }
"$DOCGEN" validate --catalog "$TMP/broken" "$POLICIES" >"$TMP/out" 2>"$TMP/err"; check "validate: broken catalog" 2 $?
[ -s "$TMP/out" ] && { echo "FAIL: results written for a broken catalog"; failures=$((failures + 1)); }
"$DOCGEN" validator test --catalog "$CATALOG" >"$TMP/out" 2>&1; check "validator test" 0 $?
grep -q "^pass  RANSOM-HIGH-LIMIT" "$TMP/out" || { echo "FAIL: validator test does not list its tests"; cat "$TMP/out"; failures=$((failures + 1)); }
grep -q "0 failed" "$TMP/out" || { echo "FAIL: validator test has no totals"; failures=$((failures + 1)); }
"$DOCGEN" validator test --catalog "$CATALOG" --rule CA-NOTICE >"$TMP/out" 2>&1; check "validator test --rule" 0 $?
grep -q "RANSOM-HIGH-LIMIT" "$TMP/out" && { echo "FAIL: --rule ran other rules' tests"; failures=$((failures + 1)); }
"$DOCGEN" validator test --catalog "$CATALOG" --rule NOPE >/dev/null 2>"$TMP/err"; check "validator test: unknown rule" 2 $?
mkdir -p "$TMP/failing" && cp -r "$CATALOG/." "$TMP/failing/"
sed -i 's/expect: violation/expect: pass/' "$TMP/failing/rules/"*.yaml
"$DOCGEN" validator test --catalog "$TMP/failing" >"$TMP/out" 2>&1; check "validator test: a failing test" 3 $?
grep -q "^FAIL  " "$TMP/out" || { echo "FAIL: a failing rule test is not marked FAIL"; cat "$TMP/out"; failures=$((failures + 1)); }

# Tokens and the audit log (SPEC §10): every token change is an entry; the
# chain check names an entry edited behind docgen's back.
DATA=$TMP/data
"$DOCGEN" token create --role admin --subject alice --reason "on call" --data "$DATA" >"$TMP/token" 2>/dev/null; check "token create" 0 $?
grep -q '^dg_' "$TMP/token" || { echo "FAIL: token create prints no token"; failures=$((failures + 1)); }
"$DOCGEN" token create --role viewer --subject bob --data "$DATA" >/dev/null 2>&1; check "token create (second)" 0 $?
"$DOCGEN" token create --role boss --subject carol --data "$DATA" >/dev/null 2>"$TMP/err"; check "token create: bad role" 2 $?
"$DOCGEN" token list --data "$DATA" --format json >"$TMP/out"; check "token list" 0 $?
[ "$(jq -r '[.tokens[].subject] | join(",")' "$TMP/out")" = "alice,bob" ] || { echo "FAIL: token list"; cat "$TMP/out"; failures=$((failures + 1)); }
grep -q "$(cat "$TMP/token")" "$TMP/out" "$DATA/tokens.json" && { echo "FAIL: a token is shown or stored in clear"; failures=$((failures + 1)); }
"$DOCGEN" token revoke bob --data "$DATA" >/dev/null 2>&1; check "token revoke without --reason" 2 $?
"$DOCGEN" token revoke bob --reason "left the team" --data "$DATA" >"$TMP/out" 2>&1; check "token revoke" 0 $?
"$DOCGEN" token revoke bob --reason "again" --data "$DATA" >/dev/null 2>"$TMP/err"; check "token revoke: no such token" 2 $?
grep -q 'no token' "$TMP/err" || { echo "FAIL: revoking an unknown token is unclear"; cat "$TMP/err"; failures=$((failures + 1)); }
"$DOCGEN" audit export --data "$DATA" >"$TMP/out"; check "audit export" 0 $?
[ "$(jq -r '.action + " " + .actor + " " + (.reason // "")' "$TMP/out" | tr '\n' '|')" = "token.create cli:$(id -un) on call|token.create cli:$(id -un) |token.revoke cli:$(id -un) left the team|" ] ||
  { echo "FAIL: audit export"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" audit export --data "$DATA" --action token.revoke >"$TMP/out"; check "audit export --action" 0 $?
[ "$(wc -l <"$TMP/out")" -eq 1 ] || { echo "FAIL: audit export --action does not filter"; failures=$((failures + 1)); }
"$DOCGEN" audit export --data "$DATA" --since yesterday >/dev/null 2>&1; check "audit export: bad --since" 2 $?
"$DOCGEN" audit verify --data "$DATA" >"$TMP/out"; check "audit verify" 0 $?
grep -q "intact: 3 entries" "$TMP/out" || { echo "FAIL: audit verify"; cat "$TMP/out"; failures=$((failures + 1)); }
sqlite3 "$DATA/docgen.sqlite" "UPDATE audit_log SET reason = 'routine' WHERE seq = 3"
"$DOCGEN" audit verify --data "$DATA" >"$TMP/out"; check "audit verify: an edited entry" 3 $?
grep -q "entry 3 was changed" "$TMP/out" || { echo "FAIL: audit verify does not name the edited entry"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" audit verify --data "$TMP/no-data" >/dev/null 2>"$TMP/err"; check "audit verify: no database" 2 $?
[ -e "$TMP/no-data" ] && { echo "FAIL: audit verify made a data folder"; failures=$((failures + 1)); }

# Registered operations (SPEC §10): a dry run says what a run would change;
# parameters and reasons are checked; runs are recorded and audited.
"$DOCGEN" ops list >"$TMP/out"; check "ops list" 0 $?
grep -q '^republish: ' "$TMP/out" && grep -q -- '--param version=N (required)' "$TMP/out" || { echo "FAIL: ops list"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" ops run prune --data "$DATA" --param older_than_days=7 >/dev/null 2>&1; check "ops run without --reason" 2 $?
"$DOCGEN" ops run prune --reason disk --data "$DATA" --param days=7 >/dev/null 2>"$TMP/err"; check "ops run: unknown parameter" 2 $?
grep -q 'prune has no such parameter (it takes older_than_days)' "$TMP/err" || { echo "FAIL: unknown parameter unclear"; cat "$TMP/err"; failures=$((failures + 1)); }
"$DOCGEN" ops run republish --reason rollback --data "$DATA" --param version=9 >/dev/null 2>"$TMP/err"; check "ops run: no such version" 2 $?
grep -q '/params/version: there is no catalog version 9' "$TMP/err" || { echo "FAIL: a bad version is unclear"; cat "$TMP/err"; failures=$((failures + 1)); }
"$DOCGEN" ops run defragment --reason x --data "$DATA" >/dev/null 2>&1; check "ops run: unknown operation" 2 $?
"$DOCGEN" ops run prune --reason "disk full" --param older_than_days=7 --dry-run --data "$DATA" >"$TMP/out"; check "ops run --dry-run" 0 $?
grep -q '^would delete the jobs finished before ' "$TMP/out" && grep -q 'nothing was changed' "$TMP/out" || { echo "FAIL: dry run output"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" ops run prune --reason "disk full" --param older_than_days=7 --data "$DATA" >"$TMP/out" 2>/dev/null; check "ops run" 0 $?
grep -q '^deleted 0 finished jobs$' "$TMP/out" && grep -q 'succeeded: 1 of 1 steps' "$TMP/out" || { echo "FAIL: run output"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" ops runs --data "$DATA" >"$TMP/out"; check "ops runs" 0 $?
[ "$(grep -c ' prune' "$TMP/out")" -eq 2 ] || { echo "FAIL: ops runs lists the dry run and the run"; cat "$TMP/out"; failures=$((failures + 1)); }
"$DOCGEN" ops resume --data "$DATA" >"$TMP/out"; check "ops resume: nothing to resume" 0 $?
"$DOCGEN" audit export --data "$DATA" --action ops.run | jq -e '.reason == "disk full" and .details.params.older_than_days == 7' >/dev/null ||
  { echo "FAIL: the run is not audited with its reason and parameters"; failures=$((failures + 1)); }

for cmd in "" "catalog" "catalog lint" "resolve" "render" "validate" "validator test" "serve" "worker" \
           "token create" "token list" "token revoke" "audit verify" "audit export" "ops list" "ops run" "ops runs" "ops resume" \
           "testrun" "slo rules" "slo dashboard" "doctor"; do
  # shellcheck disable=SC2086
  "$DOCGEN" $cmd --help >"$TMP/out" 2>&1; check "help: docgen $cmd" 0 $?
  grep -qi "usage" "$TMP/out" || { echo "FAIL: no usage for '$cmd'"; failures=$((failures + 1)); }
done

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all CLI checks passed"
