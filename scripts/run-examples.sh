#!/bin/sh
# The main job on the embedded default: install what is needed, build docgen,
# lint the example catalog, resolve every example quote (printing each
# package's summary) and render every valid one to PDFs in out/NAME/.
set -eu
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target docgen_cli
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
