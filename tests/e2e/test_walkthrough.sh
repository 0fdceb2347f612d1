# test_walkthrough.sh: the README's walkthrough on the credit-risk file, run as written: the
# block between <!-- walkthrough:begin --> and <!-- walkthrough:end --> is extracted and run in a
# scratch folder (data/ and recipes/ linked from the repository, `creditscore` on PATH), with
# free ports instead of 8000 and 8501, `sleep 2` replaced by waiting for the API, and `train` given
# 2 folds and 40 rounds (its defaults, early stopping up to 5,000 rounds per fold, take minutes on a
# loaded machine; test_defaults.sh tests them). Then what each
# step promised is checked: the recipe, the features, the model, the scores, the store, an
# explained decision by loan number and for a raw record, the drift report, the dashboard.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { fail "curl is missing (scripts/install-deps.sh installs it)"; exit 1; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(free_port); P2=$(free_port)
W=$T/w
mkdir -p "$W" "$T/bin"
ln -s "$ROOT/data" "$W/data"; ln -s "$ROOT/recipes" "$W/recipes"; ln -s "$ROOT/web" "$W/web"  # the README runs from the repository root
ln -s "$CS" "$T/bin/creditscore"

sed -n '/<!-- walkthrough:begin -->/,/<!-- walkthrough:end -->/p' "$ROOT/README.md" | sed '1,2d;$d' | sed '$d' >"$T/block.sh"
[ -s "$T/block.sh" ] && grep -q 'recipe infer' "$T/block.sh" && ok "the README has the walkthrough block" ||
  { fail "the README has the walkthrough block"; exit 1; }
{
  echo 'set -e'
  echo "wait_api() { for _ in \$(seq 1 600); do curl -sf localhost:$P1/health >/dev/null && return 0; sleep 0.1; done; return 1; }"
  sed -e "s/8000/$P1/g" -e "s/8501/$P2/g" -e 's/^sleep 2$/wait_api/' \
      -e "s/^\(creditscore train .*\)$/\1 --cv 2 --params '{\"num_iterations\": 40}'/" "$T/block.sh"
  echo 'echo; echo "PIDS $(jobs -p | tr "\n" " ")"'
} >"$T/run.sh"
(cd "$W" && PATH="$T/bin:$PATH" CREDITSCORE_STORE="$W/creditscore.db" bash "$T/run.sh") >"$T/out" 2>"$T/err"
rc=$?
PIDS=$(sed -n 's/^PIDS //p' "$T/out")
trap 'kill $PIDS 2>/dev/null; rm -rf "$T"' EXIT
[ $rc -eq 0 ] && ok "every command of the walkthrough ran (exit 0)" || { fail "the walkthrough" "exit $rc"; tail -20 "$T/err"; }

check_grep "recipe infer printed its decisions" "cb_person_default_on_file: flag" "$T/out"
check_grep "recipe check found the file and the columns" "every file and column found in data/credit-risk" "$T/out"
[ -s "$W/cr/features.csf" ] && [ -s "$W/cr/model.csm" ] && [ -s "$W/cr/scores.csv" ] && [ -s "$W/cr/clients.db" ] &&
  ok "features, model, scores and clients store written" || fail "features, model, scores and clients store written"
[ "$(wc -l <"$W/cr/scores.csv")" -eq 32582 ] && ok "a score for each of the 32,581 loans" || fail "a score for each of the 32,581 loans"
# the two curl answers, in order, on stdout
$PY - "$T/out" <<'PY' && ok "an explained decision for loan 1, with the recipe's labels; a raw record scored" || fail "an explained decision for loan 1, with the recipe's labels; a raw record scored"
import json, sys
docs, dec = [], json.JSONDecoder()
text = open(sys.argv[1]).read()
i = 0
while True:
    i = text.find('{"', i)
    if i < 0: break
    try:
        d, j = dec.raw_decode(text, i)
        docs.append(d); i = j
    except ValueError:
        i += 1
ex = next(d for d in docs if "contributions" in d)
assert ex["client_id"] == 1 and len(ex["contributions"]) == 3, ex
assert all("label" in c for c in ex["contributions"]), ex["contributions"]
if ex["decision"] == "refuse":
    assert ex["reason_codes"] and all(r["code"].startswith("RC") for r in ex["reason_codes"]), ex
raw = next(d for d in docs if "probability" in d and "contributions" not in d)
assert 0 <= raw["probability"] <= 1 and raw["decision"] in ("approve", "refuse"), raw
PY
[ -s "$W/cr/drift.html" ] && ok "the drift report" || fail "the drift report"
for _ in $(seq 1 200); do curl -sf "localhost:$P2/" >/dev/null && break; sleep 0.1; done
curl -sf "localhost:$P2/" >/dev/null && ok "the dashboard answers" || fail "the dashboard answers"
curl -sf "localhost:$P2/api/v1/clients/1" >"$T/c.json" &&
  $PY -c "import json,sys; c=json.load(open('$T/c.json')); sys.exit(0 if c['profile'][0]['label']['en'] == 'Age' and c['person_age'] == 22 else 1)" &&
  ok "the dashboard forwards loan 1 with its profile fields" || fail "the dashboard forwards loan 1 with its profile fields"
curl -s "localhost:$P1/v1/model" >"$T/m.json"
$PY -c "import json,sys; m=json.load(open('$T/m.json')); sys.exit(0 if m.get('recipe') == 'credit-risk' and m['inputs']['tables'][0]['name'] == 'loans' else 1)" &&
  ok "/v1/model names the recipe and its inputs" || fail "/v1/model names the recipe and its inputs" "$(head -c 300 "$T/m.json")"
