#!/usr/bin/env bash
# bench_learn.sh: our tree learners against their Python peers, same data, same split, same
# run. Our histogram boosting (gbdt) against XGBoost `hist` with matched settings (500 trees
# unless LEARN_TREES says otherwise,
# learning rate 0.05, 31 leaves grown loss-guided, no depth limit, 255 bins, L2 1, min hessian
# 1, 2 threads, both starting from the training prior); our random forest against
# scikit-learn's RandomForestClassifier (100 trees unless LEARN_RF_TREES says otherwise,
# sqrt features, min_samples_leaf 10, 2 jobs) on the same input: scikit-learn < 1.4 has no
# NaN support in forests, so both get NaN as -999 and +-inf as +-1e30 (LEARN_NAN_FILL in
# bench/learn_bench.c); our forest on the raw values (NaN sent to a learned side) is reported
# too. Train on the labelled rows whose index % 5 != 0,
# AUC on the others, prediction timed on the first 100,000 rows. Each side reports wall and
# CPU seconds of the fit and the prediction from inside the process (data loading excluded);
# /usr/bin/time gives its peak resident memory. Medians of BENCH_RUNS runs.
# LightGBM 4.6 (bench/build_lightgbm.sh builds it from ../shared/peers/lightgbm/ when absent)
# runs at the same settings as ours and XGBoost (its Dataset construction in the fit time); our
# gbdt with its defaults (no parameters but 2 threads: rounds by early stopping on a held-out
# tenth, then the refit) is reported too. The single-row latency table (bench/latency_bench.c):
# one applicant's features through a 500-tree model of each (fitted on the first 20,000
# labelled rows), one thread, LEARN_CALLS (10,000) timed calls after 1,000 warm-up calls; the
# three models are fitted once and timed BENCH_RUNS times, each side in turn.
# Results: bench/results/learn.md.
#   data: the kernel's feature file of the full-size generated tables (creditscore features on
#   bench/work/full: 356,255 rows of which 307,511 labelled, 795 features), made once into
#   bench/work/learn/full.csf; LEARN_CSF=file uses another; LEARN_SYNTH=1 uses a generated
#   307,511 x 795 matrix instead (bench/learn_bench.c gen).
# LEARN_SIDES (default "gbdt xgb lgbm gbdtd lat rf rfn skrf", all) runs only the sides named
# (on a loaded machine a full run takes hours); the rows and goals of the others say "not run".
# LEARN_REPORT_ONLY=1 writes the report from the raw runs already in $BENCH_WORK/learn.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/learn
mkdir -p "$W"
TREES=${LEARN_TREES:-500}        # boosting rounds (the goal's setting is 500)
RF_TREES=${LEARN_RF_TREES:-100}  # forest trees
CALLS=${LEARN_CALLS:-10000}      # single-row latency calls
LGB=$(bash "$ROOT/bench/build_lightgbm.sh")
export PYTHONPATH=$LGB/python-package${PYTHONPATH:+:$PYTHONPATH}

