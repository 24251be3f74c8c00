#!/usr/bin/env bash
# Before against after: builds `hangar` at a base commit (BASE, default 96232cb, the tree before
# issue 7's modules) and at the checkout's commit (AFTER, default HEAD), then runs
# bench/idle_bots.sh and bench/echo_throughput.sh with serve from the two builds interleaved
# (before, after, before, after, ...) and prints one summary: per figure the mean before and
# after, after/before, and the range of the per-run ratios.
#
#   bench/before_after.sh                        # REPEAT=3; idle: MODES="http https" COUNTS="1 1000";
#                                                # echo: echo_throughput.sh's default RATES
#   REPEAT=5 RATES="1000 4000" bench/before_after.sh
#   STEPS=build bench/before_after.sh            # only the builds; STEPS="idle echo" by default
#   NICE=10 JOBS=1 bench/before_after.sh         # gentler builds on a shared machine
#
# Each commit is exported with `git archive` into $BUILD_ROOT/<key>/src (so uncommitted changes in
# the checkout are never measured, and the base needs no worktree) and built in
# $BUILD_ROOT/<key>/build: RelWithDebInfo, HANGAR_BUILD_TESTS=OFF, `--target hangar` only. <key>
# names the sources the binary is made of (see source_key), so a finished build is reused for its
# commit and for any commit that changes only docs, tests, scripts or bench/. Both commits'
# top-level CMakeLists.txt (one library before issue 7, one per module after) put `hangar` at the
# build directory's root.
#
# The sim and the database template come from the after build in every run, so only serve
# differs (the schema is the same at both commits). Results go to $OUT: idle_bots.{txt,csv},
# echo_throughput.{txt,csv}, summary.txt; progress to stderr.
#
# Bounded: a build gives up after BUILD_TIMEOUT, the benchmarks' waits have their own limits. A
# build or a benchmark still running when this script stops is stopped by its pid.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
source "$HERE/compare.sh"

