#!/usr/bin/env bash
# demo.sh: `make demo`, the main job: generate a demo data set and run the pipeline on it,
# from raw tables to a model served over HTTP. Each stage says what it does and where its
# output goes. DEMO_CLIENTS (default 20000) sets the size; DEMO_DIR (default demo/) the place.
# DATA=credit-risk (make demo DATA=credit-risk) runs the lender's path instead: the public
# credit-risk file of data/credit-risk through recipes/credit-risk.json, from the file to an
# explained decision in the dashboard (scripts/demo_lender.sh; the README's walkthrough).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${DATA:-synth}" = credit-risk ]; then exec scripts/demo_lender.sh; fi
source scripts/demo_lib.sh
[ "${DATA:-synth}" = synth ] || { echo "demo.sh: DATA=$DATA: expected synth (the default) or credit-risk" >&2; exit 2; }
CS=./build/creditscore
DIR=${DEMO_DIR:-demo}
N=${DEMO_CLIENTS:-20000}
mkdir -p "$DIR"
# every training, comparison and search trial of the demo is recorded here (creditscore runs list)
export CREDITSCORE_STORE=${CREDITSCORE_STORE:-$DIR/creditscore.db}

PER_MONTH=$((N / 80))
echo "== 1. generate $N train clients of Home Credit-like data into $DIR/data, then a year of new applicants"
echo "      ($PER_MONTH a month from 2025-01, drifting, a shock from July; outcomes after 6 months: docs/synth.md)"
"$CS" synth --stream --out "$DIR/data" --clients "$N" --months 12 --per-month "$PER_MONTH" --shock-month 7 \
  --outcome-months 6 --seed 7

echo "== 2. compute the kernel's features into $DIR/features.csf (spec: $DIR/features.spec)"
"$CS" features --data "$DIR/data" --out "$DIR/features.csf" --spec-out "$DIR/features.spec"

# ---- training: a calibrated gradient-boosting model with a cost-optimal threshold -------------------
echo "== 3. train gbdt without the protected attributes (the recipe's gender and age, and what is derived from them;"
echo "      5-fold CV, rounds by early stopping, the default calibration, threshold minimising 10 x FN + 1 x FP) -> $DIR/model.csm"
"$CS" train --features "$DIR/features.csf" --spec "$DIR/features.spec" --recipe recipes/homecredit-kernel.json --model gbdt \
  --exclude-protected --cost-fn 10 --cost-fp 1 --name gbdt-demo --out "$DIR/model.csm" | sed 's/^/   /'
echo "   comparing the five learners (3-fold CV, default parameters) -> $DIR/compare.md, $DIR/compare.csv"
"$CS" compare --features "$DIR/features.csf" --cv 3 --csv "$DIR/compare.csv" --md "$DIR/compare.md" | sed 's/^/   /'
echo "   runs recorded in $CREDITSCORE_STORE:"
"$CS" runs list | sed 's/^/   /'
echo "   registering $DIR/model.csm as gbdt-demo and promoting it to production"
VERSION=$("$CS" models register "$DIR/model.csm" --name gbdt-demo | sed -n 's/.*gbdt-demo version \([0-9]*\).*/\1/p')
"$CS" models promote gbdt-demo "$VERSION" --stage production | sed 's/^/   /'

# ---- the scoring API: keep this the last step before the dashboard ---------------------------------
API_PORT=${API_PORT:-8000}
if [ -n "${DEMO_MODEL:-}" ]; then SOURCE=(--model "$DEMO_MODEL"); else SOURCE=(--registry gbdt-demo --stage production); fi
echo "== 4. import the clients store $DIR/clients.db and serve ${SOURCE[*]} on port $API_PORT"
"$CS" clients import --features "$DIR/features.csf" --data "$DIR/data" --out "$DIR/clients.db"
demo_stop "$DIR" api   # the API a previous demo started
demo_start "$DIR" api "listening on" \
  "$CS" serve "${SOURCE[@]}" --clients "$DIR/clients.db" --audit "$DIR/audit.db" --port "$API_PORT"
API_URL="http://127.0.0.1:$API_PORT"
echo "   API:  $API_URL   (docs $API_URL/docs; log $DIR/api.log; stop: kill \$(cat $DIR/api.pid))"
echo "   try:  curl -s $API_URL/v1/predict -d '{\"client_id\": $(sed -n 2p "$DIR/data/application_test.csv" | cut -d, -f1)}'"

