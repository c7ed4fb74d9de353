#!/usr/bin/env bash
# Build a real llama.cpp `llama-server` (CPU, Release) and a tiny random-weight Llama 3 model
# for servemeter's tests, from a pinned registry package. Idempotent: a second run takes seconds.
#
# Source: the npm package node-llama-cpp ships llama.cpp as a git bundle
# (llama/gitRelease.bundle). The package is fetched with `npm pack` (its dependencies are not
# installed), the bundle is cloned, and only the llama-server target is built, with every
# build-time download off. The model is written locally by make_tiny_llama.py from the
# vocabulary file in the llama.cpp source; no weights are downloaded.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/servemeter/llama-cpp/<package-version>/
#   bin/llama-server, models/tiny-llama3.gguf, build.log, env, src/ (llama.cpp checkout)
#
# Output on success (stdout, exit 0), also written to <cache>/env:
#   LLAMA_SERVER_BIN=<path>
#   LLAMA_MODEL=<path>
# (<cache>/env has informational keys after these two.)
# On failure: one line `llama-server unavailable: <reason>` on stderr, exit 3.
#
# Environment:
#   SERVEMETER_LLAMA_PKG_VERSION  node-llama-cpp version (default: the pinned one below)
#   SERVEMETER_LLAMA_JOBS         parallel build jobs (default 2)
#   SERVEMETER_LLAMA_NATIVE=1     build for this CPU (-DGGML_NATIVE=ON) instead of portable
#   SERVEMETER_LLAMA_NO_APT=1     never run apt-get
#   SERVEMETER_PYTHON             python with numpy (default /usr/bin/python3, else python3)
set -euo pipefail

# Pinned: node-llama-cpp 3.22.1 carries llama.cpp tag v0.5.0, commit below.
readonly DEFAULT_PKG_VERSION=3.22.1
readonly DEFAULT_PKG_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6

PKG_VERSION="${SERVEMETER_LLAMA_PKG_VERSION:-$DEFAULT_PKG_VERSION}"
JOBS="${SERVEMETER_LLAMA_JOBS:-2}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/servemeter/llama-cpp/${PKG_VERSION}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GENERATOR="$SCRIPT_DIR/make_tiny_llama.py"
BIN="$CACHE/bin/llama-server"
MODEL="$CACHE/models/tiny-llama3.gguf"
ENV_FILE="$CACHE/env"
LOG="$CACHE/build.log"

fail() {
    echo "llama-server unavailable: $*" >&2
    exit 3
}
note() { echo "fetch-and-build: $*" >&2; }

