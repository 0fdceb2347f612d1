#!/usr/bin/env bash
# test_drift.sh: `creditscore drift` end to end on generated tables: the report of train
# vs test (HTML and JSON), its fields, no external resource in the HTML, the page opening
# in Chromium without a JS error and sorting its table, --fail-on-drift, overrides, a
# feature file against the sample a model carries, and clear failures on bad input.
source "$(dirname "$0")/lib.sh"
D=$T/data
"$CS" synth --out "$D" --clients 2500 --test-clients 500 --seed 11 --quiet >/dev/null 2>&1 \
  || { fail "generate data" "creditscore synth failed"; exit 1; }

check "drift train vs test writes HTML and JSON" \
  "$CS" drift --reference "$D/application_train.csv" --current "$D/application_test.csv" \
  --html "$T/r.html" --json "$T/r.json"
check_grep "prints the verdict" '^drift: [0-9]+ of 120 columns drifted .*dataset drift (not detected|DETECTED)' "$T/.out"
check_grep "prints the report path" "^html: $T/r.html" "$T/.out"
for f in '"format": "creditscore-drift/1"' '"summary": \{"columns": 120, "drifted": [0-9]+, "share": ' \
         '"dataset_drift": (true|false)' '"name": "AMT_CREDIT", "type": "numerical", "test": "wasserstein"' \
         '"name": "CODE_GENDER", "type": "categorical", "test": "jensenshannon"' '"psi_band": "(stable|moderate|major)"' \
         '"distribution": \{"bins": \[' '"skipped": \["SK_ID_CURR \(id, excluded\)", "TARGET \(reference only\)"\]'; do
  check_grep "JSON has $f" "$f" "$T/r.json"
done
if grep -Eiq 'https?://|src=|@import|url\(' "$T/r.html"; then fail "HTML is self-contained" "external reference in r.html"
else ok "HTML is self-contained (no URL, src=, @import, url())"; fi
check_grep "HTML has the summary" 'Drift is detected for [0-9.]+% of columns \([0-9]+ out of 120\)' "$T/r.html"
n_svg=$(grep -o '<svg' "$T/r.html" | wc -l)
if [ "$n_svg" -eq 120 ]; then ok "HTML draws 120 distributions"; else fail "HTML draws 120 distributions" "$n_svg"; fi

# the page in Chromium: the script ran to its end (data-ready) without an error; a click sorts
if [ -x /usr/bin/chromium ]; then
  cp "$T/r.html" "$T/sorted.html"
  # sort by drift score twice (descending), then check the order in the DOM
  sed -i 's|</body></html>|<script>var h=document.querySelectorAll("#cols th")[3];h.click();h.click();document.body.setAttribute("data-sorted","1");var o=document.getElementById("only-drifted");o.click();document.body.setAttribute("data-visible",document.querySelectorAll("#cols tbody tr:not(.hide)").length);</script></body></html>|' "$T/sorted.html"
  timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
    --dump-dom "file://$T/sorted.html" >"$T/dom.html" 2>"$T/chrome.err"
  if grep -q 'data-ready="1"' "$T/dom.html" && grep -q 'data-sorted="1"' "$T/dom.html" && ! grep -q 'data-js-error="1"' "$T/dom.html"; then
    ok "report opens in Chromium without a JS error"
  else
    fail "report opens in Chromium without a JS error" "$(grep -o '<body[^>]*>' "$T/dom.html")"
  fi
  # after two clicks on "Drift score" the rows are in descending score order
  grep -o '<td class="num" data-v="[^"]*">' "$T/dom.html" | awk 'NR % 4 == 1' | sed 's/.*data-v="\([^"]*\)".*/\1/' >"$T/scores"
  if [ -s "$T/scores" ] && sort -g -r -c "$T/scores" 2>/dev/null; then ok "clicking a heading sorts the table"
  else fail "clicking a heading sorts the table" "$(head -3 "$T/scores" | tr '\n' ' ')"; fi
  n_drifted=$(sed -n 's/.*"drifted": \([0-9]*\), "share".*/\1/p' "$T/r.json")
  if grep -q "data-visible=\"$n_drifted\"" "$T/dom.html"; then ok "'only drifted columns' shows the $n_drifted drifted rows"
  else fail "'only drifted columns' shows the drifted rows" "$(grep -o 'data-visible="[0-9]*"' "$T/dom.html") vs $n_drifted"; fi
