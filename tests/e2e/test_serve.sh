# test_serve.sh: the scoring API over real HTTP. Builds a small model (synth -> features ->
# train), the clients store, starts `creditscore serve` on a free port and exercises every
# endpoint and every error case with curl, API keys, SIGHUP reload under load, SIGTERM drain,
# the audit log and `creditscore audit`.
. "$(dirname "$0")/lib.sh"
backend_init
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
command -v curl >/dev/null || { fail "serve" "curl not installed"; exit 0; }
export OMP_NUM_THREADS=1

# ---- fixture: data, features, two models, clients store -------------------------------------
D=$T/data
"$CS" synth --out "$D" --clients 400 --test-clients 80 --seed 5 >"$T/log" 2>&1 || { fail "fixture: synth"; tail "$T/log"; exit 1; }
"$CS" features --data "$D" --out "$T/f.csf" --spec-out "$T/f.spec" >"$T/log" 2>&1 || { fail "fixture: features"; tail "$T/log"; exit 1; }
"$CS" train --features "$T/f.csf" --out "$T/gbdt.csm" --params '{"num_iterations": 20, "num_leaves": 7}' --cv 2 \
  --spec "$T/f.spec" --name e2e-gbdt --model-version 1 >"$T/log" 2>&1 || { fail "fixture: train gbdt"; tail "$T/log"; exit 1; }
"$CS" train --features "$T/f.csf" --out "$T/logreg.csm" --model logreg --cv 2 --spec "$T/f.spec" --name e2e-logreg \
  --model-version 2 >"$T/log" 2>&1 || { fail "fixture: train logreg"; tail "$T/log"; exit 1; }
check "clients import" "$CS" clients import --features "$T/f.csf" --data "$D" --out "$T/clients.db"
# the servers' stores: SQLite files, or PostgreSQL with CS_TEST_BACKEND=postgresql (the SQLite
# file stays: the checks below read request bodies from it)
CLIENTS=$T/clients.db AUDIT=$(backend_store audit)
if [ "$BACKEND" != sqlite ]; then
  CLIENTS=$(backend_store clients)
  check "clients import into $BACKEND" "$CS" clients import --features "$T/f.csf" --data "$D" --out "$CLIENTS"
fi
check_fails "clients import without --out is a usage error" 2 "$CS" clients import --features "$T/f.csf" --data "$D"
check_fails "clients import of a missing feature file fails" 1 "$CS" clients import --features "$T/nope.csf" --data "$D" --out "$T/x.db"
cp "$T/gbdt.csm" "$T/model.csm"

# ---- helpers ------------------------------------------------------------------------------------
# start_server NAME ARGS...: starts serve on a free port, sets PID and URL
start_server() {
  local name=$1; shift
  "$CS" serve --port 0 --threads 2 "$@" >"$T/$name.out" 2>"$T/$name.err" &
  PID=$!
  for _ in $(seq 1 300); do
    grep -q "listening on" "$T/$name.out" 2>/dev/null && break
    kill -0 $PID 2>/dev/null || break
    sleep 0.1
  done
  URL=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$T/$name.out")
  if [ -n "$URL" ]; then ok "$name: server started ($URL)"; else fail "$name: server did not start"; cat "$T/$name.err"; fi
}
# req NAME EXPECTED_STATUS METHOD PATH [BODY] [curl args...]: body in $T/r.json
req() {
  local name=$1 want=$2 method=$3 path=$4 body=${5:-}; shift 5 2>/dev/null || shift $#
  local code
  if [ -n "$body" ]; then
    code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' --data-binary "$body" "$@" "$URL$path")
  else
    code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X "$method" "$@" "$URL$path")
  fi
  if [ "$code" = "$want" ]; then ok "$name (HTTP $code)"; else fail "$name" "HTTP $code, expected $want: $(head -c 300 "$T/r.json")"; fi
}
# jcheck NAME PYTHON_EXPR: the expression over d (the parsed $T/r.json) must be true
jcheck() {
  if $PY -c "import json,math,sys; d=json.load(open('$T/r.json')); sys.exit(0 if ($2) else 1)" 2>"$T/py.err"; then ok "$1"
  else fail "$1" "$2 on $(head -c 300 "$T/r.json")"; head -3 "$T/py.err"; fi
}
# error NAME STATUS CODE [FIELD] METHOD PATH [BODY]
error() {
  local name=$1 status=$2 code=$3 field=$4; shift 4
  req "$name" "$status" "$@"
  jcheck "$name: error code $code" "d['error']['code'] == '$code' and isinstance(d['error']['message'], str) and 'field' in d['error'] and ('$field' == '' or d['error']['field'] == '$field')"
}

