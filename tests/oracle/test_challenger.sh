#!/usr/bin/env bash
# test_challenger.sh: `creditscore challenger --json` against pandas / scipy / scikit-learn
# (challenger_oracle.py), which recompute every figure from the audit log itself: first the
# log of a real serve --challenger run (400 training clients scored by both models, their
# outcomes imported by client id), then the same log with hand-made rows added (ties,
# challenger failures, unpaired rows, a second pair, outcomes by request id, one observed
# before its decision).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import scipy, pandas, sklearn' 2>/dev/null; then fail "challenger oracle" "no scipy/pandas/sklearn in $PY"; exit 1; fi
command -v curl >/dev/null || { fail "challenger oracle" "curl not installed"; exit 1; }
export OMP_NUM_THREADS=1
D=$T/data
"$CS" synth --out "$D" --clients 600 --test-clients 60 --seed 9 >"$T/log" 2>&1 &&
  "$CS" features --data "$D" --out "$T/f.csf" --spec-out "$T/f.spec" >>"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --out "$T/a.csm" --cv 2 --spec "$T/f.spec" --name champion --no-track \
    --params '{"num_iterations": 30, "num_leaves": 7}' >>"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --out "$T/b.csm" --cv 2 --spec "$T/f.spec" --name challenger --no-track \
    --model logreg --exclude-protected >>"$T/log" 2>&1 &&
  "$CS" clients import --features "$T/f.csf" --data "$D" --out "$T/clients.db" >>"$T/log" 2>&1 &&
  "$CS" predict --model "$T/b.csm" --features "$T/f.csf" --out "$T/pred.csv" >>"$T/log" 2>&1 ||
  { fail "challenger oracle fixture" "$(tail -3 "$T/log")"; exit 1; }
serve_bg api --model "$T/a.csm" --challenger "$T/b.csm" --clients "$T/clients.db" --audit "$T/audit.db" --threads 2 ||
  { fail "serve --challenger" "$(cat "$T/api.err")"; exit 1; }
# the training clients the features kept, each decided once
tail -n +2 "$T/pred.csv" | cut -d, -f1 | sort >"$T/kept"
tail -n +2 "$D/application_train.csv" | cut -d, -f1 | sort | comm -12 - "$T/kept" | head -400 >"$T/ids"
bad=0
while read -r id; do
  c=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -d "{\"client_id\": $id}" "$URL/v1/predict")
  [ "$c" = 200 ] || bad=$((bad + 1))
done <"$T/ids"
kill -TERM $PID; wait $PID 2>/dev/null
[ "$bad" = 0 ] || fail "decisions" "$bad not 200"
# their outcomes: TARGET, observed tomorrow
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
"$PY" - "$D/application_train.csv" "$T/ids" "$tomorrow" >"$T/outcomes.csv" <<'PY'
import csv, sys
ids = set(open(sys.argv[2]).read().split())
print("client_id,default,observed")
for r in csv.DictReader(open(sys.argv[1])):
    if r["SK_ID_CURR"] in ids: print("%s,%s,%s" % (r["SK_ID_CURR"], r["TARGET"], sys.argv[3]))
PY
"$CS" outcomes import --audit "$T/audit.db" --csv "$T/outcomes.csv" >"$T/o.log" 2>&1 || fail "outcomes import" "$(tail -2 "$T/o.log")"
if "$CS" challenger --audit "$T/audit.db" --json "$T/r.json" >"$T/r.txt" 2>"$T/r.err"; then
  "$PY" "$ROOT/tests/oracle/challenger_oracle.py" "$T/r.json" "$T/audit.db" "served"
else
  fail "creditscore challenger" "$(tail -3 "$T/r.err")"
fi
cp "$T/audit.db" "$T/cases.db"
"$PY" "$ROOT/tests/oracle/challenger_oracle.py" --add-cases "$T/cases.db" || fail "hand-made rows"
if "$CS" challenger --audit "$T/cases.db" --json "$T/c.json" >"$T/c.txt" 2>"$T/c.err"; then
  "$PY" "$ROOT/tests/oracle/challenger_oracle.py" "$T/c.json" "$T/cases.db" "hand-made rows"
else
  fail "creditscore challenger (hand-made rows)" "$(tail -3 "$T/c.err")"
fi
check_grep "the text report: both AUCs on the same applicants" '^  AUC +champion 0\.[0-9]{4}, challenger 0\.[0-9]{4} \(same applicants\)$' "$T/r.txt"
check_grep "the text report counts the challenger's failures" 'the challenger failed on [0-9]+ more' "$T/c.txt"
