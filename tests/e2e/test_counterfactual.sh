# test_counterfactual.sh: POST /v1/counterfactual, what would change the decision. The credit-risk
# model (recipes/credit-risk.json: the loan amount actionable, the loan's share of income moving with
# it) and a Home Credit kernel model on generated data (the credit amount with the annuity in
# proportion, the annuity alone, the goods price; derived PAYMENT_RATE, ANNUITY_INCOME_PERC and
# INCOME_CREDIT_PERC recomputed): a refusal's change found and checked by /v1/predict through
# another path (tests/e2e/cf_oracle.py: raw records, or named features with the derived columns
# recomputed by the oracle from the recipe), no smaller candidate among those searched approving;
# every multiple of each input's step scored by /v1/predict (the grid oracle: the cheapest approving
# value is the search's change, none when it finds none, an approval's margins); not found within
# the bounds (200, found false, why); an approved client's margin; two changes;
# the budget; bad bodies and an unknown client as problem JSON; not audited; via the dashboard.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
command -v curl >/dev/null || { fail "curl is missing (scripts/install-deps.sh installs it)"; exit 1; }
[ -x "$PY" ] || { fail "/usr/bin/python3 is missing"; exit 1; }
export OMP_NUM_THREADS=1
CR=$ROOT/data/credit-risk
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# ---- the credit-risk model ----------------------------------------------------------------------
"$CS" features --recipe "$ROOT/recipes/credit-risk.json" --data "$CR" --out "$T/f.csf" --spec-out "$T/f.spec" >"$T/log" 2>&1 &&
"$CS" train --features "$T/f.csf" --spec "$T/f.spec" --out "$T/cr.csm" --cv 3 --params '{"num_iterations": 60, "num_leaves": 15}' \
  --name credit-risk --no-track >"$T/log" 2>&1 &&
"$CS" clients import --features "$T/f.csf" --data "$CR" --recipe "$ROOT/recipes/credit-risk.json" --out "$T/cr.db" >"$T/log" 2>&1 ||
  { fail "fixture: the credit-risk model" "$(tail -3 "$T/log")"; exit 1; }
serve_bg cr --model "$T/cr.csm" --clients "$T/cr.db" --audit "$T/audit.db" || { fail "serve the credit-risk model"; cat "$T/cr.err"; exit 1; }
PIDS="$PIDS $PID"
ok "serve the credit-risk model"
CRURL=$URL

# req NAME STATUS BODY: POST /v1/counterfactual, the answer in $T/r.json
req() {
  local code
  code=$(curl -s -o "$T/r.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$3" "$URL/v1/counterfactual")
  if [ "$code" = "$2" ]; then ok "$1 (HTTP $code)"; else fail "$1" "HTTP $code, expected $2: $(head -c 300 "$T/r.json")"; fi
}
# jcheck NAME PYTHON_EXPR over d, the parsed $T/r.json
jcheck() {
  if $PY -c "import json,math,sys; d=json.load(open('$T/r.json')); sys.exit(0 if ($2) else 1)" 2>"$T/py.err"; then ok "$1"
  else fail "$1" "$2 on $(head -c 400 "$T/r.json")"; head -3 "$T/py.err"; fi
}

# a refused loan whose change is found: loan 11 (35,000 USD at 41 % of the income)
req "loan 11, refused: a change found" 200 '{"client_id": 11}'
jcheck "... refused now, found, one change of loan_amnt down with loan_percent_income in proportion, approved after" \
  "d['decision'] == 'refuse' and d['found'] is True and d['simulation'] is True and len(d['changes']) == 1 and d['changes'][0]['input'] == 'loan_amnt' and d['changes'][0]['to'] < d['changes'][0]['from'] == 35000 and d['changes'][0]['to'] % 100 == 0 and d['changes'][0]['moves'][0]['name'] == 'loan_percent_income' and abs(d['changes'][0]['moves'][0]['to'] - 0.41 * d['changes'][0]['to'] / 35000) < 1e-12 and d['new']['decision'] == 'approve' and d['new']['probability'] < d['threshold'] <= d['probability']"
jcheck "... the sentence, from the recipe's labels and units" \
  "d['sentence'].startswith('Approval would need the loan amount at ') and ' USD' in d['sentence'] and '(now 35,000 USD)' in d['sentence'] and 'loan as a share of income' in d['sentence']"
