#!/usr/bin/env bash
# test_train.sh: train, predict and compare end to end on a small generated feature file:
# each learner trains and its model scores; columns are matched by name; search runs; the
# comparison table is written; bad input (missing file, corrupt or truncated model, bad
# --params, bad search space, missing feature) fails with a clear message and exit code.
source "$(dirname "$0")/lib.sh"
export CREDITSCORE_STORE="$T/runs.db"   # runs tracked by train/compare stay in the temporary folder

# a small feature file from a tiny generator linked against the build's objects
ar rcs "$T/lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/lib.a" \
     -lm -fopenmp 2>"$T/cc.err"; then
  fail "build the feature generator" "$(head -3 "$T/cc.err")"; exit 1
fi
"$T/gen" "$T/f.csf" 1200 6 150 1
"$T/gen" "$T/f_rev.csf" 1200 6 150 1 1     # same data, columns in reverse order
"$T/gen" "$T/g.csf" 300 3 0 2              # other feature names (F_2 only in common)

declare -A PARAMS=([dummy]='' [logreg]='' [forest]='{"n_estimators": 15}'
                   [gbdt]='{"num_iterations": 25}' [xgboost]='{"num_boost_round": 15}')
for k in dummy logreg forest gbdt xgboost; do
  args=(train --features "$T/f.csf" --model "$k" --cv 3 --out "$T/$k.csm")
  [ -n "${PARAMS[$k]}" ] && args+=(--params "${PARAMS[$k]}")
  if "$CS" "${args[@]}" >"$T/$k.out" 2>&1 && [ -s "$T/$k.csm" ]; then
    ok "train $k"
  else
    fail "train $k" "$(tail -3 "$T/$k.out")"; continue
  fi
  check_grep "train $k prints CV AUC, threshold and cost" 'CV AUC +0\.[0-9]{4} \+- 0\.[0-9]{4}' "$T/$k.out"
  check "predict with $k" "$CS" predict --model "$T/$k.csm" --features "$T/f.csf" --out "$T/$k.csv"
  lines=$(wc -l <"$T/$k.csv")
  if [ "$lines" -eq 1201 ] && head -1 "$T/$k.csv" | grep -qx 'SK_ID_CURR,probability,decision' &&
     awk -F, 'NR>1 && !($3=="approve"||$3=="refuse") {bad=1} NR>1 && ($2<0||$2>1) {bad=1} END {exit bad}' "$T/$k.csv"; then
    ok "predict $k writes one scored row per client"
  else
    fail "predict $k writes one scored row per client" "$lines lines"
  fi
done

# AUC ordering sanity: the informative learners beat the dummy (AUC 0.5 exactly)
check_grep "dummy has CV AUC 0.5" 'CV AUC +0\.5000 \+- 0\.0000' "$T/dummy.out"
if awk '/^CV AUC/ {exit !($3 > 0.7)}' "$T/gbdt.out"; then ok "gbdt learns (CV AUC > 0.7)"; else fail "gbdt learns (CV AUC > 0.7)" "$(grep 'CV AUC' "$T/gbdt.out")"; fi

# decisions follow the threshold: refused exactly when p >= threshold
thr=$(awk '/^threshold/ {print $2}' "$T/gbdt.out")
if awk -F, -v t="$thr" 'NR>1 { r = ($2 >= t - 5e-5) ; a = ($2 < t + 5e-5); if (($3=="refuse" && !r) || ($3=="approve" && !a)) bad=1 } END {exit bad}' "$T/gbdt.csv"; then
  ok "decision is refused at or above the threshold"
else
  fail "decision is refused at or above the threshold" "threshold $thr"
fi

# columns matched by name: reversed columns score identically
check "predict on a file with reordered columns" "$CS" predict --model "$T/gbdt.csm" --features "$T/f_rev.csf" --out "$T/gbdt_rev.csv"
if cmp -s "$T/gbdt.csv" "$T/gbdt_rev.csv"; then ok "reordered columns give the same scores"; else fail "reordered columns give the same scores"; fi

# same seed, same model
"$CS" train --features "$T/f.csf" --model gbdt --cv 3 --params '{"num_iterations": 25}' --out "$T/gbdt2.csm" >/dev/null 2>&1
"$CS" predict --model "$T/gbdt2.csm" --features "$T/f.csf" --out "$T/gbdt2.csv" >/dev/null 2>&1
if cmp -s "$T/gbdt.csv" "$T/gbdt2.csv"; then ok "training is deterministic for a seed"; else fail "training is deterministic for a seed"; fi

# calibration choices
for c in none platt; do
  check "train with --calibration $c" "$CS" train --features "$T/f.csf" --model logreg --cv 3 --calibration $c --out "$T/lr_$c.csm"
done
"$CS" train --features "$T/f.csf" --model logreg --cv 3 --calibration platt --cost-fn 5 --cost-fp 2 --out "$T/lr_w.csm" >"$T/w.out" 2>&1
check_grep "cost weights are used" 'cost = 5 x FN \+ 2 x FP' "$T/w.out"

