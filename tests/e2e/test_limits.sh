#!/usr/bin/env bash
# test_limits.sh: the API's connection limits and their defaults (docs/security.md):
# request headers larger than 64 KiB are refused (431), --max-conns caps simultaneous
# connections (extra ones are closed at once, the server stays up), a slow client does not
# hold a worker (one worker thread still answers others while it trickles bytes), an idle
# connection is closed after --timeout, and bodies over --max-body get 413.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null && [ -x "$PY" ] || { skip "limits" "no curl or python3"; exit 0; }
ar rcs "$T/lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/lib.a" -lm -fopenmp \
  2>"$T/cc.err" || { fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1; }
"$T/gen" "$T/f.csf" 200 4 0 3 && "$CS" train --features "$T/f.csf" --out "$T/m.csm" --model logreg --cv 2 \
  >"$T/log" 2>&1 || { fail "fixture: train"; tail -3 "$T/log"; exit 1; }
"$CS" serve --model "$T/m.csm" --port 0 --threads 1 --max-conns 8 --timeout 2 --max-body 4096 --no-audit \
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

# slow client: one byte a second; with a single worker thread others are still answered at once,
# and the connection is cut when it stays silent longer than --timeout
"$PY" - "$PORT" >"$T/slow" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.time()
try:
    for ch in b"POST /v1/predict HTTP/1.1\r\nHost: x\r\n":
        s.sendall(bytes([ch])); time.sleep(1)
        if time.time() - t0 > 6: break
    time.sleep(3)                                  # silent longer than --timeout 2
    s.sendall(b"Content-Length: 2\r\n\r\n{}"); s.settimeout(2); r = s.recv(100)
    print("cut" if not r else "answered")
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    print("cut")
PY
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
[ "$(cat "$T/slow")" = cut ] && ok "the slow client is cut off after --timeout of silence" || fail "slow client cut off" "$(cat "$T/slow")"
kill -0 $PID 2>/dev/null && ok "the server is still up" || fail "server up after the limits"
kill -TERM $PID; wait $PID 2>/dev/null
