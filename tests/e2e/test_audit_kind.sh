# test_audit_kind.sh: lookups and simulations are not decisions. A request says what it is
# ("purpose": decision, lookup, simulation; "simulation_of" makes a what-if a simulation
# whatever else it asks); the audit log keeps each row's kind, and `creditscore audit`, drift
# on the audit log, `monitor --audit` and /metrics count the decisions only. Before the kind
# existed every view of a client and every what-if was counted as a decision.
# CS_TEST_BACKEND=postgresql (make test's e2e-pg) keeps the clients store and the audit log in
# PostgreSQL, where a version 2 table (the challenger's columns) is upgraded to 3 in place.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "audit kind: curl is needed"; exit 0; }
[ -x "$PY" ] || { fail "audit kind: /usr/bin/python3 is needed"; exit 0; }
export OMP_NUM_THREADS=1
backend_init
CLIENTS=$(backend_store clients) && AUDIT=$(backend_store audit) || { fail "the stores"; exit 1; }

D=$T/data
"$CS" synth --out "$D" --clients 300 --test-clients 40 --seed 11 >"$T/log" 2>&1 &&
  "$CS" features --data "$D" --out "$T/f.csf" --spec-out "$T/f.spec" >"$T/log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --out "$T/m.csm" --params '{"num_iterations": 10, "num_leaves": 7}' --cv 2 \
    --spec "$T/f.spec" --name kind-gbdt --model-version 1 >"$T/log" 2>&1 &&
  "$CS" clients import --features "$T/f.csf" --data "$D" --out "$CLIENTS" >"$T/log" 2>&1 ||
  { fail "fixture: synth, features, train, clients import" "$(tail -3 "$T/log")"; exit 0; }
serve_bg api --model "$T/m.csm" --clients "$CLIENTS" --audit "$AUDIT" --threads 2 ||
  { fail "serve starts" "$(cat "$T/api.err")"; exit 0; }
CID=$($PY -c "import csv; print(next(csv.DictReader(open('$D/application_test.csv')))['SK_ID_CURR'])")

post() {   # post PATH BODY: status in $CODE, body in $T/r.json
  CODE=$(curl -s -o "$T/r.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$2" "$URL$1")
}
# the client's features, edited: the what-if's body
curl -s "$URL/v1/clients/$CID" >"$T/client.json"
$PY - "$T/client.json" "$CID" >"$T/whatif.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
f = {k: v for k, v in c["features"].items()}
f["AMT_CREDIT"] = f["AMT_CREDIT"] * 0.9
print(json.dumps({"features": f, "simulation_of": int(sys.argv[2]), "purpose": "simulation"}))
EOF
sed 's/, "purpose": "simulation"//' "$T/whatif.json" >"$T/whatif_implicit.json"

post /v1/predict "{\"client_id\": $CID}"; [ "$CODE" = 200 ] || fail "a decision" "$CODE"
post /v1/explain "{\"client_id\": $CID, \"purpose\": \"decision\"}"; [ "$CODE" = 200 ] || fail "a decision (explain)" "$CODE"
for i in 1 2 3 4 5; do
  post /v1/explain "{\"client_id\": $CID, \"purpose\": \"lookup\"}"; [ "$CODE" = 200 ] || fail "a lookup" "$CODE"
done
post /v1/predict "@$T/whatif.json"
[ "$CODE" = 200 ] && ok "a what-if with simulation_of is answered (200)" || fail "a what-if with simulation_of is answered" "$CODE $(cat "$T/r.json")"
for i in 1 2 3; do post /v1/predict "@$T/whatif_implicit.json"; done
[ "$CODE" = 200 ] && ok "simulation_of without purpose is a simulation too (200)" || fail "simulation_of without purpose" "$CODE"

# refusals: a what-if is never a decision, a lookup is of a stored client, unknown purposes
post /v1/predict "$(sed 's/"purpose": "simulation"/"purpose": "decision"/' "$T/whatif.json")"
[ "$CODE" = 400 ] && grep -q '"wrong_purpose"' "$T/r.json" && ok "a what-if on a client's edited inputs cannot be a decision (400)" ||
  fail "a what-if cannot be a decision" "$CODE $(cat "$T/r.json")"
