#!/usr/bin/env bash
# test_pg_audit.sh: the audit log in PostgreSQL (serve --audit postgresql://..., or
# $CREDITSCORE_DATABASE_URL), on a throwaway server (pg.sh): decisions answered are in the
# log with the values the API answered, `creditscore audit` reads them back, a second
# server appends to the same log, the schema's version is recorded and a newer one is
# refused, the password never shows, and what the PostgreSQL log does not hold (outcomes)
# or cannot reach fails with a clear message; the database server restarting under a running
# API server, whose audit writer connects again. Fails (never skips) when the server cannot
# start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "PostgreSQL audit" "curl not installed"; exit 1; }
if ! pg_start 2>"$T/pg.err"; then fail "start a throwaway PostgreSQL server" "$(tr '\n' ' ' <"$T/pg.err")"; exit 1; fi
ok "a throwaway PostgreSQL server on 127.0.0.1:$PG_PORT"
logreg_fixture "$T/m.csm" || exit 1

post() {   # post ID X: one decision; its body in $T/ID.json, prints the HTTP status
  curl -s -m 30 -o "$T/$1.json" -w '%{http_code}' -H "X-Request-Id: $1" \
    -d "{\"features\": {\"EXT_SOURCE_1\": $2, \"EXT_SOURCE_2\": 0.5}}" "$URL/v1/predict"
}

serve_bg a --model "$T/m.csm" --threads 2 --audit "$PG_URL" || { fail "serve --audit postgresql://" "$(tail -3 "$T/a.err")"; exit 1; }
codes=""
for i in 1 2 3 4 5; do codes="$codes$(post "pg-a-$i" "0.$i")"; done
[ "$codes" = 200200200200200 ] && ok "decisions answered with the audit log in PostgreSQL" || fail "decisions" "HTTP $codes"
kill -TERM $PID; wait $PID 2>/dev/null
check_grep "the banner names the log" "audit postgresql://creditscore@127.0.0.1:$PG_PORT/creditscore" "$T/a.err"

[ "$(pg_psql "SELECT count(*) FROM audit WHERE request_id LIKE 'pg-a-%'")" = 5 ] && ok "the 5 decisions are in the PostgreSQL table" ||
  fail "rows in PostgreSQL" "$(pg_psql "SELECT count(*) FROM audit")"
