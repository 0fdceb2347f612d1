# test_lender.sh: a lender's own data (the credit-risk file, no id column, recipes/credit-risk.json)
# through every command downstream of the recipe: features --recipe, train (the model carries the
# recipe in its spec), clients import --recipe (the store holds the recipe's profile fields, not
# Home Credit's), serve (a client's profile with labels and units; predict and explain by loan
# number and from raw records under the recipe's table name, equal to the batch; labels and reason
# codes in the recipe's words; /v1/model lists the recipe's inputs), drift on any CSV, the errors.
. "$(dirname "$0")/lib.sh"
backend_init
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "curl is missing (scripts/install-deps.sh installs it)"; exit 1; }
export OMP_NUM_THREADS=1
CR=$ROOT/data/credit-risk
RECIPE=$ROOT/recipes/credit-risk.json

check "the recipe checks against the data" "$CS" recipe check "$RECIPE" --data "$CR"

# ---- features --------------------------------------------------------------------------------------
check "features --recipe" "$CS" features --recipe "$RECIPE" --data "$CR" --out "$T/f.csf" --spec-out "$T/f.spec"

# ---- train ------------------------------------------------------------------------------------------
"$CS" train --features "$T/f.csf" --spec "$T/f.spec" --out "$T/model.csm" --cv 3 --params '{"num_iterations": 60, "num_leaves": 15}' \
  --name credit-risk --no-track >"$T/train.out" 2>"$T/train.err" || { fail "train" "$(tail -3 "$T/train.err")"; exit 1; }
ok "train on the credit-risk features"
auc=$(sed -n 's/^CV AUC *\([0-9.]*\).*/\1/p' "$T/train.out")
$PY -c "import sys; sys.exit(0 if float('$auc') > 0.88 else 1)" && ok "CV AUC $auc > 0.88" || fail "CV AUC $auc > 0.88"

# ---- clients import --recipe ------------------------------------------------------------------------
check "clients import --recipe" "$CS" clients import --features "$T/f.csf" --data "$CR" --recipe "$RECIPE" \
  --out "$T/clients.db"
"$CS" clients import --features "$T/f.csf" --data "$CR" --recipe "$RECIPE" --out "$T/clients.db" >"$T/out" 2>/dev/null
check_grep "... 32,581 clients with the recipe's 10 profile fields" "32581 clients, 18 features, 10 raw fields \(the recipe's profile fields\)" "$T/out"
if $PY - "$T/clients.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
fields = db.execute("SELECT name, kind, label_en, label_fr, unit FROM fields ORDER BY idx").fetchall()
assert [f[0] for f in fields] == ["person_age", "person_income", "person_home_ownership", "person_emp_length",
    "loan_intent", "loan_amnt", "loan_int_rate", "loan_percent_income", "cb_person_default_on_file",
    "cb_person_cred_hist_length"], fields
f = {x[0]: x for x in fields}
assert f["person_age"][1:] == ("number", "Age", "Âge", "years"), f["person_age"]
assert f["loan_amnt"][4] == "USD" and f["loan_int_rate"][4] == "percent" and f["loan_percent_income"][4] == "share"
assert f["person_home_ownership"][1] == "text" and f["person_home_ownership"][4] is None
cols = [r[1] for r in db.execute("PRAGMA table_info(clients)")]
assert "age_years" not in cols and "person_age" in cols, cols      # not Home Credit's columns
row = db.execute("SELECT id, target, person_age, person_home_ownership, loan_int_rate, cb_person_default_on_file "
                 "FROM clients WHERE id = 1").fetchone()
assert row == (1, 1.0, 22.0, "RENT", 16.02, "Y"), row                # the file's first row
assert db.execute("SELECT count(*) FROM clients").fetchone()[0] == 32581
PY
then ok "the store: the recipe's fields, labels and units; loan 1 is the file's first row"
else fail "the store: the recipe's fields, labels and units; loan 1 is the file's first row"; fi
# the servers' stores: SQLite files, or PostgreSQL with CS_TEST_BACKEND=postgresql
CLIENTS=$T/clients.db AUDIT=$(backend_store audit)
if [ "$BACKEND" != sqlite ]; then
  CLIENTS=$(backend_store clients)
  check "clients import --recipe into $BACKEND" "$CS" clients import --features "$T/f.csf" --data "$CR" \
    --recipe "$RECIPE" --out "$CLIENTS"