post /v1/predict "{\"client_id\": $CID, \"simulation_of\": $CID}"
[ "$CODE" = 400 ] && grep -q '"field":"simulation_of"' "$T/r.json" && ok "simulation_of goes with features only (400)" ||
  fail "simulation_of goes with features only" "$CODE $(cat "$T/r.json")"
post /v1/predict '{"features": {}, "purpose": "lookup"}'
[ "$CODE" = 400 ] && grep -q '"wrong_purpose"' "$T/r.json" && ok "a lookup goes with client_id (400)" || fail "a lookup goes with client_id" "$CODE $(cat "$T/r.json")"
post /v1/predict "{\"client_id\": $CID, \"purpose\": \"test\"}"
[ "$CODE" = 400 ] && grep -q '"field":"purpose"' "$T/r.json" && ok "an unknown purpose is refused, naming the field (400)" ||
  fail "an unknown purpose is refused" "$CODE $(cat "$T/r.json")"

curl -s "$URL/metrics" >"$T/metrics.txt"
n=$(awk '/^creditscore_decisions_total/ {s += $2} END {print s}' "$T/metrics.txt")
[ "$n" = 2 ] && ok "/metrics counts the 2 decisions, not the 5 lookups nor the 4 simulations" || fail "/metrics counts decisions only" "$n"
kill -TERM $PID; wait $PID 2>/dev/null

# creditscore audit
check "audit lists" "$CS" audit --db "$AUDIT"
[ "$(tail -n +2 "$T/.out" | wc -l)" = 2 ] && ok "audit lists the 2 decisions by default" || fail "audit lists the decisions only" "$(cat "$T/.out")"
"$CS" audit --db "$AUDIT" --kind all --csv --out "$T/all.csv" 2>/dev/null
$PY - "$T/all.csv" "$CID" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)))
kinds = [r["kind"] for r in rows]
ok("audit --kind all --csv: 2 decisions, 5 lookups, 4 simulations, in log order",
   kinds == ["decision"] * 2 + ["lookup"] * 5 + ["simulation"] * 4, kinds)
sims = [r for r in rows if r["kind"] == "simulation"]
ok("simulations are logged under the client they edit, input_kind features",
   all(r["client_id"] == sys.argv[2] and r["input_kind"] == "features" for r in sims), sims[:1])
EOF
check "audit --kind lookup,simulation --client" "$CS" audit --db "$AUDIT" --kind lookup,simulation --client "$CID"
[ "$(grep -c ' lookup \| simulation ' "$T/.out")" = 9 ] && ok "audit --kind lookup,simulation --client lists the 9 rows, their kind shown" ||
  fail "audit --kind lookup,simulation" "$(cat "$T/.out")"
check "audit --client 1 (nobody)" "$CS" audit --db "$AUDIT" --client 1
[ "$(wc -l <"$T/.out")" = 1 ] && ok "audit --client of nobody lists nothing" || fail "audit --client of nobody" "$(cat "$T/.out")"
check_fails "audit --kind with a bad name is a usage error" 2 "$CS" audit --db "$AUDIT" --kind decisions
check_grep "the bad kind is named" "--kind 'decisions'" "$T/.out"

# drift on the audit log and monitor --audit: decisions only
"$CS" drift --reference-model "$T/m.csm" --audit "$AUDIT" --clients "$CLIENTS" --json "$T/drift.json" --quiet \
  >"$T/drift.out" 2>&1
$PY -c "import json,sys; d=json.load(open('$T/drift.json')); sys.exit(0 if d['current']['rows'] == 2 else 1)" &&
  ok "drift --audit compares the 2 decisions, not the lookups nor the simulations" ||
  fail "drift --audit counts decisions only" "$(grep -o '"current": {[^}]*}' "$T/drift.json") $(tail -2 "$T/drift.out")"
