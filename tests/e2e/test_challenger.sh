#!/usr/bin/env bash
# test_challenger.sh: champion and challenger over real HTTP. serve --challenger scores
# every decision with both models: the answer is the champion's, byte for byte the same as
# a server without a challenger; the audit row holds both probabilities and decisions (the
# challenger's equal to `creditscore predict` with its own model on the same clients);
# /metrics counts the scored decisions and the swaps by direction; a challenger needing a
# feature the champion lacks is refused naming it; the registry's staging version as the
# challenger (--challenger-stage), kept across SIGHUP; `creditscore challenger` on the log;
# the same with the audit log in PostgreSQL (pg.sh), whose version 1 table is upgraded in
# place. The report's figures against scipy/sklearn: tests/oracle/test_challenger.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "challenger" "curl not installed"; exit 1; }
[ -x "$PY" ] || { fail "challenger" "/usr/bin/python3 not installed"; exit 1; }
export OMP_NUM_THREADS=1

# ---- fixture: data, features, the champion (all features), the challenger (without the
# protected attributes: a subset of the champion's features), clients store -----------------
D=$T/data
"$CS" synth --out "$D" --clients 400 --test-clients 80 --seed 5 >"$T/log" 2>&1 || { fail "fixture: synth"; tail "$T/log"; exit 1; }
"$CS" features --data "$D" --out "$T/f.csf" --spec-out "$T/f.spec" >"$T/log" 2>&1 || { fail "fixture: features"; tail "$T/log"; exit 1; }
"$CS" train --features "$T/f.csf" --out "$T/champ.csm" --params '{"num_iterations": 20, "num_leaves": 7}' --cv 2 \
  --spec "$T/f.spec" --name e2e-champion --model-version 1 >"$T/log" 2>&1 || { fail "fixture: train the champion"; tail "$T/log"; exit 1; }
"$CS" train --features "$T/f.csf" --out "$T/chal.csm" --params '{"num_iterations": 30, "num_leaves": 5}' --cv 2 \
  --spec "$T/f.spec" --name e2e-challenger --model-version 2 --exclude-protected >"$T/log" 2>&1 ||
  { fail "fixture: train the challenger"; tail "$T/log"; exit 1; }
"$CS" clients import --features "$T/f.csf" --data "$D" --out "$T/clients.db" >"$T/log" 2>&1 || { fail "fixture: clients"; tail "$T/log"; exit 1; }
"$CS" predict --model "$T/chal.csm" --features "$T/f.csf" --out "$T/chal_pred.csv" >"$T/log" 2>&1 || { fail "fixture: predict"; tail "$T/log"; exit 1; }
# 200 training clients (outcomes known) then 40 test clients, of those the features kept
# (the kernel drops the XNA genders)
tail -n +2 "$T/chal_pred.csv" | cut -d, -f1 | sort >"$T/kept"
tail -n +2 "$D/application_train.csv" | cut -d, -f1 | sort | comm -12 - "$T/kept" | head -200 >"$T/ids"
tail -n +2 "$D/application_test.csv" | cut -d, -f1 | sort | comm -12 - "$T/kept" | head -40 >>"$T/ids"
N=$(wc -l <"$T/ids")

# post_all URL PREFIX: every client of $T/ids, request id PREFIX-ID, bodies in $T/PREFIX/ID.json
post_all() {
  mkdir -p "$T/$2"
  local codes=0
  while read -r id; do
    c=$(curl -s -m 30 -o "$T/$2/$id.json" -w '%{http_code}' -H "X-Request-Id: r-$id" -H 'Content-Type: application/json' \
      -d "{\"client_id\": $id}" "$1/v1/predict")
    [ "$c" = 200 ] || codes=$((codes + 1))
  done <"$T/ids"
  echo "$codes"
}

# ---- the champion alone, then with the challenger ------------------------------------------------
serve_bg plain --model "$T/champ.csm" --clients "$T/clients.db" --threads 2 --no-audit || { fail "serve (no challenger)" "$(tail -3 "$T/plain.err")"; exit 1; }
bad=$(post_all "$URL" plain)
kill -TERM $PID; wait $PID 2>/dev/null
[ "$bad" = 0 ] && ok "the champion alone answers $N decisions" || fail "the champion alone" "$bad not 200"

serve_bg duo --model "$T/champ.csm" --challenger "$T/chal.csm" --clients "$T/clients.db" --threads 2 --audit "$T/audit.db" ||
  { fail "serve --challenger" "$(tail -3 "$T/duo.err")"; exit 1; }
