#!/usr/bin/env bash
# test_monitor.sh: after go-live, end to end. A generated production stream (24 months of
# 250 applicants after 3,000 training clients; gradual drift, a shock from month 7) is
# replayed through the API (serve --replay-time, scripts/replay.py), its outcomes imported
# (twice: idempotent; a file with an unknown id, duplicates and a conflict reported), and
# `creditscore monitor` must find the drift where the generator put it and not elsewhere,
# trip --fail-on psi>0.25 once the shock is in and not before, write HTML and JSON, and
# refuse bad input. The numbers themselves are checked against pandas/scipy in
# tests/oracle/test_monitor.sh.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
D=$T/stream
if [ ! -x "$PY" ]; then fail "monitor: /usr/bin/python3 is needed to replay the stream"; exit 0; fi

check "synth --stream writes the stream" "$CS" synth --stream --out "$D" --clients 3000 --months 24 --per-month 250 \
  --shock-month 7 --shock-size 1.2 --seed 3 --quiet
"$CS" synth --stream --out "$T/again" --clients 3000 --months 24 --per-month 250 --shock-month 7 --shock-size 1.2 --seed 3 --quiet
same=1
for f in stream.csv outcomes.csv application_test.csv bureau.csv; do cmp -s "$D/$f" "$T/again/$f" || same=0; done
[ $same = 1 ] && ok "the same seed gives the same stream bytes" || fail "the same seed gives the same stream bytes"
rm -rf "$T/again"
check_fails "synth --stream refuses --test-clients" 2 "$CS" synth --stream --out "$T/x" --test-clients 5
check_fails "synth --stream refuses a shock outside the months" 2 "$CS" synth --stream --out "$T/x" --months 3 --shock-month 4
[ "$(wc -l <"$D/stream.csv")" -eq 6001 ] && ok "stream.csv has 6000 applicants" || fail "stream.csv has 6000 applicants"

"$CS" features --data "$D" --out "$T/f.csf" --spec-out "$T/f.spec" >"$T/feat.log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --spec "$T/f.spec" --model logreg --params '{"C": 0.005}' --cv 3 --name lr-mon --out "$T/m.csm" \
    --store "$T/runs.db" >"$T/train.log" 2>&1 &&
  "$CS" clients import --features "$T/f.csf" --data "$D" --out "$T/clients.db" >"$T/clients.log" 2>&1 ||
  { fail "features, train, clients import" "$(tail -n 3 "$T"/*.log)"; exit 0; }
ok "features, train and clients store of the stream's folder"

serve_bg api --model "$T/m.csm" --clients "$T/clients.db" --audit "$T/audit.db" --replay-time --window 1000 --window-seconds 0.2 ||
  { fail "serve --replay-time starts" "$(cat "$T/api.err")"; exit 0; }
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$URL/v1/predict" -H 'X-Decision-Time: yesterday' -d '{"client_id": 103001}')
[ "$code" = 400 ] && grep -q invalid_header "$T/bad.json" && ok "a malformed X-Decision-Time is refused (400)" ||
  fail "a malformed X-Decision-Time is refused (400)" "$code $(cat "$T/bad.json")"
if "$PY" "$ROOT/scripts/replay.py" "$URL" "$D/stream.csv" >"$T/replay.log" 2>&1; then ok "the stream replays through the API"
else fail "the stream replays through the API" "$(tail -3 "$T/replay.log")"; fi
# the live gauges: the last 1,000 decisions (the last four months, after the shock), in the background
sleep 0.6
curl -s "$URL/metrics" >"$T/metrics.txt"
"$CS" audit --db "$T/audit.db" --csv --out "$T/audit_live.csv" >/dev/null 2>&1
"$PY" - "$T/metrics.txt" "$T/audit_live.csv" >"$T/gauges.out" 2>&1 <<'PYEOF'
import csv, sys
g = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("creditscore_window_")}
rows = list(csv.DictReader(open(sys.argv[2])))[-1000:]
appr = sum(r["decision"] == "approve" for r in rows) / len(rows)
def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)))
ok("/metrics: the window holds the last 1000 decisions", g.get("creditscore_window_decisions") == 1000, g)
# two connections: the ring's order and the log's may differ at the window's edge by a decision
ok("/metrics: the window's approval rate is that of the last 1000 decisions", abs(g.get("creditscore_window_approval_rate", -1) - appr) <= 0.002, (g, appr))
ok("/metrics: the window's score PSI sees the shock (> 0.25)", g.get("creditscore_window_score_psi", 0) > 0.25, g)
PYEOF
cat "$T/gauges.out"
kill -TERM $PID; wait $PID 2>/dev/null

