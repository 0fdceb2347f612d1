# test_synth.sh: `creditscore synth`: 20,000 generated clients pass the realism check,
# the same seed gives identical files and another seed different ones, bad command lines
# exit 2, an unwritable --out exits 1 with a message, the check fails on drifted data, and
# generated and real tables go through the same reader with the same schema (inspect).
. "$(dirname "$0")/lib.sh"

TABLES="application_train application_test bureau bureau_balance previous_application POS_CASH_balance installments_payments credit_card_balance"

# ---- 20,000 clients and the realism check (tolerances: docs/synth.md) ------------------
check "synth 20000 clients" "$CS" synth --out "$T/g" --clients 20000 --test-clients 3333 --seed 3 --quiet
all=1
for t in $TABLES; do [ -s "$T/g/$t.csv" ] || all=0; done
[ $all -eq 1 ] && ok "eight tables written" || fail "eight tables written" "$(ls "$T/g")"
ls "$T/g" | grep -q '\.tmp$' && fail "no .tmp file left" || ok "no .tmp file left"
[ "$(wc -l <"$T/g/application_train.csv")" -eq 20001 ] && ok "20000 train rows + header" || fail "20000 train rows + header"
[ "$(wc -l <"$T/g/application_test.csv")" -eq 3334 ] && ok "3333 test rows + header" || fail "3333 test rows + header"
"$CS" synth --check "$T/g" --quiet >"$T/check.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "check passes on generated data" || { fail "check passes on generated data" "exit $rc"; grep FAIL "$T/check.txt" | head -20; }
check_grep "check prints generated vs real vs tolerance" "^application_train +missing EXT_SOURCE_1 +0\.5[0-9]* +0\.56[0-9]* +0\.02 +PASS" "$T/check.txt"
check_grep "check compares the default rate" "default rate \(mean TARGET\) .* PASS" "$T/check.txt"
check_grep "check counts the XNA genders" "rows CODE_GENDER=XNA +4 +4 .* PASS" "$T/check.txt"
check_grep "check compares rows per client" "^bureau_balance +rows per client .* PASS" "$T/check.txt"
check_grep "check has a summary line" "^[0-9]+ figures compared, 0 out of tolerance: PASS" "$T/check.txt"
head -1 "$T/g/credit_card_balance.csv" | grep -q ',AMT_RECIVABLE,' && ok "misspelled AMT_RECIVABLE header" || fail "misspelled AMT_RECIVABLE header"
grep -q '"Stone, brick"' "$T/g/application_train.csv" && ok "categories with commas are quoted" || fail "categories with commas are quoted"
/usr/bin/python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); n=sum(x["DAYS_EMPLOYED"]=="365243" for x in r); sys.exit(not 3000 < n < 4200)' "$T/g/application_train.csv" \
  && ok "about 18% DAYS_EMPLOYED = 365243" || fail "about 18% DAYS_EMPLOYED = 365243"

# ---- the check catches drift: blank a column of train -> missing rate far off ----------
mkdir -p "$T/bad"
for t in $TABLES; do ln -s "$T/g/$t.csv" "$T/bad/$t.csv"; done
rm "$T/bad/application_train.csv"
/usr/bin/python3 -c '
import csv, sys
r = csv.reader(open(sys.argv[1])); w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
h = next(r); w.writerow(h); k = h.index("EXT_SOURCE_2")
for row in r: row[k] = ""; w.writerow(row)' "$T/g/application_train.csv" "$T/bad/application_train.csv"
check_fails "check fails when a column drifts" 1 "$CS" synth --check "$T/bad" --quiet
"$CS" synth --check "$T/bad" --quiet >"$T/bad.txt" 2>&1
check_grep "the drifted figure is named" "missing EXT_SOURCE_2 +1 .* FAIL" "$T/bad.txt"
check_grep "the summary says FAIL" "out of tolerance: FAIL" "$T/bad.txt"
printf 'SK_ID_CURR,TARGET\n1,0\n' >"$T/bad/application_train.csv.x" && mv "$T/bad/application_train.csv.x" "$T/bad/application_train.csv"
check_fails "check on a malformed table exits 1" 1 "$CS" synth --check "$T/bad" --quiet
"$CS" synth --check "$T/bad" --quiet 2>"$T/err"
check_grep "the malformed table is named" "application_train\.csv:1:" "$T/err"

