#!/usr/bin/env bash
# Installs what is missing, builds, and runs `hangar demo` (its own hangar-demo.db, an in-process
# simulator and a demo fleet). Arguments go to `hangar demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh --target hangar
exec build/hangar demo "$@"
