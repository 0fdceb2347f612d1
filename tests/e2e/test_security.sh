#!/usr/bin/env bash
# test_security.sh: API keys (401 without detail, never logged, rotated by SIGHUP without
# a restart) and the dashboard server's file serving (no way out of its folder: "..",
# encoded "%2e%2e", absolute paths, symlinks out; a Content-Security-Policy without
# inline scripts). See docs/security.md.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { fail "security" "no curl"; exit 0; }
ar rcs "$T/lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/lib.a" -lm -fopenmp \
  2>"$T/cc.err" || { fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1; }
"$T/gen" "$T/f.csf" 200 4 0 3 && "$CS" train --features "$T/f.csf" --out "$T/m.csm" --model logreg --cv 2 \
  >"$T/log" 2>&1 || { fail "fixture: train"; tail -3 "$T/log"; exit 1; }

# wait_for FILE PATTERN PID: until FILE matches (5 s at most)
wait_for() {
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || return 1; sleep 0.05; done
  return 1
}
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

# ---- API keys -------------------------------------------------------------------------------
K1=old-key-0123456789abcdef
K2=new-key-fedcba9876543210
printf '# keys\n%s\n' "$K1" >"$T/keys"
"$CS" serve --model "$T/m.csm" --port 0 --threads 2 --audit "$T/audit.db" --api-key-file "$T/keys" \
  >"$T/api.out" 2>"$T/api.err" &
API=$!
wait_for "$T/api.out" "listening on" $API || { fail "serve with keys started" "$(tail -3 "$T/api.err")"; exit 1; }
URL=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$T/api.out")
BODY='{"features": {"EXT_SOURCE_1": 0.3}}'
post() { code -X POST -H 'Content-Type: application/json' --data-binary "$BODY" "$@" "$URL/v1/predict"; }
c=$(post); [ "$c" = 401 ] && ok "no key: 401" || fail "no key: 401" "got $c"
c=$(post -H "X-API-Key: wrong-key-0123456789"); [ "$c" = 401 ] && ok "wrong key: 401" || fail "wrong key: 401" "got $c"
if /usr/bin/python3 -c "import json,sys; d=json.load(open('$T/body'))['error']; sys.exit(0 if set(d) <= {'code','message','field','request_id'} and d['code']=='unauthorized' and 'wrong-key' not in json.dumps(d) else 1)" 2>/dev/null
then ok "401 body says only that a valid key is required"; else fail "401 body" "$(head -c 300 "$T/body")"; fi
c=$(post -H "X-API-Key: $K1"); [ "$c" = 200 ] && ok "right key: 200" || fail "right key: 200" "got $c"
c=$(post -H "Authorization: Bearer $K1"); [ "$c" = 200 ] && ok "right key as a bearer token: 200" || fail "bearer: 200" "got $c"
# rotation: the file gets the new key only, SIGHUP, no restart
printf '%s\n' "$K2" >"$T/keys"
kill -HUP $API
wait_for "$T/api.err" "reloaded the API keys" $API || wait_for "$T/api.out" "reloaded the API keys" $API
c=$(post -H "X-API-Key: $K2"); [ "$c" = 200 ] && ok "after SIGHUP the new key works" || fail "rotated key: 200" "got $c"
c=$(post -H "X-API-Key: $K1"); [ "$c" = 401 ] && ok "after SIGHUP the old key is refused" || fail "old key after rotation: 401" "got $c"
kill -0 $API 2>/dev/null && ok "the server kept running through the rotation (same process)" || fail "server alive after SIGHUP"
# a key file that became unreadable: the reload fails, the keys in use stay
printf 'short\n' >"$T/keys"
kill -HUP $API
wait_for "$T/api.err" "reload failed" $API || wait_for "$T/api.out" "reload failed" $API
c=$(post -H "X-API-Key: $K2"); [ "$c" = 200 ] && ok "a bad key file on SIGHUP keeps the keys in use" || fail "bad key file keeps keys" "got $c"
kill -TERM $API; wait $API 2>/dev/null
if cat "$T/api.out" "$T/api.err" | grep -q -e "$K1" -e "$K2" -e wrong-key; then fail "keys never logged" "a key is in the server's output"
else ok "no key (right or wrong) appears in the server's output"; fi
if /usr/bin/python3 -c "import sqlite3,sys; t=' '.join(str(r) for r in sqlite3.connect('$T/audit.db').execute('SELECT * FROM audit')); sys.exit(1 if '$K1' in t or '$K2' in t else 0)"
then ok "no key appears in the audit log"; else fail "keys not in the audit log"; fi

