#!/usr/bin/env bash
# test_pg_clients.sh: the clients store in PostgreSQL (pg.sh's throwaway server) answers what
# the SQLite store answers, byte for byte. The same feature files are imported into a SQLite
# file and into PostgreSQL (Home Credit's fields from synthetic data, and the credit-risk
# recipe's profile fields: the layout comes from the importer's fields, not from code); a
# server on each answers the same requests (client cards, pages, prefix searches, predict and
# explain by client id, unknown clients) and every body is compared with cmp. Then: the audit
# decisions monitored with --clients on both give the same report (the scan path), a
# re-import replaces the store in one transaction, and the errors (no store in the database,
# a server that is not there) name the URL without its password. Fails (never skips) when
# the PostgreSQL server cannot start; the server restarting under a running API server: the
# clients store's connections are opened again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "clients in PostgreSQL" "curl is missing (Debian package curl)"; exit 1; }
[ -x "$PY" ] || { fail "clients in PostgreSQL" "/usr/bin/python3 is missing"; exit 1; }
if ! pg_start 2>"$T/pg.err"; then fail "start a throwaway PostgreSQL server" "$(tr '\n' ' ' <"$T/pg.err")"; exit 1; fi
export OMP_NUM_THREADS=1

# ---- fixture: Home Credit-like synthetic data, and the credit-risk recipe ---------------------
D=$T/data
"$CS" synth --out "$D" --clients 300 --test-clients 60 --seed 11 >"$T/log" 2>&1 &&
  "$CS" features --data "$D" --out "$T/hc.csf" --spec-out "$T/hc.spec" >"$T/log" 2>&1 &&
  "$CS" train --features "$T/hc.csf" --out "$T/hc.csm" --params '{"num_iterations": 15, "num_leaves": 7}' --cv 2 \
    --spec "$T/hc.spec" --name pg-hc --model-version 1 --no-track >"$T/log" 2>&1 ||
  { fail "fixture: synth, features, train" "$(tail -3 "$T/log")"; exit 1; }
CR=$ROOT/data/credit-risk RECIPE=$ROOT/recipes/credit-risk.json
"$CS" features --recipe "$RECIPE" --data "$CR" --out "$T/cr.csf" --spec-out "$T/cr.spec" >"$T/log" 2>&1 &&
  "$CS" train --features "$T/cr.csf" --spec "$T/cr.spec" --out "$T/cr.csm" --cv 2 \
    --params '{"num_iterations": 15, "num_leaves": 7}' --name pg-cr --no-track >"$T/log" 2>&1 ||
  { fail "fixture: the credit-risk recipe's features and model" "$(tail -3 "$T/log")"; exit 1; }

