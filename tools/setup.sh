#!/usr/bin/env bash
# One command for a new user: install the dependencies, build mmkit
# (optimised) and boot the default machine, printing its kernel log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec ./build/release/mmkit boot "$@"
