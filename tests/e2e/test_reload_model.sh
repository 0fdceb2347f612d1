#!/usr/bin/env bash
# test_reload_model.sh: hot reload of a NEW model under load (issue 9). Two models with
# different data, learners, names and versions (A: GBDT, B: logistic regression). The server
# starts on A; 4 client threads (keep-alive) send /v1/predict without pause, each with its own
# X-Request-Id, recording every answer; meanwhile the model is swapped back and forth and the
# server gets SIGHUP, each reload waited for in the server's log ("reloaded ...: model N V").
# Passes when:
#   - no request fails (every answer 200, no connection error);
#   - every answer names A's or B's version, and its probability is the one that model gives
#     for that input (each input's probability under A and under B differ);
#   - answers received before the first SIGHUP are all A, answers to requests sent after a
#     reload is logged and received before the next SIGHUP are all the new model, after the
#     last one all B (also what GET /v1/model says);
#   - the audit log holds every answered request id once, with the answer's model version and
#     probability.
# Twice: the model file replaced (rename) + SIGHUP, RELOAD_ROUNDS reloads (default 7); then
# `serve --registry` with `models promote` + SIGHUP (api_server_reload_from), 3 reloads; with
# CS_TEST_BACKEND=postgresql the registry is in pg.sh's throwaway server (each reload reads
# the promoted version's bytes from it).
. "$(dirname "$0")/lib.sh"
backend_init
PY=/usr/bin/python3
ROUNDS=${RELOAD_ROUNDS:-7}
[ -x "$PY" ] || { fail "reload under load" "no /usr/bin/python3"; exit 0; }
[ $((ROUNDS % 2)) = 1 ] || { fail "RELOAD_ROUNDS must be odd (A -> B ... -> B)"; exit 1; }
export OMP_NUM_THREADS=1

# ---- fixture: two models with different data, learners, names and versions ------------------------
ar rcs "$T/lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/lib.a" -lm -fopenmp \
  2>"$T/cc.err" || { fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1; }
VA=2026.1-a VB=2026.2-b
{ "$T/gen" "$T/a.csf" 300 5 0 7 && "$T/gen" "$T/b.csf" 300 5 0 8 \
  && "$CS" train --features "$T/a.csf" --out "$T/a.csm" --params '{"num_iterations": 10, "num_leaves": 7}' --cv 2 \
       --name reload-a --model-version "$VA" --no-track \
  && "$CS" train --features "$T/b.csf" --out "$T/b.csm" --model logreg --cv 2 \
       --name reload-b --model-version "$VB" --no-track; } >"$T/log" 2>&1 \
  || { fail "fixture: two models"; tail -5 "$T/log"; exit 1; }

# ---- the load and the reloads (one Python process: one clock for answers and signals) -----------------
cat >"$T/driver.py" <<'PY'
import http.client, json, os, re, signal, subprocess, sys, threading, time
port, pid, errlog, rounds, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
(name_a, ver_a), (name_b, ver_b) = sys.argv[6].split(":"), sys.argv[7].split(":")
swap = {"A": sys.argv[8], "B": sys.argv[9]}      # shell commands that make A / B the model to load
THREADS, K = 4, 40                               # K distinct inputs
SETTLE, MIN_PHASE = 100, 0.3                     # each phase: at least SETTLE answers and MIN_PHASE s
bodies = [json.dumps({"features": {"EXT_SOURCE_1": (k + 0.5) / K, "EXT_SOURCE_2": ((k * 17) % K + 0.5) / K,
                                   "F_2": ((k * 7) % K) / K}}) for k in range(K)]
lock, stop, answers = threading.Lock(), threading.Event(), []
fails = []
def load(t):
    i, c = 0, None
    while not stop.is_set():
        rid, k = "rl-%d-%d" % (t, i), (t * 11 + i) % K
        i += 1
        t0 = time.monotonic()
        try:
            if c is None: c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            c.request("POST", "/v1/predict", bodies[k], {"Content-Type": "application/json", "X-Request-Id": rid})
            r = c.getresponse(); raw = r.read(); t1 = time.monotonic()
            if r.status != 200:
                with lock: fails.append("%s: HTTP %d %s" % (rid, r.status, raw[:200]))
                continue
            d = json.loads(raw)
            with lock: answers.append((t0, t1, rid, k, d["model"]["name"], d["model"]["version"], d["probability"]))
        except Exception as e:
            with lock: fails.append("%s: %r" % (rid, e))
            c = None
