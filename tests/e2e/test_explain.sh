#!/usr/bin/env bash
# test_explain.sh: `creditscore explain` end to end on a small generated feature file, for a
# GBDT (leaf-wise trees), an XGBoost model (converted trees) and a logistic regression: one
# row per client; expected_value + contributions == raw_score on every row; probabilities and
# decisions equal `predict`'s (the values themselves are checked against XGBoost and a double
# reference in tests/oracle/test_treeshap_exact.sh); columns matched by name (reordered file:
# same numbers); --top K keeps the K largest |contributions|; reason codes in English and
# French; the explainer's memory printed; bad input (missing file, missing feature, a CSV for
# a model, bad --top / --reasons / --lang) fails with a clear message and exit code, and
# nothing is left behind.
source "$(dirname "$0")/lib.sh"
export CREDITSCORE_STORE="$T/runs.db"
PY=/usr/bin/python3

ar rcs "$T/lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/lib.a" \
     -lm -fopenmp 2>"$T/cc.err"; then
  fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1
fi
"$T/gen" "$T/f.csf" 900 6 100 3
"$T/gen" "$T/f_rev.csf" 900 6 100 3 1     # same data, columns in reverse order
"$T/gen" "$T/g.csf" 200 3 0 4             # other feature names

declare -A PARAMS=([gbdt]='{"num_iterations": 40, "num_leaves": 15}' [xgboost]='{"num_boost_round": 30, "max_depth": 5}' [logreg]='')
for k in gbdt xgboost logreg; do
  args=(train --features "$T/f.csf" --model "$k" --cv 2 --out "$T/$k.csm")
  [ -n "${PARAMS[$k]}" ] && args+=(--params "${PARAMS[$k]}")
  "$CS" "${args[@]}" >"$T/$k.train" 2>&1 || { fail "train $k" "$(tail -2 "$T/$k.train")"; continue; }
  check "explain with $k" "$CS" explain --model "$T/$k.csm" --features "$T/f.csf" --out "$T/$k.csv"
  "$CS" explain --model "$T/$k.csm" --features "$T/f.csf" --out "$T/$k.csv" >"$T/$k.out" 2>&1
  check_grep "$k: the summary names rows and refusals" "explained 900 clients with .*: [0-9]+ refused" "$T/$k.out"
  check_grep "$k: the explainer's memory is printed" "explainer: .*tables [0-9.]+ MB, precomputed [0-9.]+ MB" "$T/$k.out"
  "$CS" predict --model "$T/$k.csm" --features "$T/f.csf" --out "$T/$k.pred" >/dev/null 2>&1
  if $PY - "$T/$k.csv" "$T/$k.pred" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pred = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 900 == len(pred), (len(rows), len(pred))
feats = [c for c in rows[0] if c not in ("SK_ID_CURR", "probability", "decision", "raw_score", "expected_value")
         and not c.startswith("reason_")]
assert len(feats) == 6, feats
worst = 0
for r, p in zip(rows, pred):
    assert r["SK_ID_CURR"] == p["SK_ID_CURR"] and r["decision"] == p["decision"], (r["SK_ID_CURR"], p)
    assert abs(float(r["probability"]) - float(p["probability"])) < 1e-12, (r["probability"], p["probability"])
    s = float(r["expected_value"]) + sum(float(r[f]) for f in feats)
    worst = max(worst, abs(s - float(r["raw_score"])))
assert worst < 1e-9, worst
assert any(r["reason_1_code"] for r in rows), "no reason codes at all"
for r in rows:
    if r["reason_1_code"]:
        assert r["reason_1_code"].startswith("RC") and "raises the estimated risk" in r["reason_1_text"], r
PY
  then ok "$k: one row per client, additive, same probabilities and decisions as predict, reason codes"
  else fail "$k: one row per client, additive, same probabilities and decisions as predict, reason codes"; fi
done

# columns matched by name
"$CS" explain --model "$T/gbdt.csm" --features "$T/f_rev.csf" --out "$T/gbdt_rev.csv" >/dev/null 2>&1
if cmp -s "$T/gbdt.csv" "$T/gbdt_rev.csv"; then ok "reordered columns give the same explanations"
else fail "reordered columns give the same explanations"; fi

