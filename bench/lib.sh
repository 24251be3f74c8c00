# Shared helpers for bench/*.sh. Sourced, not run.
#
# Everything runs on 127.0.0.1, in a temporary directory, and every process a script starts is
# recorded and killed (by its pid) when the script exits, however it exits.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

# The binary: $HANGAR, else a RelWithDebInfo build in the usual places.
find_hangar() {
  if [[ -n "${HANGAR:-}" ]]; then echo "$HANGAR"; return; fi
  for candidate in "$ROOT/build/hangar" /work/build-bench/hangar; do
    if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
  done
  echo "bench: no hangar binary; build it (scripts/build.sh) or set HANGAR=path" >&2
  exit 1
}
HANGAR_BIN="$(find_hangar)"
# The sim's binary: $HANGAR_SIM, else the same. Scripts that compare two builds of serve keep one
# sim for both, so that only serve differs.
SIM_BIN="${HANGAR_SIM:-$HANGAR_BIN}"
CLK_TCK="$(getconf CLK_TCK)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hangar-bench.XXXXXX")"
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
  if [[ -z "${KEEP_WORK:-}" ]]; then rm -rf "$WORK"; else echo "bench: kept $WORK" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Serve and the sim need a descriptor per connection: 1000 bots hold 1000 long polls.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# A well-formed token whose numeric prefix is $1: "$1:bench" + 30 digits (35 characters).
token_for() { printf '%d:bench%030d' "$1" "$1"; }

# wait_for_line FILE REGEX SECONDS: prints the first matching line, or fails.
wait_for_line() {
  local file=$1 regex=$2 limit=$3 i line
  for ((i = 0; i < limit * 10; i++)); do
    line="$(grep -m1 -E "$regex" "$file" 2>/dev/null || true)"
    if [[ -n "$line" ]]; then echo "$line"; return 0; fi
    sleep 0.1
  done
  echo "bench: no line matching '$regex' in $file after ${limit}s:" >&2
  tail -5 "$file" >&2 || true
  return 1
}

