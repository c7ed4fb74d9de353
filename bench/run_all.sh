#!/usr/bin/env bash
# The runbook's wrapper, kept: benchmark frameworks one after another against servers that are
# already running on their ports, then write the summary. (`servemeter suite ... --attach` does
# the same in one process; `servemeter suite` without --attach also starts and stops them.)
#
#   bench/run_all.sh [framework] [scenario] [model] [-- extra servemeter run flags]
#
#   framework  all (= sglang, vllm, ollama, in that order) | sglang | vllm | ollama | llamacpp |
#              a comma list                                             (default: all)
#   scenario   all | single | concurrent | long_context | prefix_cache | korean | a comma list
#                                                                       (default: all)
#   model      gpt-oss-20b | llama3.1-8b | any model id                 (default: gpt-oss-20b)
#
# BENCH_TRIALS=N repeats every cell N times (mean ± std). RESULTS_DIR (default: results) is where
# the files go. Flags after `--` go to every `servemeter run`, e.g. `-- --simulate` to run
# against simulated servers instead of real ones.
set -uo pipefail
cd "$(dirname "$0")/.."

framework="${1:-all}"
scenario="${2:-all}"
model="${3:-gpt-oss-20b}"
shift $(( $# < 3 ? $# : 3 ))
if [ "${1:-}" = "--" ]; then shift; fi
results="${RESULTS_DIR:-results}"
servemeter="${SERVEMETER:-build/release/servemeter}"
if [ ! -x "$servemeter" ]; then
  echo "run_all: $servemeter is not built; run scripts/build.sh first" >&2
  exit 2
fi

if [ "$framework" = "all" ]; then
  frameworks=(sglang vllm ollama)
else
  IFS=',' read -r -a frameworks <<<"$framework"
fi

status=0
for fw in "${frameworks[@]}"; do
  echo "=== $fw: scenario $scenario, model $model${BENCH_TRIALS:+, $BENCH_TRIALS trials} ==="
  "$servemeter" run --framework "$fw" --scenario "$scenario" --model "$model" \
    --results-dir "$results" "$@"
  code=$?
  if [ $code -ne 0 ]; then
    echo "run_all: $fw ended with exit code $code (see the message above); going on" >&2
    status=$code
  fi
done

"$servemeter" analyze --results-dir "$results" || status=$?
echo "results: $results/ (per framework: $results/<framework>/; summary: $results/summary/)"
exit $status
