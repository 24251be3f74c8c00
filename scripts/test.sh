#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. Integration tests are
# RUN_SERIAL (they bind ports and measure CPU), so ctest runs one test at a time; the timeout
# stops a hung test from hanging CI. Arguments go to ctest, e.g. `-R fleet`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
exec ctest --test-dir build --output-on-failure -j1 --timeout "${HANGAR_TEST_TIMEOUT:-300}" "$@"
