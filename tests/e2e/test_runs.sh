# test_runs.sh: run tracking and the model registry, end to end: train and a random search
# record runs and trials; runs list/show/compare/best answer from them; the MLflow export
# is read back by an independent reader and every value checked; an interrupted run ends
# KILLED, a killed process's run FAILED; models register/list/promote/path, promotions raced
# by concurrent commands (one version ends in the stage), a registered copy that changed
# refused. The store is a SQLite file, or with CS_TEST_BACKEND=postgresql a database of
# pg.sh's throwaway server (lib.sh's backend_store).
. "$(dirname "$0")/lib.sh"
backend_init
PY=/usr/bin/python3
CREDITSCORE_STORE=$(backend_store cs) || { fail "the tracking store" "cannot create it"; exit 1; }
# TMPDIR: where a PostgreSQL registry's copies are written (removed with the test's folder)
export CREDITSCORE_STORE TMPDIR=$T
P='{"num_iterations": 8, "num_leaves": 7, "learning_rate": 0.2}'

"$CS" synth --out "$T/data" --clients 800 --test-clients 100 --seed 5 >/dev/null 2>&1
"$CS" features --data "$T/data" --out "$T/f.csf" >/dev/null 2>&1
check "train records a run" "$CS" train --features "$T/f.csf" --out "$T/m.csm" --cv 2 --params "$P"
cat > "$T/space.json" <<'J'
{"num_leaves": [3, 7], "learning_rate": {"type": "loguniform", "low": 0.05, "high": 0.3}}
J
check "a random search records its trials" "$CS" train --features "$T/f.csf" --out "$T/s.csm" --cv 2 \
  --params '{"num_iterations": 6}' --search random --space "$T/space.json" --trials 3 --experiment search

"$CS" runs list >"$T/list.txt"
check_grep "runs list shows the training run" 'train gbdt +FINISHED' "$T/list.txt"
check_grep "runs list shows the search run" 'search +train gbdt random search +FINISHED' "$T/list.txt"
[ "$(grep -c FINISHED "$T/list.txt")" -eq 2 ] && ok "runs list hides the trials by default" || fail "runs list hides the trials by default"
"$CS" runs list --all --json >"$T/all.json"
$PY - "$T/all.json" <<'PYEOF' && ok "runs list --json: 2 runs + 3 trials, trials point to the search, experiments 0 and 1" || fail "runs list --json"
import json, sys
runs = json.load(open(sys.argv[1]))
assert len(runs) == 5, len(runs)
search = [r for r in runs if r["name"].endswith("random search")][0]
trials = [r for r in runs if r["parent_run_id"] == search["run_id"]]
assert len(trials) == 3 and all(t["experiment"] == "search" for t in trials)
assert all(t["status"] == "FINISHED" and "cv_auc_mean" in t["metrics"] for t in trials)
assert all("num_leaves" in t["params"] and "learning_rate" in t["params"] for t in trials)
train = [r for r in runs if r["name"] == "train gbdt"][0]
# experiments numbered as MLflow's: Default 0, the next one 1, on either backend
assert train["experiment_id"] == 0 and all(t["experiment_id"] == 1 for t in trials), \
    (train["experiment_id"], [t["experiment_id"] for t in trials])
assert train["params"]["num_leaves"] == "7" and train["params"]["cv_folds"] == "2"
assert 0.0 <= train["metrics"]["cv_auc_mean"] <= 1.0
assert any(a["kind"] == "model" and a["path"].endswith("/m.csm") for a in train["artifacts"])
PYEOF

TRAIN_ID=$("$CS" runs list --json | $PY -c 'import json,sys; print([r["run_id"] for r in json.load(sys.stdin) if r["name"]=="train gbdt"][0])')
check "runs show by prefix" "$CS" runs show "${TRAIN_ID:0:8}"
"$CS" runs show "${TRAIN_ID:0:8}" >"$T/show.txt"
check_grep "runs show lists the parameters" 'num_leaves +7' "$T/show.txt"
check_grep "runs show lists the fold AUCs" 'fold_auc +[0-9.]+ +2' "$T/show.txt"
SEARCH_ID=$("$CS" runs list --json --experiment search | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["run_id"])')
"$CS" runs compare "$TRAIN_ID" "$SEARCH_ID" >"$T/cmp.txt"
check_grep "runs compare puts parameters side by side" '^param  num_leaves +7 ' "$T/cmp.txt"
check_grep "runs compare puts metrics side by side" '^metric cv_auc_mean +0\.[0-9]+ +0\.[0-9]+' "$T/cmp.txt"
"$CS" runs best --metric cv_auc_mean --json >"$T/best.json"
$PY - "$T/all.json" "$T/best.json" <<'PYEOF' && ok "runs best picks the highest cv_auc_mean" || fail "runs best"
import json, sys
runs = json.load(open(sys.argv[1])); best = json.load(open(sys.argv[2]))
top = max(r["metrics"]["cv_auc_mean"] for r in runs if "cv_auc_mean" in r["metrics"])
assert best["metrics"]["cv_auc_mean"] == top
PYEOF
check_fails "runs show of an unknown id" 1 "$CS" runs show ffffffff
check_fails "runs with a bad subcommand" 2 "$CS" runs frobnicate

