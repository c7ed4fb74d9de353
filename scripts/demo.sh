#!/usr/bin/env bash
# The main job on the built-in default: installs dependencies, builds servemeter, and runs the
# runbook's whole benchmark (--scenario all) for SGLang, vLLM and Ollama against their simulated
# servers, time-scaled (no GPU needed), then the summary. Results land in ./results/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fetch-tokenizers.sh >/dev/null || echo "demo: no tokenizer files; prompt lengths use the approximate tokenizer" >&2
scripts/build.sh release
exec bench/run_all.sh all all gpt-oss-20b -- --simulate --sim-time-scale 50 --no-progress "$@"
