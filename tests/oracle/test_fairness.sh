#!/usr/bin/env bash
# test_fairness.sh: `creditscore fairness --json` against pandas / scikit-learn (fairness_oracle.py):
# every group's count, approval rate, default rate, expected default rate, AUC, TPR, FPR, adverse
# impact ratio, the differences, the overall AUC and cost, the comparison model's approval rates and
# the intervals' widths; on the credit-risk file (person_age in years) and on generated Home Credit
# tables through recipes/homecredit-kernel.json (CODE_GENDER's factorized codes named by category,
# DAYS_BIRTH in days before the application).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import pandas, sklearn, numpy' 2>/dev/null; then fail "fairness oracle" "no pandas/sklearn in $PY"; exit 0; fi
export OMP_NUM_THREADS=1
P='{"num_iterations": 40, "num_leaves": 15}'

# ---- credit-risk: person_age ----------------------------------------------------------------------
CR=$ROOT/data/credit-risk
"$CS" features --recipe "$ROOT/recipes/credit-risk.json" --data "$CR" --out "$T/f.csf" --csv "$T/f.csv" --spec-out "$T/spec" >"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --spec "$T/spec" --out "$T/m.csm" --cv 3 --params "$P" --no-track >>"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --spec "$T/spec" --out "$T/m2.csm" --cv 3 --params "$P" --no-track --exclude-protected >>"$T/log" 2>&1 &&
  "$CS" predict --model "$T/m.csm" --features "$T/f.csf" --out "$T/s.csv" >>"$T/log" 2>&1 &&
  "$CS" predict --model "$T/m2.csm" --features "$T/f.csf" --out "$T/s2.csv" >>"$T/log" 2>&1 ||
  { fail "fairness oracle fixture (credit-risk)" "$(tail -3 "$T/log")"; exit 0; }
if "$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --compare "$T/m2.csm" --json "$T/r.json" >"$T/fair.log" 2>&1; then
  "$PY" "$ROOT/tests/oracle/fairness_oracle.py" "$T/r.json" "$T/f.csv" row loan_status person_age age_years "$T/s.csv" "$T/s2.csv" |
    sed 's/^\(\(not \)\{0,1\}ok - \)/\1credit-risk: /'
else
  fail "fairness (credit-risk)" "$(tail -3 "$T/fair.log")"
fi

# ---- generated Home Credit tables: CODE_GENDER and DAYS_BIRTH ------------------------------------
G=$T/gen
"$CS" synth --out "$G" --clients 6000 --test-clients 0 --seed 17 --quiet >"$T/log" 2>&1 &&
  "$CS" features --recipe "$ROOT/recipes/homecredit-kernel.json" --data "$G" --out "$T/k.csf" --csv "$T/k.csv" --spec-out "$T/kspec" >>"$T/log" 2>&1 &&
  "$CS" train --features "$T/k.csf" --spec "$T/kspec" --out "$T/k.csm" --cv 3 --params "$P" --no-track >>"$T/log" 2>&1 &&
  "$CS" predict --model "$T/k.csm" --features "$T/k.csf" --out "$T/ks.csv" >>"$T/log" 2>&1 ||
  { fail "fairness oracle fixture (generated Home Credit)" "$(tail -3 "$T/log")"; exit 0; }
# CODE_GENDER's codes: order of first appearance in the application rows the features keep
cats=$("$PY" - "$G" <<'PY'
import sys, pandas as pd, os
d = sys.argv[1]
parts = [pd.read_csv(os.path.join(d, f), usecols=["CODE_GENDER"]) for f in ("application_train.csv", "application_test.csv")
         if os.path.exists(os.path.join(d, f))]
g = pd.concat(parts).CODE_GENDER
print(",".join(c for c in pd.unique(g[g != "XNA"].dropna())))
PY
)
if "$CS" fairness --model "$T/k.csm" --features "$T/k.csf" --json "$T/kr.json" --min-group 20 >"$T/kfair.log" 2>&1; then
  "$PY" "$ROOT/tests/oracle/fairness_oracle.py" "$T/kr.json" "$T/k.csv" SK_ID_CURR TARGET CODE_GENDER "codes:$cats" "$T/ks.csv" |
    sed 's/^\(\(not \)\{0,1\}ok - \)/\1generated: /'
  "$PY" "$ROOT/tests/oracle/fairness_oracle.py" "$T/kr.json" "$T/k.csv" SK_ID_CURR TARGET DAYS_BIRTH age_days "$T/ks.csv" |
    sed 's/^\(\(not \)\{0,1\}ok - \)/\1generated: /'
else
  fail "fairness (generated Home Credit)" "$(tail -3 "$T/kfair.log")"
fi
