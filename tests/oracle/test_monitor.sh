#!/usr/bin/env bash
# test_monitor.sh: `creditscore monitor --json` against pandas / numpy / scipy / scikit-learn
# (monitor_oracle.py) on a generated stream replayed through the API: score PSI, approval
# rates, the CSI of every feature in every period (the feature reference recomputed from the
# training clients), AUC, Gini, KS and every binomial test of the mature periods; twice: with
# the features read from the clients store (--clients) and from the feature file (--features).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import scipy, pandas, sklearn' 2>/dev/null; then fail "monitor oracle" "no scipy/pandas/sklearn in $PY"; exit 0; fi
D=$T/stream
"$CS" synth --stream --out "$D" --clients 2500 --months 18 --per-month 200 --shock-month 5 --shock-size 1.2 --seed 11 --quiet &&
  "$CS" features --data "$D" --out "$T/f.csf" >"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --model logreg --params '{"C": 0.005}' --cv 3 --out "$T/m.csm" --no-track >>"$T/log" 2>&1 &&
  "$CS" clients import --features "$T/f.csf" --data "$D" --out "$T/clients.db" >>"$T/log" 2>&1 ||
  { fail "monitor oracle fixture" "$(tail -3 "$T/log")"; exit 0; }
serve_bg api --model "$T/m.csm" --clients "$T/clients.db" --audit "$T/audit.db" --replay-time ||
  { fail "serve --replay-time" "$(cat "$T/api.err")"; exit 0; }
"$PY" "$ROOT/scripts/replay.py" "$URL" "$D/stream.csv" >"$T/replay.log" 2>&1 || fail "replay" "$(cat "$T/replay.log")"
kill -TERM $PID; wait $PID 2>/dev/null
"$CS" outcomes import --audit "$T/audit.db" --csv "$D/outcomes.csv" >/dev/null 2>&1 || fail "outcomes import"
if "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --clients "$T/clients.db" --json "$T/m.json" --quiet >"$T/mon.log" 2>&1; then
  "$PY" "$ROOT/tests/oracle/monitor_oracle.py" "$T/m.json" "$T/audit.db" "$T/clients.db"
else
  fail "monitor" "$(tail -3 "$T/mon.log")"
fi
if "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --features "$T/f.csf" --json "$T/mf.json" --quiet >"$T/monf.log" 2>&1; then
  "$PY" "$ROOT/tests/oracle/monitor_oracle.py" "$T/mf.json" "$T/audit.db" "$T/clients.db" | sed 's/^\(\(not \)\{0,1\}ok - \)/\1--features: /'
else
  fail "monitor --features" "$(tail -3 "$T/monf.log")"
fi