def n_sent_after(t):
    with lock: return sum(1 for a in answers if a[0] > t)
class Stuck(Exception): pass
def settle(t, what):       # wait for SETTLE answers to requests sent after t
    end = time.monotonic() + 60
    t_min = time.monotonic() + MIN_PHASE
    while n_sent_after(t) < SETTLE or time.monotonic() < t_min:
        if time.monotonic() > end or (fails and not answers): raise Stuck("no answers " + what)
        time.sleep(0.01)
def reloads_logged():
    return re.findall(r"reloaded .*: model (\S+) (\S+)", open(errlog, errors="replace").read())
threads = [threading.Thread(target=load, args=(t,)) for t in range(THREADS)]
for th in threads: th.start()
problems, hup, ack, want = [], [], [], []
try:
    settle(0, "before the first reload")
    for r in range(1, rounds + 1):
        m = "B" if r % 2 else "A"
        subprocess.run(swap[m], shell=True, check=True, stdout=subprocess.DEVNULL)
        hup.append(time.monotonic()); os.kill(pid, signal.SIGHUP)
        end = time.monotonic() + 30
        while len(reloads_logged()) < r:
            if time.monotonic() > end: raise Stuck("reload %d not logged" % r)
            time.sleep(0.005)
        ack.append(time.monotonic()); want.append(m)
        got = reloads_logged()[r - 1]
        if got != ((name_a, ver_a) if m == "A" else (name_b, ver_b)):
            problems.append("reload %d logged %s, expected model %s" % (r, got, m))
        settle(ack[-1], "after reload %d" % r)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20); c.request("GET", "/v1/model")
    d = json.loads(c.getresponse().read())
    if (d["name"], d["version"]) != (name_b, ver_b): problems.append("GET /v1/model after the last reload: %s %s" % (d["name"], d["version"]))
except Stuck as e:
    problems.append(str(e))
finally:
    stop.set()
    for th in threads: th.join()
if len(ack) == rounds:       # all reloads done: check every answer
    ver = {ver_a: "A", ver_b: "B"}
    names = {"A": name_a, "B": name_b}
    prob = {"A": {}, "B": {}}
    for t0, t1, rid, k, n, v, p in answers:
        if v not in ver or n != names[ver[v]]: problems.append("%s names model %s %s" % (rid, n, v)); continue
        if t1 < hup[0] and ver[v] != "A": problems.append("%s answered by %s before the first reload" % (rid, v))
        for r in range(rounds):      # sent after reload r+1 was logged, received before the next SIGHUP
            if t0 > ack[r] and (r + 1 == rounds or t1 < hup[r + 1]) and ver[v] != want[r]:
                problems.append("%s answered by %s after reload %d to %s" % (rid, v, r + 1, want[r]))
        prob[ver[v]].setdefault(k, set()).add(p)
    for m in "AB":   # each input has one probability per model, and the two models disagree on it
        for k, ps in prob[m].items():
            if len(ps) != 1: problems.append("input %d under %s answered %d different probabilities" % (k, m, len(ps)))
    same = [k for k in range(K) if k in prob["A"] and k in prob["B"] and prob["A"][k] == prob["B"][k]]
    if len(prob["A"]) < K or len(prob["B"]) < K or len(same) > K // 4:
        problems.append("inputs seen under A: %d, under B: %d, same probability: %d" % (len(prob["A"]), len(prob["B"]), len(same)))
json.dump({"answers": [a[2:] for a in answers]}, open(out, "w"))
na = sum(1 for a in answers if a[5] == ver_a)
print("requests=%d answered=%d failed=%d reloads=%d by_a=%d by_b=%d" % (len(answers) + len(fails), len(answers), len(fails), rounds, na, len(answers) - na))
for p in (fails + problems)[:10]: print("PROBLEM", p)
sys.exit(1 if fails or problems else 0)
PY