# --top K: the K largest |contributions|, in order, matching the full output
"$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/top.csv" --top 2 --reasons 2 --lang fr >/dev/null 2>&1
if $PY - "$T/top.csv" "$T/gbdt.csv" <<'PY'
import csv, sys
top = list(csv.DictReader(open(sys.argv[1])))
full = list(csv.DictReader(open(sys.argv[2])))
assert list(top[0].keys()) == ["SK_ID_CURR", "probability", "decision", "raw_score", "expected_value",
    "feature_1", "contribution_1", "feature_2", "contribution_2",
    "reason_1_code", "reason_1_text", "reason_2_code", "reason_2_text"], list(top[0].keys())
fixed = ("SK_ID_CURR", "probability", "decision", "raw_score", "expected_value")
feats = [c for c in full[0] if c not in fixed and not c.startswith("reason_")]
assert len(feats) == 6, feats
for t, f in zip(top, full):
    ranked = sorted(feats, key=lambda c: (-abs(float(f[c])), feats.index(c)))
    assert [t["feature_1"], t["feature_2"]] == ranked[:2], (t, ranked[:2])
    assert float(t["contribution_1"]) == float(f[ranked[0]])
    if t["reason_1_code"]:
        assert "augmente le risque de défaut estimé" in t["reason_1_text"], t["reason_1_text"]
PY
then ok "--top 2 --reasons 2 --lang fr: the two largest contributions and French reasons"
else fail "--top 2 --reasons 2 --lang fr: the two largest contributions and French reasons"; fi

# standard output
"$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out - --top 1 --reasons 0 >"$T/so.csv" 2>"$T/so.err"
if [ "$(wc -l <"$T/so.csv")" = 901 ] && head -1 "$T/so.csv" | grep -q '^SK_ID_CURR,probability,decision,raw_score,expected_value,feature_1,contribution_1$'; then
  ok "--out - writes the CSV to standard output, the summary to standard error"
else fail "--out - writes the CSV to standard output, the summary to standard error" "$(head -1 "$T/so.csv")"; fi

# bad input
check_fails "missing model -> exit 1" 1 "$CS" explain --model "$T/nope.csm" --features "$T/f.csf" --out "$T/x.csv"
check_fails "missing feature file -> exit 1" 1 "$CS" explain --model "$T/gbdt.csm" --features "$T/nope.csf" --out "$T/x.csv"
"$CS" explain --model "$T/gbdt.csm" --features "$T/g.csf" --out "$T/x.csv" 2>"$T/err"; rc=$?
if [ $rc = 1 ] && grep -q "lacks [0-9]* of the model's 6 features (first: 'F_" "$T/err"; then ok "a feature file without the model's features: exit 1, the feature named"
else fail "a feature file without the model's features: exit 1, the feature named" "rc $rc: $(cat "$T/err")"; fi
[ -e "$T/x.csv" ] && fail "nothing written on failure" || ok "nothing written on failure"
printf 'a,b\n1,2\n' >"$T/not.csm"
check_fails "a CSV as the model -> exit 1" 1 "$CS" explain --model "$T/not.csm" --features "$T/f.csf" --out "$T/x.csv"
check_fails "--top 0 -> exit 2" 2 "$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/x.csv" --top 0
check_fails "--top many -> exit 2" 2 "$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/x.csv" --top many
check_fails "--reasons 99 -> exit 2" 2 "$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/x.csv" --reasons 99
"$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/x.csv" --lang de 2>"$T/err"; rc=$?
if [ $rc = 2 ] && grep -q "de" "$T/err"; then ok "--lang de -> exit 2, named"; else fail "--lang de -> exit 2, named" "rc $rc"; fi
check_fails "no --out -> exit 2" 2 "$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf"
check_fails "unknown option -> exit 2" 2 "$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/x.csv" --fast
check_fails "unwritable output -> exit 1" 1 "$CS" explain --model "$T/gbdt.csm" --features "$T/f.csf" --out "$T/no/such/dir/x.csv"
ls "$T" | grep -q '\.tmp\.' && fail "no temporary file left behind" || ok "no temporary file left behind"
