#!/usr/bin/env bash
# Installs every Debian 12 package Hartslag needs to build, test and run.
# Idempotent: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libabsl-dev libre2-dev libssl-dev openssl tzdata
  libpq-dev postgresql-15 postgresql-client-15
  libgtest-dev nlohmann-json3-dev prometheus-cpp-dev golang-github-gogo-googleapis-dev
  clang-14 libclang-rt-14-dev llvm-14
  libcpp-httplib-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
