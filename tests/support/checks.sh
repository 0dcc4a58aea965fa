# Shell helpers for the tests that check many things and report each:
# source it (. "$SRC/tests/support/checks.sh"), then
#   check NAME SHELL_CONDITION   "ok: NAME", or "FAIL: NAME" counted in $failures
#                                (and status 1, so `check ... || show_why` works)
#   ok NAME / fail NAME          the same, decided by the caller
# and exit non-zero at the end when $failures is not 0.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
check() { if eval "$2"; then ok "$1"; else fail "$1"; return 1; fi; }