# the MLflow export, read back from the layout alone
check "runs export-mlflow" "$CS" runs export-mlflow "$T/mlruns"
$PY "$ROOT/tests/e2e/mlflow_reader.py" "$T/mlruns" >"$T/mlflow.json"
# every metric point, read from the store itself (its own client: python's sqlite3, psql)
Q="SELECT run_id, key, timestamp, value, step FROM metrics ORDER BY step, timestamp, rowid"
if [ "$BACKEND" = postgresql ]; then
  psql -X -q -A -t -F "$(printf '\t')" -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d cs -c "$Q" >"$T/points.tsv"
else
  $PY -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("\t".join(str(x) for x in r))' \
    "$CREDITSCORE_STORE" "$Q" >"$T/points.tsv"
fi
$PY - "$T/all.json" "$T/mlflow.json" "$T/points.tsv" <<'PYEOF' && ok "the MLflow export holds every run, param, metric point and tag" || fail "MLflow export"
import json, sys
runs = json.load(open(sys.argv[1])); ml = json.load(open(sys.argv[2]))
points_of = {}
for line in open(sys.argv[3]):
    run_id, key, t, v, s = line.rstrip("\n").split("\t")
    points_of.setdefault((run_id, key), []).append([int(t), float(v), int(s)])
assert points_of, "no metric points in the store"
by_id = {}
for exp_id, exp in ml.items():
    assert exp["meta"]["experiment_id"] == exp_id and exp["meta"]["lifecycle_stage"] == "active"
    for rid, r in exp["runs"].items():
        by_id[rid] = (exp_id, exp["meta"]["name"], r)
assert set(by_id) == {r["run_id"] for r in runs}, "every run exported"
status = {"RUNNING": 1, "FINISHED": 3, "FAILED": 4, "KILLED": 5}
for r in runs:
    exp_id, exp_name, m = by_id[r["run_id"]]
    meta = m["meta"]
    assert exp_name == r["experiment"] and meta["experiment_id"] == exp_id
    assert meta["run_id"] == meta["run_uuid"] == r["run_id"] and meta["status"] == status[r["status"]]
    assert meta["start_time"] == r["start_time"] and meta["end_time"] == r["end_time"]
    assert meta["run_name"] == r["name"] and meta["source_type"] == 4
    assert m["params"] == r["params"], (m["params"], r["params"])
    assert m["tags"]["mlflow.runName"] == r["name"]
    if r["parent_run_id"]:
        assert m["tags"]["mlflow.parentRunId"] == r["parent_run_id"]
    else:
        assert "mlflow.parentRunId" not in m["tags"]
    for k, v in r["tags"].items():
        assert m["tags"][k] == v
    # every metric point, against the store itself
    for key, points in m["metrics"].items():
        assert points_of[(r["run_id"], key)] == points, key
        latest = max(points, key=lambda p: (p[2], p[0]))[1]
        assert latest == r["metrics"][key], (key, latest, r["metrics"][key])
    assert set(m["metrics"]) == set(r["metrics"])
    if any(a["kind"] == "model" for a in r["artifacts"]):
        assert any(a.endswith(".csm") for a in m["artifacts"])
PYEOF

# an interrupted run ends KILLED; a killed process's run FAILED
"$CS" train --features "$T/f.csf" --out "$T/k.csm" --cv 5 --run-name interrupted \
  --params '{"num_iterations": 100000, "num_leaves": 7, "learning_rate": 0.01}' >/dev/null 2>&1 &
pid=$!
sleep 2
kill -TERM "$pid"; wait "$pid"; rc=$?
[ "$rc" -eq 143 ] && ok "SIGTERM stops train with 128+15" || fail "SIGTERM stops train" "exit $rc"
"$CS" runs list --json | $PY -c 'import json,sys; r=[x for x in json.load(sys.stdin) if x["name"]=="interrupted"][0]; assert r["status"]=="KILLED", r["status"]' \
  && ok "a run interrupted by SIGTERM is KILLED" || fail "a run interrupted by SIGTERM is KILLED"
