# test_report.sh: `creditscore report` end to end on the credit-risk file: a tracked model's report
# (JSON and HTML) carries the run from the store, the out-of-fold metrics equal the ones train
# recorded in the model file, a fairness report is summarised, the page is self-contained; an
# untracked model reports from its file alone; bad input is refused with a clear message.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
export OMP_NUM_THREADS=1
CR=$ROOT/data/credit-risk
RECIPE=$ROOT/recipes/credit-risk.json
P='{"num_iterations": 40, "num_leaves": 15}'

"$CS" features --recipe "$RECIPE" --data "$CR" --out "$T/f.csf" --spec-out "$T/spec" >"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --spec "$T/spec" --out "$T/m.csm" --cv 3 --params "$P" --store "$T/cs.db" \
    >"$T/train.out" 2>"$T/train.err" || { fail "fixture: features and a tracked train" "$(tail -3 "$T/train.err")"; exit 1; }
"$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --bootstrap 20 --json "$T/fair.json" >/dev/null 2>&1 ||
  fail "fixture: fairness --json"

check "report --html --json --fairness --store" "$CS" report --model "$T/m.csm" --store "$T/cs.db" --fairness "$T/fair.json" \
  --html "$T/r.html" --json "$T/r.json" --bootstrap 100
check_grep "... prints the metrics with the AUC's interval" "AUC 0\.[0-9]{4} \(0\.[0-9]{4}-0\.[0-9]{4}\)" "$T/.out"
check_grep "... no stability without test applicants, and says so" "no test applicants" "$T/.out"
run=$(sed -n 's/^run  *\([0-9a-f]\{32\}\).*/\1/p' "$T/train.out")
if $PY - "$T/r.json" "$run" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["lineage"]["run_id"] == sys.argv[2] and r["lineage"]["status"] == "FINISHED", r["lineage"]
assert r["lineage"]["run_params"]["model"] == "gbdt" and r["lineage"]["code_version"]
assert r["data"]["n_train"] == 32581 and r["data"]["recipe"] == "credit-risk" and r["data"]["data_digest"].startswith("h64:")
assert [t["name"] for t in r["data"]["tables"]] and r["model"]["sha256"] and len(r["model"]["sha256"]) == 64
p = r["performance"]
assert p["n"] == 32581 and p["bootstrap"]["replicates"] == 100
for k in ("auc", "gini", "ks", "log_loss", "brier"):
    assert p[k]["lo"] <= p[k]["value"] <= p[k]["hi"], k
assert len(p["calibration_deciles"]["n"]) == 10 and len(p["roc"]["fpr"]) > 50 and len(p["cost_curve"]["threshold"]) > 50
assert r["stability"]["n_test"] == 0 and r["stability"]["psi_score"] is None
f = r["fairness"]
assert [a["name"] for a in f["attributes"]] == ["person_age"] and f["min_adverse_impact_ratio"] > 0
assert len(r["importance"]) == r["model"]["n_features"]
PY
then ok "the JSON: lineage from the store, data, intervals, charts' data, fairness, importance"
else fail "the JSON: lineage from the store, data, intervals, charts' data, fairness, importance"; fi
# the out-of-fold metrics are the ones train computed (the model file's META)
meta_auc=$($PY - "$T/m.csm" <<'PY'
import json, sys
b = open(sys.argv[1], "rb").read()
i = b.index(b'{"format"')
d = json.JSONDecoder().raw_decode(b[i:].decode("utf-8", "replace"))[0]
print(repr(d["metrics"]["oof_auc"]), repr(d["metrics"]["ks"]), repr(d["metrics"]["log_loss"]), repr(d["metrics"]["brier"]))
PY
)
rep_auc=$($PY -c 'import json,sys; p=json.load(open(sys.argv[1]))["performance"]; print(repr(p["auc"]["value"]), repr(p["ks"]["value"]), repr(p["log_loss"]["value"]), repr(p["brier"]["value"]))' "$T/r.json")
[ -n "$meta_auc" ] && [ "$meta_auc" = "$rep_auc" ] && ok "AUC, KS, log loss and Brier equal train's out-of-fold figures" ||
  fail "AUC, KS, log loss and Brier equal train's out-of-fold figures" "$meta_auc vs $rep_auc"
for s in "1. Purpose and scope" "2. Data" "3. Lineage" "4. Performance" "5. Stability" "6. Fairness" \
         "7. Global importance" "8. Limitations" "9. Sign-off" "Independent validator" "$run" "person_age"; do
  grep -qF "$s" "$T/r.html" || { fail "the HTML has '$s'"; continue; }
done
ok "the HTML has its nine sections, the run and the fairness summary"
[ "$(grep -o '<svg class="chart"' "$T/r.html" | wc -l)" -eq 4 ] && ok "... four inline SVG charts" || fail "... four inline SVG charts"
if grep -Eq "<script|https?://|<link|src=" "$T/r.html"; then fail "the HTML is self-contained (no script, no link)"; else ok "the HTML is self-contained (no script, no link)"; fi
"$CS" report --model "$T/m.csm" --store "$T/cs.db" --json "$T/r2.json" --bootstrap 100 >/dev/null 2>&1
$PY -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); [x.pop("generated") for x in (a,b)]; a.pop("fairness"); b.pop("fairness"); sys.exit(a!=b)' \
  "$T/r.json" "$T/r2.json" && ok "the same seed gives the same report" || fail "the same seed gives the same report"

# an untracked model: the report from the file alone, saying so
"$CS" train --features "$T/f.csf" --out "$T/u.csm" --cv 2 --params "$P" --no-track >/dev/null 2>&1 || fail "fixture: untracked train"
check "an untracked model's report" "$CS" report --model "$T/u.csm" --json "$T/u.json" --predictions "$T/u.csv" --bootstrap 0
check_grep "... says the lineage is the file's" "trained without tracking" "$T/.out"
[ "$(wc -l <"$T/u.csv")" -eq 32582 ] && head -1 "$T/u.csv" | grep -qx "row,target,probability" &&
  ok "--predictions writes the out-of-fold rows" || fail "--predictions writes the out-of-fold rows" "$(head -2 "$T/u.csv")"

# bad input
check_fails "no --model: usage error" 2 "$CS" report --html "$T/x.html"
check_fails "no output: usage error" 2 "$CS" report --model "$T/m.csm"
check_grep "... naming the options" "give --html FILE, --json FILE" "$T/.out"
check_fails "--bootstrap x: usage error" 2 "$CS" report --model "$T/m.csm" --json "$T/x.json" --bootstrap x
check_fails "a missing model file" 1 "$CS" report --model "$T/nope.csm" --json "$T/x.json"
check_grep "... named" "nope.csm" "$T/.out"
head -c 2000 "$T/m.csm" >"$T/trunc.csm"
check_fails "a truncated model file" 1 "$CS" report --model "$T/trunc.csm" --json "$T/x.json"
check_grep "... saying so" "truncated" "$T/.out"
check_fails "a store that is not there" 1 "$CS" report --model "$T/m.csm" --store "$T/nostore.db" --json "$T/x.json"
check_grep "... named" "nostore.db" "$T/.out"
echo '[1, 2]' >"$T/bad.json"
check_fails "a fairness file that is not a fairness report" 1 "$CS" report --model "$T/m.csm" --fairness "$T/bad.json" --json "$T/x.json"
check_grep "... named" "bad.json: not a fairness report" "$T/.out"
check_fails "a missing fairness file" 1 "$CS" report --model "$T/m.csm" --fairness "$T/nofair.json" --json "$T/x.json"
