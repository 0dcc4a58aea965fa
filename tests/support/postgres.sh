# Shell helpers that run a private PostgreSQL server (Debian's postgresql-15)
# on a loopback port with its own data folder, for tests and benchmarks.
# Source it after net.sh:  . "$SRC/tests/support/postgres.sh"
# PostgreSQL refuses to run as root: as root the server runs as the
# `postgres` user that Debian's package creates.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_init DIR: creates a cluster in DIR/pgdata (user docgen, trust on loopback).
pg_init() {
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is not installed (run scripts/bootstrap.sh)"; return 1; }
  mkdir -p "$1/pgdata"
  [ "$(id -u)" = 0 ] && chown -R postgres "$1"
  pg_as_owner "$PG_BIN/initdb" -D "$1/pgdata" -U docgen --auth=trust -E UTF8 --no-sync >"$1/initdb.log" 2>&1 ||
    { cat "$1/initdb.log"; return 1; }
}

# pg_start DIR PORT [EXTRA_OPTIONS]: starts the server and waits until it accepts connections.
pg_start() {
  pg_as_owner "$PG_BIN/pg_ctl" -D "$1/pgdata" -l "$1/postgres.log" -w -t 60 \
    -o "-p $2 -c listen_addresses=127.0.0.1 -k $1 -c max_connections=200 ${3:-}" start >/dev/null ||
    { cat "$1/postgres.log"; return 1; }
}

# pg_stop DIR [MODE]: stops the server (fast by default; immediate is a crash).
pg_stop() {
  pg_as_owner "$PG_BIN/pg_ctl" -D "$1/pgdata" -m "${2:-fast}" -w -t 60 stop >/dev/null 2>&1
}

# pg_url PORT: the URL docgen connects with.
pg_url() {
  echo "postgresql://docgen@127.0.0.1:$1/postgres"
}
