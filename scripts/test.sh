#!/bin/sh
# Installs what is needed, builds and runs every test:
#   1. every test but the slow ones under ASan + UBSan (the Sanitize build,
#      clang; it also builds the fuzz targets);
#   2. the Release build: its process tests (the slow ones and the Debian
#      package included), the admin UI end to end, and the benchmarks, run
#      briefly as a smoke test;
#   3. each fuzz target for DOCGEN_FUZZ_SECONDS (default 20) on its corpus.
# Before them, docs/openapi.json is linted (Redocly, recommended rules) and the
# links of README.md and docs/*.md are checked.
set -eu
cd "$(dirname "$0")/.."
START=$(date +%s)
# Each step's heading says how long the run has taken so far.
step() { echo "== $* ($(($(date +%s) - START)) s in)"; }
./scripts/bootstrap.sh

step "OpenAPI document (redocly lint, recommended rules)"
./scripts/lint-openapi.sh

step "documentation links (remark-validate-links)"
./scripts/check-docs.sh

step "admin UI: build and unit tests (Vitest)"
./scripts/web.sh

step "Sanitize build (clang, ASan + UBSan, the fuzz targets too) and its tests"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize
ctest --preset sanitize

step "Release build and its process tests (the slow ones and the Debian package too)"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

step "admin UI end to end (Playwright, Debian's chromium)"
tests/e2e/run.sh build/release/docgen "$PWD"

step "benchmarks, briefly (a smoke run)"
build/release/bench/resolve_bench --benchmark_min_time=0.01 --benchmark_filter=Resolve
bench/validate_bench.sh 2000
bench/testrun_bench.sh 20
build/release/bench/event_bench 10

step "fuzz targets"
./scripts/fuzz.sh "${DOCGEN_FUZZ_SECONDS:-20}"
step "all tests passed"
