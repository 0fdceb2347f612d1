#!/usr/bin/env bash
# test_durability.sh: no acknowledged decision is lost when the API is killed. A client
# (4 threads, keep-alive) sends decisions with its own X-Request-Id and records every id
# answered 200; the server gets SIGKILL mid-stream; after a restart every recorded id must
# be in the audit log (the API answers only once its decision's batch is committed:
# store_audit_submit calls back after the commit, WAL with synchronous=NORMAL). DURABILITY_ROUNDS repetitions (default
# 20), a second or two each; then the same suite with the audit log in PostgreSQL
# (PG_DURABILITY_ROUNDS, default 5: a batch is one COPY, committed before its answers).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
PY=/usr/bin/python3
ROUNDS=${DURABILITY_ROUNDS:-20}
PG_ROUNDS=${PG_DURABILITY_ROUNDS:-5}
[ -x "$PY" ] || { fail "durability" "no /usr/bin/python3"; exit 0; }
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

# suite NAME AUDIT ROUNDS: the rounds against one audit log (a SQLite file or a PostgreSQL
# URL), read back with `creditscore audit --csv` whatever the backend
suite() {
  local name=$1 audit=$2 rounds=$3 r bad=0 res acked_total lost_total logged
  : >"$T/acked"
  for r in $(seq 1 "$rounds"); do
    serve_bg srv --model "$T/m.csm" --threads 4 --audit "$audit" || { fail "$name round $r: server started" "$(tail -3 "$T/srv.err")"; bad=1; break; }
    "$PY" "$T/client.py" 127.0.0.1 "$PORT" "$T/acked.$r" "$name$r" &
    CP=$!
    sleep 0.$((3 + r % 5))
    kill -9 $PID; wait $PID 2>/dev/null
    wait $CP
    cat "$T/acked.$r" >>"$T/acked"
    # restart on the same log (WAL recovery), then stop it cleanly
    serve_bg srv --model "$T/m.csm" --threads 4 --audit "$audit" || { fail "$name round $r: server restarted after SIGKILL" "$(tail -3 "$T/srv.err")"; bad=1; break; }
    kill -TERM $PID; wait $PID 2>/dev/null
  done
  [ $bad -eq 0 ] || return
  "$CS" audit --db "$audit" --csv --out "$T/log.csv" >"$T/audit.out" 2>&1 || { fail "$name: read the log back" "$(tail -2 "$T/audit.out")"; return; }
  res=$("$PY" - "$T/log.csv" "$T/acked" <<'PY'
import csv, sys
ids = set(r["request_id"] for r in csv.DictReader(open(sys.argv[1])))
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
print(len(acked), sum(1 for a in acked if a not in ids), len(ids))
PY
)
  read -r acked_total lost_total logged <<<"$res"
  if [ "${acked_total:-0}" -gt $((rounds * 10)) ]; then ok "$name: $rounds rounds of SIGKILL mid-stream: $acked_total decisions acknowledged ($logged logged)"
  else fail "$name: the client got decisions acknowledged" "only ${acked_total:-0} over $rounds rounds"; fi
  if [ "${lost_total:-1}" -eq 0 ]; then ok "$name: every acknowledged decision is in the audit log after restart (0 lost)"
  else fail "$name: acknowledged decisions survive SIGKILL" "$lost_total of $acked_total lost"; fi
}

suite sqlite "$T/audit.db" "$ROUNDS"
# the same suite with the log in PostgreSQL (pg.sh's throwaway server: no server, a failure)
if pg_start 2>"$T/pg.err"; then suite postgresql "$PG_URL" "$PG_ROUNDS"
else fail "start a throwaway PostgreSQL server" "$(tr '\n' ' ' <"$T/pg.err")"; fi