jcheck "... the search's figures: evaluations within the budget, the inputs with their bounds" \
  "0 < d['search']['evaluations'] <= d['search']['max_evaluations'] == 20000 and d['search']['time_budget_ms'] == 2000 and d['search']['stopped'] is None and d['inputs'][0]['name'] == 'loan_amnt' and d['inputs'][0]['way'] == 'decrease' and d['inputs'][0]['min'] == 500 and d['inputs'][0]['max'] == 35000 and d['inputs'][0]['step'] == 100"
req "loan 11 in French" 200 '{"client_id": 11, "lang": "fr"}'
jcheck "... the sentence in French" "d['sentence'].startswith('Pour un accord, il faudrait : montant du prêt à ') and 'actuellement 35 000 USD' in d['sentence'] and ' ; prêt rapporté au revenu à ' in d['sentence']"

# the oracle: every found change checked by /v1/predict from raw records, and every candidate below it
if $PY "$HERE/cf_oracle.py" "$URL" records "$ROOT/recipes/credit-risk.json" "$CR/credit_risk_dataset.csv" \
     11 13 26 29 40 48 49 50 54 >"$T/oracle.out" 2>&1; then
  ok "oracle (raw records through /v1/predict): $(grep -c '^ok' "$T/oracle.out") checks, the change approves, no smaller candidate does"
else fail "oracle (raw records through /v1/predict)" "$(grep -v '^ok' "$T/oracle.out" | head -5)"; fi
# exactness by brute force: every multiple of the step scored by /v1/predict from raw records
if $PY "$HERE/cf_oracle.py" "$URL" records "$ROOT/recipes/credit-risk.json" "$CR/credit_risk_dataset.csv" grid \
     1 11 13 26 29 40 45 48 49 50 54 >"$T/grid.out" 2>&1; then
  ok "grid oracle (every 100 USD of the loan amount through /v1/predict): $(grep -c '^ok' "$T/grid.out") checks, the cheapest approving value is the search's"
else fail "grid oracle (raw records)" "$(grep -v '^ok' "$T/grid.out" | head -5)"; fi

# not found within the bounds: loan 1 (p = 0.9997 at 59 % of the income)
req "loan 1, refused: nothing found" 200 '{"client_id": 1}'
jcheck "... found false, why, the sentence says so" \
  "d['decision'] == 'refuse' and d['found'] is False and d['changes'] == [] and d['new'] is None and 'no change of at most 1 input' in d['why'] and d['sentence'].startswith('No change of the loan amount within the limits searched')"
req "loan 1, two changes allowed (one input only: the same answer)" 200 '{"client_id": 1, "max_changes": 2}'
jcheck "... found false" "d['found'] is False and d['search']['max_changes'] == 2"
req "loan 11, a budget of 2 evaluations" 200 '{"client_id": 11, "max_evaluations": 2}'
jcheck "... stopped at the budget, said so" "d['found'] is False and d['search']['evaluations'] == 2 and d['search']['stopped'] == 'evaluations' and 'budget of 2 evaluations' in d['why']"
req "loan 11, direction increase (the recipe lets the loan amount only decrease)" 200 '{"client_id": 11, "direction": "increase"}'
jcheck "... nothing searched, the input says why" "d['found'] is False and 'only decrease' in d['inputs'][0]['skipped']"

# an approved loan: the margin
req "loan 45, approved: the margin" 200 '{"client_id": 45}'
jcheck "... already approved, the margin goes up to the bound or to the last approved value" \
  "d['decision'] == 'approve' and d['already_approved'] is True and d['margins'][0]['input'] == 'loan_amnt' and d['margins'][0]['way'] == 'increase' and d['margins'][0]['to'] >= d['margins'][0]['from'] == 10000 and d['margins'][0]['limited_by'] in ('bound', 'refusal') and d['sentence'].startswith('Approved')"
# the margin checked from raw records: its value approved, the next candidate (when one refuses) refused
if $PY - "$URL" "$T/r.json" "$CR/credit_risk_dataset.csv" <<'PY'
import csv, json, sys, urllib.request
url, ans, path = sys.argv[1:4]
d = json.load(open(ans)); m = d["margins"][0]
row = list(csv.DictReader(open(path)))[44]
rec = {k: (v if k in ("person_home_ownership", "loan_intent", "cb_person_default_on_file") else float(v)) for k, v in row.items() if k != "loan_status"}
def decide(v):
    r = dict(rec, loan_amnt=v, loan_percent_income=rec["loan_percent_income"] * (v / rec["loan_amnt"]))
    q = urllib.request.Request(url + "/v1/predict", data=json.dumps({"records": {"loans": r}}).encode())
    return json.load(urllib.request.urlopen(q))["decision"]
