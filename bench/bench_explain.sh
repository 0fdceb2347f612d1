#!/usr/bin/env bash
# bench_explain.sh: our exact TreeSHAP against XGBoost's own pred_contribs, same trees, same
# rows, same run (bench/explain_bench.c and bench/explain_peer.py), and /v1/explain latency.
#   models: 500 (EXPLAIN_TREES) trees of depth 6 trained by XGBoost through our bridge
#           (converted into our trees), and 500 of our own 31-leaf leaf-wise GBDT trees; both
#           written as XGBoost JSON models for the peer (explain_bench.c's _xgb_json), so
#           XGBoost explains exactly the trees we explain.
#   rows:   train = the first EXPLAIN_TRAIN labelled rows whose index % 5 != 0, test = the
#           first EXPLAIN_TEST (10,000) labelled rows whose index % 5 == 0, of the kernel's
#           feature file of the full-size generated tables (768 features).
#   timing: 1 and 2 threads; ours = shap_explain_matrix (tables where their size is bounded,
#           blocks of rows, OpenMP), the recursive algorithm (the classic; XGBoost's method, in
#           double) on the same rows in run 1, XGBoost pred_contribs with DMatrix construction
#           included. Checked: additivity on every row, our engine against the recursive
#           algorithm (1e-9 of the row's total) and against XGBoost (float32: 1e-6).
#   /v1/explain: the 1,000-tree XGBoost model of bench_api.sh (built here when absent, in the
#           same place), creditscore serve with 2 threads, wrk with one connection.
#   memory: the explainer's precomputed bytes for the 1,000-tree model, with tables (the
#           matrix path, `creditscore explain`) and without (serve).
#   EXPLAIN_LOGREG=1 adds our logistic regression against scikit-learn's (C = 1);
#   EXPLAIN_RECURSIVE_RUNS=n times the recursive algorithm in the first n runs (default 1);
#   EXPLAIN_API=0 skips /v1/explain and the memory of the 1,000-tree model;
#   EXPLAIN_ONLY=api runs only those two (the engine table is written from the lines of the
#   last run that measured it, its date and load quoted as that run's);
#   EXPLAIN_KINDS=gbdt re-runs one model (the other's lines kept); EXPLAIN_REPORT_ONLY=1 only
#   writes the results from the last runs' lines.
# Medians of BENCH_RUNS runs. Results: bench/results/explain.md.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/explain
mkdir -p "$W"
NTR=${EXPLAIN_TRAIN:-10000}
NTE=${EXPLAIN_TEST:-10000}
TREES=${EXPLAIN_TREES:-500}
DUR=${API_BENCH_SECONDS:-10}

DRV=$W/explain_bench
libs="base io recipe infer synth features eval learn explain model"
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
declare -A PARAMS=(
  [xgboost]="{\"num_boost_round\":$TREES,\"eta\":0.05,\"max_depth\":6,\"nthread\":2,\"seed\":1}"
  [gbdt]="{\"num_iterations\":$TREES,\"num_leaves\":31,\"learning_rate\":0.05,\"num_threads\":2,\"seed\":1}")
M=$W/models_${TREES}_$NTR
mkdir -p "$M"
KINDS=${EXPLAIN_KINDS:-xgboost gbdt}
REPORT_ONLY=${EXPLAIN_REPORT_ONLY:-0}
ONLY=${EXPLAIN_ONLY:-}
case "$ONLY" in ''|api) ;; *) echo "bench_explain: EXPLAIN_ONLY=$ONLY: expected api" >&2; exit 2 ;; esac
[ "$REPORT_ONLY" = 1 ] && KINDS=
[ "$ONLY" = api ] && KINDS=
for k in $KINDS; do rm -f "$W"/shap_*_"$k"_*.txt; done
rm -f "$W"/lr_*.txt
[ "${EXPLAIN_API:-1}" = 1 ] && [ "$REPORT_ONLY" != 1 ] && rm -f "$W"/api_explain.txt "$W"/memory.txt
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

