#!/bin/sh
# docgen doctor (issue 17): a sound installation passes every check; each
# problem an operator can make is found and said in words with what to do
# (a data folder others can read, a catalog that does not lint or asks for
# a font this machine lacks, a database behind or ahead of this docgen, an
# unreachable PostgreSQL); and the doctor changes nothing.
# Usage: doctor_test.sh DOCGEN SOURCE_DIR   (under tests/with_postgres.sh: DOCGEN_TEST_POSTGRES)
set -u
DOCGEN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # absolute: one check runs from another folder
SRC=$2
TMP=$(mktemp -d)
. "$SRC/tests/support/net.sh"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
failures=0
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; sed 's/^/  /' "$TMP/out" | head -20; failures=$((failures + 1)); }
# Runs the doctor; $? is its exit status, its output in $TMP/out.
doctor() { "$DOCGEN" doctor "$@" >"$TMP/out" 2>&1; }
# The applied migrations of a SQLite file, read with Python's sqlite3.
migrations() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT MAX(version) FROM schema_migrations').fetchone()[0])" "$1"; }

DATA=$TMP/data
CATALOG=$SRC/examples/acme-cyber
# Shared databases need one webhook key for every process.
DOCGEN_WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
export DOCGEN_WEBHOOK_SECRET

# 1. Before anything ran: the folder and the database are yet to come, but
#    no caller could sign in.
doctor --data "$DATA" --catalog "$CATALOG"
[ $? -eq 3 ] && grep -q "^ok       data folder $DATA: does not exist yet: docgen serve creates it" "$TMP/out" &&
  grep -q "^ok       database $DATA/docgen.sqlite: not created yet" "$TMP/out" &&
  grep -q "^PROBLEM  token file $DATA/tokens.json: does not exist: no caller can be authenticated (docgen token create --data $DATA)" "$TMP/out" &&
  grep -q "^1 problem found" "$TMP/out" && [ ! -e "$DATA" ] &&
  ok "an empty installation: only the missing token file is a problem, and nothing is created" || fail "empty installation"

# A relative data folder not there yet: the free space is read where it will be.
(cd "$TMP" && "$DOCGEN" doctor --data not-yet >"$TMP/out" 2>&1)
grep -q "^ok       disk space: .* GiB free .* at $TMP" "$TMP/out" && ok "a relative data folder not there yet: disk space read at its parent" || fail "relative data folder"

# 2. With a token (which creates the folder and the database): every check passes.
"$DOCGEN" token create --role admin --subject ops --data "$DATA" >/dev/null 2>&1
DB=$DATA/docgen.sqlite
KNOWN=$(migrations "$DB")
doctor --data "$DATA" --catalog "$CATALOG"
[ $? -eq 0 ] && grep -q "^no problems found" "$TMP/out" &&
  grep -q "^ok       data folder .*private (mode 0700)" "$TMP/out" && grep -q "^ok       catalog .*lints clean" "$TMP/out" &&
  grep -q "^ok       fonts: every font" "$TMP/out" && grep -q "^ok       colour profile: .*sRGB.icc" "$TMP/out" && grep -q "^ok       token file .*private" "$TMP/out" &&
  grep -q "^ok       disk space: .* GiB free" "$TMP/out" &&
  grep -q "^ok       database $DB: reachable, at migration $KNOWN of the $KNOWN this docgen knows" "$TMP/out" &&
  ok "an installation in use passes every check (database at migration $KNOWN of $KNOWN)" || fail "installation in use"

# 3. A database behind this docgen (an upgrade not started yet) is said, and left as it is.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM schema_migrations WHERE version = ?', (int(sys.argv[2]),)); c.commit()" "$DB" "$KNOWN"
doctor --data "$DATA"
[ $? -eq 3 ] && grep -q "^PROBLEM  database .*at migration $((KNOWN - 1)) of the $KNOWN this docgen knows: docgen serve migrates it when it starts (back it up first)" "$TMP/out" &&
  [ "$(migrations "$DB")" = "$((KNOWN - 1))" ] && ok "a database one migration behind is a problem, and the doctor does not migrate it" || fail "database behind"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('INSERT INTO schema_migrations VALUES (?), (?)', (int(sys.argv[2]), int(sys.argv[2]) + 1)); c.commit()" "$DB" "$KNOWN"