# (monitor reads outcomes beside the decisions: a SQLite log only, in this release)
if [ "$BACKEND" = sqlite ]; then
  "$CS" monitor --audit "$AUDIT" --model "$T/m.csm" --clients "$CLIENTS" --json "$T/mon.json" --quiet >"$T/mon.out" 2>&1
  $PY -c "import json,sys; d=json.load(open('$T/mon.json')); sys.exit(0 if d['decisions'] == 2 else 1)" &&
    ok "monitor --audit counts the 2 decisions" || fail "monitor --audit counts decisions only" "$(head -c 300 "$T/mon.json") $(tail -2 "$T/mon.out")"
fi

# outcomes: a client only looked up has no decision for an outcome to follow
if [ "$BACKEND" = sqlite ]; then
  LOOKED=$($PY -c "import csv; r = csv.DictReader(open('$D/application_test.csv')); next(r); print(next(r)['SK_ID_CURR'])")
  serve_bg api2 --model "$T/m.csm" --clients "$CLIENTS" --audit "$AUDIT" || { fail "serve restarts" "$(cat "$T/api2.err")"; exit 0; }
  post /v1/explain "{\"client_id\": $LOOKED, \"purpose\": \"lookup\"}"
  kill -TERM $PID; wait $PID 2>/dev/null
  printf 'client_id,default,observed\n%s,1,2030-01-01\n%s,0,2030-01-01\n' "$CID" "$LOOKED" >"$T/outcomes.csv"
  "$CS" outcomes import --audit "$AUDIT" --csv "$T/outcomes.csv" >"$T/oc.out" 2>&1
  grep -q "1 recorded" "$T/oc.out" && grep -q " 1 unknown ids" "$T/oc.out" &&
    ok "outcomes: the decided client's outcome is recorded, the looked-up one's is an unknown id" ||
    fail "outcomes follow decisions only" "$(cat "$T/oc.out")"
fi

if [ "$BACKEND" = sqlite ]; then
  # release 0.1.0's audit log: upgraded in place, its rows read as decisions
  cp "$ROOT/tests/data/release-0.1.0/audit.db" "$T/old.db"
  check "audit reads release 0.1.0's log" "$CS" audit --db "$T/old.db" --kind all --csv --out "$T/old.csv"
  n_old=$(tail -n +2 "$T/old.csv" | wc -l)
  [ "$n_old" -gt 0 ] && [ "$(tail -n +2 "$T/old.csv" | grep -vc ',decision$')" = 0 ] &&
    ok "release 0.1.0's $n_old rows read as decisions" || fail "release 0.1.0's rows read as decisions" "$(head -3 "$T/old.csv")"
  serve_bg old --model "$T/m.csm" --clients "$CLIENTS" --audit "$T/old.db" || { fail "serve on release 0.1.0's log" "$(cat "$T/old.err")"; exit 0; }
  post /v1/explain "{\"client_id\": $CID, \"purpose\": \"lookup\"}"
  kill -TERM $PID; wait $PID 2>/dev/null
  "$CS" audit --db "$T/old.db" --kind all --csv --out "$T/old2.csv" 2>/dev/null
  [ "$(tail -n 1 "$T/old2.csv" | grep -c ',lookup$')" = 1 ] && [ "$(tail -n +2 "$T/old2.csv" | wc -l)" = $((n_old + 1)) ] &&
    ok "release 0.1.0's log upgraded by serve takes a lookup" || fail "release 0.1.0's log upgraded" "$(tail -2 "$T/old2.csv")"
else
  # a version 2 table (the challenger's columns, no kind) in PostgreSQL, upgraded in place
  OLD=$(backend_store old)
  psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d old >"$T/psql.out" 2>&1 <<'SQL' || fail "a version 2 table in PostgreSQL" "$(tail -2 "$T/psql.out")"
CREATE TABLE audit(seq BIGSERIAL PRIMARY KEY, time TEXT NOT NULL, unix_ms BIGINT NOT NULL, request_id TEXT,
  endpoint TEXT, model_name TEXT, model_version TEXT, input_kind TEXT, client_id BIGINT, input_digest TEXT,
  probability DOUBLE PRECISION, score DOUBLE PRECISION, threshold DOUBLE PRECISION, decision TEXT,
  challenger_name TEXT, challenger_version TEXT, challenger_probability DOUBLE PRECISION,
  challenger_threshold DOUBLE PRECISION, challenger_decision TEXT);
