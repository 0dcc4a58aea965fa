#!/bin/sh
# The admin UI's two budgets: what a browser must fetch before the first page
# (the shell: index.html's script and stylesheet, gzipped; target < 300 KB),
# and the Documents filter over 2,000 editions per keystroke (target < 50 ms),
# with the chunks loaded on demand listed for comparison.
# Usage: bench/ui_bench.sh  (builds the UI first with scripts/web.sh)
set -eu
cd "$(dirname "$0")/.."
./scripts/web.sh >/dev/null
python3 - <<'PY'
import gzip, os, re
dist = "web/dist"
index = open(os.path.join(dist, "index.html")).read()
shell = re.findall(r'(?:src|href)="/ui/(assets/[^"]+\.(?:js|css))"', index)
def gz(path):
    return len(gzip.compress(open(os.path.join(dist, path), "rb").read(), 9))
total = sum(gz(p) for p in shell)
print("shell (loaded first), gzipped:")
for p in shell:
    print("  %-50s %7.1f KB" % (p, gz(p) / 1024))
print("  %-50s %7.1f KB  (budget 300 KB: %.2fx of it)" % ("total", total / 1024, total / (300 * 1024)))
print("on demand, gzipped:")
for name in sorted(os.listdir(os.path.join(dist, "assets"))):
    p = "assets/" + name
    if p not in shell and name.endswith((".js", ".mjs")):
        print("  %-50s %7.1f KB" % (p, gz(p) / 1024))
PY
echo "filter over 2,000 editions (vitest bench):"
cd web && npm run bench 2>&1 | grep -E "name|·|hz" | head -20
