#!/bin/sh
# Builds and tests the admin web UI (web/): installs the locked packages when
# node_modules is missing or older than package-lock.json, then builds to
# web/dist (served by `docgen serve` under /ui/) and runs the unit tests.
set -eu

cd "$(dirname "$0")/../web"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
  # npm ci leaves node_modules with its own time: mark it up to date.
  touch node_modules
fi

npm run build
npm test -- --run
