#!/usr/bin/env bash
# test_features.sh: `creditscore features` against an independent pandas implementation of
# the kernel (features_oracle.py, Debian's /usr/bin/python3): every name and every value
# (relative 1e-9; NaN = NaN, inf = inf) on the real sample (skipped when absent), on 2,000
# generated clients, on a copy of them with planted edge cases (x/0 -> +-inf, 0/0, missing
# days, missing STATUS, an XNA gender, history without an application row) and without the
# optional credit_card_balance and bureau_balance files. Names must also follow the order
# of ../shared/docs/kernel-feature-names.txt.
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
ORACLE=$ROOT/tests/oracle/features_oracle.py
NAMES=$ROOT/../shared/docs/kernel-feature-names.txt
[ -f "$NAMES" ] || NAMES=
if ! "$PY" -c 'import pandas, numpy' 2>/dev/null; then fail "features oracle" "no pandas in $PY"; exit 0; fi

# same NAME DIR: C and oracle features of DIR agree
same() {
  local name=$1 d=$2
  if ! "$CS" features --data "$d" --out "$T/$name.csf" --csv "$T/$name.c.csv" >"$T/$name.log" 2>&1; then
    fail "$name" "creditscore features failed: $(tail -3 "$T/$name.log")"; return 1
  fi
  if ! "$PY" "$ORACLE" compute "$d" "$T/$name.o.csv" >"$T/$name.olog" 2>&1; then
    fail "$name" "oracle failed: $(tail -3 "$T/$name.olog")"; return 1
  fi
  if "$PY" "$ORACLE" compare "$T/$name.c.csv" "$T/$name.o.csv" $NAMES >"$T/$name.cmp" 2>&1; then
    ok "$name ($(tail -1 "$T/$name.cmp"))"
  else
    fail "$name" "$(head -12 "$T/$name.cmp")"; return 1
  fi
}

if [ -d "$SAMPLE" ]; then
  same "real sample" "$SAMPLE"
else
  skip "real sample" "no $SAMPLE"
fi

if "$CS" synth --out "$T/gen" --clients 1700 --test-clients 300 --seed 5 --quiet >/dev/null 2>&1; then
  same "2000 generated clients" "$T/gen"
  if "$PY" "$ORACLE" compute "$T/gen" - "$T/2000 generated clients.csf" >"$T/csf.cmp" 2>&1; then
    ok "the binary feature file holds the same values ($(tail -1 "$T/csf.cmp"))"
  else
    fail "the binary feature file holds the same values" "$(tail -5 "$T/csf.cmp")"
  fi
  "$PY" "$ORACLE" edge "$T/gen" "$T/edge"
  if same "edge cases" "$T/edge"; then
    n_pinf=$(grep -o ',inf' "$T/edge cases.c.csv" | wc -l)
    n_ninf=$(grep -o ',-inf' "$T/edge cases.c.csv" | wc -l)
    if [ "$n_pinf" -gt 0 ] && [ "$n_ninf" -gt 0 ]; then
      ok "edge cases hold +inf ($n_pinf) and -inf ($n_ninf) values"
    else
      fail "edge cases hold infinities" "+inf $n_pinf, -inf $n_ninf"
    fi
  fi
  mkdir -p "$T/partial"
  for f in "$T"/gen/*.csv; do
    case $(basename "$f") in credit_card_balance.csv|bureau_balance.csv) ;; *) ln -s "$f" "$T/partial/";; esac
  done
  same "without credit_card_balance and bureau_balance" "$T/partial"
else
  fail "generate 2000 clients" "creditscore synth failed"
fi