# ---- the C driver, linked against the library objects `make bench` built -------------------
DRV=$W/learn_bench
objs=$(ls "$ROOT"/build/obj/{base,io,recipe,synth,features,eval,learn}/*.o)
# shellcheck disable=SC2086
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/bench/learn_bench.c" $objs \
  $(pkg-config --libs libcjson sqlite3 2>/dev/null) -lxgboost -lm
LAT=$W/latency_bench
# shellcheck disable=SC2086
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -I"$LGB/include" -Wno-error -o "$LAT" \
  "$ROOT/bench/latency_bench.c" $objs $(pkg-config --libs libcjson sqlite3 2>/dev/null) -lxgboost \
  -L"$LGB" -l_lightgbm -Wl,-rpath,"$LGB" -lm 2>/dev/null

# ---- data ------------------------------------------------------------------------------------
if [ -n "${LEARN_CSF:-}" ]; then
  CSF=$LEARN_CSF; SRC="the feature file $LEARN_CSF"
elif [ "${LEARN_SYNTH:-0}" = 1 ]; then
  CSF=$W/synth.csf
  [ -f "$CSF" ] || "$DRV" gen "$CSF" 307511 795 1
  SRC="a generated 307,511 x 795 matrix (bench/learn_bench.c gen, seed 1)"
else
  CSF=$W/full.csf
  if [ ! -f "$CSF" ]; then
    D=$(full_data)
    echo "bench_learn: computing the kernel features of $D" >&2
    "$CS" features --data "$D" --out "$CSF" >&2
  fi
  SRC="the kernel's features of the full-size generated tables (creditscore features on $(basename "$BENCH_WORK")/full)"
fi

LGBM='{"num_iterations":'$TREES',"objective":"binary","learning_rate":0.05,"num_leaves":31,"max_depth":-1,"max_bin":255,"lambda_l2":1,"min_sum_hessian_in_leaf":1,"min_data_in_leaf":20,"num_threads":2,"seed":1,"verbose":-1}'
GBDT_DEFAULT='{"num_threads":2}'
GBDT='{"num_iterations":'$TREES',"learning_rate":0.05,"num_leaves":31,"max_depth":-1,"max_bin":255,"lambda_l2":1,"min_sum_hessian_in_leaf":1,"min_data_in_leaf":20,"num_threads":2,"seed":1}'
XGB='{"num_boost_round":'$TREES',"base_score":"prior","eta":0.05,"tree_method":"hist","grow_policy":"lossguide","max_leaves":31,"max_depth":0,"max_bin":255,"lambda":1,"min_child_weight":1,"nthread":2,"objective":"binary:logistic","seed":1}'
RF="{\"n_estimators\":$RF_TREES,\"max_features\":\"sqrt\",\"min_samples_leaf\":10,\"num_threads\":2,\"seed\":1}"
SKRF="{\"n_estimators\":$RF_TREES,\"max_features\":\"sqrt\",\"min_samples_leaf\":10,\"n_jobs\":2,\"random_state\":1}"

# run NAME CMD...: one run; appends "<key=value line> rss_kb=N" to $W/NAME.txt
run() {
  local name=$1; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f '%M' -o "$tf" "$@" > "$W/$name.last" 2> "$W/$name.err" || { cat "$W/$name.err" >&2; rm -f "$tf"; return 1; }
  echo "$(grep -E '^side=' "$W/$name.last") rss_kb=$(tail -1 "$tf")" >> "$W/$name.txt"
  rm -f "$tf"
}

SIDES=${LEARN_SIDES:-gbdt xgb lgbm gbdtd lat rf rfn skrf}
on() { case " $SIDES " in *" $1 "*) return 0 ;; esac; return 1; }
REPORT_ONLY=${LEARN_REPORT_ONLY:-0}
[ "$REPORT_ONLY" = 1 ] || rm -f "$W"/{gbdt,xgb,lgbm,gbdtd,rf,rfn,skrf,lat}.txt
# the latency models are fitted on the first 20,000 labelled rows
LATCSF=$W/first20000.csf
[ -f "$LATCSF" ] || "$DRV" cut "$CSF" "$LATCSF" 20000
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$BENCH_RUNS"); do
  [ "$REPORT_ONLY" = 1 ] && break
  if on gbdt; then echo "bench_learn: run $i/$BENCH_RUNS: our gbdt" >&2; run gbdt "$DRV" fit "$CSF" gbdt "$GBDT"; fi
  if on xgb; then echo "bench_learn: run $i/$BENCH_RUNS: xgboost" >&2; run xgb "$PY" "$ROOT/bench/learn_peer.py" "$CSF" xgboost "$XGB"; fi
  if on lgbm; then echo "bench_learn: run $i/$BENCH_RUNS: lightgbm" >&2; run lgbm "$PY" "$ROOT/bench/learn_peer.py" "$CSF" lightgbm "$LGBM"; fi
  if on gbdtd; then echo "bench_learn: run $i/$BENCH_RUNS: our gbdt, defaults" >&2; run gbdtd "$DRV" fit "$CSF" gbdt "$GBDT_DEFAULT"; fi
  if on rf; then
    echo "bench_learn: run $i/$BENCH_RUNS: our forest (scikit-learn's input)" >&2
    run rf env LEARN_NAN_FILL=-999 "$DRV" fit "$CSF" forest "$RF"
  fi
  if on rfn; then echo "bench_learn: run $i/$BENCH_RUNS: our forest (raw values)" >&2; run rfn "$DRV" fit "$CSF" forest "$RF"; fi
  if on skrf; then
    echo "bench_learn: run $i/$BENCH_RUNS: scikit-learn forest" >&2
    run skrf "$PY" "$ROOT/bench/learn_peer.py" "$CSF" sklearn_rf "$SKRF"
  fi
done
# the latency models are fitted once; their BENCH_RUNS timing runs follow one another
if on lat && [ "$REPORT_ONLY" != 1 ]; then
  echo "bench_learn: single-row latency ($BENCH_RUNS timing runs)" >&2
  "$LAT" "$LATCSF" "$TREES" "$CALLS" "$BENCH_RUNS" >> "$W/lat.txt"
fi

# have SIDE...: every side ran; med NAME KEY: the median of KEY over the runs of NAME
have() { for x in "$@"; do [ -s "$W/$x.txt" ] || return 1; done; }
med() {
  have "$1" || { echo "-"; return 0; }
  sed -n "s/.* $2=\([0-9.e+-]*\).*/\1/p" "$W/$1.txt" | sort -g |
    awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
field() { have "$1" || return 0; sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$W/$1.txt" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

for s in gbdt xgb lgbm gbdtd rf rfn skrf; do
  eval "${s}_fit=$(med $s fit_s) ${s}_cpu=$(med $s fit_cpu) ${s}_auc=$(med $s auc)"
  eval "${s}_pred=$(med $s predict_s) ${s}_pcpu=$(med $s predict_cpu) ${s}_rss=$(med $s rss_kb)"
done
any=; for s in gbdt gbdtd xgb lgbm rf rfn skrf; do have $s && { any=$s; break; }; done
rows=-; feats=-; ntr=-; nte=-
[ -n "$any" ] && { rows=$(field $any rows); feats=$(field $any feats); ntr=$(field $any train); nte=$(field $any test); }
notrun=; for s in gbdt xgb lgbm gbdtd lat rf rfn skrf; do have $s || notrun="$notrun $s"; done
load=$(cut -d' ' -f1-3 /proc/loadavg)

verdict() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo no; fi; }
out=$ROOT/bench/results/learn.md
{
  echo "# Learners: our gbdt and forest against XGBoost and scikit-learn"
  echo
  echo "Data: $SRC: $rows rows x $feats features; trained on $ntr labelled rows (index % 5 != 0),"
  echo "AUC on $nte (index % 5 == 0); prediction of the first $(field gbdt predict_rows) rows."
  echo "Boosting: $TREES rounds on both sides; forests: $RF_TREES trees on both sides."
  echo "Medians of $BENCH_RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at the start: $load0, at the end: $load"
  echo "(the machine is shared: wall times carry the other jobs' load; CPU seconds are steadier)."
  echo "Fit time includes binning (ours) and QuantileDMatrix construction (XGBoost); data loading excluded."
  [ -n "${OMP_WAIT_POLICY:-}" ] && echo "OMP_WAIT_POLICY=$OMP_WAIT_POLICY for every side (waiting OpenMP threads sleep instead of spinning on the shared machine)."
  [ -n "$notrun" ] && echo "Not run in this run (LEARN_SIDES):$notrun."
  echo
  echo "| | AUC | fit wall s | fit CPU s | predict wall s | predict CPU s | peak RSS MB |"
  echo "|---|---|---|---|---|---|---|"
  have gbdt && echo "| ours gbdt | $gbdt_auc | $gbdt_fit | $gbdt_cpu | $gbdt_pred | $gbdt_pcpu | $(mb "$gbdt_rss") |"
  have xgb && echo "| XGBoost hist $("$PY" -c 'import xgboost; print(xgboost.__version__)' 2>/dev/null) | $xgb_auc | $xgb_fit | $xgb_cpu | $xgb_pred | $xgb_pcpu | $(mb "$xgb_rss") |"
  have lgbm && echo "| LightGBM $("$PY" -c 'import lightgbm; print(lightgbm.__version__)' 2>/dev/null) | $lgbm_auc | $lgbm_fit | $lgbm_cpu | $lgbm_pred | $lgbm_pcpu | $(mb "$lgbm_rss") |"
  have gbdtd && echo "| ours gbdt, defaults ($(field gbdtd trees) rounds by early stopping on a held-out tenth, then the refit) | $gbdtd_auc | $gbdtd_fit | $gbdtd_cpu | $gbdtd_pred | $gbdtd_pcpu | $(mb "$gbdtd_rss") |"
  have rf && echo "| ours forest, scikit-learn's input (NaN as -999) | $rf_auc | $rf_fit | $rf_cpu | $rf_pred | $rf_pcpu | $(mb "$rf_rss") |"
  have rfn && echo "| ours forest, raw values (NaN to a learned side) | $rfn_auc | $rfn_fit | $rfn_cpu | $rfn_pred | $rfn_pcpu | $(mb "$rfn_rss") |"
  have skrf && echo "| scikit-learn RF $("$PY" -c 'import sklearn; print(sklearn.__version__)' 2>/dev/null) | $skrf_auc | $skrf_fit | $skrf_cpu | $skrf_pred | $skrf_pcpu | $(mb "$skrf_rss") |"
  echo
  echo "| goal | measured | met (wall) | met (CPU s) |"
  echo "|---|---|---|---|"
  have gbdt xgb && echo "| gbdt AUC within 0.003 of XGBoost | $(awk -v a="$gbdt_auc" -v b="$xgb_auc" 'BEGIN {printf "%+.4f", a - b}') | $(verdict "($gbdt_auc - $xgb_auc) >= -0.003 && ($gbdt_auc - $xgb_auc) <= 0.003") | |"
  have gbdt xgb && echo "| gbdt fit time <= XGBoost's | wall $(ratio "$gbdt_fit" "$xgb_fit")x, CPU $(ratio "$gbdt_cpu" "$xgb_cpu")x | $(verdict "$gbdt_fit <= $xgb_fit") | $(verdict "$gbdt_cpu <= $xgb_cpu") |"
  have gbdt xgb && echo "| gbdt fit time <= half of XGBoost's (LightGBM-class) | wall $(ratio "$gbdt_fit" "$xgb_fit")x, CPU $(ratio "$gbdt_cpu" "$xgb_cpu")x | $(verdict "$gbdt_fit <= 0.5 * $xgb_fit") | $(verdict "$gbdt_cpu <= 0.5 * $xgb_cpu") |"
  have gbdt lgbm && echo "| gbdt fit <= 0.6x LightGBM's | wall $(ratio "$gbdt_fit" "$lgbm_fit")x, CPU $(ratio "$gbdt_cpu" "$lgbm_cpu")x | $(verdict "$gbdt_fit <= 0.6 * $lgbm_fit") | $(verdict "$gbdt_cpu <= 0.6 * $lgbm_cpu") |"
  have gbdt lgbm && echo "| gbdt AUC within 0.001 of LightGBM | $(awk -v a="$gbdt_auc" -v b="$lgbm_auc" 'BEGIN {printf "%+.4f", a - b}') | $(verdict "($gbdt_auc - $lgbm_auc) >= -0.001 && ($gbdt_auc - $lgbm_auc) <= 0.001") | |"
  have gbdt lgbm && echo "| gbdt peak memory <= half of LightGBM's | $(ratio "$gbdt_rss" "$lgbm_rss")x | $(verdict "$gbdt_rss <= 0.5 * $lgbm_rss") | |"
  have gbdt lgbm && echo "| gbdt prediction of 100,000 rows faster than LightGBM | wall $(ratio "$gbdt_pred" "$lgbm_pred")x, CPU $(ratio "$gbdt_pcpu" "$lgbm_pcpu")x | $(verdict "$gbdt_pred <= $lgbm_pred") | $(verdict "$gbdt_pcpu <= $lgbm_pcpu") |"
  have gbdtd lgbm && echo "| gbdt defaults: fit <= 0.6x LightGBM's | wall $(ratio "$gbdtd_fit" "$lgbm_fit")x, CPU $(ratio "$gbdtd_cpu" "$lgbm_cpu")x | $(verdict "$gbdtd_fit <= 0.6 * $lgbm_fit") | $(verdict "$gbdtd_cpu <= 0.6 * $lgbm_cpu") |"
  have gbdtd lgbm && echo "| gbdt defaults: AUC not below LightGBM's by more than 0.001 | $(awk -v a="$gbdtd_auc" -v b="$lgbm_auc" 'BEGIN {printf "%+.4f", a - b}') | $(verdict "($gbdtd_auc - $lgbm_auc) >= -0.001") | |"
  have gbdtd lgbm && echo "| gbdt defaults: peak memory <= half of LightGBM's | $(ratio "$gbdtd_rss" "$lgbm_rss")x | $(verdict "$gbdtd_rss <= 0.5 * $lgbm_rss") | |"
  have gbdt xgb && echo "| gbdt prediction of 100,000 rows at least as fast as XGBoost | wall $(ratio "$gbdt_pred" "$xgb_pred")x, CPU $(ratio "$gbdt_pcpu" "$xgb_pcpu")x | $(verdict "$gbdt_pred <= $xgb_pred") | $(verdict "$gbdt_pcpu <= $xgb_pcpu") |"
  have rf skrf && echo "| forest AUC equal to scikit-learn's (+-0.005), same input | $(awk -v a="$rf_auc" -v b="$skrf_auc" 'BEGIN {printf "%+.4f", a - b}') | $(verdict "($rf_auc - $skrf_auc) >= -0.005 && ($rf_auc - $skrf_auc) <= 0.005") | |"
  have skrf rf && echo "| forest at least 3x faster than scikit-learn, same input | wall $(ratio "$skrf_fit" "$rf_fit")x, CPU $(ratio "$skrf_cpu" "$rf_cpu")x faster | $(verdict "$skrf_fit >= 3 * $rf_fit") | $(verdict "$skrf_cpu >= 3 * $rf_cpu") |"
  have rf skrf && echo "| forest prediction of 100,000 rows at least as fast as scikit-learn's | wall $(ratio "$rf_pred" "$skrf_pred")x, CPU $(ratio "$rf_pcpu" "$skrf_pcpu")x | $(verdict "$rf_pred <= $skrf_pred") | $(verdict "$rf_pcpu <= $skrf_pcpu") |"
  echo
  if have lat; then
  lat() { sed -n "s/^side=$1 .* $2=\([0-9.]*\).*/\1/p" "$W/lat.txt" | sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
  o50=$(lat ours p50_us); x50=$(lat xgboost p50_us); l50=$(lat lightgbm p50_us)
  f50=$(awk -v a="$x50" -v b="$l50" 'BEGIN {print (a < b) ? a : b}')
  echo "Single-row latency: one applicant's $(sed -n 's/^side=ours feats=\([0-9]*\).*/\1/p' "$W/lat.txt" | head -1) features through a $TREES-tree model (fitted on the first"
  echo "20,000 labelled rows at the settings above, fitted once), one thread, $CALLS calls after 1,000 warm-up"
  echo "calls, each call timed alone, $BENCH_RUNS timing runs (each side in turn); medians over the runs of each"
  echo "run's percentile, microseconds:"
  echo
  echo "| | p50 us | p99 us | mean us |"
  echo "|---|---|---|---|"
  echo "| ours (\`lrn_predict_raw\` + sigmoid) | $o50 | $(lat ours p99_us) | $(lat ours mean_us) |"
  echo "| XGBoost C API \`XGBoosterPredictFromDense\` | $x50 | $(lat xgboost p99_us) | $(lat xgboost mean_us) |"
  echo "| LightGBM C API \`LGBM_BoosterPredictForMatSingleRowFast\` | $l50 | $(lat lightgbm p99_us) | $(lat lightgbm mean_us) |"
  echo
  echo "| goal | measured | met |"
  echo "|---|---|---|"
  echo "| ours <= 5 us p50 | $o50 us | $(verdict "$o50 <= 5") |"
  echo "| ours >= 5x faster than the faster peer (p50) | $(ratio "$f50" "$o50")x | $(verdict "$f50 >= 5 * $o50") |"
  echo
  fi
  echo "Peak RSS is the whole process, the memory-mapped feature file included (the Python side"
  echo "also copies the train/test/predict rows into C-ordered arrays, and NaN-fills them for the forest;"
  echo "our forest on scikit-learn's input holds a NaN-filled copy of the whole matrix)."
  echo
  echo "Commands (run by \`make bench\`, BENCH_ONLY=learn):"
  echo
  echo '```'
  echo "learn_bench fit FILE.csf gbdt '$GBDT'"
  echo "python3 bench/learn_peer.py FILE.csf xgboost '$XGB'"
  echo "python3 bench/learn_peer.py FILE.csf lightgbm '$LGBM'"
  echo "learn_bench fit FILE.csf gbdt '$GBDT_DEFAULT'"
  echo "latency_bench first20000.csf $TREES $CALLS $BENCH_RUNS"
  echo "LEARN_NAN_FILL=-999 learn_bench fit FILE.csf forest '$RF'"
  echo "learn_bench fit FILE.csf forest '$RF'"
  echo "python3 bench/learn_peer.py FILE.csf sklearn_rf '$SKRF'"
  echo '```'
  echo
  echo "Raw runs:"
  echo
  echo '```'
  for x in gbdt xgb lgbm gbdtd rf rfn skrf lat; do have $x && cat "$W/$x.txt"; done
  echo '```'
} > "$out"
echo "bench_learn: results in bench/results/learn.md" >&2
cat "$out"
