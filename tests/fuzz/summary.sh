#!/usr/bin/env bash
# summary.sh: one line per fuzz target from the logs of the last `make fuzz`
# (build/fuzz/log-<name>.txt): seconds, executions, executions per second, coverage (edges
# and features, libFuzzer's cov and ft), corpus size, peak memory and findings (files in
# build/fuzz/findings-<name>/). Markdown, so it can be pasted into a report.
set -euo pipefail
cd "$(dirname "$0")/../.."
shopt -s nullglob
logs=(build/fuzz/log-*.txt)
[ ${#logs[@]} -gt 0 ] || { echo "summary: no fuzz logs in build/fuzz (run make fuzz)" >&2; exit 1; }
echo "| target | seconds | executions | exec/s | edges (cov) | features (ft) | corpus | peak RSS MB | findings |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for f in "${logs[@]}"; do
  name=${f#build/fuzz/log-}; name=${name%.txt}
  # crash-, leak-, timeout-, oom- files; slow-unit- files are not findings (libFuzzer writes
  # one for any input that once took over 10 s, which a loaded machine can cause)
  findings=$(find "build/fuzz/findings-$name" -type f ! -name 'slow-unit-*' 2>/dev/null | wc -l)
  awk -v name="$name" -v findings="$findings" '
    /(DONE|pulse|NEW|REDUCE|INITED) +cov:/ {
      for (i = 1; i <= NF; i++) { if ($i == "cov:") cov = $(i + 1); if ($i == "ft:") ft = $(i + 1); if ($i == "corp:") corp = $(i + 1) }
    }
    /^Done [0-9]+ runs in/ { secs = $(NF - 1) }
    /stat::number_of_executed_units:/ { runs = $2 }
    /stat::average_exec_per_sec:/ { eps = $2 }
    /stat::peak_rss_mb:/ { rss = $2 }
    END {
      sub(/\/.*/, "", corp)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %d |\n", name, secs ? secs : "-", runs ? runs : "-",
             eps ? eps : "-", cov ? cov : "-", ft ? ft : "-", corp ? corp : "-", rss ? rss : "-", findings
    }' "$f"
done
