#!/bin/sh
# Policy validator throughput and memory (issue: validator): N policies
# streamed through `docgen validate` against the synthetic 2,000-edition
# catalog (with rules), using both cores. Prints policies per second and
# peak memory as ratios against the targets (20,000 policies/s, 100 MB), and
# peak memory at N against N/10, which is ~1.0 when memory is flat in N.
# Usage: bench/validate_bench.sh [N]      (default 1,000,000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
BUILD=build/release
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --build "$BUILD" --target docgen_cli make_policies >/dev/null

run() {  # run N_POLICIES -> "policies_per_second peak_kb"
  "$BUILD/bench/make_policies" "$TMP" "$1"
  /usr/bin/time -f "%M" -o "$TMP/rss" "$BUILD/docgen" validate --catalog "$TMP/catalog" --format summary "$TMP/policies.jsonl" \
      >"$TMP/summary" 2>"$TMP/err" || [ $? -eq 3 ]
  rate=$(sed -n 's/.*s, \([0-9,]*\) policies\/s.*/\1/p' "$TMP/summary" | tr -d ,)
  echo "$rate $(tail -n1 "$TMP/rss")"  # GNU time adds a line before it when the exit status is not 0
}

small=$((N / 10))
set -- $(run "$small")
small_rate=$1 small_kb=$2
set -- $(run "$N")
rate=$1 kb=$2
echo "validate: $N policies: $(sed -n 1p "$TMP/summary")"
sed -n '2,$p' "$TMP/summary"
awk -v r="$rate" -v kb="$kb" -v skb="$small_kb" -v sr="$small_rate" -v n="$N" -v s="$small" 'BEGIN {
  printf "throughput: %d policies/s = %.2fx the 20,000/s target (%d policies/s at %d policies)\n", r, r / 20000, sr, s
  printf "peak memory: %.1f MB = %.2fx the 100 MB budget\n", kb / 1024, kb / 1024 / 100
  printf "memory flat in N: peak at %d policies / peak at %d = %.2fx\n", n, s, kb / skb
}'
