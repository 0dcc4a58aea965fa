#!/bin/sh
# `docgen testrun` on the example catalog (SPEC §8): the first run is all new;
# approved, a second run is all same and exits 0; one changed word changes
# exactly that edition's variants; a broken template fails its variants; a
# removed document's goldens are removed; bad input exits 2 and says where.
# Usage: testrun_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CATALOG=$TMP/catalog
GOLDENS=$TMP/goldens
cp -r "$SRC/examples/acme-cyber" "$CATALOG"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

run() {  # run EXPECTED_EXIT NAME ARGS...: the run as JSON in $TMP/run.json
  expected=$1 name=$2
  shift 2
  "$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" --format json "$@" >"$TMP/run.json" 2>"$TMP/err"
  status=$?
  if [ "$status" = "$expected" ]; then ok "$name (exit $status)"; else fail "$name: expected exit $expected, got $status"; cat "$TMP/err"; fi
}

# check NAME PYTHON_EXPRESSION: true of the run `r` in $TMP/run.json
check() {
  python3 -c "
import json, sys
r = json.load(open('$TMP/run.json'))
by = lambda s: sorted(v['key'] for v in r['variants'] if v['status'] == s)
sys.exit(0 if ($2) else 1)" || { fail "$1"; python3 -c "import json; r = json.load(open('$TMP/run.json')); print(r['counts'], [(v['key'], v['status']) for v in r['variants'] if v['status'] != 'same'][:8], r['removed'])"; return; }
  ok "$1"
}

run 3 "first run"
check "the first run is all new" "r['counts']['new'] == len(r['variants']) > 0 and len(r['variants']) == sum(r['counts'].values())"
TOTAL=$(python3 -c "import json; print(len(json.load(open('$TMP/run.json'))['variants']))")

run 3 "first run, approved" --approve --report "$TMP/first.html"
[ -f "$GOLDENS/goldens.json" ] && ok "goldens.json written" || fail "no goldens.json"
[ -f "$GOLDENS/CY-DEC@2025-01/cyber/CA/1/page-1.png" ] && ok "pages are files by key" || fail "no CY-DEC@2025-01/cyber/CA/1/page-1.png"
[ "$(find "$GOLDENS" -name 'page-*.png' | wc -l)" -ge "$TOTAL" ] && ok "every variant has its pages" || fail "fewer page files than variants"
grep -q 'class="variant new"' "$TMP/first.html" && ok "the report lists new variants" || fail "report without new variants"

run 0 "second run"
check "after approval every variant is the same, nothing rendered" "r['counts']['same'] == $TOTAL and not any(v['rendered'] for v in r['variants'])"

# Text output: nothing but the counts when every variant is the same.
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" >"$TMP/out" 2>&1
[ "$(wc -l <"$TMP/out")" = 1 ] && grep -q "$TOTAL same, 0 changed, 0 new, 0 failed, 0 removed" "$TMP/out" && ok "text summary" || { fail "text summary"; cat "$TMP/out"; }

# One word changed in one template.
sed -i '0,/Endorsement/s//Rider/' "$CATALOG/templates/CY-END-150.md"
run 3 "one word changed" --report "$TMP/changed.html" --jobs 1
check "exactly the edition's variants changed, page 1, a small share of pixels" \
  "by('changed') and all(k.startswith('CY-END-150@2024-06/') for k in by('changed')) and r['counts']['changed'] + r['counts']['same'] == $TOTAL \
   and all(v['changed_pages'] == [1] and 0 < v['changed_share'] < 0.01 for v in r['variants'] if v['status'] == 'changed')"
CHANGED=$(python3 -c "import json; print(json.load(open('$TMP/run.json'))['counts']['changed'])")
[ "$(grep -c 'alt="diff page 1"' "$TMP/changed.html")" = "$CHANGED" ] && ok "the report shows one diff per changed variant" || fail "diffs in the report"
grep -q 'alt="golden page 1"' "$TMP/changed.html" && ok "the report shows the golden beside the new page" || fail "no golden in the report"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" >"$TMP/out" 2>&1
grep -q '^changed CY-END-150@2024-06/cyber/CA/1 (page 1)$' "$TMP/out" && ok "text: STATUS KEY" || { fail "text lines"; cat "$TMP/out"; }

run 3 "only the CA variant approved" --approve-only CY-END-150@2024-06/cyber/CA/
run 3 "the run after"
check "... the others are still changed" "'CY-END-150@2024-06/cyber/CA/1' not in by('changed') and len(by('changed')) == $CHANGED - 1"
run 3 "the change approved" --approve
run 0 "the change is now the golden"

# A template that cannot render.
printf '\n{{quote.no_such_field}}\n' >>"$CATALOG/templates/CY-END-300.md"
run 3 "a broken template"
check "its variants failed, with the error" "by('failed') and all(k.startswith('CY-END-300@') for k in by('failed')) \
   and all('no_such_field' in v['error'] for v in r['variants'] if v['status'] == 'failed')"
run 3 "failed variants are not approved" --approve
run 3 "... so they still fail"
cp "$SRC/examples/acme-cyber/templates/CY-END-300.md" "$CATALOG/templates/"
run 0 "fixed: the same again"