CREATE INDEX audit_time ON audit(unix_ms);
CREATE TABLE creditscore_schema(name TEXT PRIMARY KEY, version INTEGER NOT NULL, upgraded_ms BIGINT NOT NULL);
INSERT INTO creditscore_schema VALUES ('audit', 2, 0);
INSERT INTO audit(time, unix_ms, request_id, client_id, decision, probability, threshold)
  VALUES ('2026-01-01T00:00:00.000Z', 1767225600000, 'v2-row', 7, 'approve', 0.01, 0.1);
SQL
  check "audit reads a version 2 PostgreSQL log" "$CS" audit --db "$OLD" --kind all --csv --out "$T/old.csv"
  [ "$(tail -n +2 "$T/old.csv" | grep -c ',decision$')" = 1 ] && ok "the version 2 row reads as a decision" ||
    fail "version 2 row read" "$(cat "$T/old.csv")"
  serve_bg old --model "$T/m.csm" --clients "$CLIENTS" --audit "$OLD" || { fail "serve on a version 2 log" "$(cat "$T/old.err")"; exit 0; }
  post /v1/explain "{\"client_id\": $CID, \"purpose\": \"lookup\"}"
  kill -TERM $PID; wait $PID 2>/dev/null
  q() { psql -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d old -c "$1"; }
  [ "$(q "SELECT version FROM creditscore_schema WHERE name = 'audit'")" = 3 ] &&
    [ "$(q "SELECT string_agg(kind, ',' ORDER BY seq) FROM audit")" = decision,lookup ] &&
    ok "PostgreSQL: the version 2 log is upgraded to 3, its row a decision, the new row a lookup" ||
    fail "PostgreSQL upgrade to 3" "$(q "SELECT version FROM creditscore_schema"; q "SELECT seq, kind FROM audit")"
fi

# a simulation's edited inputs are checked by the API (whatif.h): inside the training values,
# the field named; inputs left as stored are not checked, decisions are not simulations
serve_bg sim --model "$T/m.csm" --clients "$CLIENTS" --audit "$AUDIT" || { fail "serve restarts" "$(cat "$T/sim.err")"; exit 0; }
whatif() {   # whatif FEATURE VALUE [KEY]: the client's what-if with FEATURE set to VALUE
  $PY - "$T/whatif.json" "$1" "$2" "${3:-simulation_of}" >"$T/w.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["features"][sys.argv[2]] = float(sys.argv[3])
if sys.argv[4] != "simulation_of":
    del d["simulation_of"]
    d["purpose"] = sys.argv[4]
print(json.dumps(d))
PYEOF
  post /v1/predict "@$T/w.json"
}
for v in 1e308 -5 0; do
  whatif AMT_INCOME_TOTAL "$v"
  [ "$CODE" = 400 ] && grep -q '"code":"out_of_range"' "$T/r.json" && grep -q '"field":"features.AMT_INCOME_TOTAL"' "$T/r.json" &&
    grep -q 'outside the values the model was trained on' "$T/r.json" &&
    ok "a simulation with income $v is refused (400 out_of_range, the field named)" ||
    fail "a simulation with income $v is refused" "$CODE $(cat "$T/r.json")"
done
whatif AMT_INCOME_TOTAL 1e308 simulation
[ "$CODE" = 400 ] && grep -q '"field":"features.AMT_INCOME_TOTAL"' "$T/r.json" &&
  ok "a simulation without a client is checked too (400)" || fail "purpose simulation checked" "$CODE $(cat "$T/r.json")"
whatif AMT_INCOME_TOTAL 1e308 decision
[ "$CODE" = 200 ] && ok "a decision on features is not a simulation: not range-checked (200, as before)" ||
  fail "a decision on features" "$CODE $(cat "$T/r.json")"
lo=$($PY -c "import json; c = json.load(open('$T/client.json')); print(c['features']['AMT_INCOME_TOTAL'] * 1.01)")
whatif AMT_INCOME_TOTAL "$lo"
[ "$CODE" = 200 ] && ok "a simulation inside the training values is answered (200)" || fail "an in-range simulation" "$CODE $(cat "$T/r.json")"
post /v1/predict "{\"features\": {\"AMT_INCOME_TOTAL\": 1}, \"simulation_of\": 999999999}"
[ "$CODE" = 404 ] && grep -q '"field":"simulation_of"' "$T/r.json" && ok "a simulation of a client the store does not have is 404 naming simulation_of" ||
  fail "simulation_of an unknown client" "$CODE $(cat "$T/r.json")"

