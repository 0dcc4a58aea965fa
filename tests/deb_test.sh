#!/bin/sh
# The Debian package (issue 17), as an operator meets it: lintian finds no
# error; on a fresh Debian 12 root (debootstrap) `apt-get install ./docgen.deb`
# brings its dependencies, makes the docgen user, /etc/docgen/docgen.yaml (a
# conffile, 0640) and /var/lib/docgen (0700); `docgen serve`, started as the
# docgen user the way docgen.service starts it, renders a package through the
# API and serves the admin UI; `docgen doctor` is content; a backup taken
# while it runs restores into a new folder that serves the same job; an
# upgrade to a rebuilt package with a higher version keeps the data and the
# edited config; a purge leaves nothing of docgen behind.
# Usage (as root): deb_test.sh BUILD_DIR SOURCE_DIR
# DOCGEN_DEB_ROOT_CACHE=FILE.tar keeps the fresh root between runs.
set -u
BUILD=$(realpath "$1")
SRC=$(realpath "$2")
if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null; then
  echo "SKIP: needs root and debootstrap (scripts/bootstrap.sh installs it)"
  exit 77
fi
# In a mount namespace of its own: the root's /proc and /dev mounts end with
# the test even when it is killed (the host's /dev must never stay bound
# inside a folder that is later removed).
if [ -z "${DOCGEN_DEB_TEST_UNSHARED:-}" ]; then
  DOCGEN_DEB_TEST_UNSHARED=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
TMP=$(mktemp -d /var/tmp/docgen-deb-test.XXXXXX)
ROOT=$TMP/root
PIDS=""
. "$SRC/tests/support/net.sh"
. "$SRC/tests/support/checks.sh"
cleanup() {
  for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
  for m in "$ROOT/proc" "$ROOT/dev"; do mountpoint -q "$m" && umount -l "$m"; done
  rm -rf --one-file-system "$TMP"
}
trap cleanup EXIT
trap 'exit 143' INT TERM
in_root() { chroot "$ROOT" "$@"; }
as_docgen() { chroot --userspec=docgen:docgen "$ROOT" "$@"; }
die() { echo "FAIL: $*"; exit 1; }

# 1. Two packages from this build: this version and a higher one (the upgrade).
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
cpack --config "$BUILD/CPackConfig.cmake" -B "$TMP/v1" >"$TMP/cpack.log" 2>&1 || { cat "$TMP/cpack.log"; die "cpack"; }
cpack --config "$BUILD/CPackConfig.cmake" -B "$TMP/v2" -D CPACK_PACKAGE_VERSION="$version.1" >>"$TMP/cpack.log" 2>&1 ||
  { cat "$TMP/cpack.log"; die "cpack of the higher version"; }
DEB1=$(ls "$TMP"/v1/docgen_*.deb)
DEB2=$(ls "$TMP"/v2/docgen_*.deb)
ok "built $(basename "$DEB1") and $(basename "$DEB2")"

lintian --fail-on error,warning "$DEB1" >"$TMP/lintian.log" 2>&1
check "lintian finds no error and no warning" '[ $? = 0 ] && ! grep -q "^E:" "$TMP/lintian.log"'
sed 's/^/  lintian: /' "$TMP/lintian.log"
check "Depends names the shared libraries dpkg-shlibdeps found, and the fonts" \
  'dpkg-deb -f "$DEB1" Depends | grep -q "libpoppler-cpp" && dpkg-deb -f "$DEB1" Depends | grep -q "fonts-liberation2"'

# 2. A fresh Debian 12 root, with the host's apt sources (same mirror).
if [ -n "${DOCGEN_DEB_ROOT_CACHE:-}" ] && [ -f "$DOCGEN_DEB_ROOT_CACHE" ]; then
  mkdir "$ROOT" && tar -C "$ROOT" -xf "$DOCGEN_DEB_ROOT_CACHE" || die "unpacking $DOCGEN_DEB_ROOT_CACHE"
