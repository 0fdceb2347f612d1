# test_scorecard.sh: `creditscore scorecard`: binning tables of a feature file (CSV,
# Markdown, JSON: consistent with each other, constraints held), bad command lines (exit 2).
. "$(dirname "$0")/lib.sh"

ar rcs "$T/gen_lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/gen_lib.a" -lm \
  -fopenmp 2>"$T/cc.err" || { fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1; }
"$T/gen" "$T/f.csf" 3000 6 200 11 || { fail "generate features"; exit 1; }

check "scorecard bin (CSV)" "$CS" scorecard bin "$T/f.csf" --out "$T/bins.csv"
check "scorecard bin (Markdown)" "$CS" scorecard bin "$T/f.csf" --format md --out "$T/bins.md"
check "scorecard bin (JSON, monotonic trends, 5 bins at most)" "$CS" scorecard bin "$T/f.csf" --format json \
  --params '{"monotonic_trend": "auto_monotonic", "max_n_bins": 5}' --out "$T/bins.json"
check_grep "CSV header" "^feature,bin,count,share,events,event_rate,woe,iv$" "$T/bins.csv"
check_grep "Markdown table of EXT_SOURCE_1" "^### EXT_SOURCE_1$" "$T/bins.md"
if /usr/bin/python3 - "$T/bins.csv" "$T/bins.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
tot = {r["feature"]: r for r in rows if r["bin"] == "Total"}
assert len(tot) == 6, tot.keys()
for name, t in tot.items():
    bins = [r for r in rows if r["feature"] == name and r["bin"] != "Total"]
    assert sum(int(b["count"]) for b in bins) == int(t["count"]) == 2800, (name, t)
    assert abs(sum(float(b["iv"]) for b in bins) - float(t["iv"])) < 1e-12
    for b in bins:
        if b["bin"] not in ("Missing",) and not b["bin"].startswith("Special"):
            assert float(b["share"]) >= 0.05 - 1e-9, b
d = json.load(open(sys.argv[2]))
assert len(d["features"]) == 6
for f in d["features"]:
    vals = [b for b in f["bins"] if b["kind"] == "range"]
    assert len(vals) <= 5, f
    rates = [b["event_rate"] for b in vals]
    assert f["trend"] in ("ascending", "descending"), f["trend"]
    up = f["trend"] == "ascending"
    assert all((b > a) if up else (b < a) for a, b in zip(rates, rates[1:])), (f["feature"], rates)
    assert vals[0]["lo"] is None and vals[-1]["hi"] is None
PY
then ok "tables add up, bins hold 5% of the rows, trends hold in the JSON"; else fail "tables add up, bins hold 5% of the rows, trends hold in the JSON"; fi
"$CS" scorecard bin "$T/f.csf" --features EXT_SOURCE_1,F_2 >"$T/two.csv" 2>"$T/two.err"
check_grep "--features keeps two" "^F_2,Total," "$T/two.csv"
if grep -q "^EXT_SOURCE_2," "$T/two.csv"; then fail "--features leaves the others out"; else ok "--features leaves the others out"; fi
check_grep "time on stderr" "scorecard bin: 6 features x 2800 labelled rows in" "$T/two.err"
check_fails "unknown binning option" 2 "$CS" scorecard bin "$T/f.csf" --params '{"pdo": 20}'
check_grep "it is named" "'pdo' is not a binning option" "$T/.out"
check_fails "option out of range" 2 "$CS" scorecard bin "$T/f.csf" --params '{"min_bin_size": 0.9}'
check_grep "with its range" "min_bin_size must be in \[0, 0.5\]" "$T/.out"
check_fails "unknown feature" 2 "$CS" scorecard bin "$T/f.csf" --features nope
check_fails "bad format" 2 "$CS" scorecard bin "$T/f.csf" --format xml
check_fails "missing file" 1 "$CS" scorecard bin "$T/none.csf"
check_fails "unknown subcommand" 2 "$CS" scorecard frobnicate