doctor --data "$DATA"
[ $? -eq 3 ] && grep -q "^PROBLEM  database .*made by a newer docgen; upgrade docgen" "$TMP/out" && ok "a database of a newer docgen is a problem" || fail "database ahead"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM schema_migrations WHERE version > ?', (int(sys.argv[2]),)); c.commit()" "$DB" "$KNOWN"

# 4. A data folder other users can read.
chmod 755 "$DATA"
doctor --data "$DATA"
[ $? -eq 3 ] && grep -q "^PROBLEM  data folder $DATA: can be read by other users (mode 0755); it holds policies and tokens: chmod 700 $DATA" "$TMP/out" &&
  grep -q "^1 problem found" "$TMP/out" && ok "a data folder others can read is a problem, with the chmod to fix it" || fail "data folder mode"
chmod 700 "$DATA"

# 5. A catalog that asks for a font this machine lacks, and one that does not lint.
cp -r "$CATALOG" "$TMP/fonts"
sed -i 's/family: Liberation Serif/family: No Such Font Family/' "$TMP/fonts/catalog.yaml"
doctor --data "$DATA" --catalog "$TMP/fonts"
[ $? -eq 3 ] && grep -q '^PROBLEM  font "No Such Font Family": is not installed, and templates/.* use it: their documents fail with missing_font' "$TMP/out" &&
  ok "a font the templates use but the machine lacks is a problem, naming the templates" || fail "missing font"
cp -r "$CATALOG" "$TMP/broken"
printf 'not: [valid\n' >>"$TMP/broken/catalog.yaml"
doctor --data "$DATA" --catalog "$TMP/broken"
[ $? -eq 3 ] && grep -q "^PROBLEM  catalog $TMP/broken: .*lint error(s), the first: catalog.yaml:[0-9]*: .*(docgen catalog lint $TMP/broken lists them all)" "$TMP/out" &&
  ok "a catalog with lint errors is a problem, with the first error's file and line" || fail "catalog lint"

# 6. Settings the doctor cannot use are refused like docgen serve refuses them.
doctor --data "$DATA" --workers nine
[ $? -eq 2 ] && grep -q "workers" "$TMP/out" && ok "invalid settings exit 2, naming the setting" || fail "invalid settings"

# 7. PostgreSQL: unreachable, then a real one before and after docgen worker migrated it.
DEAD=$(free_port)
doctor --data "$DATA" --database "postgres://docgen@127.0.0.1:$DEAD/docgen"
[ $? -eq 3 ] && grep -q "^PROBLEM  database PostgreSQL: cannot be read: .*" "$TMP/out" && ok "an unreachable PostgreSQL is a problem" || fail "unreachable PostgreSQL"
if [ -n "${DOCGEN_TEST_POSTGRES:-}" ]; then
  doctor --data "$DATA" --database "$DOCGEN_TEST_POSTGRES"
  grep -q "^PROBLEM  database PostgreSQL: at migration 0 of the $KNOWN this docgen knows: docgen serve migrates it" "$TMP/out" &&
    ok "an empty PostgreSQL database is at migration 0" || fail "empty PostgreSQL"
  PORT=$(free_port)
  "$DOCGEN" worker --listen "127.0.0.1:$PORT" --data "$DATA" --database "$DOCGEN_TEST_POSTGRES" >/dev/null 2>"$TMP/log" &
  PID=$!
  wait_http "http://127.0.0.1:$PORT/healthz" 300 || { cp "$TMP/log" "$TMP/out"; fail "docgen worker did not answer /healthz within 30 s"; }
  kill $PID; wait $PID 2>/dev/null; PID=""
  doctor --data "$DATA" --database "$DOCGEN_TEST_POSTGRES"
  grep -q "^ok       database PostgreSQL: reachable, at migration $KNOWN of the $KNOWN this docgen knows" "$TMP/out" &&
    ok "a migrated PostgreSQL database is reachable and at migration $KNOWN" || fail "migrated PostgreSQL"
fi

[ $failures -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "all doctor checks passed"