# A removed document: its goldens are removed.
rm "$CATALOG/documents/CY-END-340.yaml" "$CATALOG/templates/CY-END-340.md"
run 3 "a document removed"
check "its goldens are listed as removed" "r['removed'] and all(k.startswith('CY-END-340@') for k in r['removed']) and r['counts']['removed'] == len(r['removed'])"
run 3 "removal approved" --approve
[ -e "$GOLDENS/CY-END-340@2024-01" ] && fail "removed goldens left on disk" || ok "removed goldens deleted, folders too"
run 0 "after approval"

# The same run on one thread and on two gives the same answers.
sed -i '0,/Declarations/s//Declaration Page/' "$CATALOG/templates/CY-DEC.md"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" --jobs 1 >"$TMP/one" 2>/dev/null
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" --jobs 2 >"$TMP/two" 2>/dev/null
[ "$(grep -v variants/s "$TMP/one")" = "$(grep -v variants/s "$TMP/two")" ] && grep -q '^changed CY-DEC' "$TMP/one" && ok "--jobs 1 and 2 agree" || fail "--jobs 1 and 2 differ"

# Bad input: exit 2, and the message says what and where.
"$DOCGEN" testrun --catalog "$TMP/nope" --goldens "$GOLDENS" >/dev/null 2>"$TMP/err"; s=$?
[ $s = 2 ] && grep -q "nope" "$TMP/err" && ok "missing catalog: exit 2" || fail "missing catalog: exit $s"
: >"$TMP/file"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$TMP/file" >/dev/null 2>"$TMP/err"; s=$?
[ $s = 2 ] && grep -q "is not a folder" "$TMP/err" && ok "goldens not a folder: exit 2" || fail "goldens not a folder: exit $s"
mkdir -p "$TMP/bad-goldens" && printf '{"format": "docgen-goldens/1", "variants": {"K": {"pages": "x"}}}' >"$TMP/bad-goldens/goldens.json"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$TMP/bad-goldens" >/dev/null 2>"$TMP/err"; s=$?
[ $s = 2 ] && grep -q 'goldens.json: /variants/K must be' "$TMP/err" && ok "bad manifest: exit 2, the entry named" || { fail "bad manifest: exit $s"; cat "$TMP/err"; }
printf '{"format": "docgen-goldens/1",\n "variants": {' >"$TMP/bad-goldens/goldens.json"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$TMP/bad-goldens" >/dev/null 2>"$TMP/err"; s=$?
[ $s = 2 ] && grep -q 'goldens.json: not valid JSON' "$TMP/err" && ok "truncated manifest: exit 2" || { fail "truncated manifest: exit $s"; cat "$TMP/err"; }
mkdir -p "$CATALOG/samples" && printf '{\n  "quote_id": "S-1",\n  "insured": {"name": }\n}\n' >"$CATALOG/samples/quote.json"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" >/dev/null 2>"$TMP/err"; s=$?
[ $s = 2 ] && grep -q 'samples/quote.json:3: error \[invalid_sample\]' "$TMP/err" && ok "broken sample quote: exit 2, file and line" || { fail "broken sample quote: exit $s"; cat "$TMP/err"; }
printf '["not", "an", "object"]\n' >"$CATALOG/samples/quote.json"
"$DOCGEN" testrun --catalog "$CATALOG" --goldens "$GOLDENS" >/dev/null 2>"$TMP/err"; s=$?
[ $s = 2 ] && grep -q 'invalid_sample' "$TMP/err" && ok "sample quote not an object: exit 2" || fail "sample quote not an object: exit $s"

# A sample quote is the base of every variant's quote: its insured name reaches the pages.
printf '{"quote_id": "S-1", "effective_date": "2025-02-01", "insured": {"name": "Zephyr Sample Works", "address": "9 Test Lane"}, "coverages": []}\n' >"$CATALOG/samples/quote.json"
run 3 "a sample quote changes the declarations"
check "the declarations changed (they print the insured)" "any(k.startswith('CY-DEC@') for k in by('changed'))"

# Ctrl-C stops a run cleanly: exit 130, nothing approved, no scratch folder left behind.
BIG=$TMP/big
cp -r "$SRC/examples/acme-cyber" "$BIG"
for n in $(seq 40); do sed "s/^id: CY-DEC$/id: CY-DEC-COPY$n/" "$SRC/examples/acme-cyber/documents/CY-DEC.yaml" >"$BIG/documents/CY-DEC-COPY$n.yaml"; done
mkdir -p "$TMP/scratch-parent"
TMPDIR=$TMP/scratch-parent "$DOCGEN" testrun --catalog "$BIG" --goldens "$TMP/interrupted" --jobs 1 --approve >/dev/null 2>"$TMP/err" &
pid=$!
sleep 1
kill -INT $pid
kill -INT $pid  # a second Ctrl-C while it cleans up changes nothing
wait $pid; s=$?
[ $s = 130 ] && grep -q "interrupted; nothing was reported or approved" "$TMP/err" && ok "Ctrl-C: exit 130, said so" || { fail "Ctrl-C: exit $s"; cat "$TMP/err"; }
[ ! -e "$TMP/interrupted/goldens.json" ] && ok "Ctrl-C: nothing approved" || fail "Ctrl-C: a manifest was written"
[ -z "$(ls -A "$TMP/scratch-parent")" ] && ok "Ctrl-C: the scratch folder is removed" || fail "Ctrl-C: left $(ls "$TMP/scratch-parent")"

if [ $failures -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "testrun: all checks passed"
