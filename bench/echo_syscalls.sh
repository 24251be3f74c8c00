#!/usr/bin/env bash
# Diagnostic: the system calls `hangar serve` makes per echoed update, at a fixed rate.
# 100 echo bots, sim traffic at RATE msg/s; `strace -c -f` on serve for SECONDS; prints the
# strace summary and the replies in that window (the sim's sendMessage count).
#   RATE=1000 SECONDS_=5 bench/echo_syscalls.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RATE="${RATE:-1000}"; BOTS="${BOTS:-100}"; SECS="${SECONDS_:-5}"
make_db "$WORK/s.db" "$BOTS"
start_sim sim --traffic-chats 10 --traffic-rate "$RATE"
start_serve serve "$WORK/s.db" "$SIM_URL"
wait_running "$BOTS" 60 >/dev/null
sleep 3
s0="$(sim_sent_sum "$BOTS")"
timeout -s INT "$((SECS + 1))" strace -c -f -p "$SERVE_PID" -o "$WORK/strace.txt" 2>/dev/null &
STRACE=$!
sleep "$SECS"; wait "$STRACE" || true
s1="$(sim_sent_sum "$BOTS")"
echo "# $RATE msg/s offered, $BOTS bots; replies during ~${SECS}s of strace: $((s1 - s0)); threads: $(ls /proc/$SERVE_PID/task | wc -l)"
head -25 "$WORK/strace.txt"
