#!/usr/bin/env bash
# bench_quality.sh: the quality of our default `train` against what a data scientist gets from
# the usual libraries' defaults, on exactly the same 5 stratified folds. For each data set our
# `creditscore train` (no --params: the defaults of docs/learners.md) runs 5-fold CV and
# exports its folds (--folds-out); bench/quality_peer.py then cross-validates on those folds:
#   XGBoost 1.7 hist, 500 rounds, eta 0.05, max_depth 6, its other defaults;
#   XGBoost, the same with early stopping on each validation fold (AUC, patience 50);
#   LightGBM with its defaults and 500 rounds (built by bench/build_lightgbm.sh);
#   scikit-learn HistGradientBoostingClassifier with its defaults.
# AUC = the mean of the 5 fold AUCs (what `train` prints as CV AUC). Time = wall seconds of the
# 5 fits and predictions (ours: the CV part of `train`; binning included on both sides, data
# loading excluded), 2 threads everywhere. Goals: ours >= the best peer (ties within 0.002
# count) and at most 2x the fastest peer's time, on every row.
# Data (made once into $BENCH_WORK/quality):
#   generated: the kernel's features of the full-size generated tables (creditscore synth
#   --seed 1, creditscore features: $BENCH_WORK/learn/full.csf, shared with bench_learn), all
#   307,511 labelled clients and its first 2,000, 5,000 and 20,000 labelled clients
#   (learn_bench cut);
#   ../shared/data/homecredit-sample: the 1,000 real rows, creditscore features;
#   data/credit-risk: the public credit-risk data set (32,581 loans) through its recipe
#   (recipes/credit-risk.json, `features --recipe`, issue #13; the inferred recipe gives the
#   same features): run when this build has `features --recipe`, else the row says why.
# QUALITY_ROWS (default "homecredit gen2000 gen5000 gen20000 credit-risk full") picks rows;
# QUALITY_REPORT_ONLY=1 writes the report from the raw runs already in $BENCH_WORK/quality (a
# row without them says QUALITY_MISSING, or that it has none);
# BENCH_RUNS repeats each row (times: medians; AUCs do not move between runs);
# QUALITY_FULL_RUNS (default 1) repeats the full-size row (about an hour a run on 2 cores);
# QUALITY_FULL_SIDES (default all four) picks the peers of the full-size row (e.g. "xgb500",
# issue #13's comparison alone): a peer not run is "not run" in its cell and the row's verdicts
# are against the peers that ran, as the table says.
# Results: bench/results/quality.md. Issue #13's table (credit-risk, generated 5,000 and
# 300,000 rows: ours against XGBoost 500 rounds) is the same run's columns.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/quality
mkdir -p "$W"
ROWS=${QUALITY_ROWS:-homecredit gen2000 gen5000 gen20000 credit-risk full}
FULL_RUNS=${QUALITY_FULL_RUNS:-1}
SIDES="xgb500 xgb_es lgbm500 hgb"
FULL_SIDES=${QUALITY_FULL_SIDES:-$SIDES}
for s in $FULL_SIDES; do
  case " $SIDES " in *" $s "*) ;; *) echo "bench_quality: QUALITY_FULL_SIDES: unknown peer '$s' (one of: $SIDES)" >&2; exit 2 ;; esac
done
# sides_of ROW: the peers run on ROW
sides_of() { if [ "$1" = full ]; then echo "$FULL_SIDES"; else echo "$SIDES"; fi; }

# LightGBM only when a row to run has it as a peer
need_lgb=0
if [ "${QUALITY_REPORT_ONLY:-0}" != 1 ]; then
  for row in $ROWS; do case " $(sides_of "$row") " in *" lgbm500 "*) need_lgb=1 ;; esac; done
fi
if [ "$need_lgb" = 1 ]; then
  LGB=$(bash "$ROOT/bench/build_lightgbm.sh")
  export PYTHONPATH=$LGB/python-package${PYTHONPATH:+:$PYTHONPATH}
  "$PY" -c 'import lightgbm' || { echo "bench_quality: LightGBM does not import" >&2; exit 1; }
