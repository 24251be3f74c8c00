#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite, in two stages:
#   1. the optimised build (build/), every test;
#   2. the same tests built with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/),
#      except those labelled `timing`, whose speed and CPU bounds hold only in the optimised
#      build, and `load`, which would take minutes there. HANGAR_SANITIZE_STAGE=0 skips this
#      stage.
# Tests run in parallel, one per core, except those labelled `timing` or `load` (RUN_SERIAL: they
# measure speed or CPU, which a neighbour would skew, or need the machine); every server binds a
# free port. The timeout stops a
# hung test from hanging CI. Arguments go to ctest, e.g. `-R fleet`.
set -euo pipefail
cd "$(dirname "$0")/.."

run_tests() {
  ctest --test-dir "$1" --output-on-failure -j"$(nproc)" --timeout "${HANGAR_TEST_TIMEOUT:-300}" "${@:2}"
}

scripts/setup.sh
scripts/build.sh
run_tests build "$@"

if [[ "${HANGAR_SANITIZE_STAGE:-1}" != 0 ]]; then
  echo "test: sanitizer stage (ASan+UBSan) in build-asan/" >&2
  HANGAR_BUILD_DIR=build-asan HANGAR_CMAKE_ARGS="-DHANGAR_SANITIZE=ON" scripts/build.sh
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    run_tests build-asan -LE "timing|load" "$@"
fi
