#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-14 and runs each one for
# a while on its seed corpus; stops at the first crash with a non-zero exit.
# Installs nothing: it needs the clang-14 and libclang-rt-14-dev packages
# (and llvm-14 for symbolized stack traces) besides what
# tools/install-deps.sh installs.
#
# Usage: tools/fuzz.sh [--seconds N] [--grow] [--jobs N] [target...]
#   --seconds N  run each target N seconds (default 20)
#   --grow       fuzz in tests/fuzz/corpus/<target>/ itself, keeping the new
#                inputs libFuzzer finds; without it each run works on a copy
#   --jobs N     ninja's parallel jobs (default: ninja's own choice)
#   target...    names such as token or merkle (default: every target)
# HARTSLAG_FUZZ_BUILD_DIR overrides the build directory (default build-fuzz).
# A crashing input is written to <build>/fuzz-artifacts/<target>/ and each
# run's output to <build>/fuzz-logs/<target>.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HARTSLAG_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=20
grow=false
jobs=()
targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --grow) grow=true; shift ;;
    --jobs) jobs=(-j "$2"); shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for source in "$root"/tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" .cc)
    targets+=("${name%_fuzz}")
  done
fi

CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DHARTSLAG_FUZZ=ON \
  -DHARTSLAG_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" "${jobs[@]}" "${targets[@]/%/_fuzz}"

# UBSan only reports by default; make undefined behaviour a crash too.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Stack traces name files and lines when llvm-symbolizer is found (llvm-14).
export PATH=$PATH:/usr/lib/llvm-14/bin
mkdir -p "$build/fuzz-logs"
work=$(mktemp -d "$build/fuzz-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
for target in "${targets[@]}"; do
  seeds=$root/tests/fuzz/corpus/$target
  if [[ ! -d $seeds ]]; then
    echo "fuzz.sh: no corpus directory $seeds" >&2
    exit 2
  fi
  if $grow; then
    corpus=$seeds
  else
    corpus=$work/$target
    cp -r "$seeds" "$corpus"
  fi
  artifacts=$build/fuzz-artifacts/$target
  mkdir -p "$artifacts"
  log=$build/fuzz-logs/$target.log
  start=$(date +%s)
  result=ok
  "$build/tests/fuzz/${target}_fuzz" "$corpus" -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    >"$log" 2>&1 || result=crash
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  printf '%-16s runs %-10s seconds %-5s %s\n' "$target" "${runs:-?}" "$elapsed" "$result"
  if [[ $result == crash ]]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" >&2 || true
    echo "fuzz.sh: $target crashed; full output in $log" >&2
    status=1
    break
  fi
done
exit $status
