#!/usr/bin/env bash
# test_audit_fail.sh: a decision the audit log cannot take is not given. The API answers a
# decision only once its audit row is committed (the connection waits, suspended, for the
# writer's batch); when another process holds the audit database locked past the busy
# timeout (5 s), the commit fails and the waiting request gets 503 audit_unavailable whose
# message names the cause; while the log stays locked, /health is 503 "degraded" with the
# reason, /metrics shows the audit gauges (degraded, failures, queue depth, commit time),
# and decisions are refused at once while the other endpoints keep answering; once the
# lock is released the server recovers by itself (no restart): decisions flow again and
# /health is ok. SIGTERM while a request waits on the locked log answers it and exits cleanly.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "audit failure" "curl not installed"; exit 0; }
[ -x "$PY" ] || { fail "audit failure" "no /usr/bin/python3"; exit 0; }
logreg_fixture "$T/m.csm" || exit 1
BODY='{"features": {"EXT_SOURCE_1": 0.3, "EXT_SOURCE_2": 0.5}}'

start() { serve_bg "$1" --model "$T/m.csm" --threads 2 --audit "$T/audit.db"; }   # start NAME: sets PID, URL
rows() {    # the audit log's row count
  "$PY" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM audit').fetchone()[0])" "$T/audit.db"
}
post() {    # post OUT: one decision; prints the HTTP status
  curl -s -m 30 -o "$1" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$BODY" "$URL/v1/predict"
}
lock() {    # lock SECONDS: another process holds the audit log's write lock (in the background)
  "$PY" -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE"); open(sys.argv[3], "w").close(); time.sleep(float(sys.argv[2])); c.execute("ROLLBACK")
' "$T/audit.db" "$1" "$T/locked" &
  LOCKER=$!
  for _ in $(seq 1 100); do [ -f "$T/locked" ] && return 0; sleep 0.05; done
  return 1
}

start a || { fail "server started" "$(tail -3 "$T/a.err")"; exit 1; }
code=$(post "$T/r1.json")
if [ "$code" = 200 ]; then ok "a decision is answered while the audit log is writable"; else fail "first decision" "HTTP $code"; fi

rm -f "$T/locked"
lock 8 || { fail "lock the audit log"; kill $PID; exit 1; }
t0=$(date +%s.%N)
code=$(post "$T/r2.json")
t1=$(date +%s.%N)
if [ "$code" = 503 ] && grep -q '"audit_unavailable"' "$T/r2.json"; then
  ok "a decision whose audit row cannot be committed gets 503 audit_unavailable ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s)"
else fail "decision on a locked audit log" "HTTP $code: $(head -c 200 "$T/r2.json")"; fi
if grep -q 'locked by another process' "$T/r2.json" && ! grep -q 'cannot rollback' "$T/r2.json"; then
  ok "the 503's message names the cause ($(sed 's/.*"message":"\([^"]*\)".*/\1/' "$T/r2.json" | head -c 120))"
else fail "the 503 names the cause" "$(head -c 300 "$T/r2.json")"; fi
# the log is still locked (8 s lock, 5 s spent): degraded, said by /health and /metrics
code=$(curl -s -o "$T/h1.json" -w '%{http_code}' "$URL/health")
if [ "$code" = 503 ] && "$PY" -c "import json,sys; d=json.load(open('$T/h1.json')); sys.exit(0 if d['status']=='degraded' and d['audit']['state']=='degraded' and 'locked' in d['audit']['reason'] else 1)"
then ok "/health is 503 degraded with the reason while the log cannot be written"
else fail "/health degraded" "HTTP $code: $(head -c 300 "$T/h1.json")"; fi
curl -s -o "$T/m1.txt" "$URL/metrics"
if grep -q '^creditscore_audit_degraded 1$' "$T/m1.txt" && grep -q '^creditscore_audit_failures_total [1-9]' "$T/m1.txt" &&
   grep -q '^creditscore_audit_queue_depth [0-9]' "$T/m1.txt" && grep -q '^creditscore_audit_commit_seconds_count [1-9]' "$T/m1.txt"
then ok "/metrics: audit degraded 1, failures, queue depth and commit times"
else fail "/metrics audit gauges" "$(grep audit "$T/m1.txt" | head -8)"; fi
t0=$(date +%s%N)
code=$(post "$T/r3.json")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$code" = 503 ] && [ $ms -lt 2000 ]; then ok "while degraded, a decision is refused at once ($ms ms)"
else fail "refused at once while degraded" "HTTP $code in $ms ms"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/model")
if [ "$code" = 200 ]; then ok "the other endpoints keep answering"; else fail "/v1/model while degraded" "HTTP $code"; fi
wait $LOCKER
# released: the server recovers by itself within a second or so
code=000
for _ in $(seq 1 40); do code=$(post "$T/r4.json"); [ "$code" = 200 ] && break; sleep 0.1; done
if [ "$code" = 200 ]; then ok "once the lock is released, decisions flow again without a restart"
else fail "recovery after the lock" "HTTP $code: $(head -c 200 "$T/r4.json")"; fi
code=$(curl -s -o "$T/h2.json" -w '%{http_code}' "$URL/health")
if [ "$code" = 200 ] && grep -q '"state":"ok"' "$T/h2.json"; then ok "/health is ok again"
else fail "/health after the recovery" "HTTP $code: $(head -c 200 "$T/h2.json")"; fi
curl -s -o "$T/m2.txt" "$URL/metrics"
if grep -q '^creditscore_audit_degraded 0$' "$T/m2.txt" && grep -q '^creditscore_audit_recoveries_total 1$' "$T/m2.txt"
then ok "/metrics: degraded 0, one recovery"; else fail "/metrics after the recovery" "$(grep audit "$T/m2.txt" | head -8)"; fi
kill -TERM $PID; wait $PID; rc=$?
if [ $rc -eq 0 ]; then ok "SIGTERM after an audit failure exits 0"; else fail "exit after an audit failure" "status $rc"; fi
n=$(rows)
if [ "$n" = 2 ]; then ok "the audit log holds exactly the two decisions given"; else fail "audit rows" "$n rows, expected 2"; fi

# SIGTERM while a decision waits on the locked log: it is answered, then the server stops
start b || { fail "server restarted" "$(tail -3 "$T/b.err")"; exit 1; }
rm -f "$T/locked"
lock 3 || { fail "lock the audit log"; kill $PID; exit 1; }
post "$T/r5.json" >"$T/code5" &
CURL=$!
sleep 0.5
kill -TERM $PID
wait $CURL
wait $PID; rc=$?
wait $LOCKER
code=$(cat "$T/code5")
if [ "$code" = 200 ] && [ $rc -eq 0 ]; then ok "SIGTERM while a decision waits for its commit: answered 200 once committed, exit 0"
else fail "drain with a waiting decision" "HTTP $code, exit $rc"; fi
n=$(rows)
if [ "$n" = 3 ]; then ok "the waiting decision is in the audit log"; else fail "audit rows after the drain" "$n rows, expected 3"; fi