run() {    # run NAME CMD...: one run; appends its key=value line and peak RSS to $W/NAME.txt
  local name=$1; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f '%M' -o "$tf" "$@" > "$W/$name.last" 2> "$W/$name.err" || { cat "$W/$name.err" >&2; rm -f "$tf"; return 1; }
  echo "$(grep -E '^side=' "$W/$name.last") rss_kb=$(tail -1 "$tf") load=$(cut -d' ' -f1 /proc/loadavg)" >> "$W/$name.txt"
  rm -f "$tf"
}
for i in $(seq "$([ "$REPORT_ONLY" = 1 ] || [ "$ONLY" = api ] && echo 0 || echo "$BENCH_RUNS")"); do
  for k in $KINDS; do
    for th in 1 2; do
      echo "bench_explain: run $i/$BENCH_RUNS, $k, $th thread(s)" >&2
      EXPLAIN_RECURSIVE=$([ "$i" -le "${EXPLAIN_RECURSIVE_RUNS:-1}" ] && echo 1 || echo 0) \
        run "shap_ours_${k}_$th" "$DRV" shap "$CSF" "$NTR" "$NTE" "$k" "${PARAMS[$k]}" "$M" "$th"  # run 1 also trains
      run "shap_xgb_${k}_$th" "$PY" "$ROOT/bench/explain_peer.py" shap "$CSF" "$NTR" "$NTE" "$M/$k.json" "$th" "$M/$k.phi"
    done
  done
  if [ "${EXPLAIN_LOGREG:-0}" = 1 ] && [ "$ONLY" != api ]; then
    run lr_ours "$DRV" logreg "$CSF" 30000 "$NTE" 1
    run lr_sk "$PY" "$ROOT/bench/explain_peer.py" logreg "$CSF" 30000 "$NTE" 1
  fi
done

# the engine table's run: its date, runs and load, quoted when a later run measures only the API
if [ -n "$KINDS" ]; then
  printf "Medians of %s runs, %s, load average at the start %s, at the end %s\n" "$BENCH_RUNS" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$W/engine_run.txt"
fi
API_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- /v1/explain on the 1,000-tree model (bench_api.sh's fixture) ------------------------------
BIG=$BENCH_WORK/api/big
if [ "${EXPLAIN_API:-1}" = 1 ] && [ "$REPORT_ONLY" != 1 ]; then
if ! { [ -f "$BIG/.complete" ] && "$DRV" memory "$BIG/model.csm" >/dev/null 2>&1; }; then
  echo "bench_explain: building $BIG (2,000 clients, 1,000 XGBoost trees)" >&2
  rm -rf "$BIG"
  "$CS" synth --out "$BIG/data" --clients 2000 --test-clients 333 --seed 11 >&2
  "$CS" features --data "$BIG/data" --out "$BIG/features.csf" --spec-out "$BIG/features.spec" >&2
  "$CS" train --features "$BIG/features.csf" --out "$BIG/model.csm" --cv 2 --spec "$BIG/features.spec" \
    --name xgb-1000 --model xgboost --calibration platt \
    --params '{"num_boost_round": 1000, "max_depth": 6, "eta": 0.02}' >&2
  "$CS" clients import --features "$BIG/features.csf" --data "$BIG/data" --out "$BIG/clients.db" >&2
  touch "$BIG/.complete"
fi
"$DRV" memory "$BIG/model.csm" > "$W/memory.txt"
BIG_CID=$(sed -n 2p "$BIG/data/application_test.csv" | cut -d, -f1)
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'{\"client_id\": $BIG_CID}'" >"$W/explain.lua"
P=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OMP_NUM_THREADS=2 "$CS" serve --model "$BIG/model.csm" --clients "$BIG/clients.db" --no-audit --threads 2 --port "$P" \
  >"$W/serve.out" 2>"$W/serve.err" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"client_id\": $BIG_CID}" "http://127.0.0.1:$P/v1/predict" && break
  sleep 0.1
done
curl -s -H 'Content-Type: application/json' -d "{\"client_id\": $BIG_CID}" "http://127.0.0.1:$P/v1/explain" >"$W/explain_answer.json"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert abs(d["contributions_sum"]-d["raw_score"]) < 1e-9, d' "$W/explain_answer.json"
for i in $(seq "$BENCH_RUNS"); do
  echo "bench_explain: /v1/explain (1,000 trees), run $i/$BENCH_RUNS" >&2
  wrk -t1 -c1 -d"${DUR}s" --latency -s "$W/explain.lua" "http://127.0.0.1:$P/v1/explain" | tee -a "$W/wrk.log" | awk -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)} /^Requests\/sec:/ {rps = $2}
    /Non-2xx/ {bad = $NF} END {printf "side=api rps=%s p50_ms=%.3f p99_ms=%.3f non2xx=%d load=%s\n", rps, p50, p99, bad + 0, load}' >> "$W/api_explain.txt"
