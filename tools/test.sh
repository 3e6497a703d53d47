#!/usr/bin/env bash
# Builds everything (warnings are errors) and runs every test with ctest. The
# tests start their own throwaway PostgreSQL cluster; nothing needs to run
# beforehand. Usage: tools/test.sh [extra ctest arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HARTSLAG_BUILD_DIR:-$root/build}

bash "$root/tools/install-deps.sh"
start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja -DHARTSLAG_WERROR=ON
cmake --build "$build"
built=$(date +%s)
cd "$build"
ctest -j2 --output-on-failure --timeout 600 "$@"
echo "build: $((built - start)) s, tests: $(($(date +%s) - built)) s"