fi

# ---- serve --------------------------------------------------------------------------------------
serve_bg api --model "$T/model.csm" --clients "$CLIENTS" --audit "$AUDIT" || { fail "serve"; cat "$T/api.err"; exit 1; }
ok "serve the credit-risk model with its clients store"
curl -s "$URL/v1/clients/1" >"$T/c.json"
if $PY - "$T/c.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["id"] == 1 and c["target"] == 1 and c["person_age"] == 22 and c["person_home_ownership"] == "RENT", c
p = {f["name"]: f for f in c["profile"]}
assert list(p) == ["person_age", "person_income", "person_home_ownership", "person_emp_length", "loan_intent",
                   "loan_amnt", "loan_int_rate", "loan_percent_income", "cb_person_default_on_file",
                   "cb_person_cred_hist_length"], list(p)
assert p["person_age"] == {"name": "person_age", "label": {"en": "Age", "fr": "Âge"}, "unit": "years", "value": 22}
assert p["loan_amnt"]["unit"] == "USD" and p["loan_amnt"]["value"] == 35000
assert p["loan_intent"]["value"] == "PERSONAL" and p["loan_intent"]["unit"] is None
# the recipe's words for a category and a flag; none for a number
assert p["person_home_ownership"]["value_label"] == {"en": "renting", "fr": "locataire"}, p["person_home_ownership"]
assert p["loan_intent"]["value_label"] == {"en": "personal", "fr": "personnel"}, p["loan_intent"]
assert p["cb_person_default_on_file"]["value"] == "Y" and p["cb_person_default_on_file"]["value_label"] == {"en": "yes", "fr": "oui"}
assert c["features"]["person_home_ownership_RENT"] == 1 and len(c["features"]) == 18
assert "age_years" not in c
PY
then ok "GET /v1/clients/1: the recipe's profile fields with labels, units, values and value labels"
else fail "GET /v1/clients/1: the recipe's profile fields with labels, units, values and value labels"; head -c 600 "$T/c.json"; fi
curl -s "$URL/v1/clients?limit=2" >"$T/l.json"
$PY -c "import json,sys; d=json.load(open('$T/l.json')); sys.exit(0 if d['total'] == 32581 and [c['id'] for c in d['clients']] == [1, 2] and d['clients'][1]['person_home_ownership'] == 'OWN' else 1)" &&
  ok "GET /v1/clients: loans numbered 1, 2, ..." || fail "GET /v1/clients: loans numbered 1, 2, ..." "$(head -c 300 "$T/l.json")"
curl -s "$URL/v1/predict" -d '{"client_id": 1}' >"$T/p.json"
$PY -c "import json,sys; d=json.load(open('$T/p.json')); sys.exit(0 if 0 <= d['probability'] <= 1 and d['decision'] in ('approve', 'refuse') else 1)" &&
  ok "POST /v1/predict by loan number" || fail "POST /v1/predict by loan number" "$(head -c 300 "$T/p.json")"
curl -s "$URL/v1/explain" -d '{"client_id": 1, "top": 5}' >"$T/e.json"
$PY -c "
import json, sys
d = json.load(open('$T/e.json'))
names = [c['feature'] for c in d['contributions']]
assert len(names) == 5 and set(names) <= set(json.load(open('$T/c.json'))['features']), names
assert abs(d['contributions_sum'] - d['raw_score']) < 1e-9
" && ok "POST /v1/explain: contributions of the recipe's features, summing to the raw score" ||
  fail "POST /v1/explain: contributions of the recipe's features" "$(head -c 400 "$T/e.json")"
