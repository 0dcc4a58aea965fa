#!/bin/sh
# docgen under systemd (issue 17): the units in packaging/systemd pass
# `systemd-analyze verify` and carry the hardening options; `docgen serve`
# speaks the notify protocol (READY=1 once it serves, RELOADING=1 and READY=1
# around a reload, STOPPING=1 at the stop) to a NOTIFY_SOCKET of the test's
# own; SIGHUP (systemctl reload) publishes a changed catalog folder and
# refuses a broken one, keeping the current version; SIGTERM stops it in time,
# also while it is still starting.
# The man pages the units' Documentation= names are looked up in MAN_DIR (the
# build's packaging/man), as `systemd-analyze verify` does on an installation.
# Usage: systemd_test.sh DOCGEN SOURCE_DIR MAN_DIR
set -u
DOCGEN=$(realpath "$1")
SRC=$2
MAN_DIR=$(realpath "$3")
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
PID=""
LISTENER=""
cleanup() { for p in $PID $LISTENER; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
. "$SRC/tests/support/checks.sh"
wait_for() {  # wait_for SHELL_CONDITION: up to 10 s
  for _ in $(seq 100); do eval "$1" && return 0; sleep 0.1; done
  return 1
}

# 1. The units.
mkdir -p "$TMP/units"
for unit in docgen.service docgen-worker@.service; do
  sed "s|/usr/bin/docgen|$DOCGEN|" "$SRC/packaging/systemd/$unit" >"$TMP/units/$unit"
done
cp "$TMP/units/docgen-worker@.service" "$TMP/units/docgen-worker@1.service"
MANPATH=$MAN_DIR: systemd-analyze verify "$TMP/units/docgen.service" "$TMP/units/docgen-worker@1.service" >"$TMP/verify" 2>&1
check "systemd-analyze verify accepts both units and finds their man pages, saying nothing" '[ $? = 0 ] && [ ! -s "$TMP/verify" ]'
for unit in docgen.service docgen-worker@.service; do
  for option in Type=notify NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ProtectHome=yes TimeoutStopSec=90 User=docgen; do
    grep -q "^$option$" "$SRC/packaging/systemd/$unit" || fail "$unit lacks $option"
  done
done
grep -q '^ExecReload=/bin/kill -HUP $MAINPID$' "$SRC/packaging/systemd/docgen.service" && ok "systemctl reload sends SIGHUP" || fail "no ExecReload"

# 2. The notify protocol, reload and stop.
python3 - "$TMP/notify.sock" "$TMP/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode() + "\n")
PY
LISTENER=$!
wait_for '[ -S "$TMP/notify.sock" ]' || fail "the notify listener did not start"
cp -r "$SRC/examples/acme-cyber" "$TMP/catalog"
TOKEN=$("$DOCGEN" token create --role viewer --subject systemd-test --data "$TMP/data" 2>/dev/null)
NOTIFY_SOCKET=$TMP/notify.sock "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --catalog "$TMP/catalog" >"$TMP/server.log" 2>&1 &
PID=$!
check "READY=1 once it serves" 'wait_for "grep -q ^READY=1 $TMP/notify.log" && curl -sf "$URL/readyz" >/dev/null'
version() { curl -s -H "Authorization: Bearer $TOKEN" "$URL/v1/catalog" | jq .version; }
check "version 1 is current" '[ "$(version)" = 1 ]'

sed -i '0,/Declarations/s//Declarations Page/' "$TMP/catalog/templates/CY-DEC.md"
kill -HUP "$PID"
check "SIGHUP publishes the changed catalog folder" 'wait_for "[ \"\$(version)\" = 2 ]"'
check "RELOADING=1 then READY=1 around the reload" '[ "$(grep -c "^RELOADING=1" "$TMP/notify.log")" = 1 ] && [ "$(grep -c "^READY=1" "$TMP/notify.log")" = 2 ]'

printf 'name: [broken\n' >"$TMP/catalog/catalog.yaml"
kill -HUP "$PID"
check "a broken catalog on reload is refused, the current version stays, it still serves" \
  'wait_for "grep -q \"reload refused\" $TMP/server.log" && [ "$(version)" = 2 ] && curl -sf "$URL/readyz" >/dev/null'

start=$(date +%s)
kill -TERM "$PID"
wait "$PID"
status=$?
PID=""
check "SIGTERM stops it, exit 0, within TimeoutStopSec" '[ $status = 0 ] && [ $(($(date +%s) - start)) -lt 90 ]'
check "STOPPING=1 at the stop" 'grep -q "^STOPPING=1" "$TMP/notify.log"'

# 3. SIGTERM while it is still starting (opening its store, publishing the
#    catalog) stops it as well: at delays across its start-up, it ends within
#    20 s, by the signal or with exit 0, and never goes on to serve.
late=""
for delay in 0 0.02 0.05 0.1 0.15 0.2 0.3 0.5; do
  DOCGEN_AUTH=none "$DOCGEN" serve --listen 127.0.0.1:0 --data "$TMP/starting" --catalog "$SRC/examples/acme-cyber" >>"$TMP/starting.log" 2>&1 &
  PID=$!
  sleep "$delay"
  kill -TERM "$PID"
  for _ in $(seq 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then
    late="$late $delay(still running)"
    kill -9 "$PID"
    wait "$PID"
  else
    wait "$PID"
    status=$?
    [ $status = 0 ] || [ $status = 143 ] || late="$late $delay(exit $status)"
  fi
  PID=""
done
check "SIGTERM at any moment of its start-up stops it (0 to 0.5 s after it was started)" '[ -z "$late" ]' || echo "  at:$late"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; cat "$TMP/notify.log"; tail -5 "$TMP/server.log"; exit 1; fi
echo "systemd: all checks passed"
