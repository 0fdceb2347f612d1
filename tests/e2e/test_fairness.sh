# test_fairness.sh: protected attributes end to end on the credit-risk file (recipes/credit-risk.json
# marks person_age): train warns naming them, train --exclude-protected trains without them (the
# model file says so, and shuffling the protected column changes none of its probabilities while it
# changes the other model's), `fairness` writes JSON and HTML, compares the two models, gates with
# exit 3, and refuses bad input with a clear message.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
export OMP_NUM_THREADS=1
CR=$ROOT/data/credit-risk
RECIPE=$ROOT/recipes/credit-risk.json
P='{"num_iterations": 40, "num_leaves": 15}'

"$CS" features --recipe "$RECIPE" --data "$CR" --out "$T/f.csf" --csv "$T/f.csv" --spec-out "$T/spec" >"$T/log" 2>&1 ||
  { fail "features --recipe credit-risk" "$(tail -3 "$T/log")"; exit 1; }

# ---- train: the warning, and --exclude-protected ------------------------------------------------
"$CS" train --features "$T/f.csf" --spec "$T/spec" --out "$T/m.csm" --cv 3 --params "$P" --no-track \
  >"$T/train.out" 2>"$T/train.err" || { fail "train" "$(tail -3 "$T/train.err")"; exit 1; }
check_grep "train warns, naming the protected attribute among the features" \
  "warning: protected attributes among the features: person_age \(person_age\)" "$T/train.err"
"$CS" train --features "$T/f.csf" --spec "$T/spec" --out "$T/m2.csm" --cv 3 --params "$P" --no-track --exclude-protected \
  >"$T/train2.out" 2>"$T/train2.err" || { fail "train --exclude-protected" "$(tail -3 "$T/train2.err")"; exit 1; }
check_grep "train --exclude-protected names what it leaves out" "excluding 1 protected feature: person_age \(person_age\)" "$T/train2.err"
if grep -q "warning: protected" "$T/train2.err"; then fail "no warning once they are excluded"; else ok "no warning once they are excluded"; fi
# the same with the recipe given instead of the spec's
"$CS" train --features "$T/f.csf" --recipe "$RECIPE" --out "$T/m3.csm" --cv 3 --params "$P" --no-track --exclude-protected \
  >/dev/null 2>"$T/train3.err" && grep -q "excluding 1 protected feature" "$T/train3.err" &&
  ok "train --recipe R --exclude-protected" || fail "train --recipe R --exclude-protected" "$(tail -2 "$T/train3.err")"

# no protected input reaches the model: shuffle person_age in the raw file, same spec
mkdir -p "$T/cr2"
$PY - "$CR/credit_risk_dataset.csv" "$T/cr2/credit_risk_dataset.csv" <<'PY'
import sys, numpy as np, pandas as pd
f = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
f["person_age"] = np.random.default_rng(3).permutation(f["person_age"].values)
f.to_csv(sys.argv[2], index=False)
PY
"$CS" features --recipe "$RECIPE" --data "$T/cr2" --spec "$T/spec" --out "$T/shuffled.csf" >"$T/log2" 2>&1 ||
  fail "fixture: features of the file with person_age shuffled" "$(tail -2 "$T/log2")"
for m in m m2; do
  for f in f shuffled; do "$CS" predict --model "$T/$m.csm" --features "$T/$f.csf" --out "$T/$m-$f.csv" >/dev/null 2>&1; done
done
cmp -s "$T/m2-f.csv" "$T/m2-shuffled.csv" && ok "the model trained --exclude-protected: shuffling person_age changes no probability" ||
  fail "the model trained --exclude-protected: shuffling person_age changes no probability"
cmp -s "$T/m-f.csv" "$T/m-shuffled.csv" && fail "the model trained on person_age: shuffling it changes probabilities" ||
  ok "the model trained on person_age: shuffling it changes probabilities"
# serving loads it with the recipe's spec (which computes one feature more)
"$CS" predict --model "$T/m2.csm" --features "$T/f.csf" --out - 2>/dev/null | head -1 | grep -q "probability" &&
  ok "the excluded model's file loads with its spec" || fail "the excluded model's file loads with its spec"

