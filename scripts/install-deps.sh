#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages. Idempotent: packages already
# present are skipped, so a second run only pays for `dpkg -s`.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libcurl4-openssl-dev libboost-dev libsimdjson-dev nlohmann-json3-dev libcli11-dev
  libyaml-cpp-dev libpcre2-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  clang-format python3-numpy libcairo2-dev libpango1.0-dev fonts-noto-cjk clang
  libclang-rt-14-dev chromium
)
# npm fetches llama.cpp's source for the integration tests; this machine kind may ship Node.js
# from another repository, whose nodejs package already carries npm and conflicts with Debian's.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
