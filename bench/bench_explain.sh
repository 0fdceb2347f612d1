#!/usr/bin/env bash
# bench_explain.sh: our logistic regression against scikit-learn's, and our TreeSHAP against
# XGBoost's own pred_contribs, same data, same rows, same run (bench/explain_bench.c and
# bench/explain_peer.py). Rows: train = the first EXPLAIN_TRAIN labelled rows whose
# index % 5 != 0, test = the first EXPLAIN_TEST labelled rows whose index % 5 == 0.
#   logreg: C = 1, both after the same preprocessing (clip, median, standardise; included in
#           the fit time); ours L-BFGS to max |gradient| 1e-6 on 2 threads, scikit-learn lbfgs
#           with its default tol; AUC on the test rows.
#   TreeSHAP: an XGBoost model (EXPLAIN_ROUNDS rounds, depth 6, eta 0.1) trained once through our
#           bridge; exact contributions of the test rows: ours (converted trees, OpenMP, 2
#           threads) against XGBoost's pred_contribs (nthread 2, DMatrix construction included).
# Medians of BENCH_RUNS runs. Data: the kernel's feature file of the full-size generated
# tables (bench/work/learn/full.csf, made as bench_learn.sh does), or EXPLAIN_CSF=file.
# Results: bench/results/explain.md.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/explain
mkdir -p "$W"
NTR=${EXPLAIN_TRAIN:-30000}
NTE=${EXPLAIN_TEST:-10000}
ROUNDS=${EXPLAIN_ROUNDS:-200}

DRV=$W/explain_bench
libs="base io synth features eval learn explain"
(cd "$ROOT" && make -s $(for l in $libs; do printf 'build/lib/libcs_%s.a ' $l; done) >/dev/null)
# shellcheck disable=SC2046
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/bench/explain_bench.c" \
  -Wl,--start-group $(for l in $libs; do printf '%s/build/lib/libcs_%s.a ' "$ROOT" $l; done) -Wl,--end-group \
  $(pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lxgboost -lm

if [ -n "${EXPLAIN_CSF:-}" ]; then
  CSF=$EXPLAIN_CSF
else
  CSF=$BENCH_WORK/learn/full.csf
  if [ ! -f "$CSF" ]; then
    mkdir -p "$(dirname "$CSF")"
    D=$(full_data)
    "$CS" features --data "$D" --out "$CSF" >&2
  fi
fi
XGB="{\"num_boost_round\":$ROUNDS,\"eta\":0.1,\"max_depth\":6,\"nthread\":2,\"seed\":1}"
MODEL=$W/model.json
rm -f "$MODEL" "$W"/{lr_ours,lr_sk,shap_ours,shap_xgb}.txt

run() {    # run NAME CMD...: one run; appends its key=value line and peak RSS to $W/NAME.txt
  local name=$1; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f '%M' -o "$tf" "$@" > "$W/$name.last" 2> "$W/$name.err" || { cat "$W/$name.err" >&2; rm -f "$tf"; return 1; }
  echo "$(grep -E '^side=' "$W/$name.last") rss_kb=$(tail -1 "$tf")" >> "$W/$name.txt"
  rm -f "$tf"
}
for i in $(seq "$BENCH_RUNS"); do
  echo "bench_explain: run $i/$BENCH_RUNS" >&2
  run lr_ours "$DRV" logreg "$CSF" "$NTR" "$NTE" 1
  run lr_sk "$PY" "$ROOT/bench/explain_peer.py" logreg "$CSF" "$NTR" "$NTE" 1
  run shap_ours "$DRV" shap "$CSF" "$NTR" "$NTE" "$XGB" "$MODEL"     # run 1 also trains
  run shap_xgb "$PY" "$ROOT/bench/explain_peer.py" shap "$CSF" "$NTR" "$NTE" "$MODEL"
done

med() {
  sed -n "s/.* $2=\([0-9.e+-]*\).*/\1/p" "$W/$1.txt" | sort -g |
    awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$W/$1.txt" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
out=$ROOT/bench/results/explain.md
{
  echo "# Logistic regression and TreeSHAP against scikit-learn and XGBoost"
  echo
  echo "Data: $(basename "$CSF") ($(field lr_ours rows) rows x $(field lr_ours feats) features); train $(field lr_ours train) rows, test $(field lr_ours test) rows."
  echo "Medians of $BENCH_RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "(a shared machine: wall times carry the other jobs' load; CPU seconds are steadier)."
  echo
  echo "| logistic regression (C = 1) | AUC | iterations | fit wall s | fit CPU s |"
  echo "|---|---|---|---|---|"
  echo "| ours (L-BFGS, tol 1e-6) | $(med lr_ours auc) | $(med lr_ours iter) | $(med lr_ours fit_s) | $(med lr_ours fit_cpu) |"
  echo "| scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)') lbfgs | $(med lr_sk auc) | $(med lr_sk iter) | $(med lr_sk fit_s) | $(med lr_sk fit_cpu) |"
  echo
  echo "| TreeSHAP, $(field shap_ours trees) trees of depth 6, $(field shap_ours test) rows | wall s | CPU s |"
  echo "|---|---|---|"
  echo "| ours (converted trees) | $(med shap_ours shap_s) | $(med shap_ours shap_cpu) |"
  echo "| XGBoost $($PY -c 'import xgboost; print(xgboost.__version__)') pred_contribs | $(med shap_xgb shap_s) | $(med shap_xgb shap_cpu) |"
  echo
  echo "Ratios (ours / peer, CPU): logreg fit $(ratio "$(med lr_ours fit_cpu)" "$(med lr_sk fit_cpu)")x, TreeSHAP $(ratio "$(med shap_ours shap_cpu)" "$(med shap_xgb shap_cpu)")x."
  echo "Our expected value + contributions == raw score on every test row: largest gap $(field shap_ours additivity)."
  echo "XGBoost training through our bridge (run 1): $(field shap_ours xgb_fit_s) s wall."
  echo
  echo "Commands (run by \`make bench\`, BENCH_ONLY=explain):"
  echo
  echo '```'
  echo "explain_bench logreg FILE.csf $NTR $NTE 1"
  echo "python3 bench/explain_peer.py logreg FILE.csf $NTR $NTE 1"
  echo "explain_bench shap FILE.csf $NTR $NTE '$XGB' model.json"
  echo "python3 bench/explain_peer.py shap FILE.csf $NTR $NTE model.json"
  echo '```'
  echo
  echo "Raw runs:"
  echo
  echo '```'
  cat "$W"/{lr_ours,lr_sk,shap_ours,shap_xgb}.txt
  echo '```'
} > "$out"
echo "bench_explain: results in bench/results/explain.md" >&2
cat "$out"