# ---- determinism ----------------------------------------------------------------------
"$CS" synth --out "$T/a" --clients 1500 --test-clients 250 --seed 11 --quiet
OMP_NUM_THREADS=1 "$CS" synth --out "$T/b" --clients 1500 --test-clients 250 --seed 11 --quiet
"$CS" synth --out "$T/c" --clients 1500 --test-clients 250 --seed 12 --quiet
same=1; for t in $TABLES; do cmp -s "$T/a/$t.csv" "$T/b/$t.csv" || same=0; done
[ $same -eq 1 ] && ok "same seed, 1 or more threads: byte-identical files" || fail "same seed, 1 or more threads: byte-identical files"
diff=1; for t in $TABLES; do cmp -s "$T/a/$t.csv" "$T/c/$t.csv" && diff=0; done
[ $diff -eq 1 ] && ok "another seed: every file differs" || fail "another seed: every file differs"

# ---- bad command lines: exit 2 ---------------------------------------------------------
check_fails "no --out is a usage error" 2 "$CS" synth
check_fails "--clients 0 is a usage error" 2 "$CS" synth --out "$T/x" --clients 0
check_fails "--clients abc is a usage error" 2 "$CS" synth --out "$T/x" --clients abc
check_fails "--seed -1 is a usage error" 2 "$CS" synth --out "$T/x" --seed -1
check_fails "unknown option is a usage error" 2 "$CS" synth --out "$T/x" --bogus
check_fails "stray argument is a usage error" 2 "$CS" synth --out "$T/x" extra
check_fails "--check with --out is a usage error" 2 "$CS" synth --out "$T/x" --check "$T/g"
check "--help exits 0" "$CS" synth --help

# ---- unwritable --out: exit 1 and a message --------------------------------------------
touch "$T/plainfile"
check_fails "--out under a file exits 1" 1 "$CS" synth --out "$T/plainfile/sub" --clients 10 --test-clients 2 --quiet
"$CS" synth --out "$T/plainfile/sub" --clients 10 --test-clients 2 --quiet 2>"$T/err"
check_grep "the folder is named" "plainfile.*(cannot create|not a folder)" "$T/err"
if [ "$(id -u)" -ne 0 ]; then
  mkdir -p "$T/ro" && chmod 555 "$T/ro"
  check_fails "read-only --out exits 1" 1 "$CS" synth --out "$T/ro" --clients 10 --test-clients 2 --quiet
  chmod 755 "$T/ro"
else
  skip "read-only --out exits 1" "running as root"
fi

# ---- same reader, same schema as the real sample -----------------------------------------
if [ -d "$SAMPLE" ]; then
  for t in $TABLES; do
    "$CS" inspect --json "$SAMPLE/$t.csv" >"$T/real.json" 2>"$T/err" || { fail "real $t read by inspect" "$(head -2 "$T/err")"; continue; }
    "$CS" inspect --json "$T/a/$t.csv" >"$T/gen.json" 2>"$T/err" || { fail "generated $t read by inspect" "$(head -2 "$T/err")"; continue; }
    if /usr/bin/python3 - "$T/real.json" "$T/gen.json" <<'PY'
import json, sys
r, g = (json.load(open(p))[0] for p in sys.argv[1:3])
assert r["table"] == g["table"] and r["table"], (r["table"], g["table"])
assert [(c["name"], c["type"]) for c in r["cols"]] == [(c["name"], c["type"]) for c in g["cols"]]
PY
    then ok "$t: real sample and generated file read with the same schema"
    else fail "$t: real sample and generated file read with the same schema"; fi
  done
else
  skip "real sample vs generated schema" "no $SAMPLE"
fi