else
  fail "report opens in Chromium" "no /usr/bin/chromium"
fi

check_fails "--fail-on-drift exits 3 on dataset drift" 3 \
  "$CS" drift --quiet --reference "$D/application_train.csv" --current "$D/application_test.csv" \
  --json "$T/f.json" --stattest psi --threshold 1e-12 --fail-on-drift
check_fails "--fail-on-drift exits 0 without dataset drift" 0 \
  "$CS" drift --quiet --reference "$D/application_train.csv" --current "$D/application_test.csv" \
  --json "$T/f.json" --fail-on-drift
check "--columns and per-column --stattest/--threshold" \
  "$CS" drift --quiet --reference "$D/application_train.csv" --current "$D/application_test.csv" \
  --json "$T/c.json" --columns AMT_CREDIT,CODE_GENDER,DAYS_BIRTH --stattest AMT_CREDIT=ks --threshold CODE_GENDER=0.01
check_grep "only the listed columns" '"summary": \{"columns": 3,' "$T/c.json"
check_grep "forced test used" '"name": "AMT_CREDIT", "type": "numerical", "test": "ks", "test_display": "K-S p_value", "auto_test": false' "$T/c.json"
tr -d '\n' <"$T/c.json" >"$T/c1.json"
check_grep "threshold override used" '"name": "CODE_GENDER"[^}]*"threshold": 0.01,' "$T/c1.json"

# bad input: a clear message naming the place, exit 1; bad usage, exit 2
printf 'A,B\n1,2\n3\n' >"$T/bad.csv"
check_fails "malformed CSV exits 1" 1 "$CS" drift --reference "$T/bad.csv" --current "$D/application_test.csv" --json "$T/x.json"
check_grep "malformed CSV error names file:line" 'bad\.csv:3' "$T/.out"
check_fails "missing file exits 1" 1 "$CS" drift --reference "$T/nope.csv" --current "$D/application_test.csv" --json "$T/x.json"
check_fails "unknown column exits 2 (a bad option)" 2 "$CS" drift --reference "$D/application_train.csv" --current "$D/application_test.csv" --json "$T/x.json" --columns NOPE
check_grep "unknown column is named" "--columns: no column 'NOPE' in the reference data" "$T/.out"
check_fails "no common column exits 1" 1 "$CS" drift --reference "$D/bureau_balance.csv" --current "$D/application_test.csv" --json "$T/x.json"
check_fails "unknown test is a usage error" 2 "$CS" drift --reference "$D/application_train.csv" --current "$D/application_test.csv" --json "$T/x.json" --stattest magic
check_fails "missing --current is a usage error" 2 "$CS" drift --reference "$D/application_train.csv" --json "$T/x.json"
check_fails "no output is a usage error" 2 "$CS" drift --reference "$D/application_train.csv" --current "$D/application_test.csv"
check_fails "--audit needs a model and a clients store" 2 "$CS" drift --reference "$D/application_train.csv" --audit "$T/a.db" --json "$T/x.json"
check_fails "--since needs a date" 2 "$CS" drift --reference-model "$T/m.csm" --audit "$T/a.db" --clients "$T/c.db" --since yesterday --json "$T/x.json"
check_fails "--audit with something not a model exits 1" 1 "$CS" drift --reference-model "$D/application_test.csv" --audit "$T/a.db" --clients "$T/c.db" --json "$T/x.json"
[ -e "$T/x.json" ] && fail "no report written on failure" || ok "no report written on failure"

# a feature file against the training sample a model carries
if "$CS" features --data "$D" --out "$T/f.csf" >/dev/null 2>&1 &&
   "$CS" train --features "$T/f.csf" --out "$T/m.csm" --model dummy --cv 2 --name e2e-model >/dev/null 2>&1; then
  check "--reference-model with a feature file" \
    "$CS" drift --quiet --reference-model "$T/m.csm" --current "$T/f.csf" --json "$T/m.json" --html "$T/m.html"
  check_grep "report names the model's sample" '"source": "training sample of [0-9]+ rows carried by model e2e-model' "$T/m.json"
  check_fails "a CSV is not a model" 1 "$CS" drift --reference-model "$D/application_test.csv" --current "$T/f.csf" --json "$T/x.json"
else
  fail "--reference-model" "features or train failed"
fi
