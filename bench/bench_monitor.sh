#!/usr/bin/env bash
# bench_monitor.sh: `creditscore monitor` over 1,000,000 audited decisions of a model with 795
# features, 24 monthly periods, beside the same PSI/CSI computation in pandas + numpy
# (bench/monitor_peer.py), in the same run.
#
# The data is written directly by bench/monitor_bench.c (not through HTTP: replaying a
# million decisions through the API would take most of an hour and measure the API): a
# logistic-regression model trained on 5,000 generated clients (795 kernel features), a
# clients store of 1,000,000 clients drawn from the model's drift sample (every third
# feature drifting by month), the audit log of their decisions through the API's own writer
# (store_audit_append) and outcomes for the first 12 months (imported with `outcomes
# import`, timed apart); the feature file the store is imported from is kept beside it.
# Two rows, each side reading the same input: creditscore `monitor --features` (the feature
# file, column-wise) against the peer reading the same file with numpy.memmap, BENCH_RUNS runs
# of each, medians; and `monitor --clients` (the SQLite clients store, row by row) against the
# peer reading the same SQLite file, MONITOR_SQLITE_RUNS runs (default 1: the peer takes
# minutes). creditscore also writes the HTML and JSON reports and computes the performance of
# the mature months. MONITOR_N sets the decisions (default 1000000); MONITOR_SQLITE_RUNS=0
# leaves the SQLite row out (its cells say "-").
# Results: bench/results/monitor.md.
source "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
N=${MONITOR_N:-1000000}
W=$BENCH_WORK/monitor
D=$W/n$N
OUT=$ROOT/bench/results/monitor.md
mkdir -p "$W" "$D"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

DRV=$W/monitor_bench
# shellcheck disable=SC2046
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/bench/monitor_bench.c" \
  -Wl,--start-group "$ROOT"/build/lib/*.a -Wl,--end-group $(pkg-config --libs libcjson sqlite3 libmicrohttpd libpq 2>/dev/null) -lxgboost -lm
if [ ! -f "$W/model.csm" ]; then
  "$CS" synth --out "$W/small" --clients 5000 --test-clients 0 --seed 3 --quiet
  "$CS" features --data "$W/small" --out "$W/small.csf" >/dev/null
  "$CS" train --features "$W/small.csf" --model logreg --params '{"C": 0.005}' --cv 3 --name bench-monitor \
    --out "$W/model.csm" --no-track >/dev/null