"$CS" audit --db "$PG_URL" --csv --out "$T/audit.csv" >"$T/audit.out" 2>&1 || fail "creditscore audit --db URL" "$(tail -2 "$T/audit.out")"
"$PY" - "$T/audit.csv" "$T" >"$T/cmp.out" 2>&1 <<'PY'
import csv, json, sys
rows = {r["request_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
bad = []
for i in range(1, 6):
    rid = "pg-a-%d" % i
    ans = json.load(open("%s/%s.json" % (sys.argv[2], rid)))
    r = rows.get(rid)
    if r is None: bad.append(rid + " missing"); continue
    if r["decision"] != ans["decision"] or abs(float(r["probability"]) - ans["probability"]) > 1e-15 \
       or abs(float(r["score"]) - ans["score"]) > 1e-9 or r["endpoint"] != "predict" or r["input_kind"] != "features":
        bad.append(rid + " differs: %s" % r)
seqs = [int(r["seq"]) for r in rows.values()]
if seqs != sorted(seqs): bad.append("not in seq order")
print("; ".join(bad) if bad else "same")
PY
check_grep "creditscore audit reads back what the API answered (decision, probability, score)" '^same$' "$T/cmp.out"

# one URL for every command: $CREDITSCORE_DATABASE_URL; a second server appends to the same log
cd "$T" || exit 1   # where a default audit.db would appear
CREDITSCORE_DATABASE_URL=$PG_URL serve_bg b --model "$T/m.csm" --threads 2 || { fail "serve with CREDITSCORE_DATABASE_URL" "$(tail -3 "$T/b.err")"; exit 1; }
code=$(post pg-b-1 0.7)
kill -TERM $PID; wait $PID 2>/dev/null
[ "$code" = 200 ] && [ "$(pg_psql "SELECT count(*) FROM audit")" = 6 ] && ok "CREDITSCORE_DATABASE_URL: a second server appends to the same log" ||
  fail "CREDITSCORE_DATABASE_URL" "HTTP $code, $(pg_psql "SELECT count(*) FROM audit") rows"
CREDITSCORE_DATABASE_URL=$PG_URL "$CS" audit --limit 100 >"$T/env.out" 2>&1
check_grep "creditscore audit reads \$CREDITSCORE_DATABASE_URL" 'pg-b-1' "$T/env.out"
[ ! -e "$T/audit.db" ] && ok "no SQLite file was made beside" || fail "no stray audit.db"

[ "$(pg_psql "SELECT version FROM creditscore_schema WHERE name = 'audit'")" = 3 ] && ok "the audit schema's version is recorded (3)" ||
  fail "schema version" "$(pg_psql "SELECT * FROM creditscore_schema")"

# another session holds the table locked past the lock timeout (5 s, as SQLite's busy
# timeout): the waiting decision gets 503 audit_unavailable naming the cause, /health is degraded
serve_bg c --model "$T/m.csm" --threads 2 --audit "$PG_URL" || { fail "server c" "$(tail -3 "$T/c.err")"; exit 1; }
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d creditscore \
  -c 'BEGIN' -c 'LOCK TABLE audit IN ACCESS EXCLUSIVE MODE' -c "SELECT pg_sleep(9)" -c 'COMMIT' >/dev/null 2>&1 &
LOCKER=$!
for _ in $(seq 1 100); do
  [ "$(pg_psql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'audit' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
  sleep 0.1
done
t0=$(date +%s.%N)
code=$(post pg-c-1 0.3)
t1=$(date +%s.%N)
if [ "$code" = 503 ] && grep -q '"audit_unavailable"' "$T/pg-c-1.json" && grep -q 'lock timeout' "$T/pg-c-1.json"; then
  ok "a table locked past the lock timeout: 503 audit_unavailable naming the cause ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s)"
else fail "decision on a locked PostgreSQL log" "HTTP $code: $(head -c 300 "$T/pg-c-1.json")"; fi
code=$(curl -s -o "$T/pg-health.json" -w '%{http_code}' "$URL/health")
[ "$code" = 503 ] && grep -q '"status":"degraded"' "$T/pg-health.json" && ok "... /health answers 503 degraded with the reason" ||
  fail "health during the audit failure" "HTTP $code: $(head -c 200 "$T/pg-health.json")"
wait $LOCKER
[ "$(pg_psql "SELECT count(*) FROM audit WHERE request_id = 'pg-c-1'")" = 0 ] && ok "... and the refused decision is not in the log" ||
  fail "the 503 decision was logged"
code=000
for _ in $(seq 1 60); do code=$(post pg-c-2 0.3); [ "$code" = 200 ] && break; sleep 0.2; done
[ "$code" = 200 ] && [ "$(pg_psql "SELECT count(*) FROM audit WHERE request_id = 'pg-c-2'")" = 1 ] &&
  ok "... once the lock is released, decisions flow again without a restart (and are logged)" ||
  fail "recovery after the PostgreSQL lock" "HTTP $code: $(head -c 200 "$T/pg-c-2.json")"
# the database server restarts under the running API server (a failover looks the same to it):
# the writer's connection is opened again, decisions flow and are logged, none answered 200
# without its row
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w restart >"$T/restart.log" 2>&1 ||
  fail "restart PostgreSQL" "$(tail -2 "$T/restart.log")"
code=000 n200=0
for i in $(seq 1 60); do
  code=$(post "pg-r-$i" 0.3)
  [ "$code" = 200 ] && n200=$((n200 + 1))
  [ "$n200" = 3 ] && break
  sleep 0.2
done
logged=$(pg_psql "SELECT count(*) FROM audit WHERE request_id LIKE 'pg-r-%'")
[ "$n200" = 3 ] && [ "$logged" = 3 ] &&
  ok "after PostgreSQL restarts, the audit writer connects again: 3 decisions answered 200, the same 3 logged" ||
  fail "the audit log after a PostgreSQL restart" "$n200 answered 200, $logged logged: $(head -c 200 "$T/pg-r-$i.json")"
kill -TERM $PID; wait $PID 2>/dev/null

# errors: a password is never echoed; an unreachable server, a newer schema, outcomes
check_fails "serve on an unreachable PostgreSQL fails" 1 "$CS" serve --model "$T/m.csm" --port 0 \
  --audit "postgresql://creditscore:s3cret@127.0.0.1:1/creditscore"
if grep -q "cannot connect to the audit log" "$T/.out" && ! grep -q s3cret "$T/.out"; then ok "the error names the log, not its password"
else fail "unreachable PostgreSQL message" "$(head -2 "$T/.out")"; fi
check_fails "outcomes import on a PostgreSQL log says it is not held there" 1 "$CS" outcomes import --audit "$PG_URL" --csv "$T/none.csv"
check_grep "... with the reason" "SQLite audit log only" "$T/.out"
check_fails "monitor on a PostgreSQL log stops rather than report without outcomes" 1 "$CS" monitor --audit "$PG_URL" --model "$T/m.csm"
check_grep "... with the reason" "SQLite audit log only" "$T/.out"
pg_psql "UPDATE creditscore_schema SET version = 9 WHERE name = 'audit'" >/dev/null
check_fails "a log from a newer release is refused by serve" 1 "$CS" serve --model "$T/m.csm" --port 0 --audit "$PG_URL"
check_grep "... naming the versions" "version 9, written by a newer creditscore" "$T/.out"
check_fails "... and by creditscore audit" 1 "$CS" audit --db "$PG_URL"
