#!/bin/sh
# `docgen backup` and `docgen restore` (issue 17) on the embedded store: a
# backup taken while docgen serves restores into a new data folder that
# serves the same job, the same PDF bytes, the same tokens and an intact
# audit chain; a damaged, cut short, foreign or misplaced backup is refused
# with exit 2, naming what is wrong, and leaves nothing behind.
# Usage: backup_test.sh DOCGEN SOURCE_DIR
set -u
DOCGEN=$1
SRC=$2
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
. "$SRC/tests/support/checks.sh"
serve() {
  "$DOCGEN" serve --listen "127.0.0.1:$PORT" --data "$1" --catalog "$SRC/examples/acme-cyber" >>"$TMP/server.log" 2>&1 &
  PID=$!
  wait_http "$URL/healthz" || { echo "FAIL: the server did not start"; tail -5 "$TMP/server.log"; exit 1; }
}
stop() { kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=""; }
get() { curl -s -H "Authorization: Bearer $TOKEN" "$URL$1"; }
restore() {  # restore NAME FILE FOLDER: exit status in $s, stderr in $TMP/err
  "$DOCGEN" restore "$2" --data "$3" 2>"$TMP/err" >/dev/null
  s=$?
}

TOKEN=$("$DOCGEN" token create --role admin --subject backup-test --data "$TMP/a" 2>/dev/null)
serve "$TMP/a"
JOB=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"quote\": $(cat "$SRC/examples/quotes/new-ca-basic.json")}" "$URL/v1/jobs" | jq -r .id)
for _ in $(seq 100); do [ "$(get "/v1/jobs/$JOB" | jq -r .status)" = succeeded ] && break; sleep 0.1; done
get "/v1/jobs/$JOB/package.pdf" >"$TMP/before.pdf"

# 1. A backup while the server runs.
"$DOCGEN" backup --data "$TMP/a" --out "$TMP/backup.tar" 2>"$TMP/err"
check "a backup while docgen serves (exit 0)" '[ $? = 0 ] && grep -q "backed up to $TMP/backup.tar: the database (schema" "$TMP/err"'
check "the backup file is its owner's only" '[ "$(stat -c %a "$TMP/backup.tar")" = 600 ]'
check "it holds the database, the blobs, the tokens and the manifest last" \
  '[ "$(tar tf "$TMP/backup.tar" | head -1)" = docgen.sqlite ] && [ "$(tar tf "$TMP/backup.tar" | tail -1)" = docgen-backup.json ] &&
   tar tf "$TMP/backup.tar" | grep -q "^blobs/[0-9a-f]\{64\}$" && tar tf "$TMP/backup.tar" | grep -q "^tokens.json$"'
stop

# 2. Restored into a new folder, it serves what the old one did.
restore ok "$TMP/backup.tar" "$TMP/b"
check "restore into a new folder (exit 0)" '[ $s = 0 ] && grep -q "integrity ok" "$TMP/err"'
check "the restored folder is private" '[ "$(stat -c %a "$TMP/b")" = 700 ]'
serve "$TMP/b"
check "the restored server knows the job, and the same token works" '[ "$(get "/v1/jobs/$JOB" | jq -r .status)" = succeeded ]'
get "/v1/jobs/$JOB/package.pdf" >"$TMP/after.pdf"
check "its PDF has the same bytes" 'cmp -s "$TMP/before.pdf" "$TMP/after.pdf"'
stop
check "the restored audit chain verifies" '"$DOCGEN" audit verify --data "$TMP/b" >/dev/null 2>&1'

# 3. Refusals: exit 2, what is wrong, nothing written.
restore again "$TMP/backup.tar" "$TMP/b"
check "a data folder that is not empty is refused" '[ $s = 2 ] && grep -q "is not empty" "$TMP/err"'
python3 - "$TMP/backup.tar" "$TMP/damaged.tar" "$TMP/foreign.tar" "$TMP/renamed.tar" <<'PY'
import hashlib, io, json, sys, tarfile
src, damaged, foreign, renamed = sys.argv[1:]
# renamed: a blob's bytes changed and the manifest made to agree, its name kept.
with tarfile.open(src) as t, tarfile.open(renamed, "w") as r:
    members = [(m, t.extractfile(m).read()) for m in t.getmembers()]
    blob = next(m.name for m, _ in members if m.name.startswith("blobs/"))
    for m, data in members:
        if m.name == blob:
            data = data + b" "
        if m.name == "docgen-backup.json":
            manifest = json.loads(data)
            changed = next(d for n, d in members if n.name == blob) + b" "
            manifest["files"][blob] = {"bytes": len(changed), "sha256": hashlib.sha256(changed).hexdigest()}
            data = json.dumps(manifest).encode()
        m.size = len(data)
        r.addfile(m, io.BytesIO(data))
