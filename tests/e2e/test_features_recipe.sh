#!/usr/bin/env bash
# test_features_recipe.sh: `features --recipe`: recipes/homecredit-kernel.json read from its file
# gives the same feature file, byte for byte, as the default (the recipe built into the binary;
# the kernel code it replaced gave these bytes too, tests/unit/test_features_recipe.c) on the
# real sample and on generated data of several sizes, also with a spec applied to new data; a
# spec carries its recipe, one of another recipe is refused; a small lender's
# recipe (no id column, a Y/N flag) runs from CSV to a feature file, its spec carries the
# recipe; bad recipes are refused before any work with the JSON path, bad data with
# file:line:column.
. "$(dirname "$0")/lib.sh"
R="$ROOT/recipes/homecredit-kernel.json"
same_bytes() { # name a b
  if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1 | head -1)"; fi
}
if [ -d "$SAMPLE" ]; then
  check "the default (built-in kernel recipe) on the sample" "$CS" features --data "$SAMPLE" --out "$T/k.csf" --spec-out "$T/k.spec"
  check "recipe on the sample" "$CS" features --recipe "$R" --data "$SAMPLE" --out "$T/r.csf" --csv "$T/r.csv" --spec-out "$T/r.spec"
  check_grep "recipe summary line" "^features: 1[0-9]{3} rows x [0-9]+ features \(recipe homecredit-kernel\) -> " "$T/.out"
  same_bytes "sample: the recipe file's .csf is the default's, byte for byte" "$T/k.csf" "$T/r.csf"
  check_grep "recipe CSV header names the recipe's key and target" "^SK_ID_CURR,TARGET,CODE_GENDER," "$T/r.csv"
else
  skip "the real sample" "no $SAMPLE: it is not part of the repository"
fi
for n in 200 1500 6000; do
  G="$T/g$n"
  if ! "$CS" synth --out "$G" --clients "$n" --test-clients $((n / 5)) --seed $((n + 3)) --quiet >/dev/null 2>&1; then
    fail "generate $n clients" "creditscore synth failed"; continue
  fi
  "$CS" features --data "$G" --out "$T/k$n.csf" --spec-out "$T/k$n.spec" >/dev/null 2>&1 || fail "the default on $n clients"
  if "$CS" features --recipe "$R" --data "$G" --out "$T/r$n.csf" --spec-out "$T/r$n.spec" >"$T/.out" 2>&1; then
    same_bytes "$n generated clients: the recipe file's .csf is the default's, byte for byte" "$T/k$n.csf" "$T/r$n.csf"
  else
    fail "recipe on $n generated clients" "$(tail -2 "$T/.out")"
  fi
done
# a spec applied to other data (unseen categories, absent sub-blocks): the same both ways
if [ -f "$T/k200.spec" ] && [ -f "$T/r200.spec" ] && [ -d "$T/g1500" ]; then
  "$CS" features --data "$T/g1500" --spec "$T/k200.spec" --out "$T/ks.csf" >/dev/null 2>&1
  check "recipe with a spec on new data" "$CS" features --recipe "$R" --data "$T/g1500" --spec "$T/r200.spec" --out "$T/rs.csf"
  same_bytes "spec applied to new data: byte for byte" "$T/ks.csf" "$T/rs.csf"
  check "the default's spec with --recipe" "$CS" features --recipe "$R" --data "$T/g1500" --spec "$T/k200.spec" --out "$T/ks2.csf"
  same_bytes "... the same bytes (both specs are the kernel recipe's)" "$T/ks.csf" "$T/ks2.csf"
fi

# a lender's own file: no id, a Y/N flag, a categorical
L="$T/lender"; mkdir -p "$L"
printf 'age,income,home,prior_default,status\n22,59000,RENT,Y,1\n35,,OWN,N,0\n41,120000,MORTGAGE,,0\n' >"$L/loans.csv"
cat >"$T/lender.json" <<'JSON'
{"recipe": 1, "name": "lender", "tables": [{"name": "loans", "file": "loans.csv", "key": "@row", "columns": [
  {"name": "age", "role": "numeric", "unit": "years"}, {"name": "income", "role": "numeric", "unit": "currency"},
  {"name": "home", "role": "categorical"}, {"name": "prior_default", "role": "flag"},
  {"name": "status", "role": "target"}]}]}
