#!/bin/sh
# The main job on the embedded default: install what is needed, build docgen,
# its admin UI and its Debian package,
# lint the example catalog, resolve every example quote (printing each
# package's summary) and render every valid one to PDFs in out/NAME/.
# With --serve it then starts `docgen serve` on the embedded default (SQLite
# under out/service-data), sends one job through it with curl, waits for it,
# downloads its package, and stops the service.
set -eu
cd "$(dirname "$0")/.."
SERVE=0
[ "${1:-}" = "--serve" ] && SERVE=1
./scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target docgen_cli docgen_man docgen_changelog
./scripts/web.sh  # the admin UI, served by docgen serve at /ui/
# The Debian package: apt install ./build/release/packages/docgen_*.deb
cpack --config build/release/CPackConfig.cmake >build/release/cpack.log ||
  { cat build/release/cpack.log; exit 1; }
echo "Debian package: $(ls build/release/packages/docgen_*.deb)"
DOCGEN=build/release/docgen
CATALOG=examples/acme-cyber

echo
echo "== docgen catalog lint $CATALOG"
$DOCGEN catalog lint "$CATALOG"

mkdir -p out
valid=0
invalid=0
for quote in examples/quotes/*.json; do
  name=$(basename "$quote" .json)
  echo
  # Exit 2 means the quote is invalid; the summary says why.
  if $DOCGEN resolve --catalog "$CATALOG" --format summary "$quote"; then
    valid=$((valid + 1))
    $DOCGEN render --catalog "$CATALOG" "$quote" --out "out/$name"
  else
    status=$?
    [ "$status" -eq 2 ] || exit "$status"
    invalid=$((invalid + 1))
  fi
done
echo
echo "$valid packages rendered to out/NAME/ (package.pdf, package.json, documents/); $invalid quotes invalid"

[ "$SERVE" = 1 ] || exit 0

echo
echo "== docgen serve (embedded default: SQLite in out/service-data)"
PORT=${DOCGEN_PORT:-8080}
URL=http://127.0.0.1:$PORT
echo "+ docgen token create --role generator --subject demo --data out/service-data"
TOKEN=$($DOCGEN token create --role generator --subject demo --data out/service-data)
AUTH="Authorization: Bearer $TOKEN"
$DOCGEN serve --listen "127.0.0.1:$PORT" --data out/service-data --catalog "$CATALOG" 2>out/service.log &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "+ curl $URL/readyz"
curl -s "$URL/readyz"
echo "+ curl -X POST $URL/v1/jobs -H 'Authorization: Bearer ...' -H 'Idempotency-Key: demo-1' --data '{\"quote\": ...renewal-copy.json}'"
JOB=$(printf '{"quote": %s}' "$(cat examples/quotes/renewal-copy.json)" |
  curl -s -H "$AUTH" -H 'Content-Type: application/json' -H "Idempotency-Key: demo-$(date +%s)" --data @- "$URL/v1/jobs")
echo "$JOB"
ID=$(echo "$JOB" | sed -n 's/.*"id": "\(job_[0-9a-f]*\)".*/\1/p' | head -1)
for _ in $(seq 100); do
  STATUS=$(curl -s -H "$AUTH" "$URL/v1/jobs/$ID" | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p' | head -1)
  [ "$STATUS" = succeeded ] || [ "$STATUS" = failed ] && break
  sleep 0.1
done
echo "+ curl $URL/v1/jobs/$ID"
curl -s -H "$AUTH" "$URL/v1/jobs/$ID"
echo "+ curl -o out/service-package.pdf $URL/v1/jobs/$ID/package.pdf"
curl -s -H "$AUTH" -o out/service-package.pdf -w "HTTP %{http_code}, %{size_download} bytes of %{content_type}\n" "$URL/v1/jobs/$ID/package.pdf"
echo "service log: out/service.log"