# ---- fairness ------------------------------------------------------------------------------------
"$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --compare "$T/m2.csm" --json "$T/r.json" --html "$T/r.html" \
  --bootstrap 100 >"$T/fair.out" 2>"$T/fair.err" && ok "fairness --compare --json --html" ||
  fail "fairness --compare --json --html" "$(tail -3 "$T/fair.err")"
check_grep "the summary names the age bands" "under 25 .*25-34" <(tr '\n' ' ' <"$T/fair.out")
if $PY - "$T/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["attributes"]
assert [x["name"] for x in a] == ["person_age"] and a[0]["kind"] == "age bands", a
assert [g["group"] for g in a[0]["groups"]] == ["under 25", "25-34", "35-44", "45-54", "55-64", "65 and over"]
assert sum(g["n"] for g in a[0]["groups"]) + a[0]["n_missing"] == 32581
assert r["excluded_protected"] is None                       # the first model uses person_age
assert r["compare"]["excluded_protected"] == {"attributes": ["person_age"], "features": ["person_age"]}, r["compare"]
assert r["bootstrap"]["replicates"] == 100
for g in a[0]["groups"]:
    for k in ("approval_rate", "default_rate", "expected_default_rate", "auc", "tpr", "fpr", "adverse_impact_ratio"):
        assert set(g[k]) == {"value", "lo", "hi"}, (g["group"], k)
    assert 0 <= g["approval_rate_compare"] <= 1
for k in ("demographic_parity_difference", "equal_opportunity_difference", "equalized_odds_difference"):
    assert 0 <= a[0][k]["value"] <= 1
assert 0.85 < r["overall"]["auc"] < 1 and 0.85 < r["compare"]["overall"]["auc"] < 1
PY
then ok "the JSON: groups, intervals, the comparison model's exclusion recorded in its file"
else fail "the JSON: groups, intervals, the comparison model's exclusion recorded in its file"; fi
check_grep "the HTML carries the four-fifths caveats" "not a legal definition of discrimination" "$T/r.html"
check_grep "the HTML compares with and without the protected attributes" "With and without the protected attributes" "$T/r.html"
if grep -Eq "<script|https?:" "$T/r.html"; then fail "the HTML is self-contained (no script, no link)"; else ok "the HTML is self-contained (no script, no link)"; fi
# the same seed gives the same report
"$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --compare "$T/m2.csm" --json "$T/r2.json" --bootstrap 100 >/dev/null 2>&1
cmp -s "$T/r.json" "$T/r2.json" && ok "the report is reproducible (seeded bootstrap)" || fail "the report is reproducible (seeded bootstrap)"

# --data DIR: the raw file through the spec the model carries gives the same report as its features
"$CS" fairness --model "$T/m2.csm" --data "$CR" --compare "$T/m.csm" --json "$T/rd.json" --bootstrap 100 >"$T/fd.out" 2>"$T/fd.err" &&
  ok "fairness --data DIR (the recipe engine)" || fail "fairness --data DIR (the recipe engine)" "$(tail -3 "$T/fd.err")"
"$CS" fairness --model "$T/m2.csm" --features "$T/f.csf" --compare "$T/m.csm" --json "$T/rf.json" --bootstrap 100 >/dev/null 2>&1
$PY - "$T/rd.json" "$T/rf.json" "$CR" <<'PY' && ok "... the same report as from the feature file" || fail "... the same report as from the feature file"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a.pop("features") == sys.argv[3] and b.pop("features").endswith("f.csf")
assert a == b
PY
check_fails "--features and --data together: usage error" 2 "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --data "$CR"
check_fails "--data of a folder without the recipe's file" 1 "$CS" fairness --model "$T/m.csm" --data "$T/nowhere"
check_grep "... naming it" "nowhere" "$T/.out"
# the kernel's features (the default, the built-in kernel recipe): --data computes them with the spec's recipe
D=$T/hc
"$CS" synth --out "$D" --clients 1500 --test-clients 300 --seed 5 --quiet >/dev/null 2>&1 || fail "fixture: synth"
"$CS" features --data "$D" --out "$T/hc.csf" --spec-out "$T/hc.spec" >/dev/null 2>&1 || fail "fixture: kernel features"
"$CS" train --features "$T/hc.csf" --spec "$T/hc.spec" --out "$T/hc.csm" --cv 2 --params "$P" --no-track >/dev/null 2>&1 ||
  fail "fixture: train on the kernel's features"
