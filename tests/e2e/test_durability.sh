#!/usr/bin/env bash
# test_durability.sh: no acknowledged decision is lost when the API is killed. A client
# (4 threads, keep-alive) sends decisions with its own X-Request-Id and records every id
# answered 200; the server gets SIGKILL mid-stream; after a restart every recorded id must
# be in the audit log (the API answers only once its decision's batch is committed:
# store_audit_submit calls back after the commit, WAL with synchronous=NORMAL). DURABILITY_ROUNDS repetitions (default
# 20), a second or two each.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
ROUNDS=${DURABILITY_ROUNDS:-20}
[ -x "$PY" ] || { skip "durability" "no /usr/bin/python3"; exit 0; }
logreg_fixture "$T/m.csm" || exit 1

cat >"$T/client.py" <<'PY'
import http.client, json, sys, threading
host, port, out, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lock = threading.Lock()
f = open(out, "w")
def run(t):
    i = 0
    while True:
        try:
            c = http.client.HTTPConnection(host, port, timeout=5)
            while True:
                rid = "%s-%d-%d" % (tag, t, i); i += 1
                body = json.dumps({"features": {"EXT_SOURCE_1": (i % 97) / 97.0, "EXT_SOURCE_2": 0.5}})
                c.request("POST", "/v1/predict", body, {"Content-Type": "application/json", "X-Request-Id": rid})
                r = c.getresponse(); r.read()
                if r.status == 200:
                    with lock:
                        f.write(rid + "\n"); f.flush()
        except Exception:
            return   # the server is gone
ts = [threading.Thread(target=run, args=(t,)) for t in range(4)]
for t in ts: t.start()
for t in ts: t.join()
PY

start() { serve_bg srv --model "$T/m.csm" --threads 4 --audit "$T/audit.db"; }   # sets PID and PORT

lost_total=0 acked_total=0 bad=0
: >"$T/acked"
for r in $(seq 1 "$ROUNDS"); do
  start || { fail "round $r: server started" "$(tail -3 "$T/srv.err")"; bad=1; break; }
  "$PY" "$T/client.py" 127.0.0.1 "$PORT" "$T/acked.$r" "r$r" &
  CP=$!
  sleep 0.$((3 + r % 5))
  kill -9 $PID; wait $PID 2>/dev/null
  wait $CP
  cat "$T/acked.$r" >>"$T/acked"
  # restart on the same log (WAL recovery), then stop it cleanly
  start || { fail "round $r: server restarted after SIGKILL" "$(tail -3 "$T/srv.err")"; bad=1; break; }
  kill -TERM $PID; wait $PID 2>/dev/null
done
if [ $bad -eq 0 ]; then
  res=$("$PY" - "$T/audit.db" "$T/acked" <<'PY'
import sqlite3, sys
ids = set(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT request_id FROM audit"))
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
print(len(acked), sum(1 for a in acked if a not in ids), len(ids))
PY
)
  read -r acked_total lost_total logged <<<"$res"
  if [ "${acked_total:-0}" -gt $((ROUNDS * 10)) ]; then ok "$ROUNDS rounds of SIGKILL mid-stream: $acked_total decisions acknowledged ($logged logged)"
  else fail "the client got decisions acknowledged" "only ${acked_total:-0} over $ROUNDS rounds"; fi
  if [ "${lost_total:-1}" -eq 0 ]; then ok "every acknowledged decision is in the audit log after restart (0 lost)"
  else fail "acknowledged decisions survive SIGKILL" "$lost_total of $acked_total lost"; fi
fi