"$CS" train --features "$T/f.csf" --out "$T/k.csm" --cv 5 --run-name crashed \
  --params '{"num_iterations": 100000, "num_leaves": 7, "learning_rate": 0.01}' >/dev/null 2>&1 &
pid=$!
sleep 2
kill -KILL "$pid"; wait "$pid" 2>/dev/null
"$CS" runs list --json | $PY -c 'import json,sys; r=[x for x in json.load(sys.stdin) if x["name"]=="crashed"][0]; assert r["status"]=="FAILED", r["status"]; assert r["end_time"]' \
  && ok "a run whose process was SIGKILLed ends FAILED at the next open" || fail "a SIGKILLed run ends FAILED"

# the registry
"$CS" models register "$T/m.csm" --name credit >"$T/reg1.txt"
check_grep "models register gives version 1" 'as credit version 1' "$T/reg1.txt"
"$CS" models register "$T/m.csm" --name credit >"$T/reg2.txt"
check_grep "registering the same file again gives the same version" 'already registered as credit version 1' "$T/reg2.txt"
"$CS" models register "$T/s.csm" --name credit >"$T/reg3.txt"
check_grep "another file gives version 2" 'as credit version 2' "$T/reg3.txt"
cp "$T/m.csm" "$T/bad.csm"
printf 'X' | dd of="$T/bad.csm" bs=1 seek=5000 conv=notrunc 2>/dev/null
check_fails "a model file whose checksum fails is refused" 1 "$CS" models register "$T/bad.csm" --name credit
check_fails "path before any promotion: no production version" 1 "$CS" models path credit
check "models promote 1 to production" "$CS" models promote credit 1 --stage production
P1=$("$CS" models path credit)
cmp -s "$P1" "$T/m.csm" && ok "models path returns the registered copy of version 1" || fail "models path"
check "models promote 2 to production" "$CS" models promote credit 2 --stage Production
"$CS" models list credit --json | $PY -c '
import json,sys
v = {x["version"]: x for x in json.load(sys.stdin)}
assert v[1]["stage"] == "Archived" and v[2]["stage"] == "Production", v
assert v[1]["source_run_id"] and len(v[1]["sha256"]) == 64 and 0 < v[1]["threshold"] < 1
' && ok "promoting version 2 archives version 1; versions carry run, hash, threshold" || fail "models list after promote"
check_fails "promote to an unknown stage" 1 "$CS" models promote credit 2 --stage prod
check_fails "promote an unknown version" 1 "$CS" models promote credit 9 --stage staging
check_fails "register without --name" 2 "$CS" models register "$T/m.csm"

# promotions are transactional: two commands promoting two versions to production at once, 10
# times; each time one version ends in production, the other archived
bad=0
for i in $(seq 1 10); do
  "$CS" models promote credit 1 --stage production >"$T/p1.out" 2>&1 & a=$!
  "$CS" models promote credit 2 --stage production >"$T/p2.out" 2>&1 & b=$!
  wait $a || { bad=$((bad + 1)); echo "# $(cat "$T/p1.out")"; }
  wait $b || { bad=$((bad + 1)); echo "# $(cat "$T/p2.out")"; }
  n=$("$CS" models list credit --json | $PY -c 'import json,sys; print(sum(v["stage"] == "Production" for v in json.load(sys.stdin)))')
  [ "$n" = 1 ] || { bad=$((bad + 1)); echo "# round $i: $n versions in production"; }
done
[ $bad = 0 ] && ok "concurrent promotions, 10 rounds: both succeed, one version in production each time" ||
  fail "concurrent promotions" "$bad failures"

# a registered copy that changed is refused, naming the version
if [ "$BACKEND" = postgresql ]; then
  psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d cs \
    -c "UPDATE model_files SET content = content || '\\x00'::bytea" >/dev/null
else
  P2=$("$CS" models path credit --version 2) && printf 'X' >>"$P2"
fi
"$CS" models path credit --version 2 >"$T/e.out" 2>"$T/e.err"
rc=$?
[ $rc = 1 ] && grep -q "version 2: .* no longer has its registered SHA-256" "$T/e.err" &&
  ok "a registered copy that changed is refused (exit 1, names the version)" ||
  fail "a changed registered copy" "exit $rc: $(cat "$T/e.err")"