start_server api --model "$T/model.csm" --clients "$CLIENTS" --audit "$AUDIT"
CID=$($PY -c "import csv; print(next(csv.DictReader(open('$D/application_test.csv')))['SK_ID_CURR'])")
TID=$($PY -c "import csv; print(next(csv.DictReader(open('$D/application_train.csv')))['SK_ID_CURR'])")
# the feature pipeline drops CODE_GENDER 'XNA' rows, as the kernel does
N_TRAIN=$($PY -c "import csv; print(sum(r['CODE_GENDER'] != 'XNA' for r in csv.DictReader(open('$D/application_train.csv'))))")
N_ALL=$($PY -c "import csv; print($N_TRAIN + sum(r['CODE_GENDER'] != 'XNA' for r in csv.DictReader(open('$D/application_test.csv'))))")

# ---- endpoints -------------------------------------------------------------------------------------
req "GET /health" 200 GET /health
jcheck "health names the model" "d['status'] == 'ok' and d['model']['name'] == 'e2e-gbdt' and d['clients'] == $N_ALL"
req "POST /v1/predict by client id" 200 POST /v1/predict "{\"client_id\": $CID}"
jcheck "predict answers probability, decision, threshold, distance, score, model" \
  "0 <= d['probability'] <= 1 and d['decision'] in ('approve','refuse') and abs(d['distance'] - (d['probability'] - d['threshold'])) < 1e-12 and d['model'] == {'name': 'e2e-gbdt', 'version': '1'} and d['client_id'] == $CID"
jcheck "decision follows the threshold" "(d['decision'] == 'refuse') == (d['probability'] >= d['threshold'])"
jcheck "score: 600 at odds 19:1, 50 points to double" \
  "abs(d['score'] - (600 - 50/math.log(2)*math.log(19) + 50/math.log(2)*math.log((1-d['probability'])/d['probability']))) < 1e-6"
cp "$T/r.json" "$T/by_id.json"
$PY "$HERE/serve_raw.py" "$D" "$CID" >"$T/raw.json"
req "POST /v1/predict with raw records" 200 POST /v1/predict "@$T/raw.json"
jcheck "raw records give the stored client's probability exactly" "d['probability'] == json.load(open('$T/by_id.json'))['probability']"
req "GET /v1/clients/{id}" 200 GET "/v1/clients/$CID"
jcheck "client fields" "d['id'] == $CID and 'age_years' in d and 'income' in d and 'credit' in d and d['age_years'] > 18"
# features by name: the stored vector of a client sent as named features gives the same answer
req "GET /v1/model" 200 GET /v1/model
jcheck "model metadata" "d['name'] == 'e2e-gbdt' and d['kind'] == 'gbdt' and d['n_features'] == len(d['features']) > 100 and 0 < d['threshold'] < 1 and 'oof_auc' in d['metrics']"
FEAT=$($PY -c "import json; print(json.load(open('$T/r.json'))['features'][0])")
$PY - "$T/clients.db" "$CID" "$T/r.json" >"$T/feat_body.json" <<'PYEOF'
import json, sqlite3, struct, sys
db, cid, model = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
con = sqlite3.connect(db)
names = [r[0] for r in con.execute("SELECT name FROM features ORDER BY idx")]
blob = con.execute("SELECT x FROM clients WHERE id=?", (cid,)).fetchone()[0]
x = dict(zip(names, struct.unpack("<%dd" % len(names), blob)))
print(json.dumps({"features": {n: (None if x[n] != x[n] else x[n]) for n in model["features"]}}))
PYEOF
req "POST /v1/predict with named features" 200 POST /v1/predict "@$T/feat_body.json"
jcheck "named features give the stored client's probability exactly" "d['probability'] == json.load(open('$T/by_id.json'))['probability']"
req "POST /v1/explain" 200 POST /v1/explain "{\"client_id\": $CID, \"top\": 5}"
jcheck "explain: expected value + contributions = raw score" "abs(d['contributions_sum'] - d['raw_score']) < 1e-9 and d['method'] == 'treeshap' and len(d['contributions']) == 5"
jcheck "explain: top contributions sorted by |value|" "all(abs(a['contribution']) >= abs(b['contribution']) for a, b in zip(d['contributions'], d['contributions'][1:]))"
jcheck "explain: reason codes only for a refusal, at most 4, pushing toward default" \
  "(len(d['reason_codes']) == 0) if d['decision'] == 'approve' else (1 <= len(d['reason_codes']) <= 4 and all(r['contribution'] > 0 and r['text'] for r in d['reason_codes']))"
