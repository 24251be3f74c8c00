#!/usr/bin/env bash
# RSS of `hangar serve` before, during and after CHATS distinct chats that each write once and
# go idle, repeated ROUNDS times with new chat ids, so that a second round shows whether the
# memory the first round freed is reused (a plateau) or lost (growth per round).
#
#   bench/idle_chats.sh                      # 1 echo bot, 10,000 chats a round, 3 rounds
#   CHATS=10000 ROUNDS=3 BOTS=1 IDLE=10s AFTER=10 CSV=/tmp/rss.csv bench/idle_chats.sh
#   CHATS=100000 ROUNDS=1 BOTS=4 IDLE=2s AFTER=30 bench/idle_chats.sh   # chats come and go
#   TRIM=1 ROUNDS=1 bench/idle_chats.sh      # then malloc_trim(0) in serve via gdb (diagnostic)
#
# Messages go in through the sim's control API (POST /control/messages), one per chat, from a
# single keep-alive curl (a config file of CHATS requests). serve runs with
# --chat-idle-timeout IDLE. A sampler writes CSV every second: seconds, phase, serve VmRSS (kB),
# RssAnon (kB), hangar_chat_actors, hangar_updates_handled_total, hangar_heap_metered_bytes. Each
# round waits until every message is handled and then until hangar_chat_actors is 0 (bounded),
# then AFTER s more (serve trims the heap when the metered heap has fallen by an eighth of its
# peak, at most once a second).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHATS="${CHATS:-10000}"
ROUNDS="${ROUNDS:-3}"
BOTS="${BOTS:-1}"
IDLE="${IDLE:-10s}"
IDLE_S="${IDLE%s}"
AFTER="${AFTER:-10}"
CSV="${CSV:-${TMPDIR:-/tmp}/hangar-idle-chats.csv}"

log "machine: $(machine_line)"
make_db "$WORK/chats.db" "$BOTS"
start_sim sim
start_serve serve "$WORK/chats.db" "$SIM_URL" --chat-idle-timeout "$IDLE"
wait_running "$BOTS" 30 >/dev/null

echo "t_s,phase,rss_kb,rss_anon_kb,chat_actors,handled,heap_metered_bytes" >"$CSV"
PHASE_FILE="$WORK/phase"
echo baseline >"$PHASE_FILE"
T0=$(date +%s.%N)
sample() {
  local m
  m="$(metrics || true)"
  printf '%.1f,%s,%s,%s,%s,%s,%s\n' "$(elapsed_since "$T0")" "$(cat "$PHASE_FILE")" \
    "$(rss_kb "$SERVE_PID")" "$(rss_anon_kb "$SERVE_PID")" "$(metric_in "$m" hangar_chat_actors)" \
    "$(metric_in "$m" hangar_updates_handled_total)" "$(metric_in "$m" hangar_heap_metered_bytes)" >>"$CSV"
}
start_sampler sample 1800  # one line a second while serve lives, at most 30 minutes

last_csv() { tail -1 "$CSV"; }
csv_field() { last_csv | cut -d, -f"$1"; }

sleep 10  # baseline
base_rss="$(rss_kb "$SERVE_PID")"
base_anon="$(rss_anon_kb "$SERVE_PID")"
log "baseline: VmRSS ${base_rss} kB, RssAnon ${base_anon} kB"

results="$WORK/results.txt"
printf '%-5s %12s %12s %12s %12s %10s %10s %11s %15s %14s\n' round start_kb peak_kb idle_end_kb vs_base drive_s evict_s peak_actors peak_metered_kib end_metered_kib >"$results"
printf '%-5s %12d %12s %12s %12s %10s %10s %11s %15s %14s\n' 0 "$base_rss" - - - - - - - "$(($(metric_sum hangar_heap_metered_bytes) / 1024))" >>"$results"

token_list=()
for ((b = 1; b <= BOTS; b++)); do token_list+=("$(token_for "$b")"); done