serve_bg api2 --model "$T/m.csm" --clients "$T/clients.db" --audit "$T/other.db" ||
  { fail "serve starts" "$(cat "$T/api2.err")"; exit 0; }
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$URL/v1/predict" -H 'X-Decision-Time: 2025-01-01' -d '{"client_id": 103001}')
[ "$code" = 400 ] && grep -q replay_not_enabled "$T/bad.json" && ok "X-Decision-Time needs --replay-time" ||
  fail "X-Decision-Time needs --replay-time" "$code"
kill -TERM $PID; wait $PID 2>/dev/null

# the audit log holds the replayed times
"$CS" audit --db "$T/audit.db" --csv --out "$T/audit.csv" >/dev/null 2>&1
first=$(sed -n 2p "$T/audit.csv")
case "$first" in *2025-01-0*) ok "decisions carry their application time";; *) fail "decisions carry their application time" "$first";; esac

# outcomes
"$CS" outcomes import --audit "$T/audit.db" --csv "$D/outcomes.csv" >"$T/o1.out" 2>&1
n_out=$(($(wc -l <"$D/outcomes.csv") - 1))
check_grep "outcomes import records every outcome" "^$n_out rows: $n_out recorded, 0 already" "$T/o1.out"
"$CS" outcomes import --audit "$T/audit.db" --csv "$D/outcomes.csv" >"$T/o2.out" 2>&1
check_grep "a re-import is idempotent" "^$n_out rows: 0 recorded, $n_out already recorded" "$T/o2.out"
{ echo "client_id,default,observed"; sed -n 2p "$D/outcomes.csv" | awk -F, '{print $1","1-$2","$3}'
  echo "999999999,1,2026-01-01"; echo "108999,1,2027-01-02"; echo "108999,1,2027-01-02"
  echo "108998,1,2027-01-02"; echo "108998,0,2027-02-02"; echo "108997,1,2024-01-01"; } >"$T/bad_outcomes.csv"
"$CS" outcomes import --audit "$T/audit.db" --csv "$T/bad_outcomes.csv" --rejects "$T/rejects.csv" >"$T/o3.out" 2>"$T/o3.err"
check_grep "a conflict with a recorded outcome is reported" "1 conflicts with recorded" "$T/o3.out"
check_grep "an unknown id is reported" " 1 unknown ids" "$T/o3.out"
check_grep "duplicates and conflicting duplicates are reported" "1 duplicates, 2 conflicting duplicates" "$T/o3.out"
check_grep "an outcome before its decision is reported" "1 observed before the decision" "$T/o3.out"
check_grep "--rejects lists the rows with their issue" "^[0-9]+,999999999,unknown id," "$T/rejects.csv"
printf 'client_id,default,observed\n103001,2,2026-01-01\n' >"$T/malformed.csv"
check_fails "a malformed outcomes file fails with its line" 1 "$CS" outcomes import --audit "$T/audit.db" --csv "$T/malformed.csv"
grep -q "malformed.csv:2:2" "$T/.out" && ok "the error names file:line:column" || fail "the error names file:line:column" "$(cat "$T/.out")"

# monitor
"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --clients "$T/clients.db" --html "$T/m.html" --json "$T/m.json" \
  --as-of 2026-12-31 --fail-on 'psi>0.25' >"$T/mon.out" 2>"$T/mon.err"
rc=$?
[ $rc = 3 ] && ok "--fail-on psi>0.25 exits 3 once the shock is in" || fail "--fail-on psi>0.25 exits 3 once the shock is in" "rc $rc $(tail -3 "$T/mon.err")"
check_grep "the alert names the periods" "^2025-0[7-9]: psi" "$T/mon.err"
"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --until 2025-05-01 --fail-on 'psi>0.25' --quiet >"$T/mon2.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "before the shock the same rule holds (exit 0)" || fail "before the shock the same rule holds (exit 0)" "rc $rc $(cat "$T/mon2.out")"
"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --by week --until 2025-03-01 --json "$T/w.json" --quiet >/dev/null 2>&1 &&
  grep -q '"period":"2025-W01"' "$T/w.json" && ok "--by week labels ISO weeks" || fail "--by week labels ISO weeks"
# the same report from the clients' feature file, read column-wise (--features), as from the store
"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --features "$T/f.csf" --json "$T/mf.json" --html "$T/mf.html" \
  --as-of 2026-12-31 --quiet >"$T/monf.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "monitor --features runs" || fail "monitor --features runs" "rc $rc $(tail -3 "$T/monf.out")"
