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