[[ "$PKG_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "bad SERVEMETER_LLAMA_PKG_VERSION '$PKG_VERSION'"
[[ -f "$GENERATOR" ]] || fail "missing $GENERATOR"

generator_stamp() { sha256sum "$GENERATOR" | cut -d' ' -f1; }

cache_complete() {
    [[ -x "$BIN" && -s "$MODEL" && -s "$ENV_FILE" && -f "$MODEL.stamp" ]] &&
        [[ "$(cat "$MODEL.stamp")" == "$(generator_stamp)" ]]
}

print_env() { head -n 2 "$ENV_FILE"; }

# Fast path, no lock needed.
if cache_complete; then
    print_env
    exit 0
fi

mkdir -p "$CACHE" || fail "cannot create cache directory $CACHE"
exec 9>"$CACHE/.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9 || fail "cannot lock $CACHE/.lock"
fi
if cache_complete; then  # another run finished while we waited
    print_env
    exit 0
fi

# ---- tools -------------------------------------------------------------------------------
pick_python() {
    if [[ -n "${SERVEMETER_PYTHON:-}" ]]; then
        echo "$SERVEMETER_PYTHON"
    elif [[ -x /usr/bin/python3 ]]; then
        echo /usr/bin/python3
    else
        command -v python3 || echo python3
    fi
}
PYTHON="$(pick_python)"

missing_packages() {
    local pkgs=()
    command -v git >/dev/null 2>&1 || pkgs+=(git)
    command -v cmake >/dev/null 2>&1 || pkgs+=(cmake)
    command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || pkgs+=(g++)
    command -v make >/dev/null 2>&1 || command -v ninja >/dev/null 2>&1 || pkgs+=(make)
    "$PYTHON" -c 'import numpy' >/dev/null 2>&1 || pkgs+=(python3-numpy)
    echo "${pkgs[*]}"
}

read -r -a MISSING <<<"$(missing_packages)"
if ((${#MISSING[@]} > 0)); then
    if [[ "$(id -u)" == 0 && -z "${SERVEMETER_LLAMA_NO_APT:-}" ]] && command -v apt-get >/dev/null 2>&1; then
        note "installing ${MISSING[*]} with apt-get"
        apt_install() {
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${MISSING[@]}"
        }
        { apt_install || { apt-get update && apt_install; }; } >"$CACHE/apt.log" 2>&1 ||
            fail "apt-get install ${MISSING[*]} failed (see $CACHE/apt.log)"
        read -r -a MISSING <<<"$(missing_packages)"
    fi
    ((${#MISSING[@]} == 0)) || fail "missing ${MISSING[*]} (install: apt-get install -y ${MISSING[*]})"
fi

# ---- source: npm pack -> git bundle -> checkout ----------------------------------------
SRC="$CACHE/src"
if [[ ! -f "$SRC/.servemeter-ok" ]]; then
    command -v npm >/dev/null 2>&1 || fail "npm not found (needed to fetch node-llama-cpp@$PKG_VERSION)"
    TMP="$(mktemp -d "${TMPDIR:-/tmp}/servemeter-llama.XXXXXX")"
    trap 'rm -rf "$TMP"' EXIT
    note "fetching node-llama-cpp@$PKG_VERSION from the npm registry"
    # --prefer-offline: a copy in npm's own cache is used without asking the registry.
    if ! (cd "$TMP" && npm pack --loglevel=error --prefer-offline --fetch-retries=1 \
        --fetch-timeout=120000 "node-llama-cpp@$PKG_VERSION" >npm.out 2>npm.err); then
        why="$(grep -m1 -E 'FetchError|404|ENOTFOUND|EAI_AGAIN' "$TMP/npm.err" ||
            grep -m1 'npm error' "$TMP/npm.err" || tail -n1 "$TMP/npm.err")"
        fail "npm pack node-llama-cpp@$PKG_VERSION failed (no network to the npm registry?): ${why#npm error }"
    fi
    TGZ="$(find "$TMP" -maxdepth 1 -name 'node-llama-cpp-*.tgz' | head -n1)"
    [[ -n "$TGZ" ]] || fail "npm pack produced no tarball"
    tar -xzf "$TGZ" -C "$TMP" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json 2>/dev/null ||
        fail "node-llama-cpp@$PKG_VERSION has no llama/gitRelease.bundle"
    rm -rf "$SRC" "$SRC.tmp"
    git clone --quiet "$TMP/package/llama/gitRelease.bundle" "$SRC.tmp" >/dev/null 2>&1 ||
        fail "cannot clone the llama.cpp git bundle from node-llama-cpp@$PKG_VERSION"
    commit="$(git -C "$SRC.tmp" rev-parse HEAD)"
    if [[ "$PKG_VERSION" == "$DEFAULT_PKG_VERSION" && "$commit" != "$DEFAULT_PKG_COMMIT" ]]; then
        fail "llama.cpp bundle commit $commit is not the pinned $DEFAULT_PKG_COMMIT"
    fi
    cp "$TMP/package/llama/llama.cpp.info.json" "$SRC.tmp/.node-llama-cpp-info.json"
    touch "$SRC.tmp/.servemeter-ok"
    mv "$SRC.tmp" "$SRC"
    rm -rf "$TMP"
    trap - EXIT
fi
LLAMA_TAG="$(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$SRC/.node-llama-cpp-info.json")"
LLAMA_COMMIT="$(git -C "$SRC" rev-parse HEAD)"

# ---- build llama-server --------------------------------------------------------------------
if [[ ! -x "$BIN" ]]; then
    BUILD="$CACHE/build"
    native=OFF
    [[ "${SERVEMETER_LLAMA_NATIVE:-}" == 1 ]] && native=ON
    generator=()
    command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
    note "building llama-server $LLAMA_TAG ($JOBS jobs; 15-30 min on 2 cores); log: $LOG"
    start=$(date +%s)
    TIMEFORMAT='# build: real %R s, user %U s, sys %S s'
    {
        time {
            echo "# llama.cpp $LLAMA_TAG $LLAMA_COMMIT from node-llama-cpp@$PKG_VERSION"
            rm -rf "$BUILD"
            # Every network feature off: no UI download (LLAMA_USE_PREBUILT_UI), no npm UI build,
            # no FetchContent (BoringSSL/LibreSSL/llguidance off), no HTTPS client (LLAMA_OPENSSL).
            cmake -S "$SRC" -B "$BUILD" "${generator[@]}" \
                -DCMAKE_BUILD_TYPE=Release \
                -DBUILD_SHARED_LIBS=OFF \
                -DGGML_NATIVE="$native" \
                -DGGML_CCACHE=OFF \
                -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_COMMON=ON \
                -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
                -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
                -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_BUILD_LIBRESSL=OFF \
                -DLLAMA_LLGUIDANCE=OFF &&
                cmake --build "$BUILD" --config Release --target llama-server --parallel "$JOBS"
        } >"$LOG" 2>&1
    } 2>>"$LOG" || fail "llama-server build failed: $(grep -m1 -E 'error:|Error [0-9]|CMake Error' "$LOG" || tail -n1 "$LOG") (full log: $LOG)"
    elapsed=$(($(date +%s) - start))
    echo "# build wall time: ${elapsed} s" >>"$LOG"
    echo "$elapsed" >"$CACHE/build-seconds"
    mkdir -p "$CACHE/bin"
    cp "$BUILD/bin/llama-server" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
    "$BIN" --version >>"$LOG" 2>&1 || fail "built llama-server does not run (see $LOG)"
    rm -rf "$BUILD"
    note "built llama-server in ${elapsed} s"
fi

# ---- model ------------------------------------------------------------------------------
if [[ ! -s "$MODEL" || ! -f "$MODEL.stamp" || "$(cat "$MODEL.stamp" 2>/dev/null)" != "$(generator_stamp)" ]]; then
    mkdir -p "$CACHE/models"
    note "writing $MODEL"
    rm -f "$MODEL" "$MODEL.stamp"
    PYTHONPATH="$SRC/gguf-py${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" "$GENERATOR" \
        --vocab "$SRC/models/ggml-vocab-llama-bpe.gguf" \
        --out "$MODEL" >>"$CACHE/model.log" 2>&1 ||
        fail "cannot write the tiny model: $(tail -n1 "$CACHE/model.log")"
    generator_stamp >"$MODEL.stamp"
fi

# ---- env --------------------------------------------------------------------------------
{
    echo "LLAMA_SERVER_BIN=$BIN"
    echo "LLAMA_MODEL=$MODEL"
    echo "LLAMA_CPP_TAG=$LLAMA_TAG"
    echo "LLAMA_CPP_COMMIT=$LLAMA_COMMIT"
    echo "NODE_LLAMA_CPP_VERSION=$PKG_VERSION"
} >"$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"
print_env