JSON
check "a lender's recipe" "$CS" features --recipe "$T/lender.json" --data "$L" --out "$T/l.csf" --csv "$T/l.csv" --spec-out "$T/l.spec"
check_grep "lender: CSV header" "^row,status,age,income,prior_default,home_MORTGAGE,home_OWN,home_RENT$" "$T/l.csv"
check_grep "lender: first row (row number, flag Y = 1, one-hot)" "^1,1,22,59000,1,0,0,1$" "$T/l.csv"
check_grep "lender: a missing income and flag stay empty" "^3,0,41,120000,,1,0,0$" "$T/l.csv"
printf 'age,income,home,prior_default,status\n50,1000,BOAT,N,0\n' >"$L/loans.csv"
check "a lender's recipe with its spec on new data" "$CS" features --recipe "$T/lender.json" --data "$L" --spec "$T/l.spec" --out "$T/l2.csf" --csv "$T/l2.csv"
check_grep "unseen category warning names the recipe's table" "warning: 1 rows of loans have a home never seen in training" "$T/.out"
check "the lender's spec without --recipe: the spec carries its recipe" "$CS" features --data "$L" --spec "$T/l.spec" --out "$T/l3.csf"
same_bytes "... the same file as with --recipe" "$T/l2.csf" "$T/l3.csf"
check_fails "the lender's spec with the kernel recipe" 1 "$CS" features --recipe "$R" --data "$L" --spec "$T/l.spec" --out "$T/x.csf"
check_grep "... refused, naming both recipes" "is recipe lender's spec, not homecredit-kernel's" "$T/.out"
check_grep "unseen category: every dummy 0" "^1,0,50,1000,0,0,0,0$" "$T/l2.csv"

# bad recipes and bad data
printf '{"recipe": 1, "name": "x", "tables": [{"name": "loans", "file": "loans.csv", "key": "@row", "columns": [{"name": "home", "role": "categorical"}]}, {"name": "p", "file": "p.csv", "parent": "loans", "link": "k", "columns": [{"name": "k", "role": "id"}, {"name": "c", "role": "categorical"}], "aggs": [{"column": "c", "ops": ["mean"]}]}]}' >"$T/bad.json"
check_fails "a mean of a categorical" 1 "$CS" features --recipe "$T/bad.json" --data "$L" --out "$T/x.csf"
check_grep "a mean of a categorical: JSON path" "bad.json: tables\[1\]\.aggs\[0\]\.ops\[0\]: mean of categorical column c" "$T/.out"
printf '{"recipe": 1, "name": "x", "tables": [' >"$T/trunc.json"
check_fails "JSON that does not parse" 1 "$CS" features --recipe "$T/trunc.json" --data "$L" --out "$T/x.csf"
check_grep "JSON that does not parse: line and column" "trunc.json:1:[0-9]+: the JSON does not parse here" "$T/.out"
check_fails "a missing recipe file" 1 "$CS" features --recipe "$T/none.json" --data "$L" --out "$T/x.csf"
printf '{"recipe": 1, "name": "x", "tables": [{"name": "loans", "file": "loanz.csv", "key": "@row", "columns": [{"name": "age", "role": "numeric"}]}]}' >"$T/nofile.json"
check_fails "a recipe naming a missing file" 1 "$CS" features --recipe "$T/nofile.json" --data "$L" --out "$T/x.csf"
check_grep "a missing file: message" "nofile.json: tables\[0\]\.file: loanz.csv not found in" "$T/.out"
printf '{"recipe": 1, "name": "x", "tables": [{"name": "loans", "file": "loans.csv", "key": "@row", "columns": [{"name": "agee", "role": "numeric"}]}]}' >"$T/nocol.json"
check_fails "a recipe naming a missing column" 1 "$CS" features --recipe "$T/nocol.json" --data "$L" --out "$T/x.csf"
check_grep "a missing column: message" "nocol.json: tables\[0\]\.columns\[0\]: column agee is not in loans.csv" "$T/.out"
printf 'age,income,home,prior_default,status\n50,lots,BOAT,N,0\n' >"$L/loans.csv"
check_fails "data that does not fit the recipe" 1 "$CS" features --recipe "$T/lender.json" --data "$L" --out "$T/x.csf"
check_grep "bad data: file:line:column" "loans.csv:2:4: " "$T/.out"
[ ! -e "$T/x.csf" ] && ok "no feature file left after a failure" || fail "no feature file left after a failure"
