#!/bin/sh
# Hardening of `docgen serve` (README "Hardening"), against real processes on
# loopback: modes of the data folder, one serve per data folder, auth none,
# a hostile quote_id in Content-Disposition, concurrent `docgen token create`,
# and the limit on unknown tokens per client address under introspection.
# Usage: service_hardening_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
fail() { echo "FAIL: $*"; exit 1; }
mode() { stat -c %a "$1"; }
umask 022  # the usual default: the modes below must not depend on it
CATALOG="$SRC/examples/acme-cyber"
DATA="$TMP/data"

# --- concurrent `docgen token create` (20 at once) stores every token, 0600, in a 0700 folder
i=0
while [ $i -lt 20 ]; do
  "$DOCGEN" token create --role generator --subject "s$i" --data "$DATA" >"$TMP/token-$i" 2>"$TMP/stderr-$i" &
  i=$((i + 1))
done
wait
PRINTED=$(cat "$TMP"/token-* | grep -c '^dg_')
STORED=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['tokens']))" "$DATA/tokens.json")
[ "$PRINTED" = 20 ] || { grep -hv 'only time it is shown' "$TMP"/stderr-*; fail "20 token create runs printed $PRINTED tokens"; }
[ "$STORED" = 20 ] || fail "20 token create runs stored $STORED tokens"
[ "$(mode "$DATA")" = 700 ] || fail "token create made the data folder $(mode "$DATA"), not 700"
[ "$(mode "$DATA/tokens.json")" = 600 ] || fail "tokens.json is $(mode "$DATA/tokens.json"), not 600"
ls "$DATA" | grep -q tmp && fail "temporary files left behind: $(ls "$DATA")"
TOKEN=$(head -n 1 "$TMP/token-0")

# --- a fresh data folder and everything in it is its owner's only
rm -rf "$DATA.2"
PORT=$(free_port)
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$DATA.2" --catalog "$CATALOG" >/dev/null 2>"$TMP/log-fresh" &
FRESH=$!
PIDS="$PIDS $FRESH"
wait_http "http://127.0.0.1:$PORT/healthz" || { cat "$TMP/log-fresh"; fail "docgen did not start on a fresh data folder"; }
[ "$(mode "$DATA.2")" = 700 ] || fail "serve made the data folder $(mode "$DATA.2"), not 700"
[ "$(mode "$DATA.2/blobs")" = 700 ] || fail "serve made blobs/ $(mode "$DATA.2/blobs"), not 700"
for f in docgen.sqlite docgen.sqlite-wal docgen.sqlite-shm webhook-secret docgen.lock; do
  [ -e "$DATA.2/$f" ] || fail "no $f in a served data folder: $(ls "$DATA.2")"
  [ "$(mode "$DATA.2/$f")" = 600 ] || fail "$f is $(mode "$DATA.2/$f"), not 600"
done
kill "$FRESH"; wait "$FRESH" 2>/dev/null

# --- the first serve on DATA
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$DATA" --catalog "$CATALOG" >/dev/null 2>"$TMP/log-1" &
FIRST=$!
PIDS="$PIDS $FIRST"
wait_http "$BASE/healthz" || { cat "$TMP/log-1"; fail "docgen did not start"; }
[ "$(cat "$DATA/docgen.lock")" = "$FIRST" ] || fail "docgen.lock holds '$(cat "$DATA/docgen.lock")', not the pid $FIRST"

# --- a second serve on the same data folder is refused (exit 1, naming the first's pid) and changes nothing
PORT2=$(free_port)
"$DOCGEN" serve --listen "127.0.0.1:$PORT2" --data "$DATA" --catalog "$CATALOG" >/dev/null 2>"$TMP/log-2"
STATUS=$?
[ "$STATUS" = 1 ] || { cat "$TMP/log-2"; fail "a second serve on one data folder exited $STATUS, not 1"; }
grep -q "another docgen (pid $FIRST) is using the data folder" "$TMP/log-2" || { cat "$TMP/log-2"; fail "the refusal does not name pid $FIRST"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] || fail "the first serve stopped answering"

# --- a hostile quote_id cannot add Content-Disposition parameters
python3 - "$SRC/examples/quotes/new-ca-basic.json" "$TMP/hostile-quote.json" <<'PY'
import json, sys
quote = json.load(open(sys.argv[1]))
quote["quote_id"] = 'a"; filename="evil.html\u00e9'
json.dump(quote, open(sys.argv[2], "w"))
PY
CODE=$(curl -s -o "$TMP/hostile.pdf" -D "$TMP/headers" -w '%{http_code}' -X POST "$BASE/v1/packages:render" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$TMP/hostile-quote.json")
[ "$CODE" = 200 ] || { cat "$TMP/hostile.pdf"; fail "render of the hostile quote answered $CODE"; }
DISPOSITION=$(grep -i '^content-disposition:' "$TMP/headers" | tr -d '\r')
EXPECTED="Content-Disposition: inline; filename=\"a___filename__evil.html__.pdf\"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.html%C3%A9.pdf"
[ "$(echo "$DISPOSITION" | tr 'A-Z' 'a-z')" = "$(echo "$EXPECTED" | tr 'A-Z' 'a-z')" ] || fail "got '$DISPOSITION', expected '$EXPECTED'"

# --- results are the owner's only; listings name the quote
JOB=$(curl -s -X POST "$BASE/v1/jobs" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data "{\"quote\": $(cat "$SRC/examples/quotes/renewal-copy.json")}" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
[ -n "$JOB" ] || fail "no job was created"
STATE=""
for _ in $(seq 300); do
  STATE=$(curl -s "$BASE/v1/jobs/$JOB" -H "Authorization: Bearer $TOKEN" | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])")
  [ "$STATE" = succeeded ] || [ "$STATE" = failed ] && break
  sleep 0.1
done
[ "$STATE" = succeeded ] || fail "the job ended $STATE"
[ -n "$(find "$DATA/blobs" -type f)" ] || fail "no blob files"
WIDE=$(find "$DATA/blobs" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \))
[ -z "$WIDE" ] || fail "blobs readable by others: $(ls -ld $WIDE)"
QUOTE_ID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['quote_id'])" "$SRC/examples/quotes/renewal-copy.json")
LISTED=$(curl -s "$BASE/v1/jobs?limit=5" -H "Authorization: Bearer $TOKEN" | python3 -c "import json,sys; print(json.load(sys.stdin)['jobs'][0]['quote_id'])")
[ "$LISTED" = "$QUOTE_ID" ] || fail "GET /v1/jobs lists quote_id '$LISTED', not '$QUOTE_ID'"