BASE="${BASE:-96232cb}"
AFTER="${AFTER:-HEAD}"
BUILD_ROOT="${BUILD_ROOT:-/work/bench-builds}"
JOBS="${JOBS:-$(nproc)}"
NICE="${NICE:-10}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-2h}"
# The benchmarks to run once both binaries are there (a missing build is always made first).
STEPS="${STEPS:-idle echo}"
REPEAT="${REPEAT:-3}"
MODES="${MODES:-http https}"
COUNTS="${COUNTS:-1 1000}"
OUT="${OUT:-${TMPDIR:-/tmp}/hangar-before-after}"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# The one process this script waits on (a build, or a benchmark script): stopped by its pid if
# this script exits first. A background job of a non-interactive shell ignores SIGINT, so it gets
# SIGTERM; the bench scripts then kill their own sim and serve, timeout its build.
CHILD=""
cleanup() {
  if [[ -n "$CHILD" ]]; then
    kill "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_child CMD...: runs CMD in the background and waits for it; returns its status.
run_child() {
  local rc=0
  "$@" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  return $rc
}

STEP_TIMES=()
# timed NAME CMD...: runs CMD and records how long it took under NAME. CMD runs under set -e
# (not in a `||`, which would turn errexit off inside it).
timed() {
  local name=$1 t0=$SECONDS
  shift
  "$@"
  STEP_TIMES+=("$name $((SECONDS - t0)) s")
  log "$name took $((SECONDS - t0)) s"
}

# source_key SHA: 12 hex digits naming what `hangar` is built from at SHA: its tree without docs,
# tests (HANGAR_BUILD_TESTS=OFF), scripts, bench/ (only sim_throughput, not built) and markdown.
# Anything else, a new folder too, is in the key: a change there means a new build.
source_key() {
  git -C "$ROOT" ls-tree -r "$1" |
    awk -F'\t' '$2 !~ /^(docs|tests|scripts|bench|\.ci)\// && $2 !~ /\.md$/ && $2 !~ /^\.(gitignore|clang-format)$/' |
    sha1sum | cut -c1-12
}

# build_commit LABEL REV: exports REV and builds its `hangar`, unless a build of the same sources
# is there; sets BIN_<LABEL> to the binary.
build_commit() {
  local label=$1 sha key dir
  sha="$(git -C "$ROOT" rev-parse --verify --quiet "$2^{commit}")" ||
    { echo "bench: no commit '$2' in $ROOT" >&2; exit 2; }
  key="$(source_key "$sha")"
  dir="$BUILD_ROOT/$key"
  printf -v "BIN_$label" '%s' "$dir/build/hangar"
  if [[ -x "$dir/build/hangar" && "$(cat "$dir/built" 2>/dev/null)" == "$key" ]]; then
    log "$label: $2 = ${sha:0:12}: reusing $dir/build/hangar (built from $(cat "$dir/commit"))"
    return
  fi
  mkdir -p "$dir"
  # A half-done build is resumed on the same export, not a fresh one with new mtimes.
  if [[ "$(cat "$dir/exported" 2>/dev/null)" != "$key" ]]; then
    rm -rf "$dir/src" "$dir/build"
    mkdir -p "$dir/src"
    git -C "$ROOT" archive "$sha" | tar -x -C "$dir/src"
    echo "$sha" >"$dir/commit"
    echo "$key" >"$dir/exported"
  fi
  rm -f "$dir/built"
  log "$label: building $2 = ${sha:0:12} in $dir/build (nice $NICE, -j$JOBS; log $dir/build.log)"
  if ! run_child timeout "$BUILD_TIMEOUT" nice -n "$NICE" bash -c '
      cmake -S "$1/src" -B "$1/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANGAR_BUILD_TESTS=OFF &&
      cmake --build "$1/build" --target hangar -j "$2"' _ "$dir" "$JOBS" >"$dir/build.log" 2>&1; then
    tail -20 "$dir/build.log" >&2
    echo "bench: building $2 failed or passed ${BUILD_TIMEOUT}; log $dir/build.log" >&2
    exit 1
  fi
  echo "$key" >"$dir/built"
}

# The table each benchmark prints goes to $OUT/NAME.txt (its progress to stderr), its rows to
# $OUT/NAME.csv.
run_idle() {
  run_child env HANGAR="$BIN_after" HANGAR_SIM="$BIN_after" \
    VARIANTS="before=$BIN_before after=$BIN_after" REPEAT="$REPEAT" MODES="$MODES" \
    COUNTS="$COUNTS" CSV="$OUT/idle_bots.csv" "$HERE/idle_bots.sh" >"$OUT/idle_bots.txt" ||
    { echo "bench: idle_bots.sh failed; its output is in $OUT/idle_bots.txt" >&2; return 1; }
}
run_echo() {
  # RATES, WINDOW, WARMUP, KEEP_GOING ... pass through the environment when set.
  run_child env HANGAR="$BIN_after" HANGAR_SIM="$BIN_after" \
    VARIANTS="before=$BIN_before after=$BIN_after" REPEAT="$REPEAT" \
    CSV="$OUT/echo_throughput.csv" "$HERE/echo_throughput.sh" >"$OUT/echo_throughput.txt" ||
    { echo "bench: echo_throughput.sh failed; its output is in $OUT/echo_throughput.txt" >&2; return 1; }
}

summary() {
  echo "# before/after: $(date -u +%Y-%m-%d) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# before = $BASE: $BIN_before"
  echo "# after  = $AFTER ($(git -C "$ROOT" rev-parse --short "$AFTER")): $BIN_after"
  echo "# serve from each in turn, $REPEAT run(s) each; sim and database template from after"
  echo "# columns: mean over the runs; after/before = ratio of the means; [range] = each run's"
  echo "#   after against the before run just before it, lowest and highest"
  echo "# steps: $(IFS=,; echo "${STEP_TIMES[*]}" | sed 's/,/, /g')"
  {
    if [[ -f "$OUT/idle_bots.csv" ]]; then idle_figures "$OUT/idle_bots.csv"; fi
    if [[ -f "$OUT/echo_throughput.csv" ]]; then echo_figures "$OUT/echo_throughput.csv"; fi
  } | compare_variants
}

main() {
  local step
  for step in $STEPS; do
    [[ "$step" =~ ^(build|idle|echo)$ ]] || { echo "bench: STEPS: unknown step '$step'" >&2; exit 2; }
  done
  mkdir -p "$BUILD_ROOT" "$OUT"
  rm -f "$OUT/idle_bots.csv" "$OUT/echo_throughput.csv"  # the summary reads only this run's
  if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]]; then
    log "note: $ROOT has uncommitted changes; 'after' is the commit $AFTER, without them"
  fi
  timed "build before" build_commit before "$BASE"
  timed "build after" build_commit after "$AFTER"
  if [[ " $STEPS " != *" idle "* && " $STEPS " != *" echo "* ]]; then
    echo "before: $BIN_before"
    echo "after:  $BIN_after"
    return
  fi
  if [[ " $STEPS " == *" idle "* ]]; then
    timed "idle_bots.sh" run_idle
    cat "$OUT/idle_bots.txt"
  fi
  if [[ " $STEPS " == *" echo "* ]]; then
    timed "echo_throughput.sh" run_echo
    cat "$OUT/echo_throughput.txt"
  fi
  echo
  summary | tee "$OUT/summary.txt"
  echo "# results: $OUT"
}

main
