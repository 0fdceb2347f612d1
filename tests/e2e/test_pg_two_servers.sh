#!/usr/bin/env bash
# test_pg_two_servers.sh: two API servers on two ports share one PostgreSQL database and
# keep no state of their own: the audit log, the clients store and the registry are in it
# (pg.sh's throwaway server; each server loads the registry's production version with
# --registry), under load from wrk on both, every decision by client id (a lookup in the
# shared store); one of them gets kill -9
# mid-stream, PG_KILL_ROUNDS times (default 3). Beside wrk, a client on each server sends
# decisions with its own X-Request-Id and records every id answered 200: every one of them
# must be in the log exactly once (none lost, none written twice), and the survivor keeps
# answering after the other died. Fails (never skips) when the server or wrk is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
PY=/usr/bin/python3
ROUNDS=${PG_KILL_ROUNDS:-3}
command -v wrk >/dev/null || { fail "two servers under load" "wrk is not installed (Debian package wrk)"; exit 1; }
if ! pg_start 2>"$T/pg.err"; then fail "start a throwaway PostgreSQL server" "$(tr '\n' ' ' <"$T/pg.err")"; exit 1; fi
export OMP_NUM_THREADS=1
"$CS" synth --out "$T/data" --clients 300 --test-clients 60 --seed 3 >"$T/fx.log" 2>&1 &&
  "$CS" features --data "$T/data" --out "$T/f.csf" --spec-out "$T/f.spec" >"$T/fx.log" 2>&1 &&
  "$CS" train --features "$T/f.csf" --spec "$T/f.spec" --out "$T/m.csm" --model logreg --cv 2 --no-track \
    >"$T/fx.log" 2>&1 &&
  "$CS" clients import --features "$T/f.csf" --data "$T/data" --out "$PG_URL" >"$T/fx.log" 2>&1 &&
  "$CS" models register "$T/m.csm" --name shared --store "$PG_URL" >"$T/fx.log" 2>&1 &&
  "$CS" models promote shared 1 --stage production --store "$PG_URL" >"$T/fx.log" 2>&1 ||
  { fail "fixture: a model in the registry and its clients store in PostgreSQL" "$(tail -3 "$T/fx.log")"; exit 1; }
# the servers' model: the registry's bytes, written to a folder of this test's own
export TMPDIR=$T
pg_psql "SELECT id FROM clients ORDER BY id" >"$T/ids"
CID=$(head -1 "$T/ids")

cat >"$T/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"client_id": CID}'
wrk.headers["Content-Type"] = "application/json"
LUA
sed -i "s/CID/$CID/" "$T/post.lua"
cat >"$T/client.py" <<'PY'
import http.client, json, sys, threading, time
host, port, out, tag, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
ids = [int(l) for l in open(sys.argv[6]) if l.strip()]
lock = threading.Lock()
f = open(out, "w")
end = time.time() + seconds
def run(t):
    i = 0
    try:
        c = http.client.HTTPConnection(host, port, timeout=10)
        while time.time() < end:
            rid = "%s-%d-%d" % (tag, t, i); i += 1
            body = json.dumps({"client_id": ids[i % len(ids)]})
            c.request("POST", "/v1/predict", body, {"Content-Type": "application/json", "X-Request-Id": rid})
            r = c.getresponse(); r.read()
            if r.status == 200:
                with lock:
                    f.write(rid + "\n"); f.flush()
    except Exception:
        return   # the server is gone
ts = [threading.Thread(target=run, args=(t,)) for t in range(2)]
for t in ts: t.start()
for t in ts: t.join()
PY

