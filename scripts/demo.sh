#!/usr/bin/env bash
# demo.sh: `make demo`, the main job: generate a demo data set and run the pipeline on it,
# from raw tables to a model served over HTTP. Each stage says what it does and where its
# output goes. DEMO_CLIENTS (default 20000) sets the size; DEMO_DIR (default demo/) the place.
set -euo pipefail
cd "$(dirname "$0")/.."
CS=./build/creditscore
DIR=${DEMO_DIR:-demo}
N=${DEMO_CLIENTS:-20000}
mkdir -p "$DIR"

echo "== 1. generate $N train clients of Home Credit-like data into $DIR/data"
"$CS" synth --out "$DIR/data" --clients "$N" --test-clients $((N / 6)) --seed 7

echo "== 2. compute the kernel's features into $DIR/features.csf (spec: $DIR/features.spec)"
"$CS" features --data "$DIR/data" --out "$DIR/features.csf" --spec-out "$DIR/features.spec"

# ---- training: a calibrated gradient-boosting model with a cost-optimal threshold -------------------
echo "== 3. train gbdt (5-fold CV, isotonic calibration, threshold minimising 10 x FN + 1 x FP) -> $DIR/model.csm"
"$CS" train --features "$DIR/features.csf" --spec "$DIR/features.spec" --model gbdt --calibration isotonic \
  --cost-fn 10 --cost-fp 1 --name gbdt-demo --out "$DIR/model.csm" | sed 's/^/   /'
echo "   comparing the five learners (3-fold CV, default parameters) -> $DIR/compare.md, $DIR/compare.csv"
"$CS" compare --features "$DIR/features.csf" --cv 3 --csv "$DIR/compare.csv" --md "$DIR/compare.md" | sed 's/^/   /'

# ---- the scoring API: keep this the last step before the dashboard ---------------------------------
MODEL=${DEMO_MODEL:-$DIR/model.csm}
API_PORT=${API_PORT:-8000}
echo "== 4. import the clients store $DIR/clients.db and serve $MODEL on port $API_PORT"
"$CS" clients import --features "$DIR/features.csf" --data "$DIR/data" --out "$DIR/clients.db"
if [ -f "$DIR/api.pid" ] && kill -0 "$(cat "$DIR/api.pid")" 2>/dev/null; then
  kill -TERM "$(cat "$DIR/api.pid")"   # the API a previous demo started
  sleep 1
fi
nohup "$CS" serve --model "$MODEL" --clients "$DIR/clients.db" --audit "$DIR/audit.db" --port "$API_PORT" \
  >"$DIR/api.out" 2>"$DIR/api.log" &
echo $! >"$DIR/api.pid"
for _ in $(seq 1 100); do
  grep -q "listening on" "$DIR/api.out" 2>/dev/null && break
  kill -0 "$(cat "$DIR/api.pid")" 2>/dev/null || { cat "$DIR/api.log"; exit 1; }
  sleep 0.1
done
API_URL="http://127.0.0.1:$API_PORT"
echo "   API:  $API_URL   (docs $API_URL/docs; log $DIR/api.log; stop: kill \$(cat $DIR/api.pid))"
echo "   try:  curl -s $API_URL/v1/predict -d '{\"client_id\": $(sed -n 2p "$DIR/data/application_test.csv" | cut -d, -f1)}'"

# ---- data drift: the demo's test applicants against its training applicants -----------------------
echo "== 5. data drift report of $DIR/data/application_test.csv against application_train.csv"
"$CS" drift --reference "$DIR/data/application_train.csv" --current "$DIR/data/application_test.csv" \
  --html "$DIR/drift.html" --json "$DIR/drift.json" | sed 's/^/   /'   # prints the verdict and paths
