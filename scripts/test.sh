#!/bin/sh
# Installs what is needed, builds and runs every test:
#   1. unit, data-driven and CLI tests under ASan + UBSan (Sanitize build);
#   2. the Release build with the benchmarks, run briefly as a smoke test;
#   3. each fuzz target for DOCGEN_FUZZ_SECONDS (default 20) on its corpus.
# Before them, docs/openapi.json is linted (Redocly, recommended rules) and the
# links of README.md and docs/*.md are checked.
set -eu
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh

echo "== OpenAPI document (redocly lint, recommended rules)"
./scripts/lint-openapi.sh

echo "== documentation links (remark-validate-links)"
./scripts/check-docs.sh

echo "== admin UI: build and unit tests (Vitest)"
./scripts/web.sh

echo "== tests (Sanitize: ASan + UBSan)"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize
ctest --preset sanitize

echo "== release build and benchmark smoke run"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

echo "== admin UI end to end (Playwright, Debian's chromium)"
tests/e2e/run.sh build/release/docgen "$PWD"
build/release/bench/resolve_bench --benchmark_min_time=0.01 --benchmark_filter=Resolve
bench/validate_bench.sh 2000
bench/testrun_bench.sh 20
build/release/bench/event_bench 10

echo "== fuzz targets"
./scripts/fuzz.sh "${DOCGEN_FUZZ_SECONDS:-20}"
echo "== all tests passed"
