#!/usr/bin/env bash
# ctest bench.quick (label BenchQuick): tools/bench/run --quick completes and
# its last line is one JSON object with every figure. It asserts no speed: CI
# machines differ, and this only keeps the benchmark working.
#
#   bench_quick_test.sh RUN BUILD_DIR
set -euo pipefail
run=$1
export HARTSLAG_BUILD_DIR=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$run" --quick --no-build >"$out"
last=$(tail -n 1 "$out")
case $last in
  \{*\}) ;;
  *) echo "the last line is not a JSON object: $last" >&2; exit 1 ;;
esac
missing=()
for key in submit_tps pgbench_tps submit_vs_pgbench submit_p99_ms echo_tps get_tps list_tps create_action_tps \
  audit_append_eps proof_p99_ms proof_entries service_rss_mb rss_mb ready_ms submit_open_busy_pct submit_open_cpu_ms; do
  grep -q "\"$key\":[0-9{]" <<<"$last" || missing+=("$key")
done
grep -q '"submit_open_cpu_ms":{"intake":[0-9.]*,"postgres":[0-9.]*,"audit":[0-9.]*}' <<<"$last" ||
  missing+=("submit_open_cpu_ms (intake, postgres, audit; none negative)")
for service in audit directory intake cases; do
  grep -q "\"ready_ms\":{[^}]*\"$service\":[0-9]" <<<"$last" || missing+=("ready_ms.$service")
done
if ((${#missing[@]})); then
  echo "missing from the JSON line: ${missing[*]}" >&2
  echo "$last" >&2
  exit 1
fi
echo "$last"
