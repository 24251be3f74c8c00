#!/usr/bin/env bash
# End-to-end echo throughput and CPU per echoed update: BOTS echo bots on `hangar serve`, driven
# by the simulator's traffic generator (`hangar sim --traffic-chats C --traffic-rate R`) at
# increasing rates until replies stop keeping up. With GRAMMY=1, grammY (bench/grammy, Node)
# runs the same bots against the same kind of sim at each rate, right after Hangar.
#
#   bench/echo_throughput.sh
#   RATES="500 1000 2000 4000 8000" BOTS=100 CHATS=10 WINDOW=10 GRAMMY=1 bench/echo_throughput.sh
#
# Each step: a fresh sim (its own process, SIM_THREADS io threads, traffic generator on), a
# fresh copy of a database of BOTS echo bots, serve; wait until every bot polls; WARMUP s; then
# over WINDOW s: replies = the sim's sendMessage count summed over the bots (GET /control/bots),
# CPU = utime and stime of serve and of the sim from /proc/PID/stat. A step "keeps up" when
# replies/s >= 95% of the offered rate. No higher rate is run after a rate where a target does
# not keep up, unless KEEP_GOING=1. The sim's CPU includes its traffic-generator thread.
#
# VARIANTS="on=/path/hangar off=/other/hangar" runs serve from each binary in turn, labelled, at
# every rate (the sim stays $HANGAR's); REPEAT=N runs that cycle N times per rate (on, off, on,
# off, ...), so that load from elsewhere falls on both alike. CSV=FILE also writes the table as
# CSV. bench/metering_cost.sh uses these.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RATES="${RATES:-500 1000 2000 4000 8000 16000}"
BOTS="${BOTS:-100}"
CHATS="${CHATS:-10}"
WARMUP="${WARMUP:-3}"
WINDOW="${WINDOW:-10}"
SIM_THREADS="${SIM_THREADS:-1}"
GRAMMY="${GRAMMY:-0}"
REPEAT="${REPEAT:-1}"
KEEP_GOING="${KEEP_GOING:-0}"
read -r -a VARIANT_LIST <<<"${VARIANTS:-hangar=$HANGAR_BIN}"

log "machine: $(machine_line)"
log "serve: ${VARIANT_LIST[*]}; sim: $SIM_BIN"
make_db "$WORK/template.db" "$BOTS"

results="$WORK/results.txt"
printf '%-7s %7s %9s %6s %8s %9s %9s %9s %8s %9s %6s\n' \
  target offered replies/s kept cpu%core us/upd us_user us_sys sim%core sim_us/upd load1 >"$results"

# measure TARGET PID RATE: one window; appends a row to $results; returns 1 if not kept up.
measure() {
  local target=$1 pid=$2 rate=$3 t0 s0 c0 m0 dt s1 c1 m1
  sleep "$WARMUP"
  t0=$(date +%s.%N); s0="$(sim_sent_sum "$BOTS")"; c0=($(cpu_ticks "$pid")); m0=($(cpu_ticks "$SIM_PID"))
  sleep "$WINDOW"
  s1="$(sim_sent_sum "$BOTS")"; c1=($(cpu_ticks "$pid")); m1=($(cpu_ticks "$SIM_PID")); dt="$(elapsed_since "$t0")"
  awk -v target="$target" -v rate="$rate" -v dt="$dt" -v n=$((s1 - s0)) -v hz="$CLK_TCK" \
    -v u=$((c1[0] - c0[0])) -v s=$((c1[1] - c0[1])) -v su=$((m1[0] - m0[0])) -v ss=$((m1[1] - m0[1])) \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
      per = 1e6 / hz / (n > 0 ? n : 1)
      kept = (n / dt >= 0.95 * rate) ? "yes" : "NO"
      printf "%-7s %7d %9.0f %6s %7.0f%% %9.1f %9.1f %9.1f %7.0f%% %9.1f %6s\n", target, rate, n / dt, kept,
        (u + s) * 100 / hz / dt, (u + s) * per, u * per, s * per, (su + ss) * 100 / hz / dt, (su + ss) * per, load
      exit (kept == "yes") ? 0 : 1
    }' | tee -a "$results" >&2
}

# run_hangar LABEL BINARY RATE STEP: one step of serve from BINARY against a fresh sim.
run_hangar() {
  local label=$1 bin=$2 rate=$3 step=$4 ok=0
  start_sim "sim-$step" --threads "$SIM_THREADS" --traffic-chats "$CHATS" --traffic-rate "$rate"
  cp "$WORK/template.db" "$WORK/run-$step.db"
  HANGAR_BIN="$bin" start_serve "serve-$step" "$WORK/run-$step.db" "$SIM_URL"
  wait_running "$BOTS" 60 >/dev/null
  measure "$label" "$SERVE_PID" "$rate" || ok=1
  stop "$SERVE_PID"
  stop "$SIM_PID"
  return $ok
}

hangar_ok=1
grammy_ok=$GRAMMY
step=0
for rate in $RATES; do
  [[ $hangar_ok == 0 && $grammy_ok == 0 ]] && break
  h_kept=$hangar_ok g_kept=$grammy_ok
  for ((rep = 1; rep <= REPEAT; rep++)); do
    if [[ $hangar_ok == 1 ]]; then
      for variant in "${VARIANT_LIST[@]}"; do
        run_hangar "${variant%%=*}" "${variant#*=}" "$rate" $((++step)) || h_kept=0
      done
    fi
    if [[ $grammy_ok == 1 ]]; then
      start_sim "sim-g-$((++step))" --threads "$SIM_THREADS" --traffic-chats "$CHATS" --traffic-rate "$rate"
      start_grammy "grammy-$step" "$SIM_URL" "$BOTS"
      measure grammy "$GRAMMY_PID" "$rate" || g_kept=0
      stop "$GRAMMY_PID"
      stop "$SIM_PID"
    fi
  done
  if [[ $KEEP_GOING != 1 ]]; then hangar_ok=$h_kept grammy_ok=$g_kept; fi
done

echo "# echo throughput: $(machine_line)"
echo "# $BOTS echo bots, $CHATS chats each, sim --threads $SIM_THREADS, ${WINDOW}s windows after ${WARMUP}s warm-up"
echo "# us/upd = CPU of serve (or node) per reply, split user/kernel; sim%core and sim_us/upd = the simulator's own CPU (incl. its traffic generator)"
echo "# serve: ${VARIANT_LIST[*]}; sim: $SIM_BIN; $REPEAT run(s) of each per rate"
cat "$results"
if [[ -n "${CSV:-}" ]]; then awk -v OFS=, '{gsub(/%/, ""); $1 = $1; print}' "$results" >"$CSV"; fi
