#!/bin/sh
# Test runs through the service against `docgen testrun` (issue: test runs):
# the synthetic catalog (bench/synthetic_catalog.h), first run (every variant
# rendered, rasterised and kept: files for the command line, blobs and
# recorded results in SQLite for the service) and a second run after
# approval (nothing changed). Prints both rates and the service's as a
# ratio of the command line's: the cost of durability (results recorded in
# batches, pictures as fsynced blobs).
# Usage: bench/testrun_service_bench.sh [EDITIONS]      (default 300)
set -eu
cd "$(dirname "$0")/.."
EDITIONS=${1:-300}
BUILD=build/release
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$TMP"' EXIT
. tests/support/net.sh
cmake --build "$BUILD" --target docgen_cli make_policies >/dev/null
"$BUILD/bench/make_policies" "$TMP" 0 "$EDITIONS" >/dev/null

rate() { sed -n 's/.*s, \([0-9,]*\) variants\/s.*/\1/p' "$1" | tr -d ,; }
"$BUILD/docgen" testrun --catalog "$TMP/catalog" --goldens "$TMP/goldens" --approve >"$TMP/cli1" 2>/dev/null || true
"$BUILD/docgen" testrun --catalog "$TMP/catalog" --goldens "$TMP/goldens" >"$TMP/cli2" 2>/dev/null || true
cli_full=$(rate "$TMP/cli1")
cli_same=$(rate "$TMP/cli2")

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
DOCGEN_AUTH=none "$BUILD/docgen" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$TMP/catalog" --workers 1 >"$TMP/log" 2>&1 &
PID=$!
wait_http "$URL/healthz"
run() {  # prints the run's variants per second (variants over the run's own time)
  id=$(curl -s -X POST "$URL/v1/test-runs" | jq -r .id)
  while :; do
    curl -s "$URL/v1/test-runs/$id" >"$TMP/run.json"
    case $(jq -r .status "$TMP/run.json") in succeeded) break ;; failed|canceled) echo "run $id: $(jq -c . "$TMP/run.json")" >&2; exit 1 ;; esac
    sleep 0.2
  done
  curl -s -X POST -H 'Content-Type: application/json' -d '{"reason": "bench"}' "$URL/v1/test-runs/$id:approve" >/dev/null
  jq '(.progress.variants_total / .seconds) | floor' "$TMP/run.json"
}
service_full=$(run)
service_same=$(run)
awk -v cf="$cli_full" -v cs="$cli_same" -v sf="$service_full" -v ss="$service_same" -v n="$EDITIONS" 'BEGIN {
  printf "first run (%d editions): service %d variants/s, docgen testrun %d/s: %.2fx\n", n, sf, cf, sf / cf
  printf "nothing changed: service %d variants/s, docgen testrun %d/s: %.2fx\n", ss, cs, ss / cs
}'