# ---- the scorecard model ----
cat >"$T/dump.c" <<'C'
#include "features/featfile.h"
#include <stdio.h>
int main(int argc, char **argv)
{
    cs_err err = {0};
    feat_matrix *m = argc == 3 ? feat_file_load(argv[1], &err) : NULL;
    if (!m || feat_file_write_csv(m, argv[2], &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    feat_matrix_free(m);
    return 0;
}
C
gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/dump" "$T/dump.c" "$T/gen_lib.a" -lm -fopenmp 2>"$T/cc.err" ||
  fail "build the feature dumper" "$(head -3 "$T/cc.err")"
"$CS" train --features "$T/f.csf" --model scorecard --out "$T/sc.csm" --no-track \
  --params '{"pdo": 20, "base_points": 600, "base_odds": 50, "special_codes": [-999]}' >"$T/train.out" 2>&1
check_grep "train --model scorecard" "^model +scorecard" "$T/train.out"
check_grep "train prints the scaling" "^points +600 at odds 50:1, 20 to double the odds; [0-9]+ characteristics" "$T/train.out"
check_grep "train prints the cut-off in points" "^cut-off +[0-9]+ points" "$T/train.out"
"$CS" scorecard show "$T/sc.csm" >"$T/show.txt" 2>&1
check_grep "scorecard show: scaling" "^scaling: 600 points at odds 50:1 \(good:bad\), pdo 20" "$T/show.txt"
check_grep "scorecard show: a characteristic with its bins and points" "^EXT_SOURCE_1  \(IV [0-9.]+, trend (ascending|descending), coefficient -[0-9.]+, points" "$T/show.txt"
check "scorecard show --format md" "$CS" scorecard show "$T/sc.csm" --format md
check "scorecard export --sql" "$CS" scorecard export "$T/sc.csm" --sql --table clients --out "$T/sc.sql"
check "scorecard export --json" "$CS" scorecard export "$T/sc.csm" --json --out "$T/sc.json"
check "scorecard points" "$CS" scorecard points "$T/sc.csm" "$T/f.csf" --out "$T/points.csv"
"$CS" predict --model "$T/sc.csm" --features "$T/f.csf" --out "$T/pred.csv" >/dev/null 2>&1
"$T/dump" "$T/f.csf" "$T/f.csv"
if /usr/bin/python3 - "$T/f.csv" "$T/sc.sql" "$T/points.csv" "$T/sc.json" "$T/pred.csv" >"$T/py.out" 2>&1 <<'PY'
import csv, json, math, sqlite3, sys
fcsv, sql, pts_csv, card_json, pred_csv = sys.argv[1:]
rows = list(csv.DictReader(open(fcsv)))
cols = [c for c in rows[0].keys() if c not in ("SK_ID_CURR", "TARGET")]
db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE clients (SK_ID_CURR INTEGER, " + ", ".join(f'"{c}" REAL' for c in cols) + ")")
def val(s):
    return None if s == "" else float(s)          # inf/-inf parse as floats, stored as REAL
db.executemany("INSERT INTO clients VALUES (" + ",".join("?" * (len(cols) + 1)) + ")",
               [[int(r["SK_ID_CURR"])] + [val(r[c]) for c in cols] for r in rows])
sql_points = dict(db.execute(open(sql).read().rstrip().rstrip(";")).fetchall())
ours = {int(r["SK_ID_CURR"]): int(r["points"]) for r in csv.DictReader(open(pts_csv))}
bad = [(k, sql_points[k], ours[k]) for k in ours if sql_points.get(k) != ours[k]]
assert len(ours) == len(rows) == 3000 and not bad, bad[:5]
print("sql: every total equal on", len(ours), "clients")
d = json.load(open(card_json))
card = d["card"]
factor = card["pdo"] / math.log(2)
offset = card["base_points"] - factor * math.log(card["base_odds"])
# every characteristic's points move the way its trend says (fewer points for more risk)
for ch in card["characteristics"]:
    b = ch["binning"]
    vals = [(x, p) for x, p in zip(b["bins"], ch["points"]) if x["kind"] in ("range", "categories")]
    rates = [x["events"] / x["count"] for x, _ in vals]
    pts = [p for _, p in vals]
    if b["trend"] == "ascending":
        assert all(r1 > r0 for r0, r1 in zip(rates, rates[1:])) and all(p1 <= p0 for p0, p1 in zip(pts, pts[1:])), ch
    elif b["trend"] == "descending":
        assert all(r1 < r0 for r0, r1 in zip(rates, rates[1:])) and all(p1 >= p0 for p0, p1 in zip(pts, pts[1:])), ch
    else:
        raise AssertionError("trend " + b["trend"])
    assert ch["coef"] < 0
print("monotone: points follow the trend in", len(card["characteristics"]), "characteristics")
# the decision in points: approve exactly at or above the cut-off
pred = {int(r["SK_ID_CURR"]): r["decision"] for r in csv.DictReader(open(pred_csv))}
cut = d["cutoff_points"]
wrong = [k for k in ours if (ours[k] >= cut) != (pred[k] == "approve")]
assert not wrong, (cut, wrong[:5], [ours[k] for k in wrong[:5]])
print("cut-off", cut, ": decisions equal points >= cut-off")
PY
then ok "SQL export in SQLite gives every client's total; points follow the trends; decisions are points >= cut-off"
else fail "SQL export in SQLite gives every client's total; points follow the trends; decisions are points >= cut-off" "$(tail -3 "$T/py.out")"; fi
"$CS" train --features "$T/f.csf" --model logreg --out "$T/lr.csm" --no-track --cv 2 >/dev/null 2>&1
check_fails "scorecard show of a logreg model" 1 "$CS" scorecard show "$T/lr.csm"
check_grep "says it is not a scorecard" "not a scorecard" "$T/.out"
check_fails "bad scorecard parameter" 2 "$CS" train --features "$T/f.csf" --model scorecard --out "$T/x.csm" --no-track --params '{"pdo": -1}'
check_grep "names it" "pdo" "$T/.out"
check_fails "export without --sql or --json" 2 "$CS" scorecard export "$T/sc.csm"
check_fails "points with a feature file lacking a characteristic" 1 "$CS" scorecard points "$T/sc.csm" "$T/none.csf"
"$CS" compare --features "$T/f.csf" --cv 3 --models logreg,gbdt,scorecard --csv "$T/cmp.csv" --no-track >"$T/cmp.out" 2>&1
check_grep "compare shows the scorecard beside the others" '^scorecard +0\.[0-9]{4}' "$T/cmp.out"
"$CS" compare --help >"$T/cmp.help" 2>&1
check_grep "compare's default is the six learners" "default dummy,logreg,forest,gbdt,xgboost,scorecard" "$T/cmp.help"

# ---- the API: total points, cut-off, characteristics, reason codes by shortfall ----
if serve_bg sc --model "$T/sc.csm"; then
  SRV=$PID
  if /usr/bin/python3 - "$URL" "$T/f.csv" "$T/points.csv" "$T/sc.json" >"$T/api.out" 2>&1 <<'PY'
import csv, json, math, sys, urllib.request
url, fcsv, pts_csv, card_json = sys.argv[1:]
card = json.load(open(card_json))
names = [card["card"]["characteristics"][j]["binning"]["feature"] for j in range(len(card["card"]["characteristics"]))]
ours = {r["SK_ID_CURR"]: r for r in csv.DictReader(open(pts_csv))}
def post(path, body):
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
n_ref = 0
for i, r in enumerate(csv.DictReader(open(fcsv))):
    if i >= 60: break
    feats = {k: (None if v == "" else float(v)) for k, v in r.items() if k not in ("SK_ID_CURR", "TARGET")}
    feats = {k: (v if v is None or math.isfinite(v) else None) for k, v in feats.items()}
    if any(v is None and r[k] != "" for k, v in feats.items()): continue      # infinities: not JSON
    ex = post("/v1/explain", {"features": feats, "lang": "fr" if i % 2 else "en"})
    sc = ex["scorecard"]
    want = ours[r["SK_ID_CURR"]]
    assert sc["points"] == int(want["points"]) == ex["score"], (sc["points"], want["points"], ex["score"])
    assert sc["cutoff"] == card["cutoff_points"]
    assert ex["decision"] == sc["decision"] == ("approve" if sc["points"] >= sc["cutoff"] else "refuse")
    chars = sc["characteristics"]
    assert [c["feature"] for c in chars] == names
    for c in chars:
        assert c["points"] == int(want[c["feature"]]) and c["shortfall"] == c["max_points"] - c["points"] >= 0
    assert sum(c["points"] for c in chars) == sc["points"]
    rc = sc["reason_codes"]
    sf = [x["shortfall"] for x in rc]
    assert sf == sorted(sf, reverse=True) and all(s > 0 for s in sf) and len(rc) <= 4
    top = sorted((c for c in chars if c["shortfall"] > 0), key=lambda c: -c["shortfall"])[:4]
    assert [x["shortfall"] for x in top] == sf
    if rc:
        assert ("points pour" in rc[0]["text"]) == bool(i % 2), rc[0]["text"]
        assert rc[0]["label"] and str(rc[0]["shortfall"]) in rc[0]["text"]
        n_ref += 1
    p = post("/v1/predict", {"features": feats})
    assert p["scorecard"]["points"] == sc["points"] and "characteristics" not in p["scorecard"]
print("ok", n_ref)
PY
  then ok "API: points and cut-off on predict, characteristics and reason codes by shortfall on explain (EN/FR)"
  else fail "API: points and cut-off on predict, characteristics and reason codes by shortfall on explain (EN/FR)" "$(tail -3 "$T/api.out")"; fi
  kill "$SRV"; wait "$SRV" 2>/dev/null
else
  fail "serve a scorecard model" "$(tail -3 "$T/sc.err")"
fi