done
SERVE_LOG=$(grep -m1 'explainer:' "$W/serve.err" "$W/serve.out" 2>/dev/null | sed 's/^[^:]*://' || true)
kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null || true
trap - EXIT
fi

# ---- results -------------------------------------------------------------------------------------
med() {
  [ -f "$W/$1.txt" ] || { echo "-"; return; }
  sed -n "s/.* $2=\([0-9.e+-]*\).*/\1/p" "$W/$1.txt" | sort -g |
    awk '{v[NR]=$1} END {if (!NR) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
field() { [ -f "$W/$1.txt" ] && sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$W/$1.txt" | head -1 || echo "-"; }
fmax() { [ -f "$W/$1.txt" ] && sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$W/$1.txt" | sort -g | tail -1 || echo "-"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0 && b > 0) printf "%.2f", a / b; else print "-"}'; }
out=$ROOT/bench/results/explain.md
XV=$($PY -c 'import xgboost; print(xgboost.__version__)')
{
  echo "# Exact TreeSHAP against XGBoost's pred_contribs, and /v1/explain"
  echo
  echo "Data: $(basename "$CSF") ($(field shap_ours_xgboost_1 rows) rows x $(field shap_ours_xgboost_1 feats) features); models trained on $NTR rows, $(field shap_ours_xgboost_1 test) test rows explained."
  [ "$NTE" != 10000 ] && echo "**This run explained $NTE rows, not the 10,000 of the goal** (EXPLAIN_TEST=$NTE: the machine's load left no time for more)."
  if [ "$ONLY" = api ]; then
    echo "$(nproc) cores shared with other jobs. The engine table is not re-run here (EXPLAIN_ONLY=api); its run:"
    echo "$(cat "$W/engine_run.txt" 2>/dev/null || echo "not recorded") (each run's load is in the raw lines)."
    echo "/v1/explain and the memory: medians of $BENCH_RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average"
    echo "at the start $API_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  else
  echo "Medians of $BENCH_RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared with other jobs;"
  echo "load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg) (each run's load is in the raw lines)."
  fi
  echo "CPU seconds are steadier than wall seconds on a loaded machine; the ratios use CPU seconds at 1 thread"
  echo "and wall seconds at 2."
  echo
  RATIOS=
  echo "| model | threads | ours s (CPU) | recursive s (CPU) | XGBoost $XV pred_contribs s (CPU) | XGBoost / ours | recursive / ours |"
  echo "|---|---|---|---|---|---|---|"
  for k in xgboost gbdt; do
    name=$([ $k = xgboost ] && echo "XGBoost, $(field shap_ours_${k}_1 trees) trees depth 6, $(field shap_ours_${k}_1 leaves) leaves" || echo "ours, $(field shap_ours_${k}_1 trees) trees of 31 leaves (leaf-wise, paths up to $(field shap_ours_${k}_1 max_path) features)")
    for th in 1 2; do
      o=shap_ours_${k}_$th; x=shap_xgb_${k}_$th
      if [ "$th" = 1 ]; then a=shap_cpu; r=rec_cpu; b=shap_cpu; else a=shap_s; r=rec_s; b=shap_s; fi
      rec=$(field $o rec_s); [ -n "$rec" ] && [ "$rec" != - ] && rec="$rec ($(field $o rec_cpu))" || rec="not timed"
      xr=$(ratio "$(med $x $b)" "$(med $o $a)")
      RATIOS="$RATIOS $xr"
      echo "| $name | $th | $(med $o shap_s) ($(med $o shap_cpu)) | $rec | $(med $x shap_s) ($(med $x shap_cpu)) | **${xr}x** | $(ratio "$(field $o $r)" "$(med $o $a)")x |" | sed 's/| -x |$/| - |/' 
    done
  done
  echo
  echo "Checks, every run: expected value + contributions == raw score on every row (largest gap"
  echo "$(for k in xgboost gbdt; do for th in 1 2; do fmax shap_ours_${k}_$th additivity; done; done | sort -g | tail -1)); our engine against the recursive algorithm in double, largest"
  vr=$(for k in xgboost gbdt; do for th in 1 2; do field shap_ours_${k}_$th vs_recursive; done; done | { grep -v '^-$' || true; } | sort -g | tail -1)
  echo "difference relative to the row's total |contribution| ${vr:-"not timed in this run (tests: 1e-12 and better)"} (goal 1e-9); against XGBoost's"
  echo "float32 output: XGBoost model $(fmax shap_xgb_xgboost_1 vs_ours) (float32 rounding; goal 1e-6), our GBDT $(fmax shap_xgb_gbdt_1 vs_ours): XGBoost"
  echo "cannot hold +-inf, which the peer clips to +-FLT_MAX, while our GBDT cuts some ratio features at thresholds"
  echo "above FLT_MAX, so rows with infinite values take another side there; on float-exact data without"
  echo "infinities the same comparison is within 1e-6 (tests/oracle/test_treeshap_exact.sh)."
  echo
  echo "Engine per tree (docs/explain.md, \"The engine\"): XGBoost model $(field shap_ours_xgboost_1 table_trees) trees with tables,"
  echo "$(field shap_ours_xgboost_1 direct_trees) direct, tables $(field shap_ours_xgboost_1 table_mb) MB; our GBDT $(field shap_ours_gbdt_1 table_trees) with tables,"
  echo "$(field shap_ours_gbdt_1 direct_trees) direct, tables $(field shap_ours_gbdt_1 table_mb) MB. Precomputation at load: $(field shap_ours_xgboost_1 load_s) s and $(field shap_ours_gbdt_1 load_s) s."
  echo
  if [ ! -f "$W/api_explain.txt" ]; then
    echo "## /v1/explain and the memory of the 1,000-tree model"
    echo
    echo "Not measured in this run (EXPLAIN_API=0: the machine's load left no time to build the 1,000-tree"
    echo "fixture); BENCH_ONLY=explain make bench measures them."
  else
  echo "## /v1/explain, the 1,000-tree XGBoost model (one connection, serve --threads 2)"
  echo
  echo "| requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---|---|---|"
  echo "| $(med api_explain rps) | $(med api_explain p50_ms) | $(med api_explain p99_ms) | $(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' "$W/api_explain.txt" | awk '{s+=$1} END {print s+0}') |"
  echo
  echo "Goals: p50 < 0.5 ms, p99 < 1 ms. Each answer: exact contributions of every feature, the top"
  echo "10, reason codes; contributions_sum == raw_score checked on one answer."
  echo
  echo "## Memory of the precomputed tables, the 1,000-tree model"
  echo
  echo "$(field memory trees) trees, $(field memory leaves) leaves, up to $(field memory max_path) features on a path:"
  echo "with tables (the matrix path: \`creditscore explain\`, training's importance) $(field memory table_trees) trees tabled,"
  echo "tables $(field memory table_mb) MB, $(field memory plan_mb) MB precomputed in all (goal < 256 MB), built in $(field memory load_s) s;"
  echo "serve (one row at a time, no tables) $(field memory serve_plan_mb) MB, built in $(field memory serve_load_s) s."
  echo "serve's log at load: \`${SERVE_LOG:-"(not found)"}\`"
  fi
  # the goals of issue 19, each from the figures above: met or NOT met
  verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {if (v == "" || v == "-") print "not measured";
    else if ((op == "<" && v + 0 < g + 0) || (op == ">=" && v + 0 >= g + 0)) print "met"; else print "**NOT met**"}'; }
  rmin=$(for r in $RATIOS; do echo "$r"; done | { grep -v '^-$' || true; } | sort -g | head -1)
  echo
  echo "## Goals (issue 19), this run"
  echo
  echo "| goal | measured | |"
  echo "|---|---|---|"
  echo "| ours >= 4x XGBoost's pred_contribs, every model and thread count | ${rmin:--}x at the least | $(verdict "$rmin" ">=" 4) |"
  if [ -f "$W/api_explain.txt" ]; then
    echo "| /v1/explain p50 < 0.5 ms, one connection | $(med api_explain p50_ms) ms | $(verdict "$(med api_explain p50_ms)" "<" 0.5) |"
    echo "| /v1/explain p99 < 1 ms, one connection | $(med api_explain p99_ms) ms | $(verdict "$(med api_explain p99_ms)" "<" 1) |"
    echo "| precomputed tables of the 1,000-tree model < 256 MB | $(field memory plan_mb) MB | $(verdict "$(field memory plan_mb)" "<" 256) |"
  fi
  if [ "${EXPLAIN_LOGREG:-0}" = 1 ]; then
    echo
    echo "## Logistic regression (C = 1) against scikit-learn"
    echo
    echo "| | AUC | iterations | fit wall s | fit CPU s |"
    echo "|---|---|---|---|---|"
    echo "| ours (L-BFGS, tol 1e-6) | $(med lr_ours auc) | $(med lr_ours iter) | $(med lr_ours fit_s) | $(med lr_ours fit_cpu) |"
    echo "| scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)') lbfgs | $(med lr_sk auc) | $(med lr_sk iter) | $(med lr_sk fit_s) | $(med lr_sk fit_cpu) |"
  fi
  echo
  echo "Commands (run by \`make bench\`, BENCH_ONLY=explain):"
  echo
  echo '```'
  for k in xgboost gbdt; do
    echo "explain_bench shap FILE.csf $NTR $NTE $k '${PARAMS[$k]}' DIR THREADS"
    echo "python3 bench/explain_peer.py shap FILE.csf $NTR $NTE DIR/$k.json THREADS DIR/$k.phi"
  done
  echo "explain_bench memory big/model.csm"
  echo "creditscore serve --model big/model.csm --clients big/clients.db --no-audit --threads 2 --port PORT"
  echo "wrk -t1 -c1 -d${DUR}s --latency -s explain.lua http://127.0.0.1:PORT/v1/explain   # body {\"client_id\": ${BIG_CID:-ID}}"
  echo '```'
  echo
  echo "Raw runs:"
  echo
  echo '```'
  cat "$W"/shap_*.txt "$W"/memory.txt "$W"/api_explain.txt 2>/dev/null || true
  if [ "${EXPLAIN_LOGREG:-0}" = 1 ]; then cat "$W"/lr_*.txt; fi
  echo '```'
} > "$out"
echo "bench_explain: results in bench/results/explain.md" >&2
cat "$out"
