#!/bin/sh
# End-to-end tests of the admin UI: a real `docgen serve` on a free loopback
# port with a fresh data folder and the example catalog, the UI built by
# scripts/web.sh, and Playwright driving Debian's chromium. Screenshots of
# every page go to build/e2e-artifacts/ (kept by CI).
# Usage: tests/e2e/run.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$(realpath "$1")
SRC=$(realpath "$2")
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PORT=$(free_port)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM
fail() { echo "FAIL: $*"; [ -f "$TMP/log" ] && tail -20 "$TMP/log"; exit 1; }

[ -x /usr/bin/chromium ] || fail "Debian's chromium is not installed (scripts/bootstrap.sh installs it)"
[ -f "$SRC/web/dist/index.html" ] || fail "the UI is not built: run scripts/web.sh"
cd "$SRC/tests/e2e"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund >/dev/null || fail "npm ci in tests/e2e"
  touch node_modules
fi

for role in viewer generator admin; do
  token=$("$DOCGEN" token create --role $role --subject "e2e-$role" --data "$TMP/data" 2>/dev/null) || fail "token create"
  eval "TOKEN_$(echo $role | tr a-z A-Z)=\$token"
done
"$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$SRC/examples/acme-cyber" --workers 1 \
  >/dev/null 2>"$TMP/log" &
PID=$!
wait_http "http://127.0.0.1:$PORT/readyz" || fail "docgen did not start"

mkdir -p "$SRC/build/e2e-artifacts"
DOCGEN_URL="http://127.0.0.1:$PORT" DOCGEN_BIN="$DOCGEN" DOCGEN_SRC="$SRC" \
DOCGEN_TOKEN_VIEWER=$TOKEN_VIEWER DOCGEN_TOKEN_GENERATOR=$TOKEN_GENERATOR DOCGEN_TOKEN_ADMIN=$TOKEN_ADMIN \
DOCGEN_E2E_ARTIFACTS="$SRC/build/e2e-artifacts" \
  ./node_modules/.bin/playwright test || fail "end-to-end tests"
echo "end-to-end tests passed"
