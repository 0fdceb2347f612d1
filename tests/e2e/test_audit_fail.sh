#!/usr/bin/env bash
# test_audit_fail.sh: a decision the audit log cannot take is not given. The API answers a
# decision only once its audit row is committed (the connection waits, suspended, for the
# writer's batch); when another process holds the audit database locked past the busy
# timeout (5 s), the commit fails and the waiting request gets 503 audit_unavailable, and
# so does every later decision (fail closed) while the other endpoints keep answering.
# SIGTERM while a request waits on the locked log answers it and exits cleanly.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { skip "audit failure" "curl not installed"; exit 0; }
[ -x "$PY" ] || { skip "audit failure" "no /usr/bin/python3"; exit 0; }
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
# the message is the cause (release 0.1.0 said "cannot rollback - no transaction is active")
if grep -q 'locked by another process' "$T/r2.json" && ! grep -q 'cannot rollback' "$T/r2.json"; then
  ok "... and its message names the cause (the log locked by another process)"
else fail "the 503's message names the cause" "$(head -c 300 "$T/r2.json")"; fi
wait $LOCKER
code=$(post "$T/r3.json")
if [ "$code" = 503 ]; then ok "later decisions are refused too (fail closed until a restart)"; else fail "fail closed" "HTTP $code"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")
if [ "$code" = 200 ]; then ok "health still answers"; else fail "health after the audit failure" "HTTP $code"; fi
kill -TERM $PID; wait $PID; rc=$?
if [ $rc -eq 0 ]; then ok "SIGTERM after an audit failure exits 0"; else fail "exit after an audit failure" "status $rc"; fi
n=$(rows)
if [ "$n" = 1 ]; then ok "the audit log holds exactly the one decision given"; else fail "audit rows" "$n rows, expected 1"; fi

# SIGTERM while a decision waits on the locked log: it is answered, then the server stops
start b || { fail "server restarted" "$(tail -3 "$T/b.err")"; exit 1; }
rm -f "$T/locked"
lock 3 || { fail "lock the audit log"; kill $PID; exit 1; }
post "$T/r4.json" >"$T/code4" &
CURL=$!
sleep 0.5
kill -TERM $PID
wait $CURL
wait $PID; rc=$?
wait $LOCKER
code=$(cat "$T/code4")
if [ "$code" = 200 ] && [ $rc -eq 0 ]; then ok "SIGTERM while a decision waits for its commit: answered 200 once committed, exit 0"
else fail "drain with a waiting decision" "HTTP $code, exit $rc"; fi
n=$(rows)
if [ "$n" = 2 ]; then ok "the waiting decision is in the audit log"; else fail "audit rows after the drain" "$n rows, expected 2"; fi
