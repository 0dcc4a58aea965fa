#!/bin/sh
# Runs a command with a private Redis server on a loopback port (Debian's
# redis-server, no persistence), exported as DOCGEN_TEST_REDIS; stops it after.
# Usage: with_redis.sh COMMAND [ARGS...]
set -u
. "$(dirname "$0")/support/net.sh"
PORT=$(free_port)
DIR=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --daemonize no >"$DIR/redis.log" 2>&1 &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; wait $REDIS 2>/dev/null; rm -rf "$DIR"' EXIT
trap 'exit 143' INT TERM  # the EXIT trap then stops the servers
wait_redis "$PORT" || { echo "redis-server did not start"; cat "$DIR/redis.log"; exit 1; }
DOCGEN_TEST_REDIS="redis://127.0.0.1:$PORT" "$@"