# a refused client has reason codes: find one
RID=$($PY - "$URL" <<'PYEOF'
import json, sys, urllib.request
url = sys.argv[1]
page = json.load(urllib.request.urlopen(url + "/v1/clients?limit=200"))
for c in page["clients"]:
    r = urllib.request.Request(url + "/v1/predict", data=json.dumps({"client_id": c["id"]}).encode(), method="POST")
    if json.load(urllib.request.urlopen(r))["decision"] == "refuse":
        print(c["id"]); break
PYEOF
)
if [ -n "$RID" ]; then
  req "POST /v1/explain for a refused client (lang fr)" 200 POST /v1/explain "{\"client_id\": $RID, \"lang\": \"fr\"}"
  jcheck "refusal has 1 to 4 reason codes in plain language" "d['decision'] == 'refuse' and 1 <= len(d['reason_codes']) <= 4 and all(len(r['text']) > 10 for r in d['reason_codes'])"
  jcheck "explain: a refusal's raw score is at or past the threshold's, from a baseline probability" \
    "d['raw_score'] >= d['threshold_raw_score'] and 0 < d['baseline_probability'] < 1"
else
  fail "a refused client among the first 200" "none refused"
fi
req "POST /v1/explain (the first client)" 200 POST /v1/explain "{\"client_id\": $CID}"
jcheck "explain: the threshold's raw score puts the decision on the right side" \
  "(d['raw_score'] >= d['threshold_raw_score']) == (d['decision'] == 'refuse')"
req "GET /v1/clients page" 200 GET "/v1/clients?offset=10&limit=5"
jcheck "clients page" "d['total'] == $N_ALL and d['offset'] == 10 and len(d['clients']) == 5 and d['clients'][0]['id'] < d['clients'][1]['id']"
req "GET /v1/clients?q= search by id prefix" 200 GET "/v1/clients?q=${TID:0:5}&limit=1000"
jcheck "search returns only matching ids" "d['total'] >= 1 and all(str(c['id']).startswith('${TID:0:5}') for c in d['clients'])"
req "GET /v1/importance" 200 GET /v1/importance
jcheck "importance: mean |SHAP| and gain, sorted" "d['order'] == 'mean_abs_shap' and d['shap_rows'] > 0 and all(a['mean_abs_shap'] >= b['mean_abs_shap'] for a, b in zip(d['features'], d['features'][1:]))"
req "GET /v1/features/{name}/distribution" 200 GET "/v1/features/EXT_SOURCE_2/distribution"
jcheck "distribution: accepted and refused histograms" "len(d['edges']) == len(d['accepted']) + 1 == len(d['refused']) + 1 and sum(d['accepted']) + sum(d['refused']) + d['missing_accepted'] + d['missing_refused'] == $N_TRAIN"
req "GET /openapi.json" 200 GET /openapi.json
jcheck "OpenAPI 3 document lists every endpoint" "d['openapi'].startswith('3.') and all(p in d['paths'] for p in ['/v1/predict','/v1/explain','/v1/counterfactual','/v1/clients','/v1/clients/{id}','/v1/model','/v1/importance','/v1/features/{name}/distribution','/health','/metrics','/openapi.json','/docs'])"
if grep -q "docs: http" "$T/api.out" && [ -f "$ROOT/web/api-docs/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ]; then
  req "GET /docs (Swagger UI)" 200 GET /docs
  check_grep "/docs is the Swagger UI page" "swagger-ui-bundle.js" "$T/r.json"
  req "GET /docs/swagger-ui-bundle.js served locally" 200 GET /docs/swagger-ui-bundle.js
else
  req "GET /docs without swagger-ui-dist installed" 503 GET /docs
fi
code=$(curl -s -I -o /dev/null -w '%{http_code}' "$URL/health"); [ "$code" = 200 ] && ok "HEAD /health (HTTP 200)" || fail "HEAD /health" "HTTP $code"

# ---- errors ----------------------------------------------------------------------------------------
error "malformed JSON" 400 malformed_json "" POST /v1/predict '{"client_id": '
error "wrong type" 400 wrong_type client_id POST /v1/predict '{"client_id": "abc"}'
error "unknown feature" 400 unknown_feature features.NO_SUCH_FEATURE POST /v1/predict '{"features": {"NO_SUCH_FEATURE": 1}}'
error "non-finite number" 400 non_finite "features.$FEAT" POST /v1/predict "{\"features\": {\"$FEAT\": 1e999}}"
error "unknown field" 400 unknown_field colour POST /v1/explain '{"client_id": 1, "colour": "red"}'
error "unknown column in raw records" 400 unknown_field application.SHOE_SIZE POST /v1/predict '{"application": {"SHOE_SIZE": 42}}'
error "unknown client" 404 unknown_client client_id POST /v1/predict '{"client_id": 999999999}'
error "unknown client (GET)" 404 unknown_client id GET /v1/clients/999999999
error "unknown feature distribution" 404 unknown_feature name GET /v1/features/NOPE/distribution
error "unknown path" 404 not_found "" GET /v1/nothing
error "wrong method" 405 method_not_allowed "" GET /v1/predict
curl -s -D "$T/h" -o /dev/null -X DELETE "$URL/v1/clients/1"; check_grep "405 names the allowed methods" "^Allow: GET" "$T/h"
head -c 2000000 /dev/zero | tr '\0' ' ' >"$T/big.json"
error "body over the size limit" 413 body_too_large "" POST /v1/predict "@$T/big.json"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary "@$T/big.json" "$URL/v1/predict")
[ "$code" = 413 ] && ok "chunked body over the limit (HTTP 413)" || fail "chunked body over the limit" "HTTP $code"
error "bad limit" 400 wrong_type limit GET "/v1/clients?limit=abc"
error "bad q" 400 invalid_query q GET "/v1/clients?q=1%27%20OR%201=1"
printf '\x00\xff\xfe{{{' >"$T/bin"; error "binary garbage" 400 malformed_json "" POST /v1/predict "@$T/bin"
req "server still healthy after the errors" 200 GET /health
curl -s -D "$T/h" -o /dev/null -H "X-Request-Id: e2e-check-1" "$URL/health"; check_grep "X-Request-Id header" "^X-Request-Id: e2e-check-1" "$T/h"