fi
"$PY" -c 'import xgboost, sklearn' || { echo "bench_quality: a peer does not import" >&2; exit 1; }

# the C driver (learn_bench cut), as bench_learn builds it
DRV=$W/learn_bench
objs=$(ls "$ROOT"/build/obj/{base,io,recipe,synth,features,eval,learn}/*.o)
# shellcheck disable=SC2086
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/bench/learn_bench.c" $objs \
  $(pkg-config --libs libcjson sqlite3 2>/dev/null) -lxgboost -lm

full_csf() {
  local csf=$BENCH_WORK/learn/full.csf
  if [ ! -f "$csf" ]; then
    local d; d=$(full_data)
    mkdir -p "$BENCH_WORK/learn"
    "$CS" features --data "$d" --out "$csf.tmp" >&2
    mv "$csf.tmp" "$csf"
  fi
  echo "$csf"
}

# csf_of ROW: the feature file of a row (made when missing), or "" with the reason on stderr
csf_of() {
  local row=$1 f=$W/$1.csf
  case $row in
    full) full_csf ;;
    gen*)
      if [ ! -f "$f" ]; then "$DRV" cut "$(full_csf)" "$f.tmp" "${row#gen}" && mv "$f.tmp" "$f"; fi
      echo "$f" ;;
    homecredit)
      local d=$ROOT/../shared/data/homecredit-sample
      if [ ! -d "$d" ]; then echo "no ../shared/data/homecredit-sample" >&2; echo ""; return; fi
      [ -f "$f" ] || "$CS" features --data "$d" --out "$f" >&2
      echo "$f" ;;
    credit-risk)
      local d=$ROOT/data/credit-risk
      if ! "$CS" features --help 2>&1 | grep -q -- '--recipe'; then
        echo "this build has no 'features --recipe' (issue #13)" >&2; echo ""; return
      fi
      [ -f "$f" ] || "$CS" features --recipe "$ROOT/recipes/credit-risk.json" --data "$d" --out "$f" >&2
      echo "$f" ;;
    *) echo "unknown row $row" >&2; exit 2 ;;
  esac
}

# one ROW: ours then the peers on our folds, RUNS times; appends key=value lines to $W/ROW.txt
one() {
  local row=$1 runs=$2 csf=$3
  rm -f "$W/$row.txt"
  for i in $(seq "$runs"); do
    echo "bench_quality: $row run $i/$runs: ours" >&2
    /usr/bin/time -f '%U %S' -o "$W/$row.ours.time" \
      "$CS" train --features "$csf" --out "$W/$row.csm" --no-track --folds-out "$W/$row.folds" \
      > "$W/$row.ours.out" 2> "$W/$row.ours.err" || { cat "$W/$row.ours.err" >&2; return 1; }
    local auc sd cv rounds
    auc=$(sed -n 's/^CV AUC *\([0-9.]*\) +- \([0-9.]*\).*/\1/p' "$W/$row.ours.out")
    sd=$(sed -n 's/^CV AUC *\([0-9.]*\) +- \([0-9.]*\).*/\2/p' "$W/$row.ours.out")
    cv=$(sed -n 's/^time .*(CV \([0-9.]*\) s,.*/\1/p' "$W/$row.ours.out")
    rounds=$(sed -n 's/^rounds *\([0-9]*\),.*(\(.*\))$/\2/p' "$W/$row.ours.out" | tr -d ' ' | tr ',' '/')
    echo "side=ours auc_mean=$auc auc_sd=$sd cv_s=$cv train_cpu=$(awk '{print $1 + $2}' "$W/$row.ours.time") rounds=$rounds" >> "$W/$row.txt"
    for s in $(sides_of "$row"); do
      echo "bench_quality: $row run $i/$runs: $s" >&2
      "$PY" "$ROOT/bench/quality_peer.py" "$csf" "$W/$row.folds" "$s" >> "$W/$row.txt"
    done
  done
}