"$PY" - "$T/m.json" "$T/mf.json" <<'PYEOF'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)))
ok("--features names its file, --clients its store", b["features_file"].endswith("f.csf") and b["clients"] is None
   and a["clients"].endswith("clients.db") and a["features_file"] is None, (a["clients"], b["features_file"]))
for k in ["seconds", "clients", "features_file"]:
    a.pop(k); b.pop(k)
diff = [k for k in a if a[k] != b[k]]
ok("--features gives the report of --clients, every CSI of every period equal", not diff and
   sum(1 for p in b["periods"] for c in p["csi"] if c is not None) > 1000, diff[:3])
PYEOF
grep -q "on clients the feature file lacks" "$T/mf.html" && ok "the HTML report names the feature file as the source" ||
  fail "the HTML report names the feature file as the source"
"$PY" - "$T/m.json" >"$T/checks.out" 2>&1 <<'PYEOF'
import json, sys, statistics
r = json.load(open(sys.argv[1]))
P = r["periods"]; f = r["features"]
def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)))
ok("24 monthly periods from 2025-01", len(P) == 24 and P[0]["period"] == "2025-01", [p["period"] for p in P][:3])
ok("every decision is in the report", r["decisions"] == 6000 and sum(p["decisions"] for p in P) == 6000, r["decisions"])
ok("every decision found its features", r["decisions_client_unknown"] == 0 and r["decisions_without_client"] == 0)
early = [p["psi"] for p in P[:3]]
late = [p["psi"] for p in P[6:]]
ok("score PSI stable in the first three months", max(early) < 0.1, early)
ok("score PSI above 0.25 in every month from the shock on", min(late) > 0.25, late)
ok("the PSI band follows the bands", all(p["psi_band"] == ("stable" if p["psi"] < 0.1 else "watch" if p["psi"] <= 0.25 else "act") for p in P))
def csi(name): j = f.index(name); return [p["csi"][j] for p in P]
for name in ["EXT_SOURCE_2", "EXT_SOURCE_3", "AMT_GOODS_PRICE", "DAYS_BIRTH"]:
    c = csi(name)
    ok(f"{name}: drifted where the generator put it (CSI of the last months > 0.1, first months < 0.1)",
       statistics.median(c[-6:]) > 0.1 and statistics.median(c[:3]) < 0.1, [round(x, 3) for x in c])
for name in ["CODE_GENDER", "FLAG_DOCUMENT_3", "REGION_POPULATION_RELATIVE", "HOUR_APPR_PROCESS_START", "FLAG_OWN_REALTY", "CNT_CHILDREN"]:
    if name not in f:
        ok(f"{name} is a model feature", False, "absent"); continue
    c = csi(name)
    ok(f"{name}: no drift where the generator put none (CSI never above 0.1)", max(c) < 0.1, [round(x, 3) for x in c])
mature = [p for p in P if p["mature"]]
ok("the first 12 cohorts have their outcomes, the last ones not yet",
   [p["period"] for p in mature] == [p["period"] for p in P[:12]], [p["period"] for p in mature])
ok("AUC of the mature months is that of a model that ranks (0.55 .. 0.9)", all(0.55 < p["auc"] < 0.9 for p in mature), [p["auc"] for p in mature])
ok("Gini = 2 AUC - 1", all(abs(p["gini"] - (2 * p["auc"] - 1)) < 1e-12 for p in mature))
pre = [p for p in mature if p["period"] < "2025-07"]
post = [p for p in mature if p["period"] >= "2025-07"]
od = sum(p["defaults"] for p in post); oe = sum(p["expected_default_rate"] * p["outcomes"] for p in post)
ok("after the shock more defaults than the model expects (observed / expected > 1.15)", od / oe > 1.15, od / oe)
od = sum(p["defaults"] for p in pre); oe = sum(p["expected_default_rate"] * p["outcomes"] for p in pre)
ok("before the shock defaults as expected (observed / expected 0.75 .. 1.3)", 0.75 < od / oe < 1.3, od / oe)
ok("binomial p-values are probabilities", all(0 <= b["binomial_p"] <= 1 for p in mature for b in p["bands"] if b["n"] > 0))
V = r["vintages"]
ok("a vintage curve per cohort, cumulative (never decreasing)", len(V) == 24 and all(
    all(b >= a for a, b in zip(v["cumulative_default_rate"], v["cumulative_default_rate"][1:])) for v in V))
