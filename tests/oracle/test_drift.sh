#!/usr/bin/env bash
# test_drift.sh: `creditscore drift --json` against evidently's tests recomputed with scipy
# (drift_oracle.py) on generated pairs that reach every branch (KS exact n1 == n2 and
# n1 != n2, KS asymptotic for small and large n, chi-square, Z, normed Wasserstein,
# Jensen-Shannon, PSI, forced tests), and on the real Home Credit sample when present.
# Statistics agree to 1e-9, p-values to 1e-6, tests and verdicts exactly.
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
ORACLE=$ROOT/tests/oracle/drift_oracle.py
if ! "$PY" -c 'import scipy, pandas' 2>/dev/null; then fail "drift oracle" "no scipy/pandas in $PY"; exit 0; fi

"$PY" "$ORACLE" gen "$T" || { fail "generate oracle data"; exit 1; }
run() {   # run NAME PAIR [TEST]
  local name=$1 pair=$2 extra=()
  [ -n "${3:-}" ] && extra=(--stattest "$3")
  if "$CS" drift --quiet --reference "$T/${pair}_ref.csv" --current "$T/${pair}_cur.csv" \
       --json "$T/$name.json" "${extra[@]}" 2>"$T/$name.err"; then
    "$PY" "$ORACLE" check "$name" "$T/${pair}_ref.csv" "$T/${pair}_cur.csv" "$T/$name.json" "${extra[@]}" 2>/dev/null
  else
    fail "$name" "creditscore drift failed: $(head -3 "$T/$name.err")"
  fi
}
run "ks exact, chi-square, z (800 vs 600)" small
run "ks exact n1 == n2 (500 vs 500)" equal
run "ks asymptotic, n > 140 (900 vs 12000)" asymp
run "ks asymptotic, n <= 140 (100 vs 11000)" tiny
run "wasserstein, jensen-shannon (6000 vs 4000)" large
run "forced ks, large n (20000 vs 15000)" big ks
run "forced ks, exact unequal (6000 vs 4000)" large ks
run "forced psi" small psi
run "forced jensenshannon on small data" small jensenshannon
run "forced z" large z
run "forced chisquare" large chisquare
run "forced wasserstein" asymp wasserstein

if [ -f "$SAMPLE/application_train.csv" ] && [ -f "$SAMPLE/application_test.csv" ]; then
  if "$CS" drift --quiet --reference "$SAMPLE/application_train.csv" --current "$SAMPLE/application_test.csv" \
       --json "$T/sample.json" 2>"$T/sample.err"; then
    "$PY" "$ORACLE" check "real sample application_train vs application_test" \
      "$SAMPLE/application_train.csv" "$SAMPLE/application_test.csv" "$T/sample.json" 2>/dev/null
  else
    fail "real sample" "$(head -3 "$T/sample.err")"
  fi
else
  skip "real sample" "no ../shared/data/homecredit-sample"
fi