assert decide(m["to"]) == "approve", m
assert m["limited_by"] == "bound" or decide(m["refused_at"]) == "refuse", m
PY
then ok "loan 45's margin: approved at its value, refused at the next candidate (from raw records)"
else fail "loan 45's margin: approved at its value, refused at the next candidate (from raw records)"; fi

# errors: problem JSON, as the other endpoints
req "unknown client" 404 '{"client_id": 999999}'
jcheck "... unknown_client" "d['error']['code'] == 'unknown_client' and d['error']['field'] == 'client_id'"
req "max_changes 3" 400 '{"client_id": 11, "max_changes": 3}'
jcheck "... wrong_type naming max_changes" "d['error']['code'] == 'wrong_type' and d['error']['field'] == 'max_changes'"
req "direction sideways" 400 '{"client_id": 11, "direction": "sideways"}'
jcheck "... wrong_type naming direction" "d['error']['field'] == 'direction'"
req "max_evaluations 0" 400 '{"client_id": 11, "max_evaluations": 0}'
jcheck "... wrong_type naming max_evaluations" "d['error']['field'] == 'max_evaluations'"
req "candidates \"yes\"" 400 '{"client_id": 11, "candidates": "yes"}'
jcheck "... wrong_type naming candidates" "d['error']['field'] == 'candidates'"
req "an unknown member" 400 '{"client_id": 11, "maximum": 1}'
jcheck "... unknown_field" "d['error']['code'] == 'unknown_field'"
req "no input" 400 '{"max_changes": 1}'
req "malformed JSON" 400 '{"client_id": 11,'
jcheck "... malformed_json" "d['error']['code'] == 'malformed_json'"
req "a JSON array" 400 '[1]'
req "a record naming an unknown column" 400 '{"records": {"loans": {"nope": 1}}}'
code=$(curl -s -o "$T/r.json" -w '%{http_code}' "$URL/v1/counterfactual")
[ "$code" = 405 ] && ok "GET /v1/counterfactual: 405" || fail "GET /v1/counterfactual: 405" "HTTP $code"