ok("the first cohort is seen 23 months, the last none", len(V[0]["cumulative_default_rate"]) == 24 and len(V[-1]["cumulative_default_rate"]) == 1)
PYEOF
cat "$T/checks.out"
check_grep "the HTML report has its charts inline" "<svg class=\"chart\"" "$T/m.html"
if grep -Eq '(src|href)="https?:' "$T/m.html"; then fail "the HTML report fetches nothing"; else ok "the HTML report fetches nothing"; fi
[ -n "${MONITOR_REPORT_DIR:-}" ] && cp "$T/m.html" "$T/m.json" "$MONITOR_REPORT_DIR/"

# an outcome keyed by request id (read before the decisions, which are matched to it): on
# a copy of the log, the latest decision of a client without an outcome gets one by its
# request id
cp "$T/audit.db" "$T/rq.db"
rq=$("$PY" - "$T/rq.db" <<'PYEOF'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT request_id FROM audit WHERE kind = 'decision' AND client_id NOT IN "
    "(SELECT CAST(key AS INTEGER) FROM outcomes WHERE key_kind = 'client_id') ORDER BY seq DESC LIMIT 1").fetchone()[0])
PYEOF
)
printf 'request_id,default,observed\n%s,1,2027-06-01\n' "$rq" >"$T/rq.csv"
check "outcomes import by request id" "$CS" outcomes import --audit "$T/rq.db" --csv "$T/rq.csv" --quiet
check "monitor with an outcome by request id" "$CS" monitor --audit "$T/rq.db" --model "$T/m.csm" --as-of 2027-07-01 \
  --json "$T/rq.json" --quiet
"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --as-of 2027-07-01 --json "$T/rq0.json" --quiet >/dev/null 2>&1
"$PY" - "$T/rq0.json" "$T/rq.json" >"$T/rq.out" 2>&1 <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
da, db = (sum(p["defaults"] for p in r["periods"]) for r in (a, b))
print("ok" if b["outcomes_matched"] == a["outcomes_matched"] + 1 and db == da + 1 else
      "not matched: %s %s" % ((a["outcomes_matched"], da), (b["outcomes_matched"], db)))
PYEOF
grep -qx ok "$T/rq.out" && ok "the request-keyed outcome is joined to its decision" ||
  fail "the request-keyed outcome is joined to its decision" "$(cat "$T/rq.out")"

# bad input
check_fails "monitor needs --audit and --model" 2 "$CS" monitor --model "$T/m.csm"
check_fails "monitor refuses a bad rule" 2 "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --fail-on 'psi=1'
check_fails "monitor refuses an unknown metric" 2 "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --fail-on 'foo>1'
check_fails "monitor on a log without the model's decisions fails" 1 "$CS" monitor --audit "$T/other.db" --model "$T/m.csm"
check_fails "monitor on a missing log fails" 1 "$CS" monitor --audit "$T/nope.db" --model "$T/m.csm"
check_fails "monitor refuses --clients with --features" 2 "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" \
  --clients "$T/clients.db" --features "$T/f.csf"
check_fails "monitor on a missing feature file fails" 1 "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --features "$T/nope.csf"
grep -q "nope.csf" "$T/.out" && ok "the error names the feature file" || fail "the error names the feature file" "$(cat "$T/.out")"
head -c 100000 "$T/f.csf" >"$T/trunc.csf"
# one byte changed in the middle of the values (the columns' checksums are verified in the
# pass that counts them)
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x10; open(sys.argv[2], "wb").write(b)' \
  "$T/f.csf" "$T/flip.csf"
check_fails "monitor on a feature file with a changed value fails" 1 "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" \
  --features "$T/flip.csf" --json "$T/flip.json"
check_grep "the error names the corrupt column" "flip.csf: checksum mismatch in column [0-9]+ \(.*\): the file is corrupt" "$T/.out"
[ ! -e "$T/flip.json" ] && ok "no report from a corrupt feature file" || fail "no report from a corrupt feature file"
check_fails "monitor on a truncated feature file fails" 1 "$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --features "$T/trunc.csf"
if "$CS" features --recipe "$ROOT/recipes/credit-risk.json" --data "$ROOT/data/credit-risk" --out "$T/cr.csf" >/dev/null 2>&1; then
  check_fails "monitor on a feature file without the model's features fails" 1 "$CS" monitor --audit "$T/audit.db" \
    --model "$T/m.csm" --features "$T/cr.csf"
  check_grep "the error says none of the model's features is in it" "cr.csf: none of the model's [0-9]+ features is in the feature file" "$T/.out"
else
  fail "features --recipe credit-risk (a feature file without the model's features)"
fi
check "monitor --help" "$CS" monitor --help
check "outcomes --help" "$CS" outcomes --help
