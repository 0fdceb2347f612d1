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