check_grep "the start names the challenger" "challenger: model e2e-challenger 2 from" "$T/duo.err"
bad=$(post_all "$URL" duo)
[ "$bad" = 0 ] && ok "with a challenger: $N decisions answered" || fail "with a challenger" "$bad not 200"
curl -s "$URL/metrics" >"$T/metrics.txt"
curl -s "$URL/health" >"$T/health.json"
kill -TERM $PID; wait $PID 2>/dev/null
same=0; differ=""
while read -r id; do
  if cmp -s "$T/plain/$id.json" "$T/duo/$id.json"; then same=$((same + 1)); else differ="$differ $id"; fi
done <"$T/ids"
[ "$same" = "$N" ] && ok "the answers are the champion's, byte for byte ($N of $N)" || fail "answers unchanged" "differ:$differ"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["challenger"] == {"name": "e2e-challenger", "version": "2"}, d' \
  "$T/health.json" && ok "/health names the challenger" || fail "/health names the challenger" "$(cat "$T/health.json")"

"$CS" audit --db "$T/audit.db" --csv --out "$T/audit.csv" >"$T/alog" 2>&1 || fail "creditscore audit" "$(tail -2 "$T/alog")"
"$PY" - "$T/audit.csv" "$T/chal_pred.csv" "$T/metrics.txt" "$T/duo" "$N" >"$T/cmp.out" 2>&1 <<'PY'
import csv, json, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pred = {r["SK_ID_CURR"]: r for r in csv.DictReader(open(sys.argv[2]))}
metrics = open(sys.argv[3]).read()
n = int(sys.argv[5])
bad = []
if len(rows) != n: bad.append("%d rows, %d decisions" % (len(rows), n))
swaps = {"to_refuse": 0, "to_approve": 0}
for r in rows:
    ans = json.load(open("%s/%s.json" % (sys.argv[4], r["client_id"])))
    if r["request_id"] != "r-" + r["client_id"] or float(r["probability"]) != ans["probability"] or r["decision"] != ans["decision"]:
        bad.append("champion's row differs from its answer: %s" % r)
    if r["challenger_name"] != "e2e-challenger" or r["challenger_version"] != "2":
        bad.append("challenger not named: %s" % r); continue
    p = pred[r["client_id"]]
    if float(r["challenger_probability"]) != float(p["probability"]) or r["challenger_decision"] != p["decision"]:
        bad.append("challenger %s: audit %s %s, predict %s %s" % (r["client_id"], r["challenger_probability"],
                   r["challenger_decision"], p["probability"], p["decision"]))
    cp, ct = float(r["challenger_probability"]), float(r["challenger_threshold"])
    if r["challenger_decision"] != ("refuse" if cp >= ct else "approve"): bad.append("challenger's decision vs threshold: %s" % r)
    if r["decision"] == "approve" and r["challenger_decision"] == "refuse": swaps["to_refuse"] += 1
    if r["decision"] == "refuse" and r["challenger_decision"] == "approve": swaps["to_approve"] += 1
def metric(line):
    m = re.search("^" + re.escape(line) + r" (\d+)$", metrics, re.M)
    return int(m.group(1)) if m else None
if metric("creditscore_challenger_scored_total") != n: bad.append("scored_total %r" % metric("creditscore_challenger_scored_total"))
if metric('creditscore_challenger_swaps_total{champion="approve",challenger="refuse"}') != swaps["to_refuse"]: bad.append("swaps to refuse")
if metric('creditscore_challenger_swaps_total{champion="refuse",challenger="approve"}') != swaps["to_approve"]: bad.append("swaps to approve")
if metric("creditscore_challenger_failures_total") != 0: bad.append("failures")
print("; ".join(bad[:5]) if bad else "same %d %d" % (swaps["to_refuse"], swaps["to_approve"]))
PY
check_grep "audit rows hold both models (the challenger's = predict's), /metrics counts the swaps" '^same [0-9]+ [0-9]+$' "$T/cmp.out"
read -r _ SW_R SW_A <"$T/cmp.out"

# ---- creditscore challenger: the report on the same log --------------------------------------------
if "$CS" challenger --audit "$T/audit.db" --json "$T/ch.json" >"$T/ch.txt" 2>"$T/ch.err"; then
  "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1])); p = r["pairs"][0]
