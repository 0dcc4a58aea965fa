#!/bin/sh
# Builds the libFuzzer targets in the Sanitize tree (clang, ASan + UBSan, any
# undefined behaviour fatal; the tests share its objects) and runs each for
# SECONDS (default 60) on its seed corpus fuzz/corpus/NAME, the target being
# NAME_fuzzer. New inputs a run finds go to build/sanitize/fuzz-work/NAME/corpus,
# and what fails (crash-*, leak-*, timeout-*) to build/sanitize/fuzz-work/NAME/.
# Usage: scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-60}
./scripts/bootstrap.sh
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize --target docgen_fuzzers
export LSAN_OPTIONS="suppressions=$ROOT/fuzz/lsan.supp:print_suppressions=0"
ran=0
for corpus in fuzz/corpus/*/; do
  name=$(basename "$corpus")
  fuzzer=$ROOT/build/sanitize/fuzz/${name}_fuzzer
  [ -x "$fuzzer" ] || { echo "fuzz.sh: fuzz/corpus/$name has no fuzz target ${name}_fuzzer (fuzz/CMakeLists.txt)" >&2; exit 1; }
  work=$ROOT/build/sanitize/fuzz-work/$name
  mkdir -p "$work/corpus"
  echo "== ${name}_fuzzer for ${SECONDS_PER_TARGET}s"
  "$fuzzer" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" "$ROOT/$corpus"
  ran=$((ran + 1))
done
echo "fuzz.sh: $ran targets ran for ${SECONDS_PER_TARGET}s each"
