#!/usr/bin/env bash
# pid_alive (tools/lib/process.sh): a running process is alive; an exited
# one, and a killed one its parent has not reaped (a zombie), are not.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tools/lib/process.sh"
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Background processes write nowhere, so that ctest does not wait for them.
sleep 30 >/dev/null 2>&1 & echo $! > "$dir/running"
pid_alive "$dir/running" || fail "a running process counts as gone"

# The child exits after its parent has exec'd into sleep, which never reaps
# it. (A child that exits before the exec is reaped by bash itself, and no
# zombie appears: CI saw that race with `sleep 0`.)
bash -c 'sleep 2 & echo $! > "$1"; exec sleep 30' _ "$dir/zombie" >/dev/null 2>&1 &
for _ in $(seq 1 300); do
  [ -s "$dir/zombie" ] && [ "$(awk '/^State:/ {print $2}' "/proc/$(cat "$dir/zombie")/status" 2>/dev/null)" = Z ] && break
  sleep 0.1
done
[ "$(awk '/^State:/ {print $2}' "/proc/$(cat "$dir/zombie")/status")" = Z ] || fail "no zombie to test with"
if pid_alive "$dir/zombie"; then fail "an unreaped zombie counts as running"; fi

echo 999999999 > "$dir/gone"
if pid_alive "$dir/gone"; then fail "a pid that does not exist counts as running"; fi
pid_alive "$dir/missing-file" && fail "a missing pid file counts as running"
echo "pid_alive: ok"
