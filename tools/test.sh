#!/usr/bin/env bash
# The whole test suite: a Debug build with AddressSanitizer, UBSan and the
# invariant checker (CONFIG_DEBUG_VM) on, then every CTest test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
preset=${1:-debug}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