# ---- dashboard files ------------------------------------------------------------------------
mkdir -p "$T/web" "$T/outside"
cp -r "$ROOT/web/dashboard/public/." "$T/web/"
echo "TOP-SECRET-OUTSIDE" >"$T/outside/secret.txt"
echo "TOP-SECRET-OUTSIDE" >"$T/secret.txt"
ln -s "$T/outside/secret.txt" "$T/web/link.txt"
ln -s "$T/outside" "$T/web/linkdir"
"$CS" dashboard --api "http://127.0.0.1:9" --port 0 --web "$T/web" >"$T/dash.out" 2>"$T/dash.err" &
DASH=$!
wait_for "$T/dash.out" "http://" $DASH || wait_for "$T/dash.err" "http://" $DASH || { fail "dashboard started" "$(tail -3 "$T/dash.err")"; exit 1; }
DURL=$(cat "$T/dash.out" "$T/dash.err" | grep -o 'http://[0-9.]*:[0-9]*' | head -1)
c=$(code "$DURL/"); [ "$c" = 200 ] && ok "dashboard serves its page" || fail "dashboard page" "got $c"
for p in "/../secret.txt" "/../outside/secret.txt" "/%2e%2e/secret.txt" "/%2E%2E/secret.txt" "/%2e%2e%2fsecret.txt" \
         "/..%2fsecret.txt" "/.%2e/secret.txt" "/%252e%252e/secret.txt" "//$T/secret.txt" "/$T/secret.txt" \
         "/link.txt" "/linkdir/secret.txt" "/..%5csecret.txt" "/%00/../secret.txt" "/static/../../secret.txt"; do
  c=$(code --path-as-is "$DURL$p")
  # refused, or (a NUL ends the path where the HTTP library decodes it) the page itself
  if ! grep -q TOP-SECRET "$T/body" && { [ "$c" != 200 ] || cmp -s "$T/body" "$T/web/index.html"; }; then
    ok "dashboard refuses $p (HTTP $c)"
  else fail "dashboard refuses $p" "HTTP $c: $(head -c 100 "$T/body")"; fi
done
curl -s -D "$T/h" -o /dev/null "$DURL/"
csp=$(grep -i '^content-security-policy:' "$T/h" | tr -d '\r')
if [ -n "$csp" ] && printf '%s' "$csp" | grep -q "script-src 'self'" && ! printf '%s' "$csp" | grep -q "unsafe-inline\|unsafe-eval"; then
  ok "Content-Security-Policy allows no inline script ($csp)"
else fail "Content-Security-Policy" "${csp:-none}"; fi
if grep -qiE '<script>[^<]|on(click|load|error)=' "$T/web/index.html"; then fail "index.html has no inline script"
else ok "index.html has no inline script or handler"; fi
kill -TERM $DASH; wait $DASH 2>/dev/null