# raw records under the recipe's table name: loan 1's row of the file gives loan 1's stored probability
$PY - "$CR/credit_risk_dataset.csv" >"$T/raw.json" <<'PY'
import csv, json, sys
row = next(csv.DictReader(open(sys.argv[1])))
rec = {k: (v if k in ("person_home_ownership", "loan_intent", "cb_person_default_on_file") else float(v))
       for k, v in row.items() if k != "loan_status"}
print(json.dumps({"records": {"loans": rec}}))
PY
curl -s "$URL/v1/predict" --data-binary "@$T/raw.json" >"$T/rp.json"
$PY -c "import json,sys; a=json.load(open('$T/rp.json')); b=json.load(open('$T/p.json')); sys.exit(0 if a['probability'] == b['probability'] else 1)" &&
  ok "POST /v1/predict with raw records: loan 1's probability exactly" || fail "POST /v1/predict with raw records" "$(head -c 300 "$T/rp.json")"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' "$URL/v1/predict" -d '{"records": {"loans": {"person_age": "old"}}}')
[ "$code" = 400 ] && grep -q '"field":"records.loans"' "$T/r.json" && grep -q "numeric column person_age" "$T/r.json" &&
  ok "a text in a numeric column: 400 naming records.loans and the column" ||
  fail "a text in a numeric column: 400" "$code $(head -c 200 "$T/r.json")"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' "$URL/v1/predict" -d '{"records": {"bureau": []}}')
[ "$code" = 400 ] && grep -q 'unknown_table' "$T/r.json" && ok "a table the recipe lacks: 400 unknown_table" ||
  fail "a table the recipe lacks: 400 unknown_table" "$code $(head -c 200 "$T/r.json")"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' "$URL/v1/predict" -d '{"application": {"AMT_CREDIT": 1}}')
[ "$code" = 400 ] && grep -q 'wrong_input' "$T/r.json" && ok "Home Credit's raw records to a recipe's model: 400 wrong_input" ||
  fail "Home Credit's raw records to a recipe's model: 400" "$code $(head -c 200 "$T/r.json")"
# labels and reason codes in the recipe's words; /v1/model lists the recipe's inputs
curl -s "$URL/v1/explain" -d '{"client_id": 1, "top": 18, "lang": "fr"}' >"$T/efr.json"
if $PY - "$T/e.json" "$T/efr.json" <<'PY'
import json, sys
en, fr = (json.load(open(p)) for p in sys.argv[1:3])
assert all("label" in c for c in en["contributions"] + fr["contributions"])
lab = {c["feature"]: c["label"] for c in fr["contributions"]}
assert lab["person_age"] == "Âge" and lab["loan_amnt"] == "Montant du prêt", lab
assert lab["person_home_ownership_RENT"].startswith("Statut du logement") and "locataire" in lab["person_home_ownership_RENT"], lab
for r in fr["reason_codes"]:
    assert r["code"].startswith("RC") and r["label"] == lab[r["feature"]], r
    assert "augmente le risque" in r["text"], r
PY
then ok "explain: every contribution labelled in English and French, reason codes in the recipe's words"
else fail "explain: labels from the recipe" "$(head -c 400 "$T/efr.json")"; fi
curl -s "$URL/v1/model" >"$T/m.json"
if $PY - "$T/m.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["recipe"] == "credit-risk"
(t,) = m["inputs"]["tables"]
assert t["name"] == "loans" and "person_age" in [c["name"] for c in t["columns"]], t
labels = dict(zip(m["features"], m["feature_labels"]))
assert labels["loan_int_rate"] == {"en": "Interest rate", "fr": "Taux d'intérêt"}, labels["loan_int_rate"]
PY
then ok "/v1/model: the recipe, its inputs, each feature's label"; else fail "/v1/model: the recipe" "$(head -c 300 "$T/m.json")"; fi
curl -s "$URL/v1/features/person_age/distribution" >"$T/dist.json"
$PY -c "import json,sys; d=json.load(open('$T/dist.json')); sys.exit(0 if d['unit'] == 'years' and d['label']['en'] == 'Age' else 1)" &&
  ok "a feature's distribution carries its label and unit" || fail "a feature's distribution carries its label and unit" "$(head -c 200 "$T/dist.json")"
