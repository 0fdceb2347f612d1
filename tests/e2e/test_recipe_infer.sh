# test_recipe_infer.sh: `creditscore recipe infer` on the credit-risk file kept in the
# repository (no id column, two categories, a Y/N flag, the 0/1 loan_status), on a main
# table with a child table, and its errors (exit 1 naming the file or column, exit 2 for a
# bad command line).
. "$(dirname "$0")/lib.sh"

CR=$ROOT/data/credit-risk/credit_risk_dataset.csv

check "infer the credit-risk recipe" "$CS" recipe infer --table "$CR" --out "$T/cr.json"
"$CS" recipe infer --table "$CR" --out "$T/cr.json" >"$T/out" 2>&1
check_grep "the decisions are printed, one line per column" "cb_person_default_on_file: flag \(Y = yes\)" "$T/out"
check_grep "the row-number id is said" "no id column: the recipe numbers the rows" "$T/out"
if /usr/bin/python3 - "$T/cr.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["name"] == "credit_risk_dataset", r["name"]
(t,) = r["tables"]
assert t["file"] == "credit_risk_dataset.csv" and t["key"] == "@row", t
roles = {c["name"]: c["role"] for c in t["columns"]}
assert roles == {
    "person_age": "numeric", "person_income": "numeric", "person_home_ownership": "categorical",
    "person_emp_length": "numeric", "loan_intent": "categorical", "loan_amnt": "numeric",
    "loan_int_rate": "numeric", "loan_status": "target", "loan_percent_income": "numeric",
    "cb_person_default_on_file": "flag", "cb_person_cred_hist_length": "numeric"}, roles
c = {c["name"]: c for c in t["columns"]}
assert r["recipe"] == 1
assert c["person_home_ownership"]["encode"] == "onehot" and "encode" not in c["person_age"]
assert c["loan_amnt"]["label"] == {"en": "Loan amount", "fr": "Loan amount"}
assert c["loan_int_rate"]["label"]["en"] == "Loan interest rate"
PY
then ok "the recipe: 7 numeric, 2 categorical, 1 flag, the target, labels"; else fail "the recipe: 7 numeric, 2 categorical, 1 flag, the target, labels"; fi
"$CS" recipe infer --table "$CR" --out - >"$T/stdout.json" 2>"$T/notes"
check "--out - writes the recipe on stdout" cmp -s "$T/stdout.json" "$T/cr.json"
check_grep "--out -: decisions on stderr" "loan_status: the target" "$T/notes"

# the same file with --target and --id named, a child table
printf 'client,amount,purpose,bad\n5,100,car,0\n6,250,home,1\n7,80,car,0\n' >"$T/apps.csv"
printf 'client,paid,status\n5,10,ok\n5,12,late\n6,3,ok\n' >"$T/pay.csv"
check "infer with --id, --target and a child" "$CS" recipe infer --table "$T/apps.csv" --id client --target bad \
  --child "payments=$T/pay.csv:client" --name lender --out "$T/l.json"
if /usr/bin/python3 - "$T/l.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["name"] == "lender"
a, p = r["tables"]
assert a["name"] == "apps" and a["key"] == "client"
assert p["name"] == "payments" and p["parent"] == "apps" and p["link"] == "client" and p["file"] == "pay.csv"
assert p["prefix"] == "PAYMENTS"
aggs = [(x.get("column"), x["ops"]) for x in p["aggs"]]
assert aggs == [(None, ["count"]), ("paid", ["mean", "min", "max", "sum"]), ("status", ["share"])], aggs
PY
then ok "the child table: parent, key, default aggregations"; else fail "the child table: parent, key, default aggregations"; fi

