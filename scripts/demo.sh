#!/usr/bin/env bash
# The main job on the built-in default: installs dependencies, builds servemeter, and benchmarks
# a simulated vLLM server (no GPU needed). Results land in ./results/vllm/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/release/servemeter run --simulate --framework vllm --model llama3.1-8b \
  --input-tokens 512 --output-tokens 128 --concurrency 8 --num-requests 64 --warmup 3 \
  --trials 2 --results-dir results "$@"
