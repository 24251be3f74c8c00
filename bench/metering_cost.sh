#!/usr/bin/env bash
# What heap metering costs: bench/echo_throughput.sh with two builds of the same commit, one
# configured with -DHANGAR_METERING=ON and one with OFF (its operator new is glibc's), run
# interleaved at every rate (on, off, on, off, ...) against the OFF build's sim, so that load from
# elsewhere falls on both alike. Then, per rate: mean CPU µs per echoed update and replies/s of
# each, and on/off ratios, the mean of each on/off pair's ratio and its range.
#
#   ON=/work/build-bench-on/hangar OFF=/work/build-bench-off/hangar bench/metering_cost.sh
#   RATES="1000 4000 16000" REPEAT=4 CSV=bench/results/metering_cost.csv ... (the defaults)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ON="${ON:-/work/build-bench-on/hangar}"
OFF="${OFF:-/work/build-bench-off/hangar}"
CSV="${CSV:-${TMPDIR:-/tmp}/hangar-metering-cost.csv}"
for bin in "$ON" "$OFF"; do [[ -x "$bin" ]] || { echo "bench: no binary $bin" >&2; exit 1; }; done

HANGAR="$OFF" VARIANTS="on=$ON off=$OFF" RATES="${RATES:-1000 4000 16000}" REPEAT="${REPEAT:-4}" \
  KEEP_GOING=1 CSV="$CSV" "$HERE/echo_throughput.sh"

# CSV columns: target,offered,replies/s,kept,cpucore,us/upd,us_user,us_sys,simcore,sim_us/upd,load1
echo
echo "# metering on vs off, per rate (means over the runs; pair = each on run / the off run after it)"
awk -F, 'NR > 1 {
    r = $2; n[r, $1]++; us[r, $1] += $6; usr[r, $1] += $7; sys[r, $1] += $8; rps[r, $1] += $3
    load[r] += $11; runs[r]++
    if (!(r in seen)) { seen[r] = 1; order[++nr] = r }
    if ($1 == "on") last_on = $6
    if ($1 == "off" && last_on != "") {
      p = last_on / $6; pairs[r]++; psum[r] += p
      if (!(r in pmin) || p < pmin[r]) pmin[r] = p
      if (!(r in pmax) || p > pmax[r]) pmax[r] = p
      last_on = ""
    }
  }
  END {
    printf "%7s %4s %10s %10s %9s %9s %11s %11s %7s %17s %6s\n", "offered", "runs", "on_us/upd",
      "off_us/upd", "on_user", "off_user", "on_replies", "off_replies", "on/off", "pairs mean [range]", "load"
    for (i = 1; i <= nr; i++) {
      r = order[i]; a = us[r, "on"] / n[r, "on"]; b = us[r, "off"] / n[r, "off"]
      printf "%7d %4d %10.1f %10.1f %9.1f %9.1f %11.0f %11.0f %7.3f %6.3f [%.2f-%.2f] %6.2f\n", r, n[r, "on"],
        a, b, usr[r, "on"] / n[r, "on"], usr[r, "off"] / n[r, "off"], rps[r, "on"] / n[r, "on"],
        rps[r, "off"] / n[r, "off"], a / b, psum[r] / pairs[r], pmin[r], pmax[r], load[r] / runs[r]
    }
  }' "$CSV"
echo "# CSV: $CSV"
