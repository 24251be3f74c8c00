#!/usr/bin/env bash
# Configures and builds Hangar and its tests into build/ (RelWithDebInfo: optimised, with
# symbols for post-mortems). Extra arguments go to `cmake --build`, e.g. `--target hangar`.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)" "$@"