else
  # The host's mirrors (this machine's apt may reach only those), Debian 12's suites.
  mirror=$(sed -n 's|^URIs: \(http[^ ]*/debian\)/*$|\1|p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  security=$(sed -n 's|^URIs: \(http[^ ]*/debian-security\)/*$|\1|p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  debootstrap --variant=minbase bookworm "$ROOT" "$mirror" >"$TMP/debootstrap.log" 2>&1 ||
    { tail -20 "$TMP/debootstrap.log"; die "debootstrap"; }
  rm -f "$ROOT/etc/apt/sources.list"
  cat >"$ROOT/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security:-http://deb.debian.org/debian-security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  [ -n "${DOCGEN_DEB_ROOT_CACHE:-}" ] && tar -C "$ROOT" -cf "$DOCGEN_DEB_ROOT_CACHE" .
fi
mount -t proc proc "$ROOT/proc" && mount --bind /dev "$ROOT/dev" || die "mounting /proc and /dev in the root"
case $(cat "$ROOT/etc/debian_version") in 12.*) ok "a fresh Debian $(cat "$ROOT/etc/debian_version") root" ;; *) die "the root is not Debian 12" ;; esac

# 3. Install.
cp "$DEB1" "$DEB2" "$ROOT/tmp/"
in_root apt-get update -q >"$TMP/apt.log" 2>&1 || { tail "$TMP/apt.log"; die "apt-get update in the root"; }
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB1")" >>"$TMP/apt.log" 2>&1
check "apt-get install ./docgen.deb installs it with its dependencies" '[ $? = 0 ]' || { tail -20 "$TMP/apt.log"; exit 1; }
check "a docgen system user and group" '[ "$(in_root id -u docgen)" -lt 1000 ] && in_root getent group docgen >/dev/null'
owner() { stat -c "%u:%g %a" "$ROOT$1"; }  # numeric: the host's names are not the root's
DOCGEN_IDS="$(in_root id -u docgen):$(in_root id -g docgen)"
[ "$DOCGEN_IDS" != ":" ] || die "no docgen user in the root"
check "/var/lib/docgen is docgen's, mode 0700" '[ "$(owner /var/lib/docgen)" = "$DOCGEN_IDS 700" ]'
check "/etc/docgen/docgen.yaml is a conffile, root:docgen 0640" \
  'in_root dpkg-query -W -f="\${Conffiles}" docgen | grep -q /etc/docgen/docgen.yaml && [ "$(owner /etc/docgen/docgen.yaml)" = "0:${DOCGEN_IDS#*:} 640" ]'
check "man pages for docgen and its commands" '[ -f "$ROOT/usr/share/man/man1/docgen.1.gz" ] && [ -f "$ROOT/usr/share/man/man1/docgen-serve.1.gz" ] && [ -f "$ROOT/usr/share/man/man1/docgen-catalog-lint.1.gz" ]'
check "the units are installed and docgen.service is enabled" \
  '[ -f "$ROOT/lib/systemd/system/docgen-worker@.service" ] && [ -L "$ROOT/etc/systemd/system/multi-user.target.wants/docgen.service" ]'

# 4. Serve as docgen.service does: its ExecStart, as docgen, with its UMask.
exec_start=$(sed -n 's/^ExecStart=//p' "$ROOT/lib/systemd/system/docgen.service")
umask_value=$(sed -n 's/^UMask=//p' "$ROOT/lib/systemd/system/docgen.service")
serve() {  # serve PORT [DATA]: starts ExecStart (its --data replaced by DATA) in the background
  port=$1
  command=$(echo "$exec_start" | sed "s|--data /var/lib/docgen|--data ${2:-/var/lib/docgen}|")
  chroot --userspec=docgen:docgen "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin DOCGEN_LISTEN="127.0.0.1:$port" \
    /bin/sh -c "umask $umask_value; exec $command" >>"$TMP/serve.log" 2>&1 &
  PIDS="$PIDS $!"
  SERVE_PID=$!
  wait_http "http://127.0.0.1:$port/readyz" 300
}
stop() { kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; }
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
TOKEN=$(as_docgen /usr/bin/docgen token create --role generator --subject deb-test --data /var/lib/docgen 2>>"$TMP/serve.log")
serve "$PORT" || { tail "$TMP/serve.log"; die "docgen serve did not answer"; }
check "docgen serve answers /readyz" 'curl -sf "$URL/readyz" >/dev/null'
check "the admin UI is served from /usr/share/docgen/web" 'curl -sf "$URL/ui/" | grep -q "<div id=\"root\">"'
JOB=$(printf '{"quote": %s}' "$(cat "$ROOT/usr/share/docgen/examples/quotes/renewal-copy.json")" |
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Idempotency-Key: deb-test-1' --data @- "$URL/v1/jobs" | jq -r .id)
job_state() { curl -s -H "Authorization: Bearer $TOKEN" "$1/v1/jobs/$JOB" | jq -r .status; }
for _ in $(seq 300); do [ "$(job_state "$URL")" = succeeded ] && break; sleep 0.1; done
check "a job renders the example quote's package" '[ "$(job_state "$URL")" = succeeded ]'
package_pdf() {  # package_pdf URL: the job's package.pdf starts like a PDF
  curl -s -H "Authorization: Bearer $TOKEN" "$1/v1/jobs/$JOB/package.pdf" | head -c 5 | grep -q '%PDF-'
}
check "its package.pdf downloads" 'package_pdf "$URL"'
others=$(find "$ROOT/var/lib/docgen" -mindepth 1 \( ! -uid "${DOCGEN_IDS%:*}" -o -perm /077 \) -print) || die "find in /var/lib/docgen"
check "the database and blobs are docgen's only" '[ -z "$others" ] && [ -f "$ROOT/var/lib/docgen/docgen.sqlite" ]' || echo "$others"
as_docgen /usr/bin/docgen doctor --config /etc/docgen/docgen.yaml --data /var/lib/docgen >"$TMP/doctor.log" 2>&1
check "docgen doctor finds nothing wrong" '[ $? = 0 ]' || cat "$TMP/doctor.log"

# 5. Backup while it runs; restore into a new folder, which serves the job.
as_docgen /usr/bin/docgen backup --data /var/lib/docgen --out /tmp/docgen.backup >"$TMP/backup.log" 2>&1
check "docgen backup while docgen serve runs" '[ $? = 0 ] && [ -s "$ROOT/tmp/docgen.backup" ]' || cat "$TMP/backup.log"
stop
as_docgen /usr/bin/docgen restore /tmp/docgen.backup --data /tmp/restored >>"$TMP/backup.log" 2>&1
check "docgen restore into a new folder" '[ $? = 0 ]' || cat "$TMP/backup.log"
PORT2=$(free_port)
serve "$PORT2" /tmp/restored || die "docgen serve on the restored folder did not answer"
check "the restored folder serves the job and its PDF" '[ "$(job_state "http://127.0.0.1:$PORT2")" = succeeded ] && package_pdf "http://127.0.0.1:$PORT2"'
stop

# 6. Upgrade to the higher version: the edited conffile and the data stay.
sed -i 's/^workers: 2$/workers: 3  # edited by the operator/' "$ROOT/etc/docgen/docgen.yaml"
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "/tmp/$(basename "$DEB2")" >>"$TMP/apt.log" 2>&1
check "the upgrade to $version.1 installs" '[ $? = 0 ] && [ "$(in_root dpkg-query -W -f="\${Version}" docgen)" = "$version.1-1" ]' || tail "$TMP/apt.log"
check "the operator's edit of docgen.yaml is kept" 'grep -q "edited by the operator" "$ROOT/etc/docgen/docgen.yaml"'
check "its mode too" '[ "$(owner /etc/docgen/docgen.yaml)" = "0:${DOCGEN_IDS#*:} 640" ]'
serve "$PORT" || die "docgen serve after the upgrade did not answer"
check "after the upgrade the job and its PDF are still there" '[ "$(job_state "$URL")" = succeeded ] && package_pdf "$URL"'
stop

# 7. Purge: nothing of docgen is left, a worker an operator enabled included.
uid=${DOCGEN_IDS%:*}
gid=${DOCGEN_IDS#*:}
mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants"
ln -s /lib/systemd/system/docgen-worker@.service "$ROOT/etc/systemd/system/multi-user.target.wants/docgen-worker@1.service"
DEBIAN_FRONTEND=noninteractive in_root apt-get purge -y -q docgen >>"$TMP/apt.log" 2>&1
check "apt-get purge docgen" '[ $? = 0 ]' || tail "$TMP/apt.log"
left=$(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/log -o -path ./var/lib/apt -o -path ./var/cache \) -prune -o \
  \( -name '*docgen*' -o -uid "$uid" -o -gid "$gid" \) -print) || die "find in the root after the purge"
check "no file named docgen, or owned by its user, is left" '[ -z "$left" ]' || echo "$left"
check "no docgen user or group is left" '! in_root getent passwd docgen >/dev/null && ! in_root getent group docgen >/dev/null'
check "no statoverride is left" '[ -z "$(in_root dpkg-statoverride --list | grep docgen)" ]'

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; tail -20 "$TMP/serve.log"; exit 1; fi
echo "deb: all checks passed"