# --- the lock goes with the process: the next serve on DATA starts
kill "$FIRST"; wait "$FIRST" 2>/dev/null
PORT=$(free_port)
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$DATA" >/dev/null 2>"$TMP/log-3" &
THIRD=$!
PIDS="$PIDS $THIRD"
wait_http "http://127.0.0.1:$PORT/healthz" || { cat "$TMP/log-3"; fail "docgen did not start after the first one stopped"; }
kill "$THIRD"; wait "$THIRD" 2>/dev/null

# --- auth none: warned on loopback; refused elsewhere unless DOCGEN_ALLOW_NO_AUTH=1.
# An existing folder open to others is left alone, with a warning.
mkdir -m 755 "$TMP/open"
PORT=$(free_port)
DOCGEN_AUTH=none "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/open" >/dev/null 2>"$TMP/log-none" &
NONE=$!
PIDS="$PIDS $NONE"
wait_http "http://127.0.0.1:$PORT/healthz" || { cat "$TMP/log-none"; fail "auth none did not start on loopback"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/jobs")" = 200 ] || fail "auth none asked for a token"
grep -q "AUTH IS OFF" "$TMP/log-none" || { cat "$TMP/log-none"; fail "auth none started without a warning"; }
grep -q "the data folder can be read by other users" "$TMP/log-none" || { cat "$TMP/log-none"; fail "no warning about a 755 data folder"; }
[ "$(mode "$TMP/open")" = 755 ] || fail "docgen changed the mode of a folder it did not create"
kill "$NONE"; wait "$NONE" 2>/dev/null

PORT=$(free_port)
DOCGEN_AUTH=none "$DOCGEN" serve --listen "0.0.0.0:$PORT" --data "$TMP/none-2" >/dev/null 2>"$TMP/log-none-2"
STATUS=$?
[ "$STATUS" = 2 ] || { cat "$TMP/log-none-2"; fail "auth none on 0.0.0.0 exited $STATUS, not 2"; }
grep -q "auth mode none would let anyone" "$TMP/log-none-2" || { cat "$TMP/log-none-2"; fail "no reason for refusing auth none"; }

PORT=$(free_port)
DOCGEN_AUTH=none DOCGEN_ALLOW_NO_AUTH=1 "$DOCGEN" serve --listen "0.0.0.0:$PORT" --data "$TMP/none-3" >/dev/null 2>"$TMP/log-none-3" &
ALLOWED=$!
PIDS="$PIDS $ALLOWED"
wait_http "http://127.0.0.1:$PORT/healthz" || { cat "$TMP/log-none-3"; fail "DOCGEN_ALLOW_NO_AUTH=1 did not allow auth none on 0.0.0.0"; }
grep -q "AUTH IS OFF" "$TMP/log-none-3" || fail "auth none on 0.0.0.0 started without a warning"
kill "$ALLOWED"; wait "$ALLOWED" 2>/dev/null

# --- introspection: unknown tokens from one address stop costing provider calls
PROVIDER_PORT=$(free_port)
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
        body = json.dumps({"active": form.get("token", [""])[0] == "good-token", "scope": "docgen:viewer", "sub": "t"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
PIDS="$PIDS $!"
wait_http "http://127.0.0.1:$PROVIDER_PORT/stats" || fail "the fake provider did not start"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DOCGEN_AUTH=introspection DOCGEN_INTROSPECTION_URL="http://127.0.0.1:$PROVIDER_PORT/introspect" \
  "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/introspection" >/dev/null 2>"$TMP/log-introspection" &
PIDS="$PIDS $!"
wait_http "$BASE/healthz" || { cat "$TMP/log-introspection"; fail "docgen did not start with introspection"; }
calls() { curl -s "http://127.0.0.1:$PROVIDER_PORT/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['calls'])"; }
status() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$BASE/v1/jobs"; }
[ "$(status good-token)" = 200 ] || fail "a good token was refused"
i=0
while [ $i -lt 20 ]; do
  [ "$(status "random-$i")" = 401 ] || fail "unknown token $i was not 401"
  i=$((i + 1))
done
[ "$(calls)" = 21 ] || fail "expected 21 provider calls, got $(calls)"
CODE=$(curl -s -o "$TMP/limited" -D "$TMP/limited-headers" -w '%{http_code}' -H "Authorization: Bearer random-20" "$BASE/v1/jobs")
[ "$CODE" = 429 ] || fail "the 21st unknown token got $CODE, not 429"
grep -qi '^retry-after: [0-9]' "$TMP/limited-headers" || fail "429 without Retry-After"
grep -q '"too_many_requests"' "$TMP/limited" || fail "429 without the too_many_requests code: $(cat "$TMP/limited")"
[ "$(calls)" = 21 ] || fail "a limited address still made provider calls ($(calls))"
[ "$(status good-token)" = 200 ] || fail "a cached good token was refused from a limited address"

echo "service hardening: all checks passed"