# start_sim NAME [sim flags...]: starts `hangar sim` on a free port; sets SIM_PID and SIM_URL.
start_sim() {
  local name=$1; shift
  "$SIM_BIN" sim --listen 127.0.0.1:0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SIM_PID=$!
  STARTED_PIDS+=("$SIM_PID")
  SIM_URL="$(wait_for_line "$WORK/$name.out" '^Simulator on ' 10 | awk '{print $3}')"
  # The control API is reached over plain HTTP only when the sim serves HTTP; with TLS use
  # curl --cacert. SIM_CURL holds the right curl options.
  if [[ "$SIM_URL" == https://* ]]; then SIM_CURL=(--cacert "$WORK/ca.pem"); else SIM_CURL=(); fi
}

# start_serve NAME DB API_URL [serve flags...]: sets SERVE_PID and SERVE_URL. Telegram's flood
# limits are off (through the variable, which builds older than them ignore): the benchmarks
# measure raw throughput against the simulator. Set HANGAR_FLOOD_LIMITS to measure them on.
ADMIN_TOKEN="bench-admin-token-0123456789abcdef"
start_serve() {
  local name=$1 db=$2 api=$3; shift 3
  HANGAR_FLOOD_LIMITS="${HANGAR_FLOOD_LIMITS:-off}" "$HANGAR_BIN" serve --db "$db" --listen 127.0.0.1:0 --api-url "$api" \
    --admin-token "$ADMIN_TOKEN" --log-level warn "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SERVE_PID=$!
  STARTED_PIDS+=("$SERVE_PID")
  SERVE_URL="$(wait_for_line "$WORK/$name.out" '^Serving on ' 20 | awk '{print $3}')"
}

# stop PID: SIGTERM, wait up to 10 s, then SIGKILL. Only for pids this script started.
stop() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# make_db FILE N [first_id]: a database with N echo bots, tokens token_for(first_id..), added
# with `hangar bot add` (no --api-url, so they follow serve's --api-url).
make_db() {
  local db=$1 n=$2 first=${3:-1} i
  for ((i = first; i < first + n; i++)); do
    token_for "$i" | "$HANGAR_BIN" bot add --db "$db" --token - --behavior echo >/dev/null
  done
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
rss_anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status"; }

# cpu_ticks PID: "utime stime" in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12, $13}'; }

metrics() { curl -sf --max-time 5 "$SERVE_URL/metrics"; }

# metric_in SNAPSHOT NAME [BOT]: NAME summed over its series in a /metrics SNAPSHOT (a string),
# or only BOT's series (label bot="BOT"); 0 when absent. One scrape serves many figures.
metric_in() {
  awk -v name="$2" -v bot="${3:-}" '($1 ~ "^"name"[{]" || $1 == name) &&
    (bot == "" || index($1, "bot=\"" bot "\"")) {s += $NF} END {printf "%.0f\n", s}' <<<"$1"
}

# admin_get PATH: GET on serve's REST API with the admin token.
admin_get() { curl -sf --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" "$SERVE_URL$1"; }

# sample_seconds FUNC N: calls FUNC N times, at T0 + 0, 1, 2 ... s (T0 = now; no drift from
# FUNC's own time), while serve lives. start_sampler runs it in the background, killed on exit.
sample_seconds() {
  local func=$1 n=$2 t0 i
  t0=$(date +%s.%N)
  for ((i = 0; i < n; i++)); do
    kill -0 "$SERVE_PID" 2>/dev/null || return 0
    "$func"
    sleep "$(awk -v t0="$t0" -v i=$((i + 1)) -v now="$(date +%s.%N)" 'BEGIN {d = t0 + i - now; print (d > 0 ? d : 0)}')"
  done
}
start_sampler() {
  sample_seconds "$@" &
  STARTED_PIDS+=("$!")
}

# Sum of a per-bot metric family over every bot.
metric_sum() {
  { metrics || true; } | awk -v name="$1" '$1 ~ "^"name"[{ ]" || $1 == name {s += $NF} END {printf "%.0f\n", s}'
}

# running_bots: how many bots are in state running (a bot is running once it polls), from
# /metrics' hangar_bots{state="running"}.
running_bots() {
  { metrics || true; } | awk '$1 == "hangar_bots{state=\"running\"}" {print $2; found = 1} END {if (!found) print 0}'
}

# wait_running N SECONDS: until N bots are running; prints how long it took.
wait_running() {
  local want=$1 limit=$2 start now got
  start=$(date +%s.%N)
  while :; do
    got="$(running_bots)"
    # A bot is counted only once the sim has seen its getUpdates too.
    if [[ "$got" -ge "$want" && -n "${SIM_URL:-}" ]]; then got="$(sim_polling "$want")"; fi
    now=$(date +%s.%N)
    if [[ "$got" -ge "$want" ]]; then
      awk -v a="$start" -v b="$now" 'BEGIN {printf "%.1f\n", b - a}'
      return 0
    fi
    if awk -v a="$start" -v b="$now" -v l="$limit" 'BEGIN {exit !(b - a > l)}'; then
      echo "bench: only $got of $want bots running after ${limit}s" >&2
      return 1
    fi
    sleep 0.5
  done
}

# make_tls_certs: a throwaway CA and a server certificate for localhost and 127.0.0.1, in $WORK.
make_tls_certs() {
  (
    cd "$WORK"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hangar bench CA" \
      -keyout ca.key -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
      2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key \
      -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.pem 2>/dev/null
  )
}

machine_line() {
  echo "$(date -u +%Y-%m-%d) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), hangar ${HANGAR_BIN}, tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)"
}

# start_grammy NAME API_ROOT COUNT: N grammY echo bots (bench/grammy) in one Node process, tokens
# token_for(1..COUNT); sets GRAMMY_PID once every bot polls. Needs `npm ci` in bench/grammy.
start_grammy() {
  local name=$1 api=$2 n=$3
  if [[ ! -d "$HERE/grammy/node_modules/grammy" ]]; then
    echo "bench: grammY is not installed; run: (cd bench/grammy && npm ci)" >&2
    exit 1
  fi
  node "$HERE/grammy/echo_bots.mjs" "$api" 1 "$n" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  GRAMMY_PID=$!
  STARTED_PIDS+=("$GRAMMY_PID")
  wait_for_line "$WORK/$name.out" '^started ' 120 >/dev/null
}

# sim_sent_sum N: sendMessage calls the sim counted for tokens token_for(1..N), summed; one curl
# over one keep-alive connection.
sim_sent_sum() {
  local n=$1 i urls=()
  for ((i = 1; i <= n; i++)); do urls+=("$SIM_URL/control/bots?token=$(token_for "$i")"); done
  curl -sf --max-time 30 "${SIM_CURL[@]}" "${urls[@]}" |
    grep -o '"sent":[0-9]*' | awk -F: '{s += $2} END {printf "%d\n", s}'
}

# sim_polling N: how many of tokens token_for(1..N) have made a getUpdates call.
sim_polling() {
  local n=$1 i urls=()
  for ((i = 1; i <= n; i++)); do urls+=("$SIM_URL/control/bots?token=$(token_for "$i")"); done
  curl -sf --max-time 30 "${SIM_CURL[@]}" "${urls[@]}" |
    grep -o '"get_updates":[0-9]*' | awk -F: '$2 > 0 {s++} END {printf "%d\n", s}'
}

elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f\n", b - a}'; }

# compare_variants, idle_figures, echo_figures: summaries of interleaved runs of several builds.
source "$HERE/compare.sh"
