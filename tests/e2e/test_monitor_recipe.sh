#!/usr/bin/env bash
# test_monitor_recipe.sh: `creditscore monitor` on a lender that is not Home Credit: the public
# credit-risk file through its recipe (recipes/credit-risk.json: no id column, rows numbered,
# 18 features with the recipe's names), a model trained on it, the clients store of the
# recipe's profile fields, 12 months of decisions replayed through the API in which the
# applicants of the last six months are drawn from the clients with the highest interest
# rates, and their outcomes (the file's loan_status) imported. The monitor must name the
# recipe's features, find the drift in loan_int_rate from month 7 on and not before, give the
# same report from the feature file (--features) as from the store (--clients), and measure
# AUC on the known outcomes.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
R=$ROOT/recipes/credit-risk.json
DATA=$ROOT/data/credit-risk
if [ ! -x "$PY" ]; then fail "monitor on a recipe: /usr/bin/python3 is needed to replay the decisions"; exit 0; fi
if [ ! -f "$R" ] || [ ! -f "$DATA/credit_risk_dataset.csv" ]; then fail "monitor on a recipe: no $R or $DATA"; exit 0; fi

"$CS" features --recipe "$R" --data "$DATA" --out "$T/cr.csf" --spec-out "$T/cr.spec" >"$T/feat.log" 2>&1 &&
  "$CS" train --features "$T/cr.csf" --spec "$T/cr.spec" --model logreg --params '{"C": 0.05}' --cv 3 --name cr-mon \
    --out "$T/m.csm" --no-track >"$T/train.log" 2>&1 &&
  "$CS" clients import --features "$T/cr.csf" --data "$DATA" --recipe "$R" --out "$T/clients.db" >"$T/clients.log" 2>&1 ||
  { fail "features --recipe, train, clients import --recipe" "$(tail -n 3 "$T"/*.log)"; exit 0; }
ok "credit-risk: features by its recipe, a model and the clients store"

# 12 months of 250 decisions from 2025-01; from month 7 the applicants are drawn from the
# clients with the highest interest rates (the top third); outcomes observed 30 days later
"$PY" - "$DATA/credit_risk_dataset.csv" "$T/stream.csv" "$T/outcomes.csv" <<'PYEOF'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rate = [(float(r["loan_int_rate"]) if r["loan_int_rate"] else None) for r in rows]
known = sorted(i for i in range(len(rows)) if rate[i] is not None)
top = sorted(known, key=lambda i: rate[i])[-len(known) // 3:]
rnd = random.Random(5)
used = set()
with open(sys.argv[2], "w") as s, open(sys.argv[3], "w") as o:
    s.write("SK_ID_CURR,month,application_time\n")
    o.write("client_id,default,observed\n")
    for m in range(12):
        pool = known if m < 6 else top
        for k in range(250):
            i = rnd.choice(pool)
            while i in used:
                i = rnd.choice(pool)
            used.add(i)
            day = 1 + k * 27 // 250
            s.write(f"{i + 1},{m},2025-{m + 1:02d}-{day:02d}T12:00:00Z\n")   # ids are row numbers from 1
            obs_m = m + 2
            o.write(f"{i + 1},{rows[i]['loan_status']},{2025 + (obs_m - 1) // 12}-{(obs_m - 1) % 12 + 1:02d}-{day:02d}\n")
PYEOF
serve_bg api --model "$T/m.csm" --clients "$T/clients.db" --audit "$T/audit.db" --replay-time ||
  { fail "serve --replay-time on the recipe's store" "$(cat "$T/api.err")"; exit 0; }
if "$PY" "$ROOT/scripts/replay.py" "$URL" "$T/stream.csv" >"$T/replay.log" 2>&1; then ok "3000 decisions on credit-risk clients replay through the API"
else fail "3000 decisions on credit-risk clients replay through the API" "$(tail -3 "$T/replay.log")"; fi
kill -TERM $PID; wait $PID 2>/dev/null
"$CS" outcomes import --audit "$T/audit.db" --csv "$T/outcomes.csv" >"$T/o.out" 2>&1
check_grep "their outcomes are imported" "^3000 rows: 3000 recorded" "$T/o.out"

"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --features "$T/cr.csf" --json "$T/f.json" --html "$T/f.html" \
  --quiet >"$T/monf.out" 2>&1 || fail "monitor --features on the recipe's feature file" "$(tail -3 "$T/monf.out")"
"$CS" monitor --audit "$T/audit.db" --model "$T/m.csm" --clients "$T/clients.db" --json "$T/c.json" --quiet \
  >"$T/monc.out" 2>&1 || fail "monitor --clients on the recipe's store" "$(tail -3 "$T/monc.out")"
"$PY" - "$T/f.json" "$T/c.json" "$T/cr.csf" <<'PYEOF'
import json, statistics, struct, sys
f, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)))
h = open(sys.argv[3], "rb").read(128)
n_feats = struct.unpack_from("<Q", h, 24)[0]
names_off, names_len = struct.unpack_from("<2Q", h, 32)
with open(sys.argv[3], "rb") as fh:
    fh.seek(names_off)
    names = fh.read(names_len).decode().split("\0")[:n_feats]
ok("the report names the recipe's features, in the model's order", f["features"] == names and "loan_int_rate" in names, f["features"][:4])
P = f["periods"]
ok("12 monthly periods, every decision found its features",
   len(P) == 12 and f["decisions"] == 3000 and f["decisions_client_unknown"] == 0 and f["features_missing_from_clients"] == [],
   (len(P), f["decisions"], f["decisions_client_unknown"]))
j = f["features"].index("loan_int_rate")
csi = [p["csi"][j] for p in P]
ok("loan_int_rate drifts from month 7, where the replay put it (CSI > 0.25), not before (< 0.1)",
   min(csi[6:]) > 0.25 and max(csi[:6]) < 0.1, [round(x, 3) for x in csi])
ok("the score PSI follows (act from month 7, stable before)", min(p["psi"] for p in P[6:]) > 0.25 and max(p["psi"] for p in P[:6]) < 0.1,
   [round(p["psi"], 3) for p in P])
ok("AUC on the known outcomes of a model that ranks (0.7 .. 0.95)", all(p["mature"] and 0.7 < p["auc"] < 0.95 for p in P[:6]),
   [p["auc"] for p in P[:6]])
for k in ["seconds", "clients", "features_file"]:
    f.pop(k); c.pop(k)
ok("--features gives the report of --clients on the recipe's data", f == c, [k for k in f if f[k] != c[k]][:3])
PYEOF
check_grep "the HTML report shows the recipe's features" "loan_int_rate" "$T/f.html"