n, sr, sa = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
assert len(r["pairs"]) == 1 and p["champion"]["name"] == "e2e-champion" and p["challenger"]["version"] == "2", r
assert p["n"] == n and p["swaps"] == {"to_refuse": sr, "to_approve": sa}, p
assert abs(p["agreement"] - (n - sr - sa) / n) < 1e-15 and -1 <= p["spearman"] <= 1 and p["outcomes"]["n"] == 0, p
' "$T/ch.json" "$N" "$SW_R" "$SW_A" 2>"$T/py.err" && ok "creditscore challenger: $N paired decisions, the swaps /metrics counted" ||
    fail "creditscore challenger report" "$(tail -2 "$T/py.err")"
  check_grep "... as text: agreement and swaps" "^  swaps +$SW_R champion approves / challenger refuses, $SW_A the reverse" "$T/ch.txt"
else
  fail "creditscore challenger" "$(tail -3 "$T/ch.err")"
fi
check_fails "challenger --since junk is a usage error" 2 "$CS" challenger --audit "$T/audit.db" --since yesterday
check_fails "challenger on a missing log fails" 1 "$CS" challenger --audit "$T/none.db"
check_fails "challenger on a log without a challenger fails" 1 "$CS" challenger --audit "$T/audit.db" --since 2100-01-01
check_grep "... saying so" "no decision since 2100-01-01.* was scored by a challenger" "$T/.out"

# ---- what is refused ----------------------------------------------------------------------------
check_fails "a challenger needing a feature the champion lacks is refused" 1 \
  "$CS" serve --model "$T/chal.csm" --challenger "$T/champ.csm" --clients "$T/clients.db" --no-audit --port 0
check_grep "... naming the feature" "needs feature 'CODE_GENDER|needs feature '.*(GENDER|BIRTH|AGE)" "$T/.out"
check_fails "a missing challenger file fails" 1 "$CS" serve --model "$T/champ.csm" --challenger "$T/none.csm" --no-audit --port 0
check_fails "--challenger-stage without --registry is a usage error" 2 "$CS" serve --model "$T/champ.csm" --challenger-stage staging
check_fails "--challenger-stage junk is a usage error" 2 "$CS" serve --registry x --challenger-stage nope

# ---- the registry: production is the champion, staging the challenger; SIGHUP keeps the pair -----
export CREDITSCORE_STORE=$T/store.db
"$CS" models register "$T/champ.csm" --name credit >"$T/log" 2>&1 && "$CS" models promote credit 1 --stage production >>"$T/log" 2>&1 &&
  "$CS" models register "$T/chal.csm" --name credit >>"$T/log" 2>&1 && "$CS" models promote credit 2 --stage staging >>"$T/log" 2>&1 ||
  fail "registry fixture" "$(tail -3 "$T/log")"
"$CS" models register "$T/champ.csm" --name solo >>"$T/log" 2>&1 && "$CS" models promote solo 1 --stage production >>"$T/log" 2>&1 ||
  fail "registry fixture (solo)" "$(tail -3 "$T/log")"
check_fails "--challenger-stage with no version in that stage fails" 1 \
  "$CS" serve --registry solo --challenger-stage staging --no-audit --port 0 --clients "$T/clients.db"
serve_bg reg --registry credit --challenger-stage staging --clients "$T/clients.db" --threads 2 --audit "$T/audit_reg.db" ||
  { fail "serve --registry --challenger-stage staging" "$(tail -3 "$T/reg.err")"; exit 1; }
check_grep "the registry's staging version is the challenger" "challenger: registry credit \(staging\)" "$T/reg.err"
kill -HUP $PID
for _ in $(seq 1 100); do grep -q "reloaded" "$T/reg.err" && break; sleep 0.05; done
curl -s "$URL/health" >"$T/h2.json"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["challenger"]["name"] == "e2e-challenger" and d["model"]["name"] == "e2e-champion", d' \
  "$T/h2.json" && ok "SIGHUP reloads the pair (champion and challenger)" || fail "SIGHUP keeps the challenger" "$(cat "$T/h2.json")"
id=$(head -1 "$T/ids")
c=$(curl -s -o "$T/reg.json" -w '%{http_code}' -d "{\"client_id\": $id}" "$URL/v1/predict")
kill -TERM $PID; wait $PID 2>/dev/null
[ "$c" = 200 ] && [ "$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT challenger_name FROM audit").fetchone()[0])' "$T/audit_reg.db")" = e2e-challenger ] &&
  ok "after the reload decisions still carry the challenger" || fail "decision after the reload" "HTTP $c"
unset CREDITSCORE_STORE

