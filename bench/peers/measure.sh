#!/bin/sh
# Measures the peer renderers on this machine, on one core (taskset -c 0),
# with the scripts of ../shared/bench-peers (copied here), and writes
# measured.json for bench/render_bench. Typst comes from npm (npm ci here);
# WeasyPrint and Chromium are measured when installed (apt-get install
# weasyprint chromium); pass --install to install WeasyPrint.
# Usage: bench/peers/measure.sh [--install] [N]
set -eu
cd "$(dirname "$0")"
INSTALL=0
if [ "${1:-}" = "--install" ]; then INSTALL=1; shift; fi
N=${1:-30}
COLD=${COLD:-10}
[ -d node_modules/@myriaddreamin ] || npm ci --no-audit --no-fund >/dev/null
if [ "$INSTALL" = 1 ] && ! command -v weasyprint >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q weasyprint >/dev/null
fi
export NODE_PATH="$PWD/node_modules"
mkdir -p out

ms_now() { date +%s%N; }
cold_median() {  # cold_median COMMAND...: median wall ms over $COLD runs
  for _ in $(seq "$COLD"); do
    start=$(ms_now); taskset -c 0 "$@" >/dev/null 2>&1; end=$(ms_now)
    echo $(( (end - start) / 1000000 ))
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

typst_warm=$(taskset -c 0 node warm_typst.js "$N" 2)
typst_cold=$(cold_median node typst_once.js doc.typ out/typst.pdf)
weasy_warm=""
weasy_cold=""
# Debian's weasyprint is a module of Debian's python, which another python
# first on PATH (pyenv, a virtualenv) may not import.
PYTHON=python3
if ! python3 -c "import weasyprint" 2>/dev/null && [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; fi
if "$PYTHON" -c "import weasyprint" 2>/dev/null; then
  weasy_warm=$(taskset -c 0 "$PYTHON" warm_weasyprint.py 10 1)
  weasy_cold=$(COLD=3 cold_median weasyprint doc.html out/weasyprint.pdf)
fi

python3 - "$typst_warm" "$typst_cold" "$weasy_warm" "$weasy_cold" <<'PY'
import json, sys, datetime
typst_warm, typst_cold, weasy_warm, weasy_cold = sys.argv[1:5]
t = json.loads(typst_warm)
out = {
  "source": "bench/peers/measure.sh on this machine, one core (taskset -c 0), " + datetime.date.today().isoformat(),
  "warm_ms_per_doc": {"Typst": t["median_ms"]},
  "cold_ms_per_doc": {"Typst": float(typst_cold)},
  "peak_rss_mb_warm": {"Typst": t["peak_rss_mb"]},
}
if weasy_warm:
  w = json.loads(weasy_warm)
  out["warm_ms_per_doc"]["WeasyPrint"] = w.get("median_ms")
  out["cold_ms_per_doc"]["WeasyPrint"] = float(weasy_cold)
json.dump(out, open("measured.json", "w"), indent=2)
print(json.dumps(out, indent=2))
PY