# grid and random search
printf '{"num_leaves": [4, 8],\n "learning_rate": [0.1, 0.3]}\n' >"$T/grid.json"
check "grid search" "$CS" train --features "$T/f.csf" --model gbdt --cv 3 --params '{"num_iterations": 15}' \
  --search grid --space "$T/grid.json" --out "$T/grid.csm"
check_grep "grid search ran every point" '^search +4 trials, best #[1-4]: \{"num_leaves": [48], "learning_rate": 0\.[13]\}' "$T/.out"
printf '{"learning_rate": {"type": "loguniform", "low": 0.05, "high": 0.5}, "num_leaves": {"type": "int", "low": 3, "high": 9}}' >"$T/rand.json"
check "random search scored by cost" "$CS" train --features "$T/f.csf" --model gbdt --cv 3 --params '{"num_iterations": 15}' \
  --search random --space "$T/rand.json" --trials 3 --scoring cost --out "$T/rand.csm"
check_grep "random search ran 3 trials" '^search +3 trials' "$T/.out"

# compare: the table, CSV and Markdown
check "compare" "$CS" compare --features "$T/f.csf" --models dummy,logreg,gbdt --cv 3 --csv "$T/cmp.csv" --md "$T/cmp.md"
check_grep "compare prints the table" '^gbdt +0\.[0-9]{4}' "$T/.out"
if [ "$(wc -l <"$T/cmp.csv")" -eq 4 ] && grep -q '^dummy,0.5,0,' "$T/cmp.csv"; then ok "compare CSV has one row per learner"; else fail "compare CSV has one row per learner" "$(cat "$T/cmp.csv")"; fi
check_grep "compare Markdown table" '^\| logreg \| 0\.[0-9]{4} ± 0\.[0-9]{4} \|' "$T/cmp.md"

# bad input
check_fails "missing feature file -> exit 1" 1 "$CS" train --features "$T/nope.csf" --out "$T/x.csm"
check_grep "missing feature file is named" 'nope\.csf' "$T/.out"
check_fails "bad --params value -> exit 2" 2 "$CS" train --features "$T/f.csf" --model gbdt --params '{"num_leaves": "many"}' --out "$T/x.csm"
check_grep "bad --params names the parameter" 'num_leaves' "$T/.out"
check_fails "unknown parameter -> exit 2" 2 "$CS" train --features "$T/f.csf" --model forest --params '{"n_trees": 3}' --out "$T/x.csm"
check_grep "unknown parameter is named" 'n_trees' "$T/.out"
check_fails "malformed --params JSON -> exit 2" 2 "$CS" train --features "$T/f.csf" --params '{"num_leaves": ' --out "$T/x.csm"
check_fails "unknown learner -> exit 2" 2 "$CS" train --features "$T/f.csf" --model catboost --out "$T/x.csm"
check_fails "--cv 1 -> exit 2" 2 "$CS" train --features "$T/f.csf" --cv 1 --out "$T/x.csm"
printf '{"num_leaves": [4,\n  8,, 16]}' >"$T/bad.json"
check_fails "malformed search space -> exit 1" 1 "$CS" train --features "$T/f.csf" --search grid --space "$T/bad.json" --out "$T/x.csm"
check_grep "malformed search space gives file:line:column" 'bad\.json:2:5:' "$T/.out"
printf '{"leaves": [4, 8]}' >"$T/unk.json"
check_fails "unknown search parameter -> exit 1" 1 "$CS" train --features "$T/f.csf" --search grid --space "$T/unk.json" --out "$T/x.csm"
check_grep "unknown search parameter is named" 'leaves' "$T/.out"
cp "$T/gbdt.csm" "$T/corrupt.csm"
size=$(stat -c %s "$T/corrupt.csm")
printf '\x42' | dd of="$T/corrupt.csm" bs=1 seek=300 conv=notrunc 2>/dev/null   # in the metadata
check_fails "corrupt model -> exit 1" 1 "$CS" predict --model "$T/corrupt.csm" --features "$T/f.csf" --out "$T/x.csv"
check_grep "corrupt model is reported" 'corrupt\.csm: checksum mismatch' "$T/.out"
head -c $((size - 100)) "$T/gbdt.csm" >"$T/trunc.csm"
check_fails "truncated model -> exit 1" 1 "$CS" predict --model "$T/trunc.csm" --features "$T/f.csf" --out "$T/x.csv"
check_grep "truncated model is reported" 'trunc\.csm: truncated' "$T/.out"
check_fails "features missing from the file -> exit 1" 1 "$CS" predict --model "$T/gbdt.csm" --features "$T/g.csf" --out "$T/x.csv"
check_grep "the missing feature is named" "lacks 3 of the model's 6 features \(first: 'F_3'\)" "$T/.out"
check_fails "predict without --out -> exit 2" 2 "$CS" predict --model "$T/gbdt.csm" --features "$T/f.csf"
[ ! -e "$T/x.csv" ] && ok "no partial output on failure" || fail "no partial output on failure"