kill -TERM "$PID"; wait "$PID" 2>/dev/null

# ---- creditscore explain: reason codes in the recipe's words ---------------------------------------------
check "explain the feature file" "$CS" explain --model "$T/model.csm" --features "$T/f.csf" --top 3 --reasons 2 \
  --lang fr --out "$T/explain.csv"
if $PY - "$T/explain.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 32581 and list(rows[0])[0] == "row" and rows[0]["row"] == "1", (len(rows), rows[0])
texts = [r["reason_1_text"] for r in rows if r["reason_1_text"]]
assert texts and all("augmente le risque" in t for t in texts), texts[:3]
labels = ("Âge", "Revenu annuel", "Statut du logement", "Années d'emploi", "Objet du prêt", "Montant du prêt",
          "Taux d'intérêt", "Prêt rapporté au revenu", "Défaut passé", "Ancienneté")
assert all(any(l in t for l in labels) for t in texts), [t for t in texts if not any(l in t for l in labels)][:3]
assert not any("loan_" in t or "person_" in t for t in texts)
PY
then ok "... the reason texts carry the recipe's French labels, not column names"
else fail "... the reason texts carry the recipe's French labels" "$(sed -n 2p "$T/explain.csv" | cut -c1-300)"; fi

# ---- creditscore predict: the rows named as the recipe names them ("row": the file has no id column) ---
check "predict the feature file" "$CS" predict --model "$T/model.csm" --features "$T/f.csf" --out "$T/pred.csv"
if [ "$(head -1 "$T/pred.csv")" = "row,probability,decision" ] && [ "$(sed -n 2p "$T/pred.csv" | cut -d, -f1)" = 1 ] &&
   [ "$(wc -l <"$T/pred.csv")" -eq 32582 ]; then
  ok "... its CSV names the id column 'row' (the recipe numbers the rows), not Home Credit's SK_ID_CURR"
else fail "... the id column's name from the recipe" "$(head -2 "$T/pred.csv")"; fi

# ---- the scorecard on a lender's data: points, and reasons in the recipe's words ------------------------
"$CS" train --features "$T/f.csf" --spec "$T/f.spec" --model scorecard --cv 3 --out "$T/sc.csm" --no-track \
  >"$T/sc.out" 2>"$T/sc.err" || { fail "train --model scorecard on the credit-risk features" "$(tail -3 "$T/sc.err")"; }
check_grep "train --model scorecard: the scaling and the cut-off" "^cut-off +[0-9]+ points" "$T/sc.out"
sc_auc=$(sed -n 's/^CV AUC *\([0-9.]*\).*/\1/p' "$T/sc.out")
$PY -c "import sys; sys.exit(0 if float('$sc_auc') > 0.80 else 1)" && ok "scorecard CV AUC $sc_auc > 0.80" ||
  fail "scorecard CV AUC $sc_auc > 0.80"
if serve_bg sc --model "$T/sc.csm" --clients "$CLIENTS"; then
  curl -s "$URL/v1/explain" -d '{"client_id": 1}' >"$T/sce.json"
  curl -s "$URL/v1/explain" -d '{"client_id": 1, "lang": "fr"}' >"$T/scf.json"
  if $PY - "$T/sce.json" "$T/scf.json" <<'PY'
import json, sys
en, fr = (json.load(open(p)) for p in sys.argv[1:3])
sc = en["scorecard"]
assert sc["points"] == en["score"] and sum(c["points"] for c in sc["characteristics"]) == sc["points"], sc
words = {"person_age": "Age", "person_income": "Yearly income", "loan_int_rate": "Interest rate",
         "loan_amnt": "Loan amount", "loan_percent_income": "Loan as a share of income",
         "person_emp_length": "Years in employment", "cb_person_cred_hist_length": "Length of credit history",
         "cb_person_default_on_file": "Past default on the credit bureau file"}