# the two stores of each data set live in separate databases of the one server
pg_psql "CREATE DATABASE cr" >/dev/null || { fail "create a second database"; exit 1; }
HC_URL=$PG_URL CR_URL=${PG_URL%/*}/cr
check "clients import --out postgresql://... (Home Credit's fields)" \
  "$CS" clients import --features "$T/hc.csf" --data "$D" --out "$HC_URL"
check "clients import --out FILE (the same)" "$CS" clients import --features "$T/hc.csf" --data "$D" --out "$T/hc.db"
check "clients import --recipe --out postgresql://... (the recipe's profile fields)" \
  "$CS" clients import --features "$T/cr.csf" --data "$CR" --recipe "$RECIPE" --out "$CR_URL"
check "clients import --recipe --out FILE (the same)" \
  "$CS" clients import --features "$T/cr.csf" --data "$CR" --recipe "$RECIPE" --out "$T/cr.db"
n=$(psql -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d cr -c \
  "SELECT count(*) || ' ' || (SELECT count(*) FROM clients_fields) || ' ' || (SELECT string_agg(name, ',' ORDER BY idx) FROM clients_fields) FROM clients")
case "$n" in
  "32581 10 "*loan_amnt*) ok "PostgreSQL holds 32,581 clients and the recipe's 10 fields as columns ($n)" ;;
  *) fail "PostgreSQL holds the recipe's clients and fields" "got '$n'" ;;
esac
cols=$(psql -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d cr -c \
  "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'clients'")
case "$cols" in
  id:bigint,target:double\ precision,*,x:bytea) ok "the clients table: id, target, one column per field, x" ;;
  *) fail "the clients table's columns" "$cols" ;;
esac

# ---- the same answers ---------------------------------------------------------------------------
# compare NAME MODEL SQLITE_STORE PG_STORE REQUESTS_FILE: one server on each store, each request
# ("METHOD PATH [BODY]") sent to both with the same X-Request-Id; status and body must be equal
compare() {
  local name=$1 model=$2 a=$3 b=$4 reqs=$5 i=0 diffs=0 n200=0 method path body ua ub
  serve_bg "$name-sqlite" --model "$model" --threads 2 --clients "$a" --audit "$T/$name-a.db" ||
    { fail "$name: serve --clients FILE" "$(tail -2 "$T/$name-sqlite.err")"; return; }
  local pa=$PID ua=$URL
  serve_bg "$name-pg" --model "$model" --threads 2 --clients "$b" --audit "$T/$name-b.db" ||
    { fail "$name: serve --clients postgresql://..." "$(tail -2 "$T/$name-pg.err")"; kill $pa; return; }
  local pb=$PID ub=$URL
  ok "$name: a server on each store"
  while read -r method path body; do
    i=$((i + 1))
    for side in a b; do
      local u=$ua; [ $side = b ] && u=$ub
      if [ -n "$body" ]; then
        curl -s -o "$T/r$side" -w '%{http_code}\n' -X "$method" -H 'Content-Type: application/json' \
          -H "X-Request-Id: cmp-$i" --data-binary "$body" "$u$path" >>"$T/r$side"
      else
        curl -s -o "$T/r$side" -w '%{http_code}\n' -X "$method" -H "X-Request-Id: cmp-$i" "$u$path" >>"$T/r$side"
      fi
    done
    [[ "$(tail -1 "$T/ra")" == *"}200" ]] && n200=$((n200 + 1))
    if ! cmp -s "$T/ra" "$T/rb"; then
      diffs=$((diffs + 1))
      [ $diffs -le 3 ] && { echo "   $method $path: $(head -c 200 "$T/ra") | $(head -c 200 "$T/rb")"; }
    fi
  done <"$reqs"
  if [ $diffs = 0 ] && [ $n200 -gt $((i / 2)) ]; then
    ok "$name: $i requests ($n200 answered 200), the same status and bytes from both stores"
  else fail "$name: the same answers from both stores" "$diffs of $i differ"; fi
  kill $pa $pb; wait $pa $pb 2>/dev/null
}

"$PY" - "$T/hc.db" "$T/hc-reqs" <<'PY'
import sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM clients ORDER BY id")]
with open(sys.argv[2], "w") as f:
    for i in ids[::7] + [ids[0], ids[-1]]:
        f.write("GET /v1/clients/%d\n" % i)
        f.write('POST /v1/predict {"client_id": %d}\n' % i)
    for i in ids[::37]:
        f.write('POST /v1/explain {"client_id": %d}\n' % i)
    for q in ("", "?limit=50", "?offset=40&limit=25", "?q=1", "?q=10&limit=5", "?q=99999999", "?offset=100000"):
        f.write("GET /v1/clients%s\n" % q)
    f.write("GET /v1/clients/1\nGET /v1/clients/999999999\n")
    f.write('POST /v1/predict {"client_id": 999999999}\n')
    f.write("GET /v1/model\nGET /v1/importance\n")
PY
compare hc "$T/hc.csm" "$T/hc.db" "$HC_URL" "$T/hc-reqs"

"$PY" - "$T/cr-reqs" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in list(range(1, 32582, 997)) + [32581, 32582]:
        f.write("GET /v1/clients/%d\n" % i)
        f.write('POST /v1/predict {"client_id": %d}\n' % i)
    for i in (1, 5000, 32581):
        f.write('POST /v1/explain {"client_id": %d}\n' % i)
    for q in ("", "?offset=32570&limit=20", "?q=3258", "?q=7&offset=3&limit=9"):
        f.write("GET /v1/clients%s\n" % q)
PY
compare cr "$T/cr.csm" "$T/cr.db" "$CR_URL" "$T/cr-reqs"

# ---- the scan path: monitor --clients on both --------------------------------------------------
serve_bg mon --model "$T/hc.csm" --threads 2 --clients "$HC_URL" --audit "$T/mon.db" ||
  fail "serve for the monitor's decisions" "$(tail -2 "$T/mon.err")"
"$PY" - "$T/hc.db" "$URL" <<'PY'
import sqlite3, sys, urllib.request
for (i,) in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM clients ORDER BY id"):
    r = urllib.request.Request(sys.argv[2] + "/v1/predict", data=('{"client_id": %d}' % i).encode(),
                               headers={"Content-Type": "application/json"})
    urllib.request.urlopen(r).read()
PY
kill $PID; wait $PID 2>/dev/null
"$CS" monitor --audit "$T/mon.db" --model "$T/hc.csm" --clients "$T/hc.db" --json "$T/mon-a.json" --quiet >"$T/mon-a.out" 2>&1
ra=$?
"$CS" monitor --audit "$T/mon.db" --model "$T/hc.csm" --clients "$HC_URL" --json "$T/mon-b.json" --quiet >"$T/mon-b.out" 2>&1
rb=$?
if [ $ra = 0 ] && [ $rb = 0 ] && "$PY" - "$T/mon-a.json" "$T/mon-b.json" "$HC_URL" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ("clients", "seconds"):   # the store's name, the time taken
    a.pop(k, None); b.pop(k, None)
d = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
if d or not a.get("periods"): print("differ:", d, list(a)[:20], file=sys.stderr); sys.exit(1)
PY
then ok "monitor --clients postgresql://... gives the report of the SQLite store (CSI from the scan)"
else fail "monitor --clients on both stores" "exit $ra/$rb: $(tail -2 "$T/mon-b.out")"; fi

# ---- replacing, errors ------------------------------------------------------------------------------
serve_bg old --model "$T/hc.csm" --threads 2 --clients "$HC_URL" --audit "$T/old.db" || fail "serve before a re-import"
before=$(curl -s "$URL/health" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["clients"])')
check "a re-import while a server reads the store" "$CS" clients import --features "$T/hc.csf" --data "$D" --out "$HC_URL"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data-binary "{\"client_id\": $(head -1 "$T/hc-reqs" | sed 's/.*\///')}" "$URL/v1/predict")
[ "$code" = 200 ] && ok "the running server answers from the re-imported store (HTTP $code)" ||
  fail "a server across a re-import" "HTTP $code: $(head -c 200 "$T/r.json")"
# the database server restarts under the running API server: its connections are opened again
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w restart >"$T/restart.log" 2>&1 ||
  fail "restart PostgreSQL" "$(tail -2 "$T/restart.log")"
cid=$(head -1 "$T/hc-reqs" | sed 's/.*\///') codes=
for _ in 1 2 3 4 5 6; do
  codes="$codes $(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/clients/$cid")"
done
[ "$codes" = " 200 200 200 200 200 200" ] && ok "after PostgreSQL restarts, the server's clients store connects again (6 cards, HTTP 200)" ||
  fail "the clients store after a PostgreSQL restart" "HTTP$codes: $(tail -3 "$T/old.err")"
kill $PID; wait $PID 2>/dev/null
after=$(pg_psql "SELECT count(*) FROM clients")
[ "$before" = "$after" ] && ok "the re-import holds the same $after clients" || fail "re-import" "$before then $after"

pg_psql "CREATE DATABASE empty" >/dev/null
"$CS" serve --port 0 --model "$T/hc.csm" --clients "${PG_URL%/*}/empty" --audit "$T/e.db" >"$T/e.out" 2>"$T/e.err" &
P=$!
for _ in $(seq 1 100); do kill -0 $P 2>/dev/null || break; sleep 0.05; done
if kill -0 $P 2>/dev/null; then kill $P; fail "serve on a database without a clients store refuses to start"
else
  wait $P; rc=$?
  [ $rc != 0 ] && grep -q "not a clients store.*clients import" "$T/e.err" &&
    ok "serve --clients on a database without the store: exit $rc, says to import" ||
    fail "serve --clients on an empty database" "exit $rc: $(cat "$T/e.err")"
fi
bad="postgresql://creditscore:s3cret@127.0.0.1:1/creditscore"
"$CS" serve --port 0 --model "$T/hc.csm" --clients "$bad" --audit "$T/e.db" >"$T/e.out" 2>"$T/e.err"
rc=$?
if [ $rc != 0 ] && grep -q "127.0.0.1:1/creditscore: cannot connect to the clients store" "$T/e.err" && ! grep -q s3cret "$T/e.err"; then
  ok "an unreachable server: exit $rc, the URL without its password"
else fail "an unreachable clients store" "exit $rc: $(cat "$T/e.err")"; fi
"$CS" clients import --features "$T/hc.csf" --data "$D" --out "$bad" >"$T/e.out" 2>"$T/e.err"
rc=$?
[ $rc = 1 ] && grep -q "cannot connect to the clients store" "$T/e.err" && ! grep -q s3cret "$T/e.err" &&
  ok "clients import to an unreachable server: exit 1, the URL without its password" ||
  fail "clients import to an unreachable server" "exit $rc: $(cat "$T/e.err")"

