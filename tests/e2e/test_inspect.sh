# test_inspect.sh: `creditscore inspect` on good files, the real sample, malformed files
# (exit 1 with file:line:column) and bad command lines (exit 2).
. "$(dirname "$0")/lib.sh"

printf 'id,kind,amount\n1,"Stone, brick",202500.0\n2,,\n3,"say ""hi""",-9461\n4,x,0.5\n' >"$T/good.csv"
check "inspect a good file" "$CS" inspect "$T/good.csv"
"$CS" inspect "$T/good.csv" >"$T/out" 2>&1
check_grep "rows and columns" "good.csv: 4 rows, 3 columns, types inferred" "$T/out"
check_grep "numeric column min / median / max" "amount +num +25\.00% +-9461 / 0\.5 / 202500" "$T/out"
check_grep "categorical column top values" "kind +cat +25\.00% +3 values: Stone, brick \(1\)" "$T/out"

"$CS" inspect --json "$T/good.csv" >"$T/out.json"
if /usr/bin/python3 - "$T/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d[0]
assert f["rows"] == 4 and f["columns"] == 3 and f["table"] is None, f
c = {x["name"]: x for x in f["cols"]}
assert c["amount"]["type"] == "num" and c["amount"]["missing"] == 1, c["amount"]
assert c["amount"]["median"] == 0.5 and c["amount"]["min"] == -9461, c["amount"]
assert c["kind"]["type"] == "cat" and c["kind"]["n_categories"] == 3, c["kind"]
assert {t["value"] for t in c["kind"]["top"]} == {"Stone, brick", 'say "hi"', "x"}, c["kind"]
PY
then ok "--json is valid JSON with the right figures"; else fail "--json is valid JSON with the right figures"; fi

# --table forces a schema: STATUS digits stay categories
printf 'SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n1,0,0\n1,-1,C\n' >"$T/bb.csv"
"$CS" inspect --table bureau_balance "$T/bb.csv" >"$T/out" 2>&1
check_grep "--table bureau_balance: STATUS is categorical" "STATUS +cat" "$T/out"
check_fails "--table with a missing column fails" 1 "$CS" inspect --table bureau "$T/bb.csv"
"$CS" inspect --table bureau "$T/bb.csv" 2>"$T/err"
check_grep "missing column is named" "bb\.csv:1:[0-9]+: (missing required|unknown) column" "$T/err"

# malformed files: the reader's message, exit 1
printf 'a,b,c\n1,2,3\n4,5\n' >"$T/short.csv"
check_fails "wrong number of fields exits 1" 1 "$CS" inspect "$T/short.csv"
"$CS" inspect "$T/short.csv" 2>"$T/err"
check_grep "wrong number of fields names line and column" "short\.csv:3:4: 2 fields, the header has 3 columns" "$T/err"
printf 'a,b\n1,"open\n2,3\n' >"$T/quote.csv"
"$CS" inspect "$T/quote.csv" 2>"$T/err"
check_grep "unterminated quote names line and column" "quote\.csv:2:3: unterminated quoted field" "$T/err"
mkdir -p "$T/hc"
printf 'SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n1,0,C\n1,minus one,C\n' >"$T/hc/bureau_balance.csv"
check_fails "text in a numeric column exits 1" 1 "$CS" inspect "$T/hc/bureau_balance.csv"
"$CS" inspect "$T/hc/bureau_balance.csv" 2>"$T/err"
check_grep "schema chosen by file name; text named" "bureau_balance\.csv:3:3: text 'minus one' in numeric column MONTHS_BALANCE" "$T/err"
printf 'a,b,a\n1,2,3\n' >"$T/dup.csv"
"$CS" inspect "$T/dup.csv" 2>"$T/err"
check_grep "duplicate header named" "dup\.csv:1:5: duplicate column 'a'" "$T/err"
check_fails "a missing file exits 1" 1 "$CS" inspect "$T/nope.csv"
check_fails "one bad file among good ones exits 1" 1 "$CS" inspect "$T/good.csv" "$T/short.csv"

# bad command lines: exit 2
check_fails "unknown option exits 2" 2 "$CS" inspect --bogus "$T/good.csv"
check_fails "no file exits 2" 2 "$CS" inspect
check_fails "unknown table exits 2" 2 "$CS" inspect --table nope "$T/good.csv"
check "--help exits 0" "$CS" inspect --help

# the real sample, every file with its schema
if [ -d "$SAMPLE" ]; then
  for f in application_train application_test bureau bureau_balance previous_application \
           POS_CASH_balance installments_payments credit_card_balance; do
    "$CS" inspect "$SAMPLE/$f.csv" >"$T/out" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -Eq "^[^ ]*$f\.csv: [0-9]+ rows, [0-9]+ columns, $f," "$T/out"; then
      ok "sample $f.csv reads with its schema"
    else
      fail "sample $f.csv reads with its schema" "exit $rc"; head -3 "$T/out"
    fi
  done
  check "sample description file (cp1252) reads with inferred types" "$CS" inspect "$SAMPLE/HomeCredit_columns_description.csv"
else
  skip "sample files" "no $SAMPLE"
fi
