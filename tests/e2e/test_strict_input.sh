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