# ---- data drift: the demo's test applicants against its training applicants -----------------------
echo "== 5. data drift report of $DIR/data/application_test.csv against application_train.csv"
"$CS" drift --reference "$DIR/data/application_train.csv" --current "$DIR/data/application_test.csv" \
  --html "$DIR/drift.html" --json "$DIR/drift.json" | sed 's/^/   /'   # prints the verdict and paths

# ---- fairness: the demo model over the recipe's protected attributes ------------------------------
echo "== 5b. fairness: $DIR/model.csm by gender, age band, children and family status, beside a model trained"
echo "      with the protected attributes (what excluding them costs; protected columns from recipes/homecredit-kernel.json)"
"$CS" train --features "$DIR/features.csf" --spec "$DIR/features.spec" --recipe recipes/homecredit-kernel.json \
  --model gbdt --cost-fn 10 --cost-fp 1 --name gbdt-demo-withprotected \
  --run-name "train gbdt with the protected attributes (comparison only, never served)" \
  --out "$DIR/model-withprotected.csm" 2>&1 | sed 's/^/   /'
"$CS" fairness --model "$DIR/model.csm" --features "$DIR/features.csf" --recipe recipes/homecredit-kernel.json \
  --compare "$DIR/model-withprotected.csm" --html "$DIR/fairness.html" --json "$DIR/fairness.json" | sed 's/^/   /'
echo "   fairness report: $DIR/fairness.html (JSON $DIR/fairness.json; scored on the training clients, so AUC,"
echo "   TPR and FPR by group are in-sample: docs/fairness.md)"
echo "== 5c. the model report of $DIR/model.csm (from the model file and the store $CREDITSCORE_STORE only)"
"$CS" report --model "$DIR/model.csm" --fairness "$DIR/fairness.json" --html "$DIR/report.html" \
  --json "$DIR/report.json" | sed 's/^/   /'
echo "   model report: $DIR/report.html (JSON $DIR/report.json; docs/model-report.md)"

# ---- monitoring: the year of applicants replayed through the API, their outcomes, the report ----------
echo "== 6. monitoring: replay the year's $((12 * PER_MONTH)) applicants through a replay API, import their outcomes"
rm -f "$DIR/monitor-audit.db" "$DIR/monitor-audit.db-wal" "$DIR/monitor-audit.db-shm"
"$CS" serve --model "$DIR/model.csm" --clients "$DIR/clients.db" --audit "$DIR/monitor-audit.db" --replay-time --port 0 \
  >"$DIR/replay.out" 2>"$DIR/replay.log" &
REPLAY_PID=$!
REPLAY_URL=
for _ in $(seq 1 100); do
  REPLAY_URL=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$DIR/replay.out" 2>/dev/null)
  [ -n "$REPLAY_URL" ] && break
  kill -0 "$REPLAY_PID" 2>/dev/null || { cat "$DIR/replay.log"; exit 1; }
  sleep 0.1
done
/usr/bin/python3 scripts/replay.py "$REPLAY_URL" "$DIR/data/stream.csv" | sed 's/^/   /'
kill -TERM "$REPLAY_PID"; wait "$REPLAY_PID" 2>/dev/null || true
"$CS" outcomes import --audit "$DIR/monitor-audit.db" --csv "$DIR/data/outcomes.csv" | sed 's/^/   /'
"$CS" monitor --audit "$DIR/monitor-audit.db" --model "$DIR/model.csm" --clients "$DIR/clients.db" \
  --html "$DIR/monitor.html" --json "$DIR/monitor.json" --fail-on 'psi>0.25' | sed 's/^/   /' || true
echo "   monitoring report: $DIR/monitor.html (JSON $DIR/monitor.json)"

# ---- the dashboard, talking to the API ---------------------------------------------------------------
DASH_PORT=${DASH_PORT:-8501}
echo "== 7. the relationship-manager dashboard on port $DASH_PORT"
demo_stop "$DIR" dash   # the dashboard a previous demo started
demo_start "$DIR" dash "dashboard: http" "$CS" dashboard --api "$API_URL" --port "$DASH_PORT"
echo
echo "creditscore demo is running:"
echo "   dashboard  http://127.0.0.1:$DASH_PORT/"
echo "   API        $API_URL   (OpenAPI $API_URL/openapi.json, Swagger UI $API_URL/docs)"
echo "   drift      $DIR/drift.html"
echo "   fairness   $DIR/fairness.html"
echo "   report     $DIR/report.html"
echo "   monitor    $DIR/monitor.html"
echo "   runs       creditscore runs list --store $CREDITSCORE_STORE"
echo "   stop       kill \$(cat $DIR/api.pid) \$(cat $DIR/dash.pid)"
