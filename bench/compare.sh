# Summaries of runs that interleave several builds of serve (VARIANTS="name=binary ..."). Sourced
# by lib.sh and by before_after.sh. Functions only, no side effects: before_after.sh sources it
# before it has a binary, which lib.sh would look for.

# compare_variants: reads tab-separated lines "figure<TAB>variant<TAB>run<TAB>value" and prints a
# row per figure, in the order first seen: each variant's mean over its runs (variants in the
# order first seen; the first is the baseline), then for each other variant the ratio of its mean
# to the baseline's and, in brackets, the range of run k's ratio to the baseline's run k. The
# runs were interleaved, so a pair shares the machine's load; the spread of the pairs says how
# much of a difference is noise.
compare_variants() {
  awk -F'\t' '
    function num(x) { return (x >= 1000 || x <= -1000) ? sprintf("%.0f", x) : sprintf("%.1f", x) }
    !($1 in fseen) { fseen[$1] = 1; figs[++nf] = $1 }
    !($2 in vseen) { vseen[$2] = 1; vars[++nv] = $2 }
    {
      sum[$1, $2] += $4; cnt[$1, $2]++; val[$1, $2, $3] = $4
      if (!(($1, $3) in rseen)) { rseen[$1, $3] = 1; runs[$1, ++nr[$1]] = $3 }
    }
    END {
      if (nf == 0) exit
      base = vars[1]
      printf "%-40s %4s", "figure", "runs"
      for (j = 1; j <= nv; j++) printf " %10s", vars[j]
      for (j = 2; j <= nv; j++) printf " %13s %13s", vars[j] "/" base, "per-run range"
      printf "\n"
      for (i = 1; i <= nf; i++) {
        f = figs[i]
        printf "%-40s %4d", f, cnt[f, base]
        for (j = 1; j <= nv; j++)
          printf " %10s", cnt[f, vars[j]] ? num(sum[f, vars[j]] / cnt[f, vars[j]]) : "-"
        for (j = 2; j <= nv; j++) {
          v = vars[j]; lo = ""; hi = ""
          for (k = 1; k <= nr[f]; k++) {
            r = runs[f, k]
            if (!((f, base, r) in val) || !((f, v, r) in val) || val[f, base, r] == 0) continue
            p = val[f, v, r] / val[f, base, r]
            if (lo == "" || p < lo) lo = p
            if (hi == "" || p > hi) hi = p
          }
          mean_base = cnt[f, base] ? sum[f, base] / cnt[f, base] : 0
          ratio = (cnt[f, v] && mean_base != 0) ? sprintf("%.3f", sum[f, v] / cnt[f, v] / mean_base) : "-"
          range = (lo == "") ? "-" : sprintf("[%.2f-%.2f]", lo, hi)
          printf " %13s %13s", ratio, range
        }
        printf "\n"
      }
    }'
}

# idle_figures CSV: bench/idle_bots.sh's CSV (transport,bots,variant,rep,serve_rss_kb,rss_anon_kb,
# ...) as compare_variants lines: VmRSS and RssAnon per transport and bot count, and per
# transport the bytes per idle bot of each run, (RSS at the most bots - RSS at 1) / (most - 1).
idle_figures() {
  awk -F, 'NR > 1 {
      printf "idle %s %d bots: VmRSS kB\t%s\t%s\t%s\n", $1, $2, $3, $4, $5
      printf "idle %s %d bots: RssAnon kB\t%s\t%s\t%s\n", $1, $2, $3, $4, $6
      rss[$1, $2, $3, $4] = $5; anon[$1, $2, $3, $4] = $6
      if ($2 + 0 > max) max = $2 + 0
      if (!(($1, $3, $4) in seen)) { seen[$1, $3, $4] = 1; t[++n] = $1; v[n] = $3; r[n] = $4 }
    }
    END {
      if (max < 2) exit
      for (i = 1; i <= n; i++) {
        if (!((t[i], 1, v[i], r[i]) in rss) || !((t[i], max, v[i], r[i]) in rss)) continue
        printf "idle %s: bytes/idle bot (VmRSS)\t%s\t%s\t%.0f\n", t[i], v[i], r[i],
          (rss[t[i], max, v[i], r[i]] - rss[t[i], 1, v[i], r[i]]) * 1024 / (max - 1)
        printf "idle %s: bytes/idle bot (RssAnon)\t%s\t%s\t%.0f\n", t[i], v[i], r[i],
          (anon[t[i], max, v[i], r[i]] - anon[t[i], 1, v[i], r[i]]) * 1024 / (max - 1)
      }
    }' "$1"
}

# echo_figures CSV: bench/echo_throughput.sh's CSV (target,offered,replies/s,kept,cpucore,us/upd,
# us_user,us_sys,...) as compare_variants lines per offered rate: CPU µs of serve per echoed
# update (all, user, kernel) and replies/s. Its rows carry no run number; at each rate the k-th
# row of a target is its k-th run.
echo_figures() {
  awk -F, 'NR > 1 {
      run = ++k[$2, $1]
      printf "echo %d/s: us/update\t%s\t%d\t%s\n", $2, $1, run, $6
      printf "echo %d/s: user us/update\t%s\t%d\t%s\n", $2, $1, run, $7
      printf "echo %d/s: kernel us/update\t%s\t%d\t%s\n", $2, $1, run, $8
      printf "echo %d/s: replies/s\t%s\t%d\t%s\n", $2, $1, run, $3
    }' "$1"
}
