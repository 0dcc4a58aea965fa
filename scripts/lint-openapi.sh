#!/bin/sh
# Lints docs/openapi.json with Redocly's recommended rules (config:
# tools/openapi-lint/redocly.yaml, CLI version pinned in its package-lock.json).
# Exits non-zero when the document has errors. Needs Node >= 18.17 and npm.
set -eu

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root/tools/openapi-lint"

# Install the pinned CLI only when node_modules is missing or older than the lock.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
  touch node_modules
fi

# No telemetry or update check: the lint runs offline once installed.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  ./node_modules/.bin/redocly lint --config redocly.yaml ../../docs/openapi.json
