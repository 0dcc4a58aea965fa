# Shell helpers for tests and benchmarks that start servers on loopback.
# Source it: . "$SRC/tests/support/net.sh"

# Prints a TCP port on 127.0.0.1 that nothing listens on, chosen by the
# kernel (never a fixed range: those collide with ephemeral client ports).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [TRIES]: waits (0.1 s a try, default 100 tries) until URL
# answers with any HTTP status; returns 1 if it never does.
wait_http() {
  for _ in $(seq "${2:-100}"); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" != 000 ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_redis PORT: waits until redis-server on PORT answers PING.
wait_redis() {
  for _ in $(seq 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
