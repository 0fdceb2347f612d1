#!/usr/bin/env bash
# test_limits.sh: the API's connection limits and their defaults (docs/security.md):
# request headers larger than 64 KiB are refused (431), --max-conns caps simultaneous
# connections (extra ones are closed at once, the server stays up), a slow client does not
# hold a worker (one worker thread still answers others while it trickles bytes) and is cut
# off at --request-timeout although it is never silent, an idle connection is closed after
# --timeout, and bodies over --max-body get 413.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null && [ -x "$PY" ] || { fail "limits" "no curl or python3"; exit 0; }
ar rcs "$T/lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/lib.a" -lm -fopenmp \
  2>"$T/cc.err" || { fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1; }
"$T/gen" "$T/f.csf" 200 4 0 3 && "$CS" train --features "$T/f.csf" --out "$T/m.csm" --model logreg --cv 2 \
  >"$T/log" 2>&1 || { fail "fixture: train"; tail -3 "$T/log"; exit 1; }
"$CS" serve --model "$T/m.csm" --port 0 --threads 1 --max-conns 8 --timeout 2 --request-timeout 3 --max-body 4096 --no-audit \
  >"$T/out" 2>"$T/err" &
PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$T/out")
PORT=${URL##*:}
[ -n "$URL" ] || { fail "server started" "$(tail -3 "$T/err")"; exit 1; }
BODY='{"features": {"EXT_SOURCE_1": 0.3}}'

c=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' a)" "$URL/health")
[ "$c" = 431 ] && ok "a 70 KB header gets 431" || fail "header over 64 KiB refused" "HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Ok: $(head -c 8000 /dev/zero | tr '\0' a)" "$URL/health")
[ "$c" = 200 ] && ok "an 8 KB header is accepted" || fail "8 KB header accepted" "HTTP $c"
c=$(head -c 5000 /dev/zero | tr '\0' ' ' | curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @- "$URL/v1/predict")
[ "$c" = 413 ] && ok "a body over --max-body gets 413" || fail "body over --max-body" "HTTP $c"

# --max-conns 8: 8 idle connections held open, the 9th is closed without an answer
res=$("$PY" - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(1.5)
try:
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); extra = s.recv(100)
except Exception:
    extra = b""
for h in held: h.close()
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(2)
s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); after = s.recv(100)
print("refused" if not extra.startswith(b"HTTP/1.1 200") else "served", "ok" if after.startswith(b"HTTP/1.1 200") else "bad")
PY
)
[ "${res% *}" = refused ] && ok "--max-conns: the connection over the limit is not served" || fail "--max-conns" "$res"
[ "${res#* }" = ok ] && ok "--max-conns: served again once connections close" || fail "--max-conns recovery" "$res"

# slow client: one byte a second, never silent: with a single worker thread others are still
# answered at once, and the connection is cut at --request-timeout (3 s)
cat >"$T/slow.py" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.time()
try:
    for ch in (b"POST /v1/predict HTTP/1.1\r\nHost: x\r\n" * 3)[:12]:
        s.sendall(bytes([ch]))
        s.settimeout(1)
        try:
            if s.recv(100) == b"": raise ConnectionResetError
        except socket.timeout:
            pass
    print("not cut after %.1f s" % (time.time() - t0))
except (BrokenPipeError, ConnectionResetError):
    print("cut after %.1f s" % (time.time() - t0))
PY
"$PY" "$T/slow.py" "$PORT" >"$T/slow" 2>&1 &
SLOW=$!
sleep 1.5
t0=$(date +%s%N)
fast=0
for i in 1 2 3 4 5; do
  c=$(curl -s -m 2 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$BODY" "$URL/v1/predict")
  [ "$c" = 200 ] && fast=$((fast + 1))
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $fast -eq 5 ] && [ $ms -lt 4000 ] && ok "while a client trickles a byte a second, the single worker answers 5 others ($ms ms)" \
  || fail "slow client holds no worker" "$fast/5 answered in $ms ms"
wait $SLOW
secs=$(sed -n 's/^cut after \([0-9.]*\) s$/\1/p' "$T/slow")
if [ -n "$secs" ] && "$PY" -c "import sys; sys.exit(0 if 2.5 <= $secs <= 6 else 1)"; then
  ok "a client sending a byte a second is cut off at --request-timeout 3 ($(cat "$T/slow"))"
else fail "slow client cut off at --request-timeout" "$(cat "$T/slow")"; fi
# a silent connection is closed after --timeout 2
"$PY" - "$PORT" >"$T/idle" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(8); t0 = time.time()
try:
    r = s.recv(100)
except Exception:
    r = None
print("closed after %.1f s" % (time.time() - t0) if r == b"" else "not closed")
PY
secs=$(sed -n 's/^closed after \([0-9.]*\) s$/\1/p' "$T/idle")
if [ -n "$secs" ] && "$PY" -c "import sys; sys.exit(0 if 1.5 <= $secs <= 4 else 1)"; then ok "a silent connection is closed after --timeout 2 ($(cat "$T/idle"))"
else fail "silent connection closed" "$(cat "$T/idle")"; fi
# a normal keep-alive client is not disturbed by the deadline: 5 requests 1 s apart on one connection
"$PY" - "$PORT" >"$T/ka" 2>&1 <<'PY'
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5); ok = 0
for i in range(5):
    c.request("GET", "/health"); r = c.getresponse(); r.read(); ok += r.status == 200; time.sleep(1)
print(ok)
PY
[ "$(cat "$T/ka")" = 5 ] && ok "a keep-alive client sending a request a second is served throughout" || fail "keep-alive" "$(cat "$T/ka")"
kill -0 $PID 2>/dev/null && ok "the server is still up" || fail "server up after the limits"
kill -TERM $PID; wait $PID 2>/dev/null
