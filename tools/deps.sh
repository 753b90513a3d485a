#!/usr/bin/env bash
# Install what mmkit needs on Debian 12: the toolchain, CMake/Ninja, cmocka
# for the tests (python3 checks the JSON output), and the allocators the
# benchmarks compare against.
set -euo pipefail
pkgs=(build-essential clang cmake ninja-build pkg-config libcmocka-dev
      libjemalloc-dev libmimalloc-dev util-linux
      libzstd-dev valgrind procps python3)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