handled_target=0
for ((round = 1; round <= ROUNDS; round++)); do
  start_rss="$(rss_kb "$SERVE_PID")"
  echo "drive$round" >"$PHASE_FILE"
  cfg="$WORK/round$round.curl"
  first=$(((round - 1) * CHATS + 100000))
  {
    for ((c = 0; c < CHATS; c++)); do
      tok="${token_list[$((c % BOTS))]}"
      printf 'url = "%s/control/messages"\nheader = "Content-Type: application/json"\n' "$SIM_URL"
      printf 'data = "{\\"token\\":\\"%s\\",\\"chat_id\\":%d,\\"text\\":\\"hello %d\\"}"\noutput = "/dev/null"\n' \
        "$tok" $((first + c)) "$c"
      if ((c + 1 < CHATS)); then echo next; fi
    done
  } >"$cfg"
  t_drive=$(date +%s.%N)
  curl -s --max-time 300 -K "$cfg" -w '%{http_code}\n' >"$WORK/round$round.codes"
  bad="$(grep -vc '^200$' "$WORK/round$round.codes" || true)"
  if [[ "$bad" -ne 0 ]]; then log "round $round: $bad injections refused"; fi
  handled_target=$((handled_target + CHATS - bad))
  # Until every message is handled (at most 300 s).
  for ((i = 0; i < 3000; i++)); do
    h="$(metric_sum hangar_updates_handled_total)"
    [[ "$h" -ge "$handled_target" ]] && break
    sleep 0.1
  done
  drive_s="$(awk -v a="$t_drive" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')"
  log "round $round: $CHATS chats handled in ${drive_s}s (handled total $h), RSS $(rss_kb "$SERVE_PID") kB"
  echo "idle$round" >"$PHASE_FILE"
  t_idle=$(date +%s.%N)
  # Until no chat actor is left (at most idle timeout + 60 s).
  for ((i = 0; i < (IDLE_S + 60) * 2; i++)); do
    a="$(metric_sum hangar_chat_actors)"
    [[ "$a" -eq 0 ]] && break
    sleep 0.5
  done
  evict_s="$(awk -v a="$t_idle" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')"
  log "round $round: chat actors $a after ${evict_s}s"
  sleep "$AFTER"  # margin after the last chat actor went
  end_rss="$(rss_kb "$SERVE_PID")"
  # Peaks of RSS, chat actors and metered heap over the round's samples.
  peaks="$(awk -F, -v p1="drive$round" -v p2="idle$round" '$2 == p1 || $2 == p2 {
    if ($3 > r) r = $3; if ($5 > a) a = $5; if ($7 > h) h = $7} END {printf "%d %d %d", r, a, h / 1024}' "$CSV")"
  read -r peak peak_actors peak_metered <<<"$peaks"
  printf '%-5s %12d %12d %12d %+11.1f%% %10s %10s %11d %15d %14d\n' "$round" "$start_rss" "$peak" "$end_rss" \
    "$(awk -v a="$end_rss" -v b="$base_rss" 'BEGIN {print (a - b) * 100 / b}')" "$drive_s" "$evict_s" \
    "$peak_actors" "$peak_metered" "$(($(metric_sum hangar_heap_metered_bytes) / 1024))" >>"$results"
done
echo after >"$PHASE_FILE"
sleep 2

echo "# idle chats: $(machine_line)"
echo "# $BOTS echo bot(s), $CHATS new chats a round, --chat-idle-timeout $IDLE; CSV: $CSV"
cat "$results"
if [[ "${TRIM:-0}" == 1 ]]; then
  # Diagnostic: ask glibc to give free heap back (malloc_trim(0) in serve, through gdb). What
  # RSS drops by is memory that was freed but kept by the allocator; what stays is live.
  # malloc_stats() (to serve's stderr) before and after: the arenas' "in use" is every live
  # malloc block, metered or not (SQLite, OpenSSL, the meters' 16-byte headers included).
  before="$(rss_kb "$SERVE_PID")"
  timeout 60 gdb -p "$SERVE_PID" -batch -ex 'call (void) malloc_stats()' -ex 'call (int) malloc_trim(0)' \
    -ex 'call (void) malloc_stats()' >/dev/null 2>&1 || log "gdb failed"
  sleep 1
  echo "malloc_trim(0): VmRSS ${before} kB -> $(rss_kb "$SERVE_PID") kB, RssAnon $(rss_anon_kb "$SERVE_PID") kB"
  grep -A2 '^Total (incl. mmap)' "$WORK/serve.err" | grep -v -- '^--' | paste - - - |
    awk '{print "malloc_stats, " (NR == 1 ? "before" : "after") " the trim: system " $7 " B, in use " $12 " B"}'
fi
echo "final: VmRSS $(rss_kb "$SERVE_PID") kB, RssAnon $(rss_anon_kb "$SERVE_PID") kB, chat actors $(metric_sum hangar_chat_actors), metered heap $(metric_sum hangar_heap_metered_bytes) B, handled $(metric_sum hangar_updates_handled_total) of $handled_target"