# a simulation: not in the audit log
audit_rows() { $PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM audit').fetchone()[0])" "$T/audit.db"; }
curl -s "$URL/v1/predict" -d '{"client_id": 11}' >/dev/null
n_before=$(audit_rows)
curl -s "$URL/v1/counterfactual" -d '{"client_id": 11}' >/dev/null
curl -s "$URL/v1/counterfactual" -d '{"client_id": 45}' >/dev/null
n_after=$(audit_rows)
[ "$n_before" = "$n_after" ] && [ "$n_before" -ge 1 ] && ok "a counterfactual is not written to the audit log ($n_before rows before and after)" ||
  fail "a counterfactual is not written to the audit log" "$n_before rows before, $n_after after"

# ---- the Home Credit kernel recipe on generated data: derived features recomputed ------------------
D=$T/hc
"$CS" synth --out "$D" --clients 600 --test-clients 20 --seed 11 >"$T/log" 2>&1 &&
"$CS" features --data "$D" --out "$T/hc.csf" --spec-out "$T/hc.spec" >"$T/log" 2>&1 &&
"$CS" train --features "$T/hc.csf" --spec "$T/hc.spec" --out "$T/hc.csm" --params '{"num_iterations": 150, "num_leaves": 15, "min_data_in_leaf": 5}' --cv 2 \
  --name e2e-hc --no-track >"$T/log" 2>&1 &&
"$CS" clients import --features "$T/hc.csf" --data "$D" --out "$T/hc.db" >"$T/log" 2>&1 ||
  { fail "fixture: the Home Credit model" "$(tail -3 "$T/log")"; exit 1; }
serve_bg hc --model "$T/hc.csm" --clients "$T/hc.db" || { fail "serve the Home Credit model"; cat "$T/hc.err"; exit 1; }
PIDS="$PIDS $PID"
ok "serve the Home Credit kernel model"
# the refused clients of the store, and the counterfactual of each
$PY - "$URL" "$T/hc.ids" <<'PY'
import json, sys, urllib.request
url, out = sys.argv[1:3]
def post(path, body):
    return json.load(urllib.request.urlopen(urllib.request.Request(url + path, data=json.dumps(body).encode())))
ids = [c["id"] for c in json.load(urllib.request.urlopen(url + "/v1/clients?limit=200"))["clients"]]
refused = [i for i in ids if post("/v1/predict", {"client_id": i})["decision"] == "refuse"]
found = [i for i in refused if post("/v1/counterfactual", {"client_id": i})["found"]]
approved = [i for i in ids if i not in refused]
# for the grid: two refusals with a change, one without, one approval
grid = found[:2] + [i for i in refused if i not in found][:1] + approved[:1]
open(out, "w").write(" ".join(map(str, refused)) + "\n" + " ".join(map(str, grid)) + "\n")
PY
ids=$(sed -n 1p "$T/hc.ids")
grid_ids=$(sed -n 2p "$T/hc.ids")
[ -n "$ids" ] && ok "refused clients to explain: $(echo $ids | wc -w)" || fail "refused clients to explain" "none among 200"
first=$(echo $ids | cut -d' ' -f1)
req "client $first, two changes allowed" 200 "{\"client_id\": $first, \"max_changes\": 2}"
jcheck "... the three inputs of the kernel recipe, searched with their steps" \
  "[i['name'] for i in d['inputs']] == ['AMT_CREDIT', 'AMT_ANNUITY', 'AMT_GOODS_PRICE'] and [i['step'] for i in d['inputs']] == [1000, 100, 1000] and [i['way'] for i in d['inputs']] == ['decrease', 'any', 'decrease'] and d['search']['evaluations'] <= 20000"
if $PY "$HERE/cf_oracle.py" "$URL" features "$ROOT/recipes/homecredit-kernel.json" - $ids >"$T/oracle2.out" 2>&1; then
  ok "oracle (features with PAYMENT_RATE, ANNUITY_INCOME_PERC, INCOME_CREDIT_PERC recomputed by the oracle): $(grep -c '^ok' "$T/oracle2.out") checks"
else fail "oracle (derived features recomputed by the oracle)" "$(grep -v '^ok' "$T/oracle2.out" | head -5)"; fi
[ "$(echo $grid_ids | wc -w)" = 4 ] && ok "the grid's clients: $grid_ids (two refusals with a change, one without, one approval)" ||
  fail "the grid's clients: two refusals with a change, one without, one approval" "only: $grid_ids"
# two changes under a small budget: the pairs beyond what it can evaluate are dropped, and it says so
nf=$(echo $grid_ids | cut -d' ' -f3)
req "client $nf (no change found), two changes, 200 evaluations" 200 "{\"client_id\": $nf, \"max_changes\": 2, \"max_evaluations\": 200}"
jcheck "... stopped at the budget: at most 200 scored of more candidates, said so" \
  "d['found'] is False and d['search']['stopped'] == 'evaluations' and d['search']['evaluations'] <= 200 < d['search']['candidates'] and 'budget of 200 evaluations' in d['why'] and 'budget' in d['sentence']"
if $PY "$HERE/cf_oracle.py" "$URL" features "$ROOT/recipes/homecredit-kernel.json" - grid $grid_ids >"$T/grid2.out" 2>&1; then
  ok "grid oracle (every step of the credit amount, the annuity and the goods price through /v1/predict): $(grep -c '^ok' "$T/grid2.out") checks"
else fail "grid oracle (Home Credit)" "$(grep -v '^ok' "$T/grid2.out" | head -5)"; fi

# the dashboard forwards it
"$CS" dashboard --port 0 --api "$URL" >"$T/dash.out" 2>"$T/dash.err" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do DURL=$(sed -n 's/^dashboard: \(http:[^ ]*\)\/ .*/\1/p' "$T/dash.out"); [ -n "$DURL" ] && break; sleep 0.05; done
code=$(curl -s -o "$T/r.json" -w '%{http_code}' "$DURL/api/v1/counterfactual" -d "{\"client_id\": $first}")
[ "$code" = 200 ] && jcheck "the dashboard forwards POST /api/v1/counterfactual" "d['client_id'] == $first and 'sentence' in d" ||
  fail "the dashboard forwards POST /api/v1/counterfactual" "HTTP $code $(head -c 200 "$T/r.json")"