# med ROW SIDE KEY: median of KEY over the runs of SIDE on ROW
med() {
  sed -n "s/^side=$2 .*$3=\([0-9.e+-]*\).*/\1/p" "$W/$1.txt" | sort -g |
    awk '{v[NR]=$1} END {if (NR == 0) print ""; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
first() { sed -n "s/^side=$2 .*$3=\([^ ]*\).*/\1/p" "$W/$1.txt" | head -1; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date -u '+%Y-%m-%d %H:%M UTC')
if [ "${QUALITY_REPORT_ONLY:-0}" = 1 ]; then
  t0="report of earlier raw runs${QUALITY_WHEN:+ ($QUALITY_WHEN)} written $t0"
  load0=${QUALITY_LOAD:-unknown}
fi
declare -A WHY
for row in $ROWS; do
  if [ "${QUALITY_REPORT_ONLY:-0}" = 1 ]; then
    [ -s "$W/$row.txt" ] || { WHY[$row]=${QUALITY_MISSING:-no raw runs in $(basename "$BENCH_WORK")/quality}; continue; }
    for s in ours $(sides_of "$row"); do
      grep -q "^side=$s " "$W/$row.txt" || WHY[$row]="${QUALITY_MISSING:-incomplete}: no $s run"
    done
    continue
  fi
  csf=$(csf_of "$row" 2> "$W/$row.why") || true
  if [ -z "$csf" ]; then WHY[$row]=$(tail -1 "$W/$row.why"); echo "bench_quality: $row not run: ${WHY[$row]}" >&2; continue; fi
  runs=$BENCH_RUNS
  [ "$row" = full ] && runs=$FULL_RUNS
  one "$row" "$runs" "$csf"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

label() {
  case $1 in
    homecredit) echo "Home Credit sample (real)" ;;
    credit-risk) echo "credit-risk (public, recipe)" ;;
    full) echo "generated, full size" ;;
    gen*) echo "generated, first ${1#gen}" ;;
  esac
}
verdict() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo "**no**"; fi; }
out=$ROOT/bench/results/quality.md
{
  echo "# Quality of the defaults: our \`train\` against XGBoost, LightGBM and scikit-learn on the same folds"
  echo
  echo "5-fold stratified CV (our folds, exported by \`train --folds-out\`, used by every peer), AUC = mean of"
  echo "the fold AUCs; time = wall seconds of the 5 fits and predictions, 2 threads. Ours: \`creditscore train\`"
  if [ "${QUALITY_REPORT_ONLY:-0}" = 1 ]; then
    echo "without \`--params\` (docs/learners.md). $t0, $(nproc) cores, load average: $load0"
    echo "(the machine is shared: times carry the other jobs' load). Runs per row: $BENCH_RUNS"
  else
    echo "without \`--params\` (docs/learners.md). $t0, $(nproc) cores, load average at the start: $load0, at the end:"
    echo "$load1 (the machine is shared: times carry the other jobs' load). Runs per row: $BENCH_RUNS"
  fi
  echo "(the full-size row: $FULL_RUNS); times are medians.${OMP_WAIT_POLICY:+ OMP_WAIT_POLICY=$OMP_WAIT_POLICY for every side (OpenMP threads sleep}"
  [ -n "${OMP_WAIT_POLICY:-}" ] && echo "instead of spinning while they wait: on a shared, oversubscribed machine spinning threads burn the CPU the others need)."
  echo
  echo "| data | clients | features | ours | XGBoost 500 | XGBoost early stop | LightGBM 500 | HistGB | ours - best | met | ours s | fastest peer s | ratio | met |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for row in $ROWS; do
    if [ -n "${WHY[$row]:-}" ]; then
      echo "| $(label "$row") | | | not run: ${WHY[$row]} | | | | | | | | | | |"
      continue
    fi
    n=$(first "$row" xgb500 rows); nf=$(first "$row" xgb500 feats)
    o=$(med "$row" ours auc_mean); os=$(med "$row" ours cv_s)
    best=0; fast=1e30; cells=""; partial=0
    for s in $SIDES; do
      a=$(med "$row" "$s" auc_mean); t=$(med "$row" "$s" cv_s)
      if [ -z "$a" ]; then cells="$cells | not run"; partial=1; continue; fi
      cells="$cells | $a"
      best=$(awk -v a="$a" -v b="$best" 'BEGIN {print (a > b) ? a : b}')
      fast=$(awk -v a="$t" -v b="$fast" 'BEGIN {print (a < b) ? a : b}')
    done
    d=$(awk -v a="$o" -v b="$best" 'BEGIN {printf "%+.4f", a - b}')
    r=$(awk -v a="$os" -v b="$fast" 'BEGIN {printf "%.2f", a / b}')
    echo "| $(label "$row") | $n | $nf | $o$cells | $d | $(verdict "$o >= $best - 0.002") | $os | $fast | ${r}x | $(verdict "$os <= 2 * $fast") |"
  done
  [ "$FULL_SIDES" = "$SIDES" ] || case " $ROWS " in *" full "*)
    echo
    echo "The full-size row ran ours and $FULL_SIDES only (QUALITY_FULL_SIDES): its best, fastest and verdicts are"
    echo "against those peers; a \"not run\" cell was not measured." ;; esac
  echo
  echo "Time of every side (wall seconds of the 5 folds, median):"
  echo
  echo "| data | ours | XGBoost 500 | XGBoost early stop | LightGBM 500 | HistGB |"
  echo "|---|---|---|---|---|---|"
  for row in $ROWS; do
    [ -n "${WHY[$row]:-}" ] && continue
    line="| $(label "$row") | $(med "$row" ours cv_s)"
    for s in $SIDES; do t=$(med "$row" "$s" cv_s); line="$line | ${t:-not run}"; done
    echo "$line |"
  done
  echo
  echo "CPU seconds (the peers: their 5 fits and predictions; ours: the whole \`train\` process, CV,"
  echo "calibration and the refit included, an upper bound of its CV's): steadier than wall time on a"
  echo "shared machine:"
  echo
  echo "| data | ours (whole train) | XGBoost 500 | XGBoost early stop | LightGBM 500 | HistGB |"
  echo "|---|---|---|---|---|---|"
  for row in $ROWS; do
    [ -n "${WHY[$row]:-}" ] && continue
    c=$(med "$row" ours train_cpu); line="| $(label "$row") | ${c:--}"
    for s in $SIDES; do c=$(med "$row" "$s" cv_cpu); line="$line | ${c:-not run}"; done
    echo "$line |"
  done
  echo
  echo "Rounds per fold (ours: early stopping, the refit takes their mean; XGBoost early stop: its best"
  echo "iteration; HistGB: its own early stopping above 10,000 rows):"
  echo
  echo "| data | ours | XGBoost early stop | HistGB |"
  echo "|---|---|---|---|"
  for row in $ROWS; do
    [ -n "${WHY[$row]:-}" ] && continue
    echo "| $(label "$row") | $(first "$row" ours rounds) | $(first "$row" xgb_es rounds) | $(first "$row" hgb rounds) |"
  done
  echo
  echo "Issue #13's comparison (ours against XGBoost 500 rounds, eta 0.05, depth 6, same folds) is the"
  echo "\"ours\" and \"XGBoost 500\" columns of the credit-risk, generated 5,000 and full-size rows."
  echo
  echo "Commands (\`make bench\`, BENCH_ONLY=quality):"
  echo
  echo '```'
  echo "creditscore train --features ROW.csf --out ROW.csm --no-track --folds-out ROW.folds"
  for s in $SIDES; do echo "python3 bench/quality_peer.py ROW.csf ROW.folds $s"; done
  echo '```'
  echo
  echo "Raw runs:"
  echo
  echo '```'
  for row in $ROWS; do
    [ -n "${WHY[$row]:-}" ] && continue
    sed "s/^/$row: /" "$W/$row.txt"
  done
  echo '```'
} > "$out"
echo "bench_quality: results in bench/results/quality.md" >&2
cat "$out"
