#!/bin/sh
# Checks the links of README.md and docs/*.md: every relative link must name a
# file that exists and every #anchor a heading that exists (remark-cli with
# remark-validate-links only; config: tools/docs-lint/.remarkrc.json, versions
# pinned in its package-lock.json). External URLs are not checked: it runs
# offline once installed. Exits non-zero on a broken link or anchor.
# Needs Node >= 18 and npm.
set -eu

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
lint="$root/tools/docs-lint"

# Install the pinned tools only when node_modules is missing or older than the lock.
if [ ! -d "$lint/node_modules" ] || [ "$lint/package-lock.json" -nt "$lint/node_modules" ]; then
  (cd "$lint" && npm ci --no-audit --no-fund)
  touch "$lint/node_modules"
fi

# From the repository root, so that links are resolved against it. --frail:
# warnings (every broken link is one) fail the run; --quiet: only files with
# findings are listed; --no-stdout: the Markdown itself is not printed;
# --no-config --rc-path: this configuration only, none found on the way.
cd "$root"
"$lint/node_modules/.bin/remark" --no-config --rc-path "$lint/.remarkrc.json" \
  --frail --quiet --no-stdout README.md docs/*.md