# ---- PostgreSQL: the same audit row; a version 1 table upgraded in place ---------------------------
if ! pg_start 2>"$T/pg.err"; then fail "start a throwaway PostgreSQL server" "$(tr '\n' ' ' <"$T/pg.err")"; exit 1; fi
ok "a throwaway PostgreSQL server on 127.0.0.1:$PG_PORT"
# release 0.1.0 / schema version 1's table, one decision in it
pg_psql "CREATE TABLE audit(seq BIGSERIAL PRIMARY KEY, time TEXT NOT NULL, unix_ms BIGINT NOT NULL, request_id TEXT,
  endpoint TEXT, model_name TEXT, model_version TEXT, input_kind TEXT, client_id BIGINT, input_digest TEXT,
  probability DOUBLE PRECISION, score DOUBLE PRECISION, threshold DOUBLE PRECISION, decision TEXT);
  CREATE INDEX audit_time ON audit(unix_ms);
  CREATE TABLE creditscore_schema(name TEXT PRIMARY KEY, version INTEGER NOT NULL, upgraded_ms BIGINT NOT NULL);
  INSERT INTO creditscore_schema VALUES ('audit', 1, 0);
  INSERT INTO audit(time, unix_ms, request_id, decision, probability, threshold)
  VALUES ('2026-01-01T00:00:00.000Z', 1767225600000, 'v1-row', 'approve', 0.01, 0.1);" >"$T/psql.out" 2>&1 ||
  fail "a version 1 table in PostgreSQL" "$(tail -2 "$T/psql.out")"
serve_bg pg --model "$T/champ.csm" --challenger "$T/chal.csm" --clients "$T/clients.db" --threads 2 --audit "$PG_URL" ||
  { fail "serve --challenger --audit postgresql://" "$(tail -3 "$T/pg.err")"; exit 1; }
pgbad=0
for id in $(head -20 "$T/ids"); do
  c=$(curl -s -m 30 -o "$T/pg_$id.json" -w '%{http_code}' -H "X-Request-Id: r-$id" -d "{\"client_id\": $id}" "$URL/v1/predict")
  [ "$c" = 200 ] || pgbad=$((pgbad + 1))
done
kill -TERM $PID; wait $PID 2>/dev/null
[ "$pgbad" = 0 ] && ok "PostgreSQL: 20 decisions with a challenger answered" || fail "PostgreSQL decisions" "$pgbad not 200"
[ "$(pg_psql "SELECT version FROM creditscore_schema WHERE name = 'audit'")" = 3 ] && ok "PostgreSQL: the version 1 table is upgraded to 3" ||
  fail "PostgreSQL upgrade" "$(pg_psql "SELECT * FROM creditscore_schema")"
[ "$(pg_psql "SELECT count(*) FROM audit WHERE request_id = 'v1-row' AND challenger_name IS NULL AND kind = 'decision'")" = 1 ] &&
  ok "PostgreSQL: the old row is kept, without a challenger, a decision" || fail "PostgreSQL old row" "$(pg_psql "SELECT * FROM audit WHERE request_id = 'v1-row'")"
"$CS" audit --db "$PG_URL" --csv --out "$T/pg_audit.csv" >"$T/alog" 2>&1 || fail "creditscore audit --db URL" "$(tail -2 "$T/alog")"
"$PY" - "$T/pg_audit.csv" "$T/audit.csv" >"$T/pgcmp.out" 2>&1 <<'PY'
import csv, sys
pg = {r["request_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
lite = {r["request_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
bad = []
n = 0
for rid, r in pg.items():
    if rid == "v1-row": continue
    n += 1
    s = lite[rid]
    for k in ("probability", "decision", "challenger_name", "challenger_version", "challenger_probability",
              "challenger_threshold", "challenger_decision"):
        if (float(r[k]) != float(s[k])) if k.endswith(("probability", "threshold")) else r[k] != s[k]:
            bad.append("%s %s: %s vs %s" % (rid, k, r[k], s[k]))
print("; ".join(bad[:5]) if bad or n != 20 else "same")
PY
check_grep "PostgreSQL: the rows hold what the SQLite log holds for the same requests (both models)" '^same$' "$T/pgcmp.out"
"$CS" challenger --audit "$PG_URL" >"$T/pgch.txt" 2>&1 || fail "creditscore challenger --audit postgresql://" "$(tail -2 "$T/pgch.txt")"
check_grep "PostgreSQL: creditscore challenger reports the 20 paired decisions" "vs challenger e2e-challenger 2: 20 decision" "$T/pgch.txt"
check_grep "... and says the log keeps no outcomes (no AUC)" "no outcomes \(a PostgreSQL log keeps none" "$T/pgch.txt"
