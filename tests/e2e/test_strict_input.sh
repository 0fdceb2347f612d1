# test_strict_input.sh: commands never change the user's data without a word (issue #21,
# section 2). An id that a double cannot hold exactly, an id with a fraction, a missing or
# a repeated client id: `features` refuses each with where and what (file:line:column for
# what the reader sees), in the kernel path and in the recipe path; the child tables' ids
# likewise. Before the fix each was exit 0 with a changed id (1e26 -> INT64_MIN,
# 100002.7 -> 100002, 9007199254740993 -> ...992).
. "$(dirname "$0")/lib.sh"

G=$T/gen
if ! "$CS" synth --out "$G" --clients 200 --test-clients 40 --seed 5 >/dev/null 2>&1; then
  fail "generate 240 clients" "creditscore synth failed"; exit 0
fi
RECIPE=$ROOT/recipes/homecredit-kernel.json

# bad_copy DIR FILE LINE COL VALUE: DIR links every generated table, FILE replaced by a copy
# whose field COL on line LINE is VALUE
bad_copy() {
  local d=$1 f=$2 line=$3 col=$4 v=$5
  rm -rf "$d"; mkdir -p "$d"
  for x in "$G"/*.csv; do ln -s "$x" "$d/"; done
  rm "$d/$f"
  awk -v l="$line" -v c="$col" -v v="$v" -F, 'BEGIN { OFS = "," } NR == l { $c = v } { print }' "$G/$f" >"$d/$f"
}

# both_refuse NAME DIR PATTERN: features (kernel) and features --recipe both exit 1 with
# PATTERN in the message, and leave no feature file
both_refuse() {
  local name=$1 d=$2 pat=$3
  check_fails "$name: features refuses" 1 "$CS" features --data "$d" --out "$d/k.csf"
  check_grep "$name: features says where and what" "$pat" "$T/.out"
  check_fails "$name: features --recipe refuses" 1 "$CS" features --recipe "$RECIPE" --data "$d" --out "$d/r.csf"
  check_grep "$name: features --recipe says where and what" "$pat" "$T/.out"
  if ls "$d"/*.csf "$d"/*.tmp.* >/dev/null 2>&1; then fail "$name: no feature file left" "$(ls "$d")"
  else ok "$name: no feature file left"; fi
}

bad_copy "$T/b1" application_train.csv 3 1 99999999999999999999999999
both_refuse "26-digit id" "$T/b1" \
  "application_train.csv:3:1: '99999999999999999999999999' in id column SK_ID_CURR: beyond 2\^53"
bad_copy "$T/b2" application_train.csv 4 1 100002.7
both_refuse "id with a fraction" "$T/b2" "application_train.csv:4:1: '100002.7' in id column SK_ID_CURR: not a whole number"
bad_copy "$T/b3" application_test.csv 2 1 9007199254740993
both_refuse "id beyond 2^53" "$T/b3" "application_test.csv:2:1: '9007199254740993' in id column SK_ID_CURR: beyond 2\^53"
bad_copy "$T/b4" application_train.csv 5 1 1.000255e5
both_refuse "id with a fraction in exponent form" "$T/b4" "application_train.csv:5:1: '1.000255e5' in id column SK_ID_CURR: not a whole number"
bad_copy "$T/b9" application_train.csv 6 1 " 100007"
both_refuse "id with a space" "$T/b9" "application_train.csv:6:1: ' 100007' in id column SK_ID_CURR: not an id"
bad_copy "$T/b5" bureau.csv 3 2 12.5
both_refuse "child table's own id with a fraction" "$T/b5" "bureau.csv:3:8: '12.5' in id column SK_ID_BUREAU"
bad_copy "$T/b6" previous_application.csv 2 2 100001.5
both_refuse "child table's link with a fraction" "$T/b6" "previous_application.csv:2:[0-9]+: '100001.5' in id column SK_ID_CURR"

# a repeated and a missing client id: refused, not merged or set to -1
first=$(sed -n 2p "$G/application_train.csv" | cut -d, -f1)
bad_copy "$T/b7" application_train.csv 3 1 "$first"
both_refuse "repeated client id" "$T/b7" "SK_ID_CURR $first appears more than once \(again in data row 2\)"
bad_copy "$T/b8" application_train.csv 3 1 ""
both_refuse "missing client id" "$T/b8" "data row 2 has no SK_ID_CURR"

# what stays accepted: "100002.0" (pandas writes integer columns with missing values so) is
# the id 100002, exactly
v=$(sed -n 3p "$G/application_train.csv" | cut -d, -f1)
bad_copy "$T/ok" application_train.csv 3 1 "$v.0"
check "an id written $v.0 is accepted" "$CS" features --data "$T/ok" --out "$T/ok.csf" --csv "$T/ok.csv"
check_grep "... and kept as $v" "^$v," "$T/ok.csv"

# ---- the feature file: a flipped byte anywhere is refused ----
# Before: the header was outside the checksum, one flipped byte in ids_off gave every row a
# wrong client id and predict exited 0.
check "features of the generated data" "$CS" features --data "$G" --out "$T/f.csf"
check "a small model" "$CS" train --features "$T/f.csf" --model logreg --cv 2 --out "$T/m.csm" --no-track
check "predict on the intact file" "$CS" predict --model "$T/m.csm" --features "$T/f.csf" --out "$T/p.csv"
# flip OFFSET: a copy of f.csf with the byte at OFFSET changed
flip() {
  cp "$T/f.csf" "$T/x.csf"
  /usr/bin/python3 - "$T/x.csf" "$1" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
with open(p, 'r+b') as f:
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0x40]))
PY
}
flip 48   # the low byte of ids_off: every id read from 64 bytes further
check_fails "predict: a flipped byte in the header's ids offset" 1 "$CS" predict --model "$T/m.csm" --features "$T/x.csf" --out "$T/x.csv"
check_grep "... named: header checksum" "x.csf: header checksum mismatch" "$T/.out"
if [ -e "$T/x.csv" ]; then fail "... no scores written"; else ok "... no scores written"; fi
ids_off=$(/usr/bin/python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(56), 48)[0])' "$T/f.csf")
flip $((ids_off + 3))
check_fails "predict: a flipped byte in a client id" 1 "$CS" predict --model "$T/m.csm" --features "$T/x.csf" --out "$T/x.csv"
check_grep "... named: checksum of names, ids or targets" "checksum mismatch in the names, ids or targets" "$T/.out"
size=$(stat -c %s "$T/f.csf")
flip $((size / 2))
check_fails "predict: a flipped byte in a value column" 1 "$CS" predict --model "$T/m.csm" --features "$T/x.csf" --out "$T/x.csv"
check_grep "... named: the column" "checksum mismatch in column [0-9]+ \([A-Z_0-9a-z]+\)" "$T/.out"
/usr/bin/python3 - "$T/f.csf" "$T/v1.csf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[8] = 1
open(sys.argv[2], 'wb').write(b)
PY
check_fails "a format-1 feature file" 1 "$CS" predict --model "$T/m.csm" --features "$T/v1.csf" --out "$T/x.csv"
check_grep "... says to rebuild it" "feature file format 1 .* rebuild it with creditscore features" "$T/.out"

# ---- options: a range, a known column, a clear message, exit 2 ----
# Before: train --cost-fn inf was accepted (threshold 0: everyone refused); --params '' was
# taken as {}; drift --threshold -1 was accepted and switched the gate off; drift --stattest
# NOPE=ks was ignored.
check_fails "train --cost-fn inf" 2 "$CS" train --features "$T/f.csf" --cost-fn inf --out "$T/y.csm" --no-track
check_grep "... names the option and the range" "--cost-fn needs a number >= 0, got 'inf'" "$T/.out"
check_fails "train --params ''" 2 "$CS" train --features "$T/f.csf" --params '' --out "$T/y.csm" --no-track
check_grep "... says what it wants" "--params needs a JSON object" "$T/.out"
check_fails "train --cost-fn 0 --cost-fp 0" 2 "$CS" train --features "$T/f.csf" --cost-fn 0 --cost-fp 0 --out "$T/y.csm" --no-track
if [ -e "$T/y.csm" ]; then fail "no model written by the refused trains"; else ok "no model written by the refused trains"; fi
R=$G/application_train.csv C=$G/application_test.csv
check "drift of two generated tables" "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --columns AMT_CREDIT,AMT_ANNUITY
check_fails "drift --threshold -1" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --threshold -1
check_grep "... names the range" "--threshold wants a number > 0" "$T/.out"
check_fails "drift --threshold AMT_CREDIT=0" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --threshold AMT_CREDIT=0
check_fails "drift --stattest ks --threshold 5 (a p-value above 1)" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --stattest ks --threshold 5
check_grep "... says it is a p-value" "the ks test's threshold is a p-value, in \(0, 1\)" "$T/.out"
check_fails "drift --stattest NOPE=ks" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --stattest NOPE=ks
check_grep "... names the column" "--stattest: no column 'NOPE' in the reference data" "$T/.out"
check_fails "drift --threshold NOPE=0.1" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --threshold NOPE=0.1
check_grep "... names the column" "--threshold: no column 'NOPE' in the reference data" "$T/.out"
check_fails "drift --columns NOPE" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --columns NOPE
check_fails "drift --stattest =ks" 2 "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --stattest =ks
check "drift --stattest AMT_CREDIT=psi --threshold AMT_CREDIT=0.2 (valid)" "$CS" drift --reference "$R" --current "$C" --json "$T/d.json" --stattest AMT_CREDIT=psi --threshold AMT_CREDIT=0.2

# the sweep: every numeric option of every command refuses what is not a finite number in
# its range, before any work (exit 2, the option named)
sweep=(
  "train --cost-fn" "train --cost-fp" "train --cv" "train --trials" "train --seed"
  "compare --cv" "compare --seed" "compare --cost-fn" "compare --cost-fp"
  "drift --drift-share" "drift --threshold" "fairness --bootstrap" "fairness --seed" "fairness --min-group"
  "report --bootstrap" "report --seed" "monitor --min-known" "monitor --threads"
  "serve --window" "serve --window-seconds" "serve --port" "serve --threads" "serve --max-body"
  "serve --max-conns" "serve --timeout" "serve --request-timeout" "serve --drain"
  "dashboard --port" "dashboard --timeout"
  "synth --clients" "synth --test-clients" "synth --months" "synth --per-month" "synth --drift"
  "synth --shock-month" "synth --shock-size" "synth --shock-odds" "synth --outcome-months" "synth --seed"
  "audit --limit" "runs_list --limit" "models_path --version" "scorecard_bin --threads"
  "explain --top" "explain --reasons")
n_bad=0 n_cases=0
for so in "${sweep[@]}"; do
  cmd=${so%% *}; opt=${so#* }
  for v in inf -inf nan 1e999 " 5" +5 abc "" -1e999 0x; do
    n_cases=$((n_cases + 1))
    # shellcheck disable=SC2086
    "$CS" ${cmd//_/ } "$opt" "$v" >"$T/.sw" 2>&1
    rc=$?
    if [ $rc -ne 2 ] || ! grep -q -- "${opt}" "$T/.sw"; then
      n_bad=$((n_bad + 1)); echo "# $cmd $opt '$v': exit $rc: $(head -1 "$T/.sw")"
    fi
  done
done
if [ $n_bad -eq 0 ]; then ok "option sweep: $n_cases bad values of ${#sweep[@]} numeric options, each exit 2 naming the option"
else fail "option sweep" "$n_bad of $n_cases cases not refused with exit 2 naming the option"; fi
