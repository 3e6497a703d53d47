#!/usr/bin/env bash
# Builds everything (warnings are errors) and runs every test with ctest. The
# tests start their own throwaway PostgreSQL cluster; nothing needs to run
# beforehand.
#
#   tools/test.sh [--sanitize | --tsan] [--fuzz SECONDS] [extra ctest arguments]
#
#   (default)      the whole suite in build/ (what CI runs); it replays each fuzz
#                  target's corpus (fuzz_replay.*) but does not fuzz
#   --sanitize     the whole suite built with AddressSanitizer and UBSan, in build-asan/
#   --tsan         the tests that run threads (worker pool, RPC runner, periodic tasks, doorbell, stream
#                  limit, database pool, outbox relays, action streams, exactly-once creates, the
#                  audit pipeline) built with ThreadSanitizer, in build-tsan/
#   --fuzz N       afterwards, fuzz each libFuzzer target N seconds (tools/fuzz.sh: a
#                  clang build of its own, some 5 minutes before the first run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HARTSLAG_BUILD_DIR:-$root/build}
# The benchmarks are built too, and their quick run is a test (bench.quick,
# label BenchQuick), so that they keep working.
options=(-DHARTSLAG_WERROR=ON -DHARTSLAG_BENCHMARKS=ON)
ctest_args=()
fuzz_seconds=0
while (($#)); do
  case $1 in
    --sanitize)
      build=${HARTSLAG_BUILD_DIR:-$root/build-asan}; options+=(-DHARTSLAG_SANITIZE=ON -DHARTSLAG_BENCHMARKS=OFF); shift ;;
    --tsan)
      build=${HARTSLAG_BUILD_DIR:-$root/build-tsan}; options+=(-DHARTSLAG_TSAN=ON -DHARTSLAG_BENCHMARKS=OFF)
      ctest_args+=(-R "WorkerPool|RpcRunner|GroupCommit|AppendOrder|Doorbell|StreamLimit|PeriodicTask|ForgetOldAnswers|ExactlyOnce|Migrations|AuditStore|SignalIntake|Watch|AuditEndToEnd|Triage")
      shift ;;
    --fuzz) fuzz_seconds=$2; shift 2 ;;
    *) ctest_args+=("$1"); shift ;;
  esac
done

bash "$root/tools/install-deps.sh"
start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja "${options[@]}"
cmake --build "$build"
built=$(date +%s)
cd "$build"
# Sanitizer findings fail the test that meets them; gRPC and libpq are not
# instrumented, so their internals are left out of ThreadSanitizer's reports.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tools/lsan.supp}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tools/tsan.supp}
ctest -j2 --output-on-failure --timeout 900 "${ctest_args[@]}"
echo "build: $((built - start)) s, tests: $(($(date +%s) - built)) s"
if ((fuzz_seconds > 0)); then
  fuzz_start=$(date +%s)
  bash "$root/tools/fuzz.sh" --seconds "$fuzz_seconds"
  echo "fuzz (build and run): $(($(date +%s) - fuzz_start)) s"
fi
