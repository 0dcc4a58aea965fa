#!/bin/sh
# Installs every Debian 12 package that building and testing docgen needs.
# Idempotent: packages already present are left alone. Runs as root (or via sudo).
set -eu

PACKAGES="
  build-essential cmake ninja-build ccache pkg-config git python3 jq
  nlohmann-json3-dev libyaml-cpp-dev libvalijson-dev libkainjow-mustache-dev
  libcli11-dev libspdlog-dev libssl-dev nettle-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libpango1.0-dev libcairo2-dev librsvg2-dev libre2-dev
  libqpdf-dev qpdf libpoppler-cpp-dev libpng-dev libfontconfig-dev poppler-utils fonts-liberation2 fonts-dejavu-core icc-profiles-free
  libcpp-httplib-dev libmicrohttpd-dev libsqlite3-dev sqlite3 curl wrk libhiredis-dev redis-server
  libpqxx-dev postgresql-15
  chromium
  liburiparser-dev
  libmimalloc-dev
  libsimdjson-dev
  libarchive-dev
  libsystemd-dev
  debootstrap lintian help2man dpkg-dev
  prometheus
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

# Node.js and npm run the OpenAPI lint (and the admin UI's build). A fresh
# Debian 12 gets its own nodejs (18.x) and npm; a machine that already has
# a Node.js with npm (e.g. from NodeSource) keeps it.
if ! command -v npm >/dev/null 2>&1; then
  missing="$missing nodejs npm"
fi

if [ -z "$missing" ]; then
  echo "bootstrap: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "bootstrap: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