# ---- signed models ---------------------------------------------------------------------------
printf 'model-signing-key-0123456789\n' >"$T/mk"
printf 'another-signing-key-0123456789\n' >"$T/mk2"
printf 'short\n' >"$T/mkshort"
cp "$T/m.csm" "$T/s.csm"
check_fails "sign: a key shorter than 16 bytes is refused" 1 "$CS" sign "$T/s.csm" --key-file "$T/mkshort"
check_fails "sign: a file that is not a model is not signed" 1 "$CS" sign "$T/keys" --key-file "$T/mk"
check_fails "sign without --key-file is a usage error" 2 "$CS" sign "$T/s.csm"
check "sign MODEL --key-file K" "$CS" sign "$T/s.csm" --key-file "$T/mk"
check_grep "the signature is 64 hex digits in MODEL.sig" '^[0-9a-f]{64}$' "$T/s.csm.sig"
sig_py=$(/usr/bin/python3 -c "import hmac,hashlib; print(hmac.new(b'model-signing-key-0123456789', open('$T/s.csm','rb').read(), hashlib.sha256).hexdigest())")
[ "$sig_py" = "$(cat "$T/s.csm.sig")" ] && ok "signature = HMAC-SHA256(key, file) as Python's hmac computes it" \
  || fail "signature matches Python's hmac" "$sig_py vs $(cat "$T/s.csm.sig")"
# serve --model-key: a signed model starts; unsigned, tampered or other-key models are refused
serve_signed() {   # serve_signed NAME MODEL KEY: 0 when it started (then stopped)
  "$CS" serve --model "$2" --model-key "$3" --port 0 --no-audit >"$T/$1.out" 2>"$T/$1.err" &
  local p=$!
  if wait_for "$T/$1.out" "listening on" $p; then kill -TERM $p; wait $p 2>/dev/null; return 0; fi
  wait $p 2>/dev/null; return 1
}
serve_signed ok "$T/s.csm" "$T/mk" && ok "serve --model-key starts with a signed model" || fail "signed model served" "$(tail -2 "$T/ok.err")"
if serve_signed unsigned "$T/m.csm" "$T/mk"; then fail "unsigned model refused"
else check_grep "unsigned model refused with a clear message" "unsigned model" "$T/unsigned.err"; fi
cp "$T/s.csm" "$T/t.csm"; cp "$T/s.csm.sig" "$T/t.csm.sig"
/usr/bin/python3 -c "
b = bytearray(open('$T/t.csm','rb').read()); i = b.find(b'\"threshold\":'); b[i+13] = ord('9') if b[i+13] != ord('9') else ord('8')
open('$T/t.csm','wb').write(bytes(b))"
if serve_signed tampered "$T/t.csm" "$T/mk"; then fail "tampered model refused"
else check_grep "tampered model refused: signature mismatch" "signature mismatch" "$T/tampered.err"; fi
if serve_signed otherkey "$T/s.csm" "$T/mk2"; then fail "model signed with another key refused"
else check_grep "model signed with another key refused" "signature mismatch" "$T/otherkey.err"; fi
# SIGHUP to an unsigned model: refused, the signed one keeps serving
cp "$T/s.csm" "$T/live.csm"; cp "$T/s.csm.sig" "$T/live.csm.sig"
"$CS" serve --model "$T/live.csm" --model-key "$T/mk" --port 0 --no-audit >"$T/live.out" 2>"$T/live.err" &
LIVE=$!
if wait_for "$T/live.out" "listening on" $LIVE; then
  cp "$T/t.csm" "$T/live.csm"   # changed bytes, old signature
  kill -HUP $LIVE
  wait_for "$T/live.err" "reload failed" $LIVE || wait_for "$T/live.out" "reload failed" $LIVE
  LURL=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$T/live.out")
  c=$(code -X POST -H 'Content-Type: application/json' --data-binary "$BODY" "$LURL/v1/predict")
  if [ "$c" = 200 ] && cat "$T/live.out" "$T/live.err" | grep -q "reload failed.*signature mismatch"; then
    ok "SIGHUP with a changed, unsigned model file: refused, the signed model keeps serving"
  else fail "SIGHUP refuses an unsigned model" "HTTP $c; $(tail -2 "$T/live.err")"; fi
  kill -TERM $LIVE; wait $LIVE 2>/dev/null
else fail "serve signed live model" "$(tail -2 "$T/live.err")"; fi
