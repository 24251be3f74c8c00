#!/usr/bin/env bash
# RSS of `hangar serve` with 1, 100 and 1000 idle echo bots, over HTTP and over HTTPS, and the
# bytes per idle bot, (RSS_1000 - RSS_1) / 999.
#
#   bench/idle_bots.sh                       # both transports, 1 100 1000 bots
#   COUNTS="1 100" MODES=http bench/idle_bots.sh
#   TRIM=1 COUNTS=1000 MODES=https bench/idle_bots.sh   # then malloc_trim(0) via gdb (diagnostic)
#   SETTLE=10 bench/idle_bots.sh             # seconds of quiet before RSS is read
#   MODES="http https grammy" bench/idle_bots.sh   # grammy: the same bots on grammY (Node),
#                                                  # one process, over HTTP (needs npm ci in bench/grammy)
#   VARIANTS="before=/a/hangar after=/b/hangar" REPEAT=3 CSV=/tmp/idle.csv bench/idle_bots.sh
#
# For each transport and count: a fresh `hangar sim` (its own process, a throwaway CA and a
# localhost certificate for HTTPS), a copy of a database holding N echo bots added with
# `hangar bot add`, and `serve --api-url` pointing at the sim (--ca-file for HTTPS). Once every
# bot is running (it has polled), nothing touches serve for SETTLE seconds; then VmRSS is read
# from /proc/PID/status three times, a second apart, and the last is reported.
# Bounded: each step gives up after 60 s of waiting for its bots.
#
# VARIANTS="before=/path/hangar after=/other/hangar" runs serve from each binary in turn for every
# transport and count, REPEAT=N times (before, after, before, after, ...), so that load from
# elsewhere falls on both alike; the sim ($HANGAR_SIM, else $HANGAR) and the database template
# ($HANGAR's `bot add`) are the same for all. Then it prints, per variant, the mean RSS and bytes
# per idle bot and each variant's ratio to the first (bench/compare.sh). With one variant and
# REPEAT=1 (the default) the output is the plain table. CSV=FILE also writes every run's row.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNTS="${COUNTS:-1 100 1000}"
MODES="${MODES:-http https}"
SETTLE="${SETTLE:-10}"
REPEAT="${REPEAT:-1}"
read -r -a VARIANT_LIST <<<"${VARIANTS:-hangar=$HANGAR_BIN}"
# Several runs of a count: label the rows and summarise them, instead of the plain table.
COMPARE=0
if ((${#VARIANT_LIST[@]} > 1 || REPEAT > 1)); then COMPARE=1; fi

log "machine: $(machine_line)"
log "work dir $WORK"
((COMPARE)) && log "serve: ${VARIANT_LIST[*]}; sim: $SIM_BIN; $REPEAT run(s) of each"

max=0
for n in $COUNTS; do ((n > max)) && max=$n; done
declare -A DB
for n in $COUNTS; do
  [[ "$MODES" == grammy ]] && break
  t0=$(date +%s.%N)
  make_db "$WORK/template-$n.db" "$n"
  DB[$n]="$WORK/template-$n.db"
  log "$n bots added with 'hangar bot add' in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
done
[[ "$MODES" == *https* ]] && make_tls_certs

declare -A RSS ANON
# One line per run, every column; the tables and the CSV are made from it.
rows="$WORK/rows.txt"
: >"$rows"

# run_once MODE N LABEL BINARY REP: one fresh sim and one serve from BINARY (or grammY) with N idle
# bots; appends a line to $rows.
run_once() {
  local mode=$1 n=$2 label=$3 bin=$4 rep=$5 id="$1-$2-$3-$5" tls=() took rss anon sim_rss conns t0
  if [[ "$mode" == https ]]; then
    start_sim "sim-$id" --tls-cert "$WORK/server.pem" --tls-key "$WORK/server.key"
    tls=(--ca-file "$WORK/ca.pem")
  else
    start_sim "sim-$id"
  fi
  if [[ "$mode" == grammy ]]; then
    t0=$(date +%s.%N)
    start_grammy "grammy-$id" "$SIM_URL" "$n"
    for ((i = 0; i < 600; i++)); do
      [[ "$(sim_polling "$n")" -ge "$n" ]] && break
      sleep 0.1
    done
    took="$(elapsed_since "$t0")"
    SERVE_PID=$GRAMMY_PID  # measured the same way as serve below
  else
    local db="$WORK/run-$id.db"
    cp "${DB[$n]}" "$db"
    HANGAR_BIN="$bin" start_serve "serve-$id" "$db" "$SIM_URL" "${tls[@]}"
    took="$(wait_running "$n" 60)"
  fi
  sleep "$SETTLE"
  for _ in 1 2 3; do
    rss="$(rss_kb "$SERVE_PID")"
    anon="$(rss_anon_kb "$SERVE_PID")"
    sleep 1
  done
  sim_rss="$(rss_kb "$SIM_PID")"
  # Connections the sim saw bot 1 open since it started (the calls connection closes when idle).
  conns="$(curl -sf "${SIM_CURL[@]}" "$SIM_URL/control/bots?token=$(token_for 1)" |
    grep -o '"connections":[0-9]*' | cut -d: -f2)"
  if [[ "${TRIM:-0}" == 1 ]]; then
    # Diagnostic: malloc_trim(0) through gdb; what RSS keeps after it is live memory.
    timeout 60 gdb -p "$SERVE_PID" -batch -ex 'call (int) malloc_trim(0)' >/dev/null 2>&1 || true
    sleep 1
    log "$mode $n bots ($label): after malloc_trim(0) VmRSS $(rss_kb "$SERVE_PID") kB, RssAnon $(rss_anon_kb "$SERVE_PID") kB"
  fi
  RSS[$mode-$n]=$rss
  ANON[$mode-$n]=$anon
  echo "$mode $n $label $rep $rss $anon $took $sim_rss ${conns:-?}" >>"$rows"
  log "$mode $n bots ($label, run $rep): serve VmRSS ${rss} kB (RssAnon ${anon} kB), running after ${took}s"
  stop "$SERVE_PID"
  stop "$SIM_PID"
}

for mode in $MODES; do
  variants=("${VARIANT_LIST[@]}")
  [[ "$mode" == grammy ]] && variants=(grammy=node)
  for n in $COUNTS; do
    for ((rep = 1; rep <= REPEAT; rep++)); do
      for variant in "${variants[@]}"; do
        run_once "$mode" "$n" "${variant%%=*}" "${variant#*=}" "$rep"
      done
    done
  done
done

csv="$WORK/results.csv"
{
  echo transport,bots,variant,rep,serve_rss_kb,rss_anon_kb,start_s,sim_rss_kb,sim_conns_opened
  awk -v OFS=, '{$1 = $1; print}' "$rows"
} >"$csv"
if [[ -n "${CSV:-}" ]]; then cp "$csv" "$CSV"; fi

# The plain table of one run per count, and bytes per idle bot, as before VARIANTS existed.
print_plain() {
  printf '%-6s %6s %12s %12s %10s %12s %12s\n' transport bots serve_rss_kb rss_anon_kb start_s sim_rss_kb sim_conns_opened
  awk '{printf "%-6s %6d %12d %12d %10s %12d %12s\n", $1, $2, $5, $6, $7, $8, $9}' "$rows"
  echo
  if [[ " $COUNTS " == *" 1 "* && " $COUNTS " == *" $max "* && $max -gt 1 ]]; then
    printf '%-6s %22s %22s\n' transport "bytes/idle bot (VmRSS)" "bytes/idle bot (anon)"
    for mode in $MODES; do
      printf '%-6s %22d %22d\n' "$mode" \
        $(((RSS[$mode-$max] - RSS[$mode-1]) * 1024 / (max - 1))) \
        $(((ANON[$mode-$max] - ANON[$mode-1]) * 1024 / (max - 1)))
    done
  fi
}

# Every run, labelled, then per figure each variant's mean and its ratio to the first variant's.
print_compare() {
  echo "# serve: ${VARIANT_LIST[*]}; sim: $SIM_BIN; $REPEAT run(s) of each, interleaved"
  printf '%-6s %6s %-8s %3s %12s %12s %10s %12s %12s\n' transport bots variant rep serve_rss_kb rss_anon_kb start_s sim_rss_kb sim_conns_opened
  awk '{printf "%-6s %6d %-8s %3d %12d %12d %10s %12d %12s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}' "$rows"
  echo
  echo "# per variant: the mean over its runs; ${VARIANT_LIST[0]%%=*} is the baseline of the ratios;"
  echo "#   [range] = run k of a variant against run k of the baseline, lowest and highest"
  idle_figures "$csv" | compare_variants
}

echo "# idle bots: $(machine_line)"
if ((COMPARE)); then print_compare; else print_plain; fi