# ---- metrics --------------------------------------------------------------------------------------
req "GET /metrics" 200 GET /metrics
check_grep "metrics: request counters" '^creditscore_http_requests_total\{route="predict",code="200"\} [0-9]+' "$T/r.json"
check_grep "metrics: 404 counted" '^creditscore_http_requests_total\{route="predict",code="404"\} [0-9]+' "$T/r.json"
check_grep "metrics: latency histogram" '^creditscore_http_request_duration_seconds_bucket\{route="predict",le="\+Inf"\} [0-9]+' "$T/r.json"
check_grep "metrics: decisions" '^creditscore_decisions_total\{decision="(approve|refuse)"\} [0-9]+' "$T/r.json"

# ---- SIGHUP reload under load: no failed request, the new model answers -----------------------------
load() {   # load FILE N: N predictions on one keep-alive connection... (curl reuses it within one call)
  local args=() i
  for i in $(seq 1 "$2"); do args+=(-o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' --data "{\"client_id\": $CID}" "$URL/v1/predict"); [ "$i" -lt "$2" ] && args+=(--next); done
  curl -s "${args[@]}" >"$1"
}
load "$T/load1" 400 & L1=$!
load "$T/load2" 400 & L2=$!
for v in 1 2 3; do
  sleep 0.2
  if [ $((v % 2)) = 1 ]; then cp "$T/logreg.csm" "$T/model.tmp"; else cp "$T/gbdt.csm" "$T/model.tmp"; fi
  mv "$T/model.tmp" "$T/model.csm"
  kill -HUP $PID
done
wait $L1 $L2
n200=$(cat "$T/load1" "$T/load2" | grep -c '^200$'); nall=$(cat "$T/load1" "$T/load2" | wc -l)
[ "$n200" = 800 ] && [ "$nall" = 800 ] && ok "800 requests during 3 reloads all answered 200" || fail "requests during reload" "$n200 of $nall answered 200"
sleep 0.3
req "after reload" 200 POST /v1/predict "{\"client_id\": $CID}"
jcheck "the reloaded model answers" "d['model'] == {'name': 'e2e-logreg', 'version': '2'}"
req "explain with the logistic regression" 200 POST /v1/explain "{\"client_id\": $CID}"
jcheck "linear contributions sum to the raw score" "d['method'] == 'linear' and abs(d['contributions_sum'] - d['raw_score']) < 1e-9"
printf 'CSMODEL\0broken' >"$T/model.csm"; kill -HUP $PID; sleep 0.5
req "a broken model file on SIGHUP keeps the old model" 200 POST /v1/predict "{\"client_id\": $CID}"
jcheck "still the logistic regression" "d['model']['name'] == 'e2e-logreg'"
check_grep "reload failure is logged" "reload failed" "$T/api.err"

# ---- SIGTERM drains in-flight requests ------------------------------------------------------------
load "$T/load3" 300 & L3=$!
sleep 0.3
kill -TERM $PID
wait $L3
wait $PID; rc=$?
[ $rc = 0 ] && ok "SIGTERM: exit 0 after draining" || fail "SIGTERM exit" "exit $rc"
check_grep "SIGTERM is logged" "draining" "$T/api.err"
n_bad=$(grep -vc '^\(200\|000\)$' "$T/load3")
[ "$n_bad" = 0 ] && ok "SIGTERM: every answered request is a 200 (refused connections only after the stop)" || fail "SIGTERM drain" "$n_bad non-200 answers"

# ---- the audit log --------------------------------------------------------------------------------
n_dec=$(cat "$T/load1" "$T/load2" "$T/load3" | grep -c '^200$')
check "audit lists" "$CS" audit --db "$AUDIT"
"$CS" audit --db "$AUDIT" --csv --out "$T/audit.csv" 2>/dev/null
check_grep "audit CSV header" '^seq,time,request_id,endpoint,model_name,model_version,input_kind,client_id,input_digest,probability,score,threshold,decision,challenger_name,challenger_version,challenger_probability,challenger_threshold,challenger_decision,kind$' "$T/audit.csv"
n_rows=$(($(wc -l <"$T/audit.csv") - 1))
[ "$n_rows" -ge "$n_dec" ] && ok "audit: every decision recorded ($n_rows rows >= $n_dec load decisions)" || fail "audit rows" "$n_rows < $n_dec"
$PY - "$T/audit.csv" <<'PYEOF' >"$T/ac" 2>&1 && ok "audit rows: digest, probability, decision consistent" || { fail "audit rows consistent"; cat "$T/ac"; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    assert len(r["input_digest"]) == 64, r
    p, t = float(r["probability"]), float(r["threshold"])
    assert r["decision"] == ("refuse" if p >= t else "approve"), r
    assert r["endpoint"] in ("predict", "explain") and r["input_kind"] in ("client_id", "features", "application"), r
assert len({r["request_id"] for r in rows}) == len(rows)
PYEOF
"$CS" audit --db "$AUDIT" --since 2000-01-01 --limit 3 >"$T/a3"; [ "$(wc -l <"$T/a3")" = 4 ] && ok "audit --limit" || fail "audit --limit" "$(wc -l <"$T/a3") lines"
check_fails "audit --since junk is a usage error" 2 "$CS" audit --db "$AUDIT" --since yesterday
check_fails "audit of a missing log fails" 1 "$CS" audit --db "$T/none/audit.db"

# ---- API keys ------------------------------------------------------------------------------------
printf '# keys\ne2e-key-0123456789abcdef\n' >"$T/keys.txt"
cp "$T/gbdt.csm" "$T/model.csm"
start_server keyed --model "$T/model.csm" --clients "$CLIENTS" --no-audit --api-key-file "$T/keys.txt"
error "no key: 401" 401 unauthorized "" POST /v1/predict "{\"client_id\": $CID}"
jcheck "401 says nothing else" "set(d) == {'error'} and 'probability' not in json.dumps(d)"
error "wrong key: 401" 401 unauthorized "" GET /v1/model "" -H "X-API-Key: e2e-key-0123456789abcdeX"
error "no key for metrics: 401" 401 unauthorized "" GET /metrics
req "valid X-API-Key" 200 POST /v1/predict "{\"client_id\": $CID}" -H "X-API-Key: e2e-key-0123456789abcdef"
req "valid Bearer token" 200 GET "/v1/clients/$CID" "" -H "Authorization: Bearer e2e-key-0123456789abcdef"
req "health needs no key" 200 GET /health
grep -q "e2e-key-0123456789abcdef" "$T/keyed.err" && fail "keys never logged" || ok "keys never logged"
kill -TERM $PID; wait $PID

# ---- bad command lines and files --------------------------------------------------------------------
check_fails "serve without --model is a usage error" 2 "$CS" serve
check_fails "serve --port junk is a usage error" 2 "$CS" serve --model "$T/gbdt.csm" --port 70000
check_fails "serve with a missing model fails" 1 "$CS" serve --model "$T/none.csm" --no-audit
check_fails "serve with a corrupt model fails" 1 "$CS" serve --model "$T/big.json" --no-audit
printf 'short\n' >"$T/badkeys"
check_fails "serve with a bad key file fails" 1 "$CS" serve --model "$T/gbdt.csm" --no-audit --api-key-file "$T/badkeys"
"$CS" serve --model "$T/gbdt.csm" --no-audit --api-key-file "$T/badkeys" 2>"$T/e"; check_grep "bad key file is named with its line" "badkeys:1: key shorter" "$T/e"

# ---- --registry NAME: the production version; promote + SIGHUP deploys the next one -----------------
# (the registry in PostgreSQL with CS_TEST_BACKEND=postgresql: the server loads the bytes kept there)
CREDITSCORE_STORE=$(backend_store track) || fail "the tracking store" "cannot create it"
export CREDITSCORE_STORE TMPDIR=$T   # TMPDIR: the registry's copies, removed with $T
if "$CS" models register "$T/gbdt.csm" --name scoring >"$T/log" 2>&1 && "$CS" models promote scoring 1 --stage production >>"$T/log" 2>&1 \
   && "$CS" models register "$T/logreg.csm" --name scoring >>"$T/log" 2>&1; then
  start_server registry --registry scoring --clients "$CLIENTS" --no-audit
  req "registry: production version served" 200 POST /v1/predict "{\"client_id\": $CID}"
  jcheck "registry: version 1 (the GBDT)" "d['model']['name'] == 'e2e-gbdt'"
  "$CS" models promote scoring 2 --stage production >"$T/log" 2>&1
  kill -HUP $PID; sleep 0.5
  req "registry: after promote + SIGHUP" 200 POST /v1/predict "{\"client_id\": $CID}"
  jcheck "registry: the promoted version answers" "d['model']['name'] == 'e2e-logreg'"
  kill -TERM $PID; wait $PID
  check_fails "registry: unknown name fails" 1 "$CS" serve --registry nosuch --no-audit
  check_fails "registry and model together is a usage error" 2 "$CS" serve --registry scoring --model "$T/gbdt.csm"
else
  fail "registry fixture" "$(tail -3 "$T/log")"
fi

# ---- the clients store from the real Home Credit sample ------------------------------------------
if [ -d "$SAMPLE" ]; then
  if "$CS" features --data "$SAMPLE" --out "$T/sample.csf" >"$T/log" 2>&1 \
     && "$CS" clients import --features "$T/sample.csf" --data "$SAMPLE" --out "$T/sample.db" >"$T/log" 2>&1; then
    $PY - "$T/sample.db" "$SAMPLE/application_train.csv" <<'PYEOF' >"$T/sc" 2>&1 && ok "sample: clients store fields match application_train.csv" || { fail "sample clients store"; cat "$T/sc"; }
import csv, math, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = {int(r["SK_ID_CURR"]): r for r in csv.DictReader(open(sys.argv[2]))}
n = 0
for cid, age, inc, cred, emp, gender, edu in con.execute(
        "SELECT id, age_years, income, credit, employment_years, gender, education FROM clients"):
    if cid not in rows: continue
    r = rows[cid]; n += 1
    assert abs(age - (-float(r["DAYS_BIRTH"]) / 365.25)) < 1e-9, cid
    assert inc == float(r["AMT_INCOME_TOTAL"]) and cred == float(r["AMT_CREDIT"]), cid
    assert (emp is None) == (r["DAYS_EMPLOYED"] == "365243"), cid
    assert gender == (r["CODE_GENDER"] or None) and edu == (r["NAME_EDUCATION_TYPE"] or None), cid
assert n > 900, n
PYEOF
  else
    fail "sample: features + clients import" "$(tail -3 "$T/log")"
  fi
else
  skip "sample clients store" "no ../shared/data/homecredit-sample"
fi