with tarfile.open(src) as t, tarfile.open(damaged, "w") as d, tarfile.open(foreign, "w") as f:
    flipped = False
    for m in t.getmembers():
        data = t.extractfile(m).read()
        f.addfile(m, io.BytesIO(data))
        if m.name.startswith("blobs/") and not flipped:
            data = bytes([data[0] ^ 1]) + data[1:]
            flipped = True
        d.addfile(m, io.BytesIO(data))
    evil = tarfile.TarInfo("../outside")
    evil.size = 1
    f.addfile(evil, io.BytesIO(b"x"))
PY
restore damaged "$TMP/damaged.tar" "$TMP/c"
check "a damaged blob is refused, naming it" '[ $s = 2 ] && grep -q "blobs/[0-9a-f]* does not hold the bytes its name is the SHA-256 of" "$TMP/err" && [ ! -e "$TMP/c" ]'
python3 - "$TMP/backup.tar" "$TMP/bad-db.tar" <<'PY'
import io, sys, tarfile
src, out = sys.argv[1:]
with tarfile.open(src) as t, tarfile.open(out, "w") as o:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name == "docgen.sqlite":
            data = data[:200] + bytes([data[200] ^ 0xFF]) + data[201:]
        o.addfile(m, io.BytesIO(data))
PY
restore bad-db "$TMP/bad-db.tar" "$TMP/c"
check "a damaged database is refused by its digest in the manifest" '[ $s = 2 ] && grep -q "docgen.sqlite does not match its SHA-256 in the manifest" "$TMP/err" && [ ! -e "$TMP/c" ]'
restore renamed "$TMP/renamed.tar" "$TMP/c"
check "a blob whose bytes are not its name's is refused, even with a manifest made to agree" \
  '[ $s = 2 ] && grep -q "does not hold the bytes its name is the SHA-256 of" "$TMP/err" && [ ! -e "$TMP/c" ]'
head -c $(($(stat -c %s "$TMP/backup.tar") / 2)) "$TMP/backup.tar" >"$TMP/short.tar"
restore short "$TMP/short.tar" "$TMP/c"
check "a backup cut short is refused" '[ $s = 2 ] && [ ! -e "$TMP/c" ]'
restore foreign "$TMP/foreign.tar" "$TMP/c"
check "a file that is not docgen's is refused" '[ $s = 2 ] && grep -q "../outside is not part of a docgen backup" "$TMP/err" && [ ! -e "$TMP/c" ] && [ ! -e "$TMP/outside" ]'
head -c 5000 /dev/urandom >"$TMP/noise"
restore noise "$TMP/noise" "$TMP/c"
check "a file that is not a backup is refused" '[ $s = 2 ] && [ ! -e "$TMP/c" ]'
check "no staging folder is left behind" '[ -z "$(ls -A "$TMP" | grep docgen-)" ]'
"$DOCGEN" backup --data "$TMP/empty" --out "$TMP/none.tar" 2>"$TMP/err"; s=$?
check "a backup of a folder without a database is refused" '[ $s = 2 ] && grep -q "there is no database" "$TMP/err" && [ ! -e "$TMP/none.tar" ]'
DOCGEN_WEBHOOK_SECRET=whsec_dGVzdC1ydW5zLXNoYXJlZC1zZWNyZXQtMTIzNDU2 "$DOCGEN" backup --database postgres://127.0.0.1:1/docgen --out "$TMP/pg.tar" 2>"$TMP/err"; s=$?
check "PostgreSQL is pointed to pg_dump" '[ $s = 2 ] && grep -q "pg_dump" "$TMP/err"'

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; tail -5 "$TMP/server.log"; exit 1; fi
echo "backup and restore: all checks passed"
