#!/usr/bin/env bash
# Configures and builds Hangar and its tests into build/ (RelWithDebInfo: optimised, with
# symbols for post-mortems). HANGAR_BUILD_DIR picks another directory and HANGAR_CMAKE_ARGS adds
# configure flags (the sanitizer stage of scripts/test.sh uses both). Extra arguments go to
# `cmake --build`, e.g. `--target hangar`.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${HANGAR_BUILD_DIR:-build}"
read -r -a extra_cmake_args <<<"${HANGAR_CMAKE_ARGS:-}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra_cmake_args[@]}"
cmake --build "$build_dir" -j"$(nproc)" "$@"
