#!/usr/bin/env bash
# test_synth_drift.sh: generated application_test drifts from application_train as the real
# one does (evidently's preset found 9 of 121 columns, 7.4 %, no dataset drift): the drift
# report on a demo-size set finds between 4 % and 12 % of the columns drifted, among them the
# ones the generator shifts on purpose, and no dataset drift.
source "$(dirname "$0")/lib.sh"

check "synth 20000 + 3333 clients" "$CS" synth --out "$T/g" --clients 20000 --test-clients 3333 --seed 7 --quiet
check "drift report of test against train" "$CS" drift --reference "$T/g/application_train.csv" \
  --current "$T/g/application_test.csv" --json "$T/d.json" --html "$T/d.html"
if /usr/bin/python3 - "$T/d.json" >"$T/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cols = d["columns"]
drifted = [c["name"] for c in cols if c["drifted"]]
share = len(drifted) / len(cols)
print(f"{len(drifted)} of {len(cols)} drifted ({100 * share:.1f} %): {', '.join(drifted)}")
assert 0.04 <= share <= 0.12, "drifted share outside 4-12 %"
assert d["summary"]["dataset_drift"] is False, "dataset drift"
for name in ("NAME_CONTRACT_TYPE", "DAYS_LAST_PHONE_CHANGE", "AMT_REQ_CREDIT_BUREAU_YEAR"):
    assert name in drifted, name + " does not drift"
for name in ("EXT_SOURCE_2", "AMT_INCOME_TOTAL", "DAYS_BIRTH"):
    assert name not in drifted, name + " drifts"
PY
then ok "drifted share of the real order, no dataset drift, the shifted columns drift: $(head -1 "$T/out")"
else fail "drifted share of the real order, no dataset drift, the shifted columns drift" "$(tail -2 "$T/out" | tr '\n' ' ')"; fi