# audit_check NAME DB ANSWERS: every answered request id is in the audit log once, with the
# answer's model name, version and probability
audit_check() {
  "$CS" audit --db "$2" --csv --out "$T/audit.csv" >"$T/alog" 2>&1 || { fail "$1: creditscore audit" "$(tail -3 "$T/alog")"; return; }
  local res
  res=$("$PY" - "$T/audit.csv" "$3" <<'PY'
import csv, json, sys
rows = {}
for r in csv.DictReader(open(sys.argv[1])):
    rows.setdefault(r["request_id"], []).append(r)
bad, n = [], 0
for rid, k, name, ver, p in json.load(open(sys.argv[2]))["answers"]:
    n += 1
    rs = rows.get(rid, [])
    if len(rs) != 1: bad.append("%s: %d audit rows" % (rid, len(rs))); continue
    r = rs[0]
    if (r["model_name"], r["model_version"]) != (name, ver) or abs(float(r["probability"]) - p) > 1e-12 or r["endpoint"] != "predict":
        bad.append("%s: answered %s %s %r, audit says %s %s %s" % (rid, name, ver, p, r["model_name"], r["model_version"], r["probability"]))
print(n, len(bad), *bad[:3])
PY
)
  local n nbad
  read -r n nbad _ <<<"$res"
  if [ "${nbad:-1}" = 0 ] && [ "${n:-0}" -gt 0 ]; then ok "$1: the audit log has all $n answers, each with the answering model's version and probability"
  else fail "$1: audit rows agree with the answers" "$res"; fi
}

# run_reloads NAME SWAP_A SWAP_B ROUNDS SERVE_ARGS...: serve, load, reloads, checks, SIGTERM
run_reloads() {
  local name=$1 swap_a=$2 swap_b=$3 rounds=$4; shift 4
  "$CS" serve --port 0 --threads 2 --audit "$T/$name.db" "$@" >"$T/$name.out" 2>"$T/$name.err" &
  local pid=$! port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\)\/.*/\1/p' "$T/$name.out")
    [ -n "$port" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { fail "$name: server started" "$(tail -3 "$T/$name.err")"; kill $pid 2>/dev/null; return; }
  "$PY" "$T/driver.py" "$port" "$pid" "$T/$name.err" "$rounds" "$T/$name.answers" "reload-a:$VA" "reload-b:$VB" \
    "$swap_a" "$swap_b" >"$T/$name.res" 2>&1
  local rc=$? figs
  figs=$(grep '^requests=' "$T/$name.res")
  if [ $rc = 0 ]; then
    ok "$name: $figs; 0 failed, every answer names the model that computed it (A before the first reload, B after the last)"
  else
    fail "$name: reloads under load" "${figs:-no figures}"; grep -v '^requests=' "$T/$name.res" | head -10
  fi
  kill -TERM $pid; wait $pid; local src=$?
  [ $src = 0 ] && ok "$name: SIGTERM after the reloads: exit 0" || fail "$name: SIGTERM exit" "exit $src"
  [ $rc = 0 ] && audit_check "$name" "$T/$name.db" "$T/$name.answers"
}

# 1. the model file replaced by a rename, then SIGHUP
cp "$T/a.csm" "$T/model.csm"
run_reloads file "cp '$T/a.csm' '$T/model.tmp' && mv '$T/model.tmp' '$T/model.csm'" \
  "cp '$T/b.csm' '$T/model.tmp' && mv '$T/model.tmp' '$T/model.csm'" "$ROUNDS" --model "$T/model.csm"

# 2. serve --registry: promote the other version, then SIGHUP (reload from the new path)
CREDITSCORE_STORE=$(backend_store track) || fail "the tracking store" "cannot create it"
export CREDITSCORE_STORE TMPDIR=$T
if "$CS" models register "$T/a.csm" --name scoring >"$T/log" 2>&1 && "$CS" models register "$T/b.csm" --name scoring >>"$T/log" 2>&1 \
   && "$CS" models promote scoring 1 --stage production >>"$T/log" 2>&1; then
  run_reloads registry "'$CS' models promote scoring 1 --stage production" "'$CS' models promote scoring 2 --stage production" 3 \
    --registry scoring
else
  fail "registry fixture" "$(tail -3 "$T/log")"
fi
