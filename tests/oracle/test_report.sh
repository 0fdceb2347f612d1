#!/usr/bin/env bash
# test_report.sh: `creditscore report --json` against scikit-learn / scipy / numpy (report_oracle.py)
# on generated Home Credit tables with test applicants: the out-of-fold metrics and their bootstrap
# intervals, the confusion at the threshold, calibration by decile, the score distributions, the
# ROC, and the PSI of the score and of every feature between training rows and test applicants.
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import pandas, sklearn, scipy, numpy' 2>/dev/null; then fail "report oracle" "no pandas/sklearn/scipy in $PY"; exit 0; fi
export OMP_NUM_THREADS=1
G=$T/gen
"$CS" synth --out "$G" --clients 3000 --test-clients 800 --seed 23 --quiet >"$T/log" 2>&1 &&
  "$CS" features --data "$G" --out "$T/f.csf" --csv "$T/f.csv" --spec-out "$T/spec" >>"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --spec "$T/spec" --out "$T/m.csm" --cv 3 --params '{"num_iterations": 60, "num_leaves": 15}' \
    --no-track >>"$T/log" 2>&1 &&
  "$CS" predict --model "$T/m.csm" --features "$T/f.csf" --out "$T/s.csv" >>"$T/log" 2>&1 ||
  { fail "report oracle fixture" "$(tail -3 "$T/log")"; exit 0; }
if "$CS" report --model "$T/m.csm" --json "$T/r.json" --predictions "$T/oof.csv" --bootstrap 300 >"$T/rep.log" 2>&1; then
  "$PY" "$ROOT/tests/oracle/report_oracle.py" "$T/r.json" "$T/oof.csv" "$T/f.csv" "$T/s.csv"
else
  fail "report --json --predictions" "$(tail -3 "$T/rep.log")"
fi
