#!/usr/bin/env bash
# The main job on the built-in default: installs dependencies, builds servemeter, and runs the
# runbook's whole benchmark (`servemeter suite all all gpt-oss-20b`) for SGLang, vLLM and Ollama,
# one after another, each against its simulator started as its server (--simulate: the same
# start / health wait / stop code as a real server, no GPU needed), time-scaled, then the
# summary. Results land in ./results/. Extra arguments go to `servemeter suite`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fetch-tokenizers.sh >/dev/null || echo "demo: no tokenizer files; prompt lengths use the approximate tokenizer" >&2
scripts/build.sh release
exec build/release/servemeter suite all all gpt-oss-20b --simulate --sim-time-scale 50 --no-progress "$@"
