#!/usr/bin/env bash
# RSS of `hangar serve` over DURATION s with one `leak:SIZE` bot under a small bot budget and a
# few echo bots, all driven by the sim's traffic generator, slowly enough that the leak bot's
# restarts stay below the restart intensity (default 5 in 60 s). The leak bot passes its budget,
# the supervisor restarts it, its chats' blocks are freed and trimmed: RSS should saw-tooth under
# a flat ceiling, not climb.
#
#   bench/leak_rss.sh     # ECHO_BOTS=4 LEAK=64KiB BUDGET=4MiB RATE=12.5 CHATS=3 DURATION=300
#   CSV=bench/results/leak_rss.csv EVERY=10 bench/leak_rss.sh
#
# The leak bot keeps SIZE per update in its chat actors, so the chat budget is raised
# (CHAT_BUDGET, 64MiB) for the bot's budget to be the one that trips, as in the containment test.
# RATE messages/s are spread evenly over the ECHO_BOTS + 1 bots. A sampler writes CSV every
# second: seconds, serve's VmRSS and RssAnon (kB), the leak bot's live bytes, the metered heap,
# the leak bot's restarts (hangar_restarts_total) and updates handled. Restarts and backoffs are
# then counted from /api/events. Prints a summary, a row every EVERY s and a row per restart cycle.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ECHO_BOTS="${ECHO_BOTS:-4}"
LEAK="${LEAK:-64KiB}"
BUDGET="${BUDGET:-4MiB}"
CHAT_BUDGET="${CHAT_BUDGET:-64MiB}"
RATE="${RATE:-12.5}"
CHATS="${CHATS:-3}"
DURATION="${DURATION:-300}"
EVERY="${EVERY:-10}"
CSV="${CSV:-${TMPDIR:-/tmp}/hangar-leak-rss.csv}"

log "machine: $(machine_line)"
make_db "$WORK/leak.db" "$ECHO_BOTS"
LEAK_ID=$((ECHO_BOTS + 1))
token_for "$LEAK_ID" | "$HANGAR_BIN" bot add --db "$WORK/leak.db" --token - --name leak \
  --behavior "leak:$LEAK" --memory-budget "$BUDGET" >/dev/null
start_sim sim --traffic-chats "$CHATS" --traffic-rate "$RATE"
start_serve serve "$WORK/leak.db" "$SIM_URL" --chat-memory-budget "$CHAT_BUDGET"
wait_running "$LEAK_ID" 30 >/dev/null

echo "t_s,rss_kb,rss_anon_kb,leak_live_bytes,heap_metered_bytes,leak_restarts,leak_handled" >"$CSV"
T0=$(date +%s.%N)
sample() {
  local m
  m="$(metrics || true)"
  printf '%s,%s,%s,%s,%s,%s,%s\n' "$(elapsed_since "$T0")" "$(rss_kb "$SERVE_PID")" \
    "$(rss_anon_kb "$SERVE_PID")" "$(metric_in "$m" hangar_actor_live_bytes leak)" \
    "$(metric_in "$m" hangar_heap_metered_bytes)" "$(metric_in "$m" hangar_restarts_total leak)" \
    "$(metric_in "$m" hangar_updates_handled_total leak)" >>"$CSV"
}
log "sampling for ${DURATION}s into $CSV"
sample_seconds sample "$DURATION"

events() { admin_get "/api/events?bot=$1&kind=$2&limit=1000" | jq length; }
restarts="$(events leak restart)"
backoffs="$(events leak backoff)"
bots="$(admin_get /api/bots)"
echo_restarts="$(jq '[.[] | select(.name != "leak") | .restarts] | add' <<<"$bots")"
leak_row="$(jq -r '.[] | select(.name == "leak") | "\(.state) received \(.updates_received) handled \(.updates_handled)"' <<<"$bots")"
sent="$(curl -sf "$SIM_URL/control/bots?token=$(token_for "$LEAK_ID")" | jq .sent)"
budget_bytes="$(jq '.[] | select(.name == "leak") | .memory_budget' <<<"$bots")"

echo "# leak RSS: $(machine_line)"
echo "# $ECHO_BOTS echo bots + 1 leak:$LEAK bot (budget $BUDGET, chat budget $CHAT_BUDGET), sim traffic $RATE msg/s over $CHATS chats per bot, ${DURATION}s; CSV: $CSV"
awk -F, -v budget="$budget_bytes" 'NR == 2 {start = $2; lo = $2; hi = $2}
  NR > 1 {n++; s += $2; if ($2 < lo) lo = $2; if ($2 > hi) hi = $2; if ($4 > live) live = $4; end = $2
    if ($1 <= 60) {s1 += $2; n1++}; last[n] = $2}
  END {for (i = (n > 60 ? n - 59 : 1); i <= n; i++) {s2 += last[i]; n2++}
    printf "rss_kb: start %d, end %d, min %d, max %d, mean %.0f; mean of the first 60 s %.0f, of the last 60 s %.0f\n",
      start, end, lo, hi, s / n, s1 / n1, s2 / n2
    printf "leak live_bytes: max %d (budget %d, %+d)\n", live, budget, live - budget}' "$CSV"
echo "leak restarts: $restarts in /api/events (kind=restart), $(tail -1 "$CSV" | cut -d, -f6) in hangar_restarts_total; backoffs: $backoffs; echo bots' restarts: $echo_restarts"
echo "leak bot: $leak_row; sim counted $sent replies"
echo
echo "# every ${EVERY} s"
awk -F, -v every="$EVERY" 'NR == 1 {print "t_s rss_kb rss_anon_kb leak_live_kib heap_metered_kib restarts handled"}
  NR > 1 && (NR - 2) % every == 0 {printf "%.0f %d %d %d %d %d %d\n", $1, $2, $3, $4 / 1024, $5 / 1024, $6, $7}' "$CSV" | column -t
echo
echo "# per restart cycle: RSS and live bytes over the samples between two restarts"
awk -F, 'NR > 1 {if (NR == 2 || $6 != r) {if (NR > 2) row(); r = $6; t = $1; lo = $2; hi = $2; live = 0}
    if ($2 < lo) lo = $2; if ($2 > hi) hi = $2; if ($4 > live) live = $4; te = $1}
  function row() {printf "%d %.0f %.0f %d %d %d\n", r, t, te, lo, hi, live / 1024}
  END {row()}' "$CSV" | { echo "restarts_before from_s to_s rss_min_kb rss_max_kb live_max_kib"; cat; } | column -t
