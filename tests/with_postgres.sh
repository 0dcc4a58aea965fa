#!/bin/sh
# Runs a command with a private PostgreSQL server on a loopback port and its
# own data folder, exported as DOCGEN_TEST_POSTGRES; stops and removes it after.
# Usage: with_postgres.sh COMMAND [ARGS...]
set -u
HERE=$(dirname "$0")
. "$HERE/support/net.sh"
. "$HERE/support/postgres.sh"
DIR=$(mktemp -d)
PORT=$(free_port)
trap 'pg_stop "$DIR" immediate; rm -rf "$DIR"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
pg_init "$DIR" || exit 1
pg_start "$DIR" "$PORT" "-c fsync=off" || exit 1
DOCGEN_TEST_POSTGRES=$(pg_url "$PORT") "$@"
