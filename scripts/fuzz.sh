#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 60) on its seed corpus. Crashes are written to build/fuzz/.
# Usage: scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
./scripts/bootstrap.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
for target in quote_fuzzer catalog_fuzzer template_fuzzer render_fuzzer callback_url_fuzzer policy_fuzzer rule_fuzzer ops_params_fuzzer slo_fuzzer testrun_fuzzer cron_fuzzer; do
  corpus=fuzz/corpus/${target%_fuzzer}
  work=build/fuzz/corpus-${target%_fuzzer}
  mkdir -p "$work"
  echo "== $target for ${SECONDS_PER_TARGET}s"
  (cd build/fuzz && ./fuzz/$target -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 "../../$work" "../../$corpus")
done
