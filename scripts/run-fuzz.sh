#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang++, AddressSanitizer + UBSan) and runs each
# one: first its regression inputs (fuzz/regressions/<target>/, each must pass), then fuzzing for
# the given time from its seed corpus (fuzz/corpus/<target>/, read only: new inputs go to a
# temporary corpus) with its dictionary. Prints the executions per target; fails if any target
# crashed, leaked, timed out or ran out of memory, naming the reproducer file.
# The mutation seed is fixed (SERVEMETER_FUZZ_SEED, default 1), so a run explores the same inputs
# in the same order each time: CI fails on a finding in the code, not on the luck of the draw.
# A longer campaign (more seconds, other seeds) is how new inputs are looked for.
# Usage: scripts/run-fuzz.sh [seconds-per-target]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
jobs="$(nproc 2>/dev/null || echo 2)"

echo "=== fuzz: build ==="
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs" --target fuzz_targets

bin_dir=build/fuzz/fuzz
artifacts="$(pwd)/build/fuzz/artifacts"
work="$(mktemp -d "${TMPDIR:-/tmp}/servemeter-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
total=0
report_failure() {  # target, log
  echo "run-fuzz: $1 FAILED; the end of its log ($2):" >&2
  tail -n 60 "$2" >&2
  # Fuzzing writes the input to a file; a regression input is the last one it was running.
  local unit
  unit="$(sed -n 's/.*Test unit written to //p; s/^Running: //p' "$2" | tail -n 1)"
  if [ -n "$unit" ]; then
    echo "run-fuzz: reproducer: $unit (run: $bin_dir/$1 $unit)" >&2
  fi
  failed+=("$1")
}

while read -r name max_len dict; do
  [ -n "$name" ] || continue
  exe="$bin_dir/$name"
  mkdir -p "$artifacts/$name" "$work/$name"
  common=(-rss_limit_mb=2048 -timeout=10 "-artifact_prefix=$artifacts/$name/")

  regressions=()
  if [ -d "fuzz/regressions/$name" ]; then
    while IFS= read -r -d '' file; do regressions+=("$file"); done \
      < <(find "fuzz/regressions/$name" -type f ! -name '*.md' -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    log="$work/$name.regressions.log"
    if ! nice -n 10 "$exe" "${common[@]}" "${regressions[@]}" >"$log" 2>&1; then
      report_failure "$name" "$log"
      continue
    fi
  fi

  options=("${common[@]}" "-max_len=$max_len" "-max_total_time=$seconds" -print_final_stats=1
    "-seed=${SERVEMETER_FUZZ_SEED:-1}")
  if [ "$dict" != "-" ]; then options+=("-dict=fuzz/dicts/$dict"); fi
  corpus=()
  if [ -d "fuzz/corpus/$name" ]; then corpus=("fuzz/corpus/$name"); fi
  log="$work/$name.log"
  # The first corpus folder receives the new inputs; the committed seeds are only read.
  if nice -n 10 "$exe" "${options[@]}" "$work/$name" "${corpus[@]}" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
  fi
  executions="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' |
    tail -n 1)"
  total=$((total + ${executions:-0}))
  printf 'run-fuzz: %-22s %-6s %12s executions in %s s (%d regression inputs)\n' "$name" \
    "$status" "${executions:-?}" "$seconds" "${#regressions[@]}"
  if [ "$status" != ok ]; then report_failure "$name" "$log"; fi
done <"$bin_dir/targets.txt"

echo "run-fuzz: $total executions in total"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzz: failed: ${failed[*]} (reproducers named above)" >&2
  exit 1
fi