# GET /v1/clients/{id}/history: the client's rows of the audit log, newest first, as audit lists them
get() { CODE=$(curl -s -o "$T/r.json" -w '%{http_code}' "$URL$1"); }
"$CS" audit --db "$AUDIT" --kind all --client "$CID" --csv --out "$T/hist.csv" 2>/dev/null
get "/v1/clients/$CID/history?limit=500"
$PY - "$T/r.json" "$T/hist.csv" <<'PYEOF' && ok "history: every row of the client, newest first, kinds and request ids as audit lists them" || fail "history"
import csv, json, sys
h = json.load(open(sys.argv[1]))["history"]
rows = list(csv.DictReader(open(sys.argv[2])))[::-1]
sys.exit(0 if [(r["kind"], r["request_id"]) for r in h] == [(r["kind"], r["request_id"]) for r in rows] and len(h) > 10 else 1)
PYEOF
get "/v1/clients/$CID/history?kind=decision,simulation&limit=3"
$PY -c "import json,sys; h=json.load(open('$T/r.json'))['history']; sys.exit(0 if len(h) == 3 and all(r['kind'] in ('decision','simulation') for r in h) else 1)" &&
  ok "history: ?kind=decision,simulation&limit=3" || fail "history kind and limit" "$(cat "$T/r.json")"
for q in "kind=views" "kind=decision," "limit=0" "limit=501"; do
  get "/v1/clients/$CID/history?$q"
  [ "$CODE" = 400 ] && ok "history?$q is 400" || fail "history?$q" "$CODE $(cat "$T/r.json")"
done
get "/v1/clients/-1/history"; [ "$CODE" = 400 ] && ok "history of a malformed id is 400" || fail "history malformed id" "$CODE"

# GET /v1/clients/{id}/similar: the band and the nearest applicants, never who they are
get "/v1/clients/$CID/similar?k=4"
$PY - "$T/r.json" "$CID" <<'PYEOF' && ok "similar: a band of 100, its acceptance rate, 4 nearest approved and refused in order of distance, no ids" || fail "similar" "$(head -c 400 "$T/r.json")"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["band"]
ok = b["size"] == 100 and 0 <= b["approved"] <= 100 and abs(b["acceptance_rate"] - b["approved"] / 100) < 1e-12
for side, word in (("approved", "approve"), ("refused", "refuse")):
    n = d[side]
    ok = ok and len(n) == 4 and all(x["decision"] == word for x in n)
    ok = ok and all(n[i]["distance"] <= n[i + 1]["distance"] for i in range(len(n) - 1))
    ok = ok and all(set(x) == {"distance", "probability", "decision", "outcome", "values"} for x in n)
ok = ok and len(d["basis"]["features"]) == 8
sys.exit(0 if ok else 1)
PYEOF
get "/v1/clients/999999999/similar"; [ "$CODE" = 404 ] && grep -q unknown_client "$T/r.json" && ok "similar of an unknown client is 404" || fail "similar unknown" "$CODE"
get "/v1/clients/$CID/similar?k=21"; [ "$CODE" = 400 ] && ok "similar?k=21 is 400" || fail "similar k" "$CODE"
get "/v1/clients/$CID/similar?lang=de"; [ "$CODE" = 400 ] && ok "similar?lang=de is 400" || fail "similar lang" "$CODE"
kill -TERM $PID; wait $PID 2>/dev/null
serve_bg noaudit --model "$T/m.csm" --clients "$CLIENTS" --no-audit || { fail "serve --no-audit" "$(cat "$T/noaudit.err")"; exit 0; }
get "/v1/clients/$CID/history"
[ "$CODE" = 404 ] && grep -q no_audit_log "$T/r.json" && ok "history with --no-audit is 404 no_audit_log" || fail "history without audit" "$CODE"
kill -TERM $PID; wait $PID 2>/dev/null
