#!/bin/sh
# The main job on the embedded default: install what is needed, build docgen,
# lint the example catalog and resolve every example quote, printing each
# package's summary. Packages are written to out/packages/NAME.json.
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

mkdir -p out/packages
valid=0
invalid=0
for quote in examples/quotes/*.json; do
  name=$(basename "$quote" .json)
  echo
  # Exit 2 means the quote is invalid; the summary says why.
  if $DOCGEN resolve --catalog "$CATALOG" --format summary "$quote"; then
    valid=$((valid + 1))
  else
    status=$?
    [ "$status" -eq 2 ] || exit "$status"
    invalid=$((invalid + 1))
  fi
  $DOCGEN resolve --catalog "$CATALOG" "$quote" >"out/packages/$name.json" 2>/dev/null || true
done
echo
echo "$valid valid and $invalid invalid packages; package JSON in out/packages/"
