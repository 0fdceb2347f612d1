#!/usr/bin/env bash
# test_http_front.sh: the strict HTTP front end of both servers (src/http, docs/security.md):
# hostile requests sent over raw sockets (hostile_http.py) to `serve` and to `dashboard` are
# refused with the JSON error and a closed connection (smuggling, encoded NUL and slash,
# ids not in their canonical form, control characters in header fields, HTTP/1.1 without
# Host, the transport's 400/413/414/431/505), while chunked bodies, 100-continue,
# pipelining and absolute-form targets keep working; and ~260 clients sending a byte a
# second do not keep a normal client (another address) out of either server.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || { fail "http front" "no /usr/bin/python3"; exit 0; }
HERE=$(cd "$(dirname "$0")" && pwd)
logreg_fixture "$T/m.csm" || exit 1

serve_bg api --model "$T/m.csm" --threads 2 --no-audit --request-timeout 4 || { fail "serve started" "$(tail -3 "$T/api.err")"; exit 1; }
API_PID=$PID API_URL=$URL API_PORT=$PORT
"$CS" dashboard --api "$API_URL" --port 0 --web "$ROOT/web/dashboard/public" --request-timeout 4 >"$T/dash.out" 2>"$T/dash.err" &
DASH_PID=$!
for _ in $(seq 1 200); do grep -q "http://" "$T/dash.out" "$T/dash.err" 2>/dev/null && break; sleep 0.05; done
DASH_PORT=$(cat "$T/dash.out" "$T/dash.err" | grep -o 'http://[0-9.]*:[0-9]*' | head -1 | sed 's/.*://')
[ -n "$DASH_PORT" ] || { fail "dashboard started" "$(tail -3 "$T/dash.err")"; kill $API_PID; exit 1; }
trap 'kill $API_PID $DASH_PID 2>/dev/null; rm -rf "$T"' EXIT

"$PY" "$HERE/hostile_http.py" api "$API_PORT"
"$PY" "$HERE/hostile_http.py" dash "$DASH_PORT"
kill -0 $API_PID 2>/dev/null && ok "serve is still up after the hostile requests" || fail "serve survived the hostile requests"
kill -0 $DASH_PID 2>/dev/null && ok "dashboard is still up after the hostile requests" || fail "dashboard survived the hostile requests"

# slow clients: 260 connections from 127.0.0.1 each sending a byte a second; a normal client
# from 127.0.0.2 is answered within a second, on both servers, and the slow ones are cut off
# at --request-timeout 4
slow() {    # slow NAME PORT PATH
  "$PY" - "$2" "$3" >"$T/slow-$1" 2>&1 <<'PYEOF'
import socket, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
held = []
for _ in range(260):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2); s.setblocking(False); held.append(s)
    except OSError:
        pass
req = ("GET %s HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n" % (path, "a" * 40)).encode()
def drip(i):
    for s in held:
        try: s.send(req[i:i + 1])
        except OSError: pass
drip(0); time.sleep(1.0)
times = []
for i in range(1, 4):           # a normal client, from another address, while the others drip
    drip(i)
    t0 = time.time()
    try:
        c = socket.socket(); c.settimeout(5); c.bind(("127.0.0.2", 0)); c.connect(("127.0.0.1", port))
        c.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        a = c.recv(100); c.close()
        times.append(time.time() - t0 if a.startswith(b"HTTP/1.1 200") else 99)
    except OSError:
        times.append(99)
    time.sleep(1.0)
t_start = time.time(); alive = len(held)
while time.time() - t_start < 8 and alive:
    drip(5); alive = 0
    for s in held:
        try:
            b = s.recv(4096)
            if b and b"408" not in b[:20]: alive += 1
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    time.sleep(1.0)
print("normal %.3f %.3f %.3f slow_alive %d held %d" % (times[0], times[1], times[2], alive, len(held)))
PYEOF
  read -r _ a b c _ alive _ held <"$T/slow-$1" || true
  if "$PY" -c "import sys; sys.exit(0 if max($a, $b, $c) < 1.0 else 1)" 2>/dev/null; then
    ok "$1: a normal client is answered while 260 clients drip a byte a second ($a $b $c s; $held opened from 127.0.0.1)"
  else fail "$1: normal client answered during a slow-client attack" "$(cat "$T/slow-$1")"; fi
  [ "${alive:-1}" = 0 ] && ok "$1: the slow clients are cut off at --request-timeout" || fail "$1: slow clients cut off" "$(cat "$T/slow-$1")"
}
slow api "$API_PORT" /health
slow dashboard "$DASH_PORT" /index.html
