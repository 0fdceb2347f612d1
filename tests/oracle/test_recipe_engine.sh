#!/usr/bin/env bash
# test_recipe_engine.sh: the recipe engine against pandas (recipe_oracle.py, Debian's
# /usr/bin/python3): every aggregation (min, max, mean, sum, var, size, count, nunique,
# first/last in file order and by an order column, share), filtered aggregations (equals,
# in), a pattern over one-hot dummies, a derived column aggregated, a grandchild aggregated
# twice, and the root's encodings (one-hot without and with nan, factorize, Y/N flag,
# sentinel, x/0 ratio), on generated tables with missing values, empty groups and
# infinities, three seeds.
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
O=$ROOT/tests/oracle/recipe_oracle.py
for seed in 1 2 3; do
  D="$T/s$seed"; mkdir -p "$D"
  if ! "$PY" "$O" make "$D" "$seed" >"$T/make.log" 2>&1; then fail "generate tables, seed $seed" "$(tail -2 "$T/make.log")"; continue; fi
  if ! "$CS" features --recipe "$D/recipe.json" --data "$D" --out "$T/f$seed.csf" --csv "$T/f$seed.csv" >"$T/f.log" 2>&1; then
    fail "features --recipe, seed $seed" "$(tail -2 "$T/f.log")"; continue
  fi
  if "$PY" "$O" compare "$D" "$T/f$seed.csv" >"$T/cmp.log" 2>&1; then
    ok "seed $seed: $(tail -1 "$T/cmp.log")"
  else
    fail "seed $seed: every aggregation and encoding as pandas" "$(head -12 "$T/cmp.log")"
  fi
done
