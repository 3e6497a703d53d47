#!/usr/bin/env bash
# Installs every Debian 12 package Hartslag needs to build, test and run, and
# the front end's npm packages exactly as clients/web/package-lock.json pins
# them. Idempotent: what is already there is skipped. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  python3-yaml
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libabsl-dev libre2-dev libssl-dev openssl tzdata
  libpq-dev postgresql-15 postgresql-client-15
  libgtest-dev nlohmann-json3-dev prometheus-cpp-dev golang-github-gogo-googleapis-dev
  clang-14 libclang-rt-14-dev llvm-14
  libcpp-httplib-dev
  nodejs chromium
  patroni etcd-server etcd-client
  dpkg-dev file systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs comes without npm; other builds of nodejs bring their own.
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# playwright-core, which drives Chromium in the browser tests, needs Node.js
# 20 or newer; Debian 12's own nodejs is 18.
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "warning: Node.js $(node --version) is older than 20: the browser tests (ctest -R BrowserTest) need 20" >&2
fi

# The front end's packages, again only when the lock file changed. No
# install scripts run: esbuild's binary is a package of its own.
web=$(cd "$(dirname "$0")/../clients/web" && pwd)
if ! cmp -s "$web/package-lock.json" "$web/node_modules/.hartslag-installed-lock.json"; then
  (cd "$web" && npm ci --ignore-scripts --no-audit --no-fund)
  cp "$web/package-lock.json" "$web/node_modules/.hartslag-installed-lock.json"
fi