fi
if [ ! -f "$D/.complete" ] || [ ! -f "$D/features.csf" ]; then
  rm -f "$D"/*.db "$D"/*.db-* "$D"/*.csv "$D"/*.csf
  t0=$(date +%s.%N)
  "$DRV" gen "$W/model.csm" "$D" "$N" 24
  t1=$(date +%s.%N)
  /usr/bin/time -f '%e' -o "$D/import.time" "$CS" outcomes import --audit "$D/audit.db" --csv "$D/outcomes.csv" --quiet >"$D/import.out"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", b - a }' >"$D/gen.time"
  touch "$D/.complete"
fi
SQ_RUNS=${MONITOR_SQLITE_RUNS:-1}
rm -f "$W/cs" "$W/py" "$W/cs_sq" "$W/py_sq"
timed() {   # timed OUT CMD...: append "wall cpu peak_MB" of CMD to OUT
  local out=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$W/.t" "$@"
  awk '{printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024}' "$W/.t" >>"$out"
}
for r in $(seq "$BENCH_RUNS"); do
  echo "  monitor --features run $r/$BENCH_RUNS, load $(cut -d' ' -f1 /proc/loadavg)" >&2
  timed "$W/cs" "$CS" monitor --audit "$D/audit.db" --model "$W/model.csm" \
    --features "$D/features.csf" --json "$W/monitor.json" --html "$W/monitor.html" --quiet
  echo "  peer (feature file) run $r/$BENCH_RUNS, load $(cut -d' ' -f1 /proc/loadavg)" >&2
  timed "$W/py" "$PY" "$ROOT/bench/monitor_peer.py" "$D" "$W/monitor.json" csf >"$W/py.out"
done
for r in $(seq "$SQ_RUNS"); do
  echo "  monitor --clients run $r/$SQ_RUNS, load $(cut -d' ' -f1 /proc/loadavg)" >&2
  timed "$W/cs_sq" "$CS" monitor --audit "$D/audit.db" --model "$W/model.csm" \
    --clients "$D/clients.db" --json "$W/monitor_sq.json" --html "$W/monitor_sq.html" --quiet
  echo "  peer (SQLite) run $r/$SQ_RUNS, load $(cut -d' ' -f1 /proc/loadavg)" >&2
  timed "$W/py_sq" "$PY" "$ROOT/bench/monitor_peer.py" "$D" "$W/monitor_sq.json" sqlite >"$W/py_sq.out"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1f", b / a; else print "-" }'; }
cw=$(median "$W/cs" 1); cc=$(median "$W/cs" 2); cm=$(median "$W/cs" 3)
pw=$(median "$W/py" 1); pc=$(median "$W/py" 2); pm=$(median "$W/py" 3)
if [ "$SQ_RUNS" -gt 0 ]; then
  sw=$(median "$W/cs_sq" 1); sc=$(median "$W/cs_sq" 2); sm=$(median "$W/cs_sq" 3)
  qw=$(median "$W/py_sq" 1); qc=$(median "$W/py_sq" 2); qm=$(median "$W/py_sq" 3)
else  # MONITOR_SQLITE_RUNS=0: the SQLite row is not run
  sw=-; sc=-; sm=-; qw=-; qc=-; qm=-
  : >"$W/cs_sq"; : >"$W/py_sq"; echo "(SQLite row not run: MONITOR_SQLITE_RUNS=0)" >"$W/py_sq.out"
fi
nfeat=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["features"]))' "$W/monitor.json")
nper=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["periods"]))' "$W/monitor.json")
[ "$SQ_RUNS" -gt 0 ] || cp "$W/monitor.json" "$W/monitor_sq.json"
same=$("$PY" - "$W/monitor.json" "$W/monitor_sq.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for k in ["seconds", "clients", "features_file"]:
    a.pop(k); b.pop(k)
print("the same report (every field but the sources and the time equal)" if a == b else
      "DIFFERENT reports: " + ", ".join(k for k in a if a[k] != b[k]))
PYEOF
)
goal=$(awk -v a="$cw" 'BEGIN { print (a < 10) ? "met" : "NOT met" }')
goal2=$(awk -v a="$cw" -v b="$pw" 'BEGIN { print (b / a >= 10) ? "met" : "NOT met" }')
goal2c=$(awk -v a="$cc" -v b="$pc" 'BEGIN { print (b / a >= 10) ? "met" : "NOT met" }')
{
  echo "# Monitoring report vs pandas + numpy"
  echo
  echo "Generated by \`bench/bench_monitor.sh\` (\`make bench\`, or \`BENCH_ONLY=monitor bench/run.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC'),"
  echo "$(nproc) cores, load average $load_start at the start and $load_end at the end, $BENCH_RUNS runs each, medians."
  echo "pandas $("$PY" -c 'import pandas; print(pandas.__version__)'), numpy $("$PY" -c 'import numpy; print(numpy.__version__)'), $("$PY" --version 2>&1), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)."
  echo
  echo "Data: $N decisions in the audit log ($(du -h "$D/audit.db" | cut -f1)), $nfeat features per client in the clients'"
  echo "feature file ($(du -h "$D/features.csf" | cut -f1)) and in the clients store built from it ($(du -h "$D/clients.db" | cut -f1)), $nper monthly periods,"
  echo "outcomes for the first 12 months. Written by \`bench/monitor_bench.c\` in $(cat "$D/gen.time") s (features, clients"
  echo "store, the decisions through the audit writer); \`outcomes import\` of $(($(wc -l <"$D/outcomes.csv") - 1)) outcomes took"
  echo "$(cat "$D/import.time") s ($(cut -d: -f1 "$D/import.out" | head -c 200))."
  echo
  echo '```'
  echo "creditscore monitor --audit audit.db --model model.csm --features features.csf --json monitor.json --html monitor.html --quiet"
  echo "$PY bench/monitor_peer.py DIR monitor.json csf"
  echo "creditscore monitor --audit audit.db --model model.csm --clients clients.db --json monitor.json --html monitor.html --quiet"
  echo "$PY bench/monitor_peer.py DIR monitor.json sqlite"
  echo '```'
  echo
  echo "each under \`/usr/bin/time\`. creditscore reads the decisions, the outcomes and every decision's"
  echo "$nfeat features, computes per month the score PSI, all $nfeat CSIs, AUC/Gini/KS, the banded"
  echo "binomial tests and the vintages, and writes both reports. The peer computes the score PSI and"
  echo "the $nfeat CSIs (the part pandas users time in evidently) from the same files and compares them"
  echo "with creditscore's: from the feature file column by column (numpy.memmap, each column gathered"
  echo "in the decisions' row order, np.searchsorted + np.bincount), or from the SQLite store in chunks"
  echo "of 50,000 clients."
  echo
  echo "| features read from | | creditscore | pandas + numpy | x faster |"
  echo "|---|---|---|---|---|"
  echo "| feature file (runs: $BENCH_RUNS) | wall s | $cw | $pw | $(ratio "$cw" "$pw") |"
  echo "| | CPU s (user + sys) | $cc | $pc | $(ratio "$cc" "$pc") |"
  echo "| | peak memory MB | $cm | $pm | |"
  echo "| SQLite clients store (runs: $SQ_RUNS) | wall s | $sw | $qw | $(ratio "$sw" "$qw") |"
  echo "| | CPU s (user + sys) | $sc | $qc | $(ratio "$sc" "$qc") |"
  echo "| | peak memory MB | $sm | $qm | |"
  echo
  if [ "$SQ_RUNS" -gt 0 ]; then
    echo "\`monitor --features\` is $(ratio "$cw" "$sw")x faster than \`monitor --clients\` in wall time, $(ratio "$cc" "$sc")x in CPU time; $same."
  else
    echo "The SQLite row was not run (MONITOR_SQLITE_RUNS=0)."
  fi
  echo
  echo "Goals (feature file, each side reading the same file): under 10 s for creditscore: **$goal**;"
  echo "at least 10x the peer: **$goal2** in wall time, **$goal2c** in CPU time."
  echo
  echo "The peer: $(cat "$W/py.out"). $(cat "$W/py_sq.out")."
  echo
  echo "All runs (wall s, CPU s, peak MB): creditscore --features $(tr '\n' ';' <"$W/cs") peer $(tr '\n' ';' <"$W/py")"
  echo "creditscore --clients $(tr '\n' ';' <"$W/cs_sq") peer $(tr '\n' ';' <"$W/py_sq")."
} >"$OUT"
cat "$OUT"