for c in sc["characteristics"]:
    if c["feature"] in words: assert c["label"] == words[c["feature"]], c
    assert c["label"] != c["feature"], c                       # every characteristic has the recipe's label
rc = sc["reason_codes"]
assert rc and all(r["code"].startswith("RC") for r in rc), rc
for r in rc:
    assert r["label"] in r["text"] and r["text"].startswith("Your points for '" + r["label"] + "'"), r
frc = fr["scorecard"]["reason_codes"]
assert [r["feature"] for r in frc] == [r["feature"] for r in rc]
fr_words = {"loan_int_rate": "Taux d'intérêt", "person_income": "Revenu annuel", "loan_percent_income": "Prêt rapporté au revenu"}
for r in frc:
    if r["feature"] in fr_words: assert r["label"] == fr_words[r["feature"]], r
    assert r["text"].startswith("Vos points pour « " + r["label"]), r
PY
  then ok "scorecard /v1/explain: points add up, characteristics and reasons labelled by the recipe (EN, FR)"
  else fail "scorecard /v1/explain: labels from the recipe" "$(head -c 500 "$T/sce.json")"; fi
  kill -TERM "$PID"; wait "$PID" 2>/dev/null
else
  fail "serve the credit-risk scorecard" "$(tail -3 "$T/sc.err" 2>/dev/null)"
fi

# ---- drift on any CSV ---------------------------------------------------------------------------------
head -1 "$CR/credit_risk_dataset.csv" >"$T/ref.csv"; cp "$T/ref.csv" "$T/cur.csv"
sed -n '2,16001p' "$CR/credit_risk_dataset.csv" >>"$T/ref.csv"; sed -n '16002,$p' "$CR/credit_risk_dataset.csv" >>"$T/cur.csv"
check "drift of the credit-risk file's second half against its first" "$CS" drift --reference "$T/ref.csv" \
  --current "$T/cur.csv" --json "$T/d.json" --html "$T/d.html"
$PY -c "import json,sys; d=json.load(open('$T/d.json')); sys.exit(0 if d['summary']['columns'] == 11 and {c['name'] for c in d['columns']} >= {'loan_intent', 'person_age'} else 1)" &&
  ok "... every column of the lender's file tested" || fail "... every column of the lender's file tested"
check "drift against the model's reference" "$CS" drift --reference-model "$T/model.csm" --current "$T/f.csf" \
  --json "$T/dm.json" --html "$T/dm.html"

# ---- errors ---------------------------------------------------------------------------------------------
printf '{"recipe": 1, "name": "x", "tables": [{"name": "t", "file": "t.csv", "key": "@row", "columns": [{"name": "a", "role": "nmeric"}]}]}' >"$T/bad.json"
check_fails "clients import --recipe with a bad recipe exits 1" 1 "$CS" clients import --features "$T/f.csf" \
  --data "$CR" --recipe "$T/bad.json" --out "$T/x.db"
"$CS" clients import --features "$T/f.csf" --data "$CR" --recipe "$T/bad.json" --out "$T/x.db" 2>"$T/err"
check_grep "... naming the JSON path" "bad\.json: tables\[0\]\.columns\[0\]" "$T/err"
"$CS" clients import --features "$T/f.csf" --data "$T" --recipe "$RECIPE" --out "$T/x.db" 2>"$T/err"
check_grep "a data folder without the recipe's file is named" "no file of table loans in .*credit_risk_dataset\.csv" "$T/err"
[ ! -e "$T/x.db" ] && ok "nothing written on error" || fail "nothing written on error"
sed 's/"person_age"/"person age"/' "$RECIPE" >"$T/space.json"
sed '1s/person_age/person age/' "$CR/credit_risk_dataset.csv" >"$T/credit_risk_dataset.csv"
"$CS" clients import --features "$T/f.csf" --data "$T" --recipe "$T/space.json" --out "$T/x.db" 2>"$T/err"
check_grep "a profile field that cannot be a column name is refused" "field 'person age'" "$T/err"
