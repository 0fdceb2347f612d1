#!/usr/bin/env bash
# demo_lender.sh: `make demo DATA=credit-risk`: a lender's own file, from the CSV to an explained
# decision in the browser, with the commands of the README's walkthrough: the public credit-risk
# file (data/credit-risk, 32,581 loans, no id column) -> a recipe inferred from it, and the one
# edited by hand (recipes/credit-risk.json) -> its features -> train, compare, predict -> the
# clients store -> the API and the dashboard -> drift. DEMO_DIR (default demo/credit-risk) is
# where everything goes; API_PORT and DASH_PORT (8000, 8501) the ports.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/demo_lib.sh
CS=./build/creditscore
DIR=${DEMO_DIR:-demo/credit-risk}
D=data/credit-risk
R=recipes/credit-risk.json
API_PORT=${API_PORT:-8000}
DASH_PORT=${DASH_PORT:-8501}
mkdir -p "$DIR"
export CREDITSCORE_STORE=${CREDITSCORE_STORE:-$DIR/creditscore.db}

echo "== 1. what inference makes of $D/credit_risk_dataset.csv -> $DIR/inferred.json"
"$CS" recipe infer --table "$D/credit_risk_dataset.csv" --out "$DIR/inferred.json" | sed 's/^/   /'
echo "   the recipe edited by hand from it (labels en+fr, units, profile fields, person_age protected): $R"
"$CS" recipe check "$R" --data "$D" | sed 's/^/   /'

echo "== 2. the recipe's features -> $DIR/features.csf (spec with the recipe: $DIR/features.spec)"
"$CS" features --recipe "$R" --data "$D" --out "$DIR/features.csf" --spec-out "$DIR/features.spec" | sed 's/^/   /'

echo "== 3. train the default model without the protected attribute (person_age; 5-fold CV, early-stopped rounds, calibration, cost threshold) -> $DIR/model.csm"
"$CS" train --features "$DIR/features.csf" --spec "$DIR/features.spec" --name credit-risk --exclude-protected \
  --out "$DIR/model.csm" |
  sed 's/^/   /'
echo "   the five learners side by side (3-fold CV) -> $DIR/compare.md"
"$CS" compare --features "$DIR/features.csf" --cv 3 --md "$DIR/compare.md" | sed 's/^/   /'
"$CS" predict --model "$DIR/model.csm" --features "$DIR/features.csf" --out "$DIR/scores.csv" | sed 's/^/   /'

echo "== 4. the clients store (the recipe's profile fields) and the API on port $API_PORT"
"$CS" clients import --features "$DIR/features.csf" --data "$D" --recipe "$R" --out "$DIR/clients.db" | sed 's/^/   /'
demo_stop "$DIR" api dash
demo_start "$DIR" api "listening on" \
  "$CS" serve --model "$DIR/model.csm" --clients "$DIR/clients.db" --audit "$DIR/audit.db" --port "$API_PORT"
API_URL="http://127.0.0.1:$API_PORT"
echo "   loan 1 (the file's first row), explained:"
curl -s "$API_URL/v1/explain" -d '{"client_id": 1, "top": 3}' | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print("   decision %s, probability %.3f (threshold %.3f)" % (d["decision"], d["probability"], d["threshold"]))
for c in d["contributions"]: print("     %+.3f  %s" % (c["contribution"], c.get("label", c["feature"])))
for r in d["reason_codes"]: print("     %s %s" % (r["code"], r["text"]))'

echo "== 5. data drift: the model's training reference against the features scored (HTML $DIR/drift.html)"
"$CS" drift --reference-model "$DIR/model.csm" --current "$DIR/features.csf" --html "$DIR/drift.html" \
  --json "$DIR/drift.json" | sed 's/^/   /'

echo "== 6. the dashboard on port $DASH_PORT"
demo_start "$DIR" dash "dashboard: http" "$CS" dashboard --api "$API_URL" --port "$DASH_PORT"
echo
echo "creditscore demo (credit-risk) is running:"
echo "   dashboard  http://127.0.0.1:$DASH_PORT/?client=1   (loan 1: the recipe's profile fields, its decision, why)"
echo "   API        $API_URL   (OpenAPI $API_URL/openapi.json, Swagger UI $API_URL/docs)"
echo "   drift      $DIR/drift.html"
echo "   stop       kill \$(cat $DIR/api.pid) \$(cat $DIR/dash.pid)"