bad=0 survivor_acked=0
: >"$T/acked"
for r in $(seq 1 "$ROUNDS"); do
  serve_bg a$r --registry shared --store "$PG_URL" --threads 2 --audit "$PG_URL" --clients "$PG_URL" || { fail "round $r: server A" "$(tail -2 "$T/a$r.err")"; bad=1; break; }
  PA=$PID PORTA=$PORT
  serve_bg b$r --registry shared --store "$PG_URL" --threads 2 --audit "$PG_URL" --clients "$PG_URL" || { fail "round $r: server B" "$(tail -2 "$T/b$r.err")"; bad=1; break; }
  PB=$PID PORTB=$PORT
  wrk -t1 -c8 -d3s -s "$T/post.lua" "http://127.0.0.1:$PORTA/v1/predict" >"$T/wrk-a$r.txt" 2>&1 &
  WA=$!
  wrk -t1 -c8 -d3s -s "$T/post.lua" "http://127.0.0.1:$PORTB/v1/predict" >"$T/wrk-b$r.txt" 2>&1 &
  WB=$!
  "$PY" "$T/client.py" 127.0.0.1 "$PORTA" "$T/acked-a$r" "k$r-a" 3 "$T/ids" &
  CA=$!
  "$PY" "$T/client.py" 127.0.0.1 "$PORTB" "$T/acked-b$r" "k$r-b" 3 "$T/ids" &
  CB=$!
  sleep 1.$((r % 7))
  kill -9 $PA; wait $PA 2>/dev/null
  n_b_at_kill=$(wc -l <"$T/acked-b$r")
  wait $WA $WB $CA $CB 2>/dev/null
  n_b=$(wc -l <"$T/acked-b$r")
  survivor_acked=$((survivor_acked + n_b - n_b_at_kill))
  kill -TERM $PB; wait $PB 2>/dev/null
  cat "$T/acked-a$r" "$T/acked-b$r" >>"$T/acked"
done
[ $bad = 0 ] || exit 1
pg_psql "SELECT request_id, count(*) FROM audit WHERE request_id LIKE 'k%' GROUP BY request_id" >"$T/logged"
total=$(pg_psql "SELECT count(*) FROM audit")
read -r acked lost dup <<<"$("$PY" - "$T/acked" "$T/logged" <<'PY'
import sys
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
n = {}
for l in open(sys.argv[2]):
    if "|" in l:
        k, c = l.strip().split("|"); n[k] = int(c)
print(len(acked), sum(1 for a in acked if a not in n), sum(1 for a in acked if n.get(a, 0) > 1))
PY
)"
echo "# $ROUNDS rounds: $acked decisions acknowledged to the recording clients, $total rows in the log (wrk's included)"
if [ "${acked:-0}" -gt $((ROUNDS * 20)) ]; then ok "two servers, one killed -9 mid-stream, $ROUNDS rounds: $acked decisions acknowledged"
else fail "decisions acknowledged" "only ${acked:-0}"; fi
if [ "${lost:-1}" = 0 ] && [ "${dup:-1}" = 0 ]; then ok "every acknowledged decision is in the shared log exactly once (0 lost, 0 twice)"
else fail "acknowledged decisions in the shared log" "$lost lost, $dup written twice, of $acked"; fi
if [ "$survivor_acked" -gt 0 ]; then ok "the surviving server kept answering after the other died ($survivor_acked decisions)"
else fail "the survivor answered after the kill" "0 decisions"; fi
by_id=$(pg_psql "SELECT count(*) FROM audit WHERE input_kind = 'client_id' AND client_id IS NOT NULL")
if [ "${total:-0}" -gt 0 ] && [ "$by_id" = "$total" ]; then ok "all $total logged decisions were scored by client id from the shared clients store"
else fail "decisions by client id" "$by_id of $total"; fi
copy=$(ls "$T"/creditscore-registry-*/*.csm 2>/dev/null | head -1)
if [ -n "$copy" ] && cmp -s "$copy" "$T/m.csm"; then ok "the servers loaded the registry's bytes from PostgreSQL (the registered file, byte for byte)"
else fail "the servers' model from the registry" "no copy of the registered file under $T (${copy:-none})"; fi
