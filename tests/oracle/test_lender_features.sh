#!/usr/bin/env bash
# test_lender_features.sh: `features --recipe recipes/credit-risk.json` on the credit-risk file
# against pandas (Debian's python3-pandas, tests/e2e/recipe_features.py): the same 18 features
# by name, every value equal to the bit (numbers as read, the Y/N flag as 1/0, the one-hot
# dummies of both categorical columns in Python string order), the ids the row numbers
# (1 = the first data row) and the target loan_status. Also the inferred recipe (recipe infer,
# before any hand edit) gives the same features.
. "$(dirname "$0")/../e2e/lib.sh"
cd "$ROOT" || exit 1
CR=data/credit-risk
"$CS" features --recipe recipes/credit-risk.json --data "$CR" --out "$T/cr.csf" --csv "$T/cr.csv" >"$T/log" 2>&1 ||
  { fail "features --recipe recipes/credit-risk.json" "$(tail -3 "$T/log")"; exit 1; }
ok "features --recipe recipes/credit-risk.json"
"$CS" recipe infer --table "$CR/credit_risk_dataset.csv" --out "$T/inferred.json" >/dev/null &&
  "$CS" features --recipe "$T/inferred.json" --data "$CR" --out "$T/inf.csf" --csv "$T/inf.csv" >"$T/log" 2>&1 ||
  { fail "features --recipe on the inferred recipe" "$(tail -3 "$T/log")"; exit 1; }
ok "features --recipe on the inferred recipe"
/usr/bin/python3 tests/e2e/recipe_features.py "$CR/credit_risk_dataset.csv" "$T/pandas.csv" ||
  { fail "the pandas features"; exit 1; }
/usr/bin/python3 - "$T/cr.csv" "$T/inf.csv" "$T/pandas.csv" <<'PY'
import sys
import numpy as np
import pandas as pd
ours, inferred, want = (pd.read_csv(p, float_precision="round_trip") for p in sys.argv[1:4])
def check(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + why))
for label, got in (("recipes/credit-risk.json", ours), ("the inferred recipe", inferred)):
    idc, tc = got.columns[0], got.columns[1]
    check(f"{label}: ids are the row numbers 1..32581", list(got[idc]) == list(range(1, 32582)))
    check(f"{label}: the target is loan_status", np.array_equal(got[tc].to_numpy(float), want["TARGET"].to_numpy(float)))
    feats = sorted(got.columns[2:])
    check(f"{label}: the same 18 features by name", feats == sorted(want.columns[2:]), f"{feats}")
    bad = [c for c in want.columns[2:] if c in got.columns and
           not np.array_equal(got[c].to_numpy(float), want[c].to_numpy(float), equal_nan=True)]
    check(f"{label}: every value equal to pandas'", not bad, f"differ: {bad}")
PY
