#!/bin/sh
# Test-run throughput (issue: test runs): `docgen testrun` over the synthetic
# catalog (bench/synthetic_catalog.h) on every core, three times:
#   full       an empty goldens folder: every variant rendered, rasterised and
#              its pages written (and approved);
#   unchanged  the same catalog again: inputs match, nothing is rendered;
#   one edit   one template changed: its variants rendered and compared.
# Prints variants per second as ratios against the targets (150/s for the
# full run, 1,000/s when nothing changed).
# Usage: bench/testrun_bench.sh [EDITIONS]      (default 2,000)
set -eu
cd "$(dirname "$0")/.."
EDITIONS=${1:-2000}
BUILD=build/release
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --build "$BUILD" --target docgen_cli make_policies >/dev/null
"$BUILD/bench/make_policies" "$TMP" 0 "$EDITIONS"

run() {  # run NAME [ARGS...]: prints NAME and the summary line; sets RATE
  name=$1
  shift
  "$BUILD/docgen" testrun --catalog "$TMP/catalog" --goldens "$TMP/goldens" "$@" >"$TMP/out" 2>"$TMP/err" || [ $? -eq 3 ]
  summary=$(tail -n1 "$TMP/out")
  RATE=$(echo "$summary" | sed -n 's/.*s, \([0-9,]*\) variants\/s.*/\1/p' | tr -d ,)
  echo "$name: $summary"
}

run "full     " --approve
full=$RATE
run "unchanged"
unchanged=$RATE
first=$(ls "$TMP/catalog/templates" | head -n1)
printf '\nOne more line.\n' >>"$TMP/catalog/templates/$first"
run "one edit "
edit=$RATE
awk -v f="$full" -v u="$unchanged" -v e="$edit" -v n="$EDITIONS" 'BEGIN {
  printf "full run: %d variants/s = %.2fx the 150/s target (%d editions, 2 cores)\n", f, f / 150, n
  printf "nothing changed: %d variants/s = %.1fx the 1,000/s target\n", u, u / 1000
  printf "one template changed: %d variants/s\n", e
}'
