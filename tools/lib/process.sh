# Shell functions for the scripts that start and stop Hartslag's processes.
# Source it: . "$root/tools/lib/process.sh"

# True while the process whose pid is in file $1 runs. A killed process that
# its parent has not reaped yet (a zombie) answers kill -0 but runs no more,
# so it counts as gone: a restart must not wait for the reaping.
pid_alive() {
  [ -f "$1" ] || return 1
  local pid state
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
