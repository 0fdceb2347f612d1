# test_features.sh: `creditscore features`: files written (binary, CSV, spec), the spec
# applied to new data (same columns, unseen categories as warnings), missing optional
# files, and the refusals: bad command lines (exit 2), no application table, a malformed
# table with file:line:column, a corrupt spec (exit 1).
. "$(dirname "$0")/lib.sh"

G=$T/gen
if ! "$CS" synth --out "$G" --clients 300 --test-clients 60 --seed 9 --quiet >/dev/null 2>&1; then
  fail "generate 360 clients" "creditscore synth failed"; exit 0
fi

check "features of generated data" "$CS" features --data "$G" --out "$T/f.csf" --csv "$T/f.csv" --spec-out "$T/f.spec"
check_grep "summary line" "^features: 3[0-9][0-9] clients x [0-9]+ features -> " "$T/.out"
check_grep "progress lines when not on a terminal" "features: +100%" "$T/.out"
check_grep "CSV header" "^SK_ID_CURR,TARGET,CODE_GENDER,FLAG_OWN_CAR,FLAG_OWN_REALTY,CNT_CHILDREN," "$T/f.csv"
check_grep "CSV quotes names with commas" ',"NAME_TYPE_SUITE_Spouse, partner",' "$T/f.csv"
rows=$(($(wc -l <"$T/f.csv") - 1))
if [ "$rows" -ge 300 ] && [ "$rows" -le 360 ]; then ok "one CSV row per client ($rows)"; else fail "one CSV row per client" "$rows rows"; fi

# the spec applied to the same data gives the same table, to the byte
check "features with --spec" "$CS" features --data "$G" --spec "$T/f.spec" --out "$T/g.csf" --csv "$T/g.csv"
if cmp -s "$T/f.csv" "$T/g.csv"; then ok "--spec on the same data: same table"; else fail "--spec on the same data: same table"; fi

# new data with a category never seen in training: a warning, same columns
N=$T/new
mkdir -p "$N"
for f in "$G"/*.csv; do ln -s "$f" "$N/"; done
rm "$N/bureau.csv"
sed '2,5s/,Consumer credit,/,Spaceship loan,/' "$G/bureau.csv" >"$N/bureau.csv"
check "features of new data with --spec" "$CS" features --data "$N" --spec "$T/f.spec" --out "$T/n.csf" --csv "$T/n.csv"
check_grep "unseen category warning" "warning: [0-9]+ rows of bureau have a CREDIT_TYPE never seen in training" "$T/.out"
if [ "$(head -1 "$T/n.csv")" = "$(head -1 "$T/f.csv")" ]; then ok "unseen category: same columns in the same order"
else fail "unseen category: same columns in the same order"; fi

# missing optional files: allowed; their block is NaN (an empty table)
P=$T/partial
mkdir -p "$P"
ln -s "$G/application_train.csv" "$G/application_test.csv" "$P/"
check "only the application tables" "$CS" features --data "$P" --out "$T/p.csf" --csv "$T/p.csv"
check_grep "application-only: CC_COUNT column present" "CC_COUNT$" "$T/p.csv"
if /usr/bin/python3 - "$T/p.csv" <<'PY'
import csv, math, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
head = rows[0]
j = head.index('BURO_DAYS_CREDIT_MIN'); k = head.index('PAYMENT_RATE')
assert all(r[j] == '' for r in rows[1:]), 'secondary block not empty'
assert any(r[k] != '' for r in rows[1:]), 'application block empty'
PY
then ok "application-only: secondary blocks empty, application block filled"; else fail "application-only: secondary blocks empty"; fi

# refusals
check_fails "no arguments" 2 "$CS" features
check_fails "unknown option" 2 "$CS" features --data "$G" --out "$T/x.csf" --bogus
check_fails "no --out" 2 "$CS" features --data "$G"
mkdir -p "$T/empty"
check_fails "no application table" 1 "$CS" features --data "$T/empty" --out "$T/x.csf"
check_grep "no application table: message" "none of application_train.csv, application_test.csv found in .*/empty" "$T/.out"
B=$T/bad
mkdir -p "$B"
for f in "$G"/*.csv; do ln -s "$f" "$B/"; done
rm "$B/previous_application.csv"
awk -F, 'NR == 3 { $4 = "abc" } { print }' OFS=, "$G/previous_application.csv" >"$B/previous_application.csv"
check_fails "malformed table" 1 "$CS" features --data "$B" --out "$T/x.csf"
check_grep "malformed table: file:line:column" "previous_application.csv:3:[0-9]+: " "$T/.out"
printf 'not a spec' >"$T/bad.spec"
check_fails "corrupt spec" 1 "$CS" features --data "$G" --spec "$T/bad.spec" --out "$T/x.csf"
check_grep "corrupt spec: message" "bad.spec: feature spec: not a feature specification" "$T/.out"
head -c 100 "$T/f.spec" >"$T/short.spec"
check_fails "truncated spec" 1 "$CS" features --data "$G" --spec "$T/short.spec" --out "$T/x.csf"
if [ ! -e "$T/x.csf" ]; then ok "nothing written on failure"; else fail "nothing written on failure"; fi