"$CS" fairness --model "$T/hc.csm" --data "$D" --recipe "$ROOT/recipes/homecredit-kernel.json" --bootstrap 20 \
  --json "$T/hcd.json" >/dev/null 2>"$T/hcd.err" && ok "fairness --data DIR (the kernel)" ||
  fail "fairness --data DIR (the kernel)" "$(tail -3 "$T/hcd.err")"
"$CS" fairness --model "$T/hc.csm" --features "$T/hc.csf" --recipe "$ROOT/recipes/homecredit-kernel.json" --bootstrap 20 \
  --json "$T/hcf.json" >/dev/null 2>&1
$PY - "$T/hcd.json" "$T/hcf.json" <<'PY' && ok "... the same report as from the kernel's feature file" || fail "... the same report as from the kernel's feature file"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a.pop("features"); b.pop("features")
assert sorted(x["name"] for x in a["attributes"]) == ["CNT_CHILDREN", "CODE_GENDER", "DAYS_BIRTH", "NAME_FAMILY_STATUS"], a
assert a["overall"]["n"] == 1796 and a["overall"]["n_labelled"] == 1496   # train and test rows, XNA left out
assert a == b
PY

# the gate
check_fails "--fail-on air<0.99 exits 3 when a group is below" 3 \
  "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --bootstrap 0 --fail-on 'air<0.99'
check_grep "... naming the ratio" "gate +FAILED: smallest adverse impact ratio 0\.[0-9]+ < 0\.99" "$T/.out"
check "--fail-on air<0.5 passes" "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --bootstrap 0 --fail-on 'air<0.5'

# ---- bad input -----------------------------------------------------------------------------------
check_fails "no --model: usage error" 2 "$CS" fairness --features "$T/f.csf"
check_fails "no --features nor --data: usage error" 2 "$CS" fairness --model "$T/m.csm"
check_fails "--fail-on without air<: usage error" 2 "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --fail-on 'auc<0.8'
check_grep "... saying what it wants" "--fail-on needs air<X" "$T/.out"
check_fails "--fail-on air<2: usage error" 2 "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --fail-on 'air<2'
check_fails "--bootstrap -1: usage error" 2 "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --bootstrap -1
check_fails "a missing model file" 1 "$CS" fairness --model "$T/nope.csm" --features "$T/f.csf"
check_grep "... named" "nope.csm" "$T/.out"
head -c 1000 "$T/f.csf" >"$T/trunc.csf"
check_fails "a truncated feature file" 1 "$CS" fairness --model "$T/m.csm" --features "$T/trunc.csf"
"$CS" train --features "$T/f.csf" --out "$T/norecipe.csm" --cv 2 --params "$P" --no-track >/dev/null 2>&1
check_fails "a model without a recipe and no --recipe: usage error" 2 "$CS" fairness --model "$T/norecipe.csm" --features "$T/f.csf"
check_grep "... saying to give --recipe" "give --recipe FILE" "$T/.out"
check "... and with --recipe it runs" "$CS" fairness --model "$T/norecipe.csm" --features "$T/f.csf" --recipe "$RECIPE" --bootstrap 0
check_fails "--exclude-protected without a recipe: usage error" 2 \
  "$CS" train --features "$T/f.csf" --out "$T/x.csm" --cv 2 --params "$P" --no-track --exclude-protected
check_grep "... naming what it needs" "needs the recipe" "$T/.out"
# a recipe whose protected column is not among the features
sed 's/"name": "person_age", "role": "numeric"/"name": "person_age", "role": "ignore"/' "$RECIPE" >"$T/noage.json"
sed -i 's/"protected": true/"protected": false/' "$T/noage.json"
check_fails "a recipe with no protected attribute: an error" 1 "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --recipe "$T/noage.json"
check_grep "... saying so" "no protected attribute found" "$T/.out"
check_fails "a missing comparison model" 1 \
  "$CS" fairness --model "$T/m2.csm" --features "$T/f.csf" --compare "$T/nope2.csm"