# errors: exit 1 naming what is wrong, nothing written
check_fails "an --id the file lacks exits 1" 1 "$CS" recipe infer --table "$CR" --id loan_id --out "$T/x.json"
"$CS" recipe infer --table "$CR" --id loan_id --out "$T/x.json" 2>"$T/err"
check_grep "... naming the column and the file" "--id loan_id: no such column in .*credit_risk_dataset.csv" "$T/err"
[ ! -e "$T/x.json" ] && ok "nothing written on error" || fail "nothing written on error"
"$CS" recipe infer --table "$CR" --target loan_amnt --out "$T/x.json" 2>"$T/err"
check_grep "a target that is not 0/1 is refused" "--target loan_amnt: .*the target must hold 0 and 1" "$T/err"
"$CS" recipe infer --table "$CR" --child "b=$T/pay.csv:client" --out "$T/x.json" 2>"$T/err"
check_grep "a child table without an id in the main table" "has no id column \(name it with --id\)" "$T/err"
"$CS" recipe infer --table "$T/apps.csv" --id client --child "b=$T/pay.csv:loan" --out "$T/x.json" 2>"$T/err"
check_grep "a child key the child lacks" "--child b: no column loan in .*pay.csv" "$T/err"
printf 'a,b\n1,2\n3\n' >"$T/short.csv"
check_fails "a malformed file exits 1" 1 "$CS" recipe infer --table "$T/short.csv" --out "$T/x.json"
"$CS" recipe infer --table "$T/short.csv" --out "$T/x.json" 2>"$T/err"
check_grep "... with the reader's file:line:column" "short\.csv:3:2: 1 field" "$T/err"
check_fails "a missing file exits 1" 1 "$CS" recipe infer --table "$T/none.csv" --out "$T/x.json"
check_fails "no --out exits 2" 2 "$CS" recipe infer --table "$CR"
check_fails "a bad --child exits 2" 2 "$CS" recipe infer --table "$CR" --child payments --out "$T/x.json"
check_fails "an unknown action exits 2" 2 "$CS" recipe guess
check_fails "no action exits 2" 2 "$CS" recipe
check "--help exits 0" "$CS" recipe --help

# every inferred recipe is one the parser accepts, and it checks against its data
check "recipe check accepts the inferred recipe" "$CS" recipe check "$T/cr.json" --data "$ROOT/data/credit-risk"
check "recipe check accepts the recipe with a child table" "$CS" recipe check "$T/l.json" --data "$T"
# the recipe kept in the repository, edited by hand from the inferred one
check "recipes/credit-risk.json checks against data/credit-risk" "$CS" recipe check "$ROOT/recipes/credit-risk.json" \
  --data "$ROOT/data/credit-risk"
"$CS" recipe check "$ROOT/recipes/credit-risk.json" --data "$ROOT/data/credit-risk" >"$T/out"
check_grep "... one root table of 11 columns" "loans +11 columns, 0 derived, 0 aggregations \(root\)" "$T/out"
if /usr/bin/python3 - "$ROOT/recipes/credit-risk.json" "$T/cr.json" <<'PY'
import json, sys
edited, inferred = (json.load(open(p)) for p in sys.argv[1:3])
(e,), (i,) = edited["tables"], inferred["tables"]
assert e["key"] == i["key"] == "@row"
roles = lambda t: {c["name"]: c["role"] for c in t["columns"]}
assert roles(e) == roles(i), (roles(e), roles(i))       # the edit changed no role
c = {c["name"]: c for c in e["columns"]}
assert c["person_age"]["protected"] is True and c["person_age"]["unit"] == "years"
assert {c[n]["unit"] for n in ("person_income", "loan_amnt")} == {"currency"}
assert c["loan_int_rate"]["unit"] == "percent" and c["loan_percent_income"]["unit"] == "share"
for n, col in c.items():
    if col["role"] != "target":
        assert col["label"]["en"] and col["label"]["fr"] and col["label"]["en"] != col["label"]["fr"] or n == "loan_status", n
        assert col.get("profile") is True, n
PY
then ok "the edited recipe: same roles, labels en+fr, units, profile fields, person_age protected"
else fail "the edited recipe: same roles, labels en+fr, units, profile fields, person_age protected"; fi
printf '{"recipe": 1, "name": "x", "tables": [{"name": "t", "file": "t.csv", "key": "@row", "columns": [{"name": "a", "role": "numeric", "protectd": true}]}]}' >"$T/bad.json"
check_fails "recipe check refuses a bad recipe" 1 "$CS" recipe check "$T/bad.json"
"$CS" recipe check "$T/bad.json" 2>"$T/err"
check_grep "... naming the JSON path" "bad\.json: tables\[0\]\.columns\[0\]" "$T/err"
check_fails "recipe check: a missing data file exits 1" 1 "$CS" recipe check "$ROOT/recipes/credit-risk.json" --data "$T"
check_fails "recipe check without a file exits 2" 2 "$CS" recipe check
