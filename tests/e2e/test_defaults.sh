#!/usr/bin/env bash
# test_defaults.sh: `train` with no --params on generated Home Credit-like data (synth +
# features): it chooses the rounds itself and prints them with each fold's, the default (auto)
# calibration keeps the ranking (no two test clients with different raw scores share a
# probability, none is 0 or 1, the calibrated AUC equals the raw one in the model), the model
# file's META holds the fitted parameters (no "auto") and the record of the choice, the run
# records them, and --folds-out writes each training row's fold.
source "$(dirname "$0")/lib.sh"
export CREDITSCORE_STORE="$T/runs.db"

"$CS" synth --out "$T/d" --clients 1500 --test-clients 300 --seed 5 --quiet >/dev/null 2>&1
"$CS" features --data "$T/d" --out "$T/f.csf" >/dev/null 2>&1
check "train with the defaults" "$CS" train --features "$T/f.csf" --out "$T/m.csm" --folds-out "$T/folds.csv"
cp "$T/.out" "$T/train.out"
check_grep "it prints the rounds it chose and each fold's" '^rounds +[0-9]+, the mean of the folds. early-stopping rounds \([0-9]+, [0-9]+, [0-9]+, [0-9]+, [0-9]+\)' "$T/train.out"
check_grep "it prints the calibration's choice and both losses" '^calibrate +auto chose (platt|isotonic-interp): out-of-fold log loss platt 0\.[0-9]+, isotonic-interp 0\.[0-9]+' "$T/train.out"
check_grep "it prints the fitted parameters" '^params +\{"num_iterations":[0-9]+,"learning_rate":0.05,.*"min_data_in_leaf":20,"min_sum_hessian_in_leaf":1,.*"lambda_l2":1,.*"feature_fraction":0.5' "$T/train.out"
rounds=$(sed -n 's/^rounds *\([0-9]*\),.*/\1/p' "$T/train.out")
mean=$(sed -n 's/^rounds.*(\(.*\))$/\1/p' "$T/train.out" | tr -d ' ' | awk -F, '{s=0; for (i=1;i<=NF;i++) s+=$i; printf "%.0f", s/NF}')
if [ -n "$rounds" ] && [ "$rounds" = "$mean" ]; then ok "the refit has the mean of the folds' rounds ($rounds)"; else fail "the refit has the mean of the folds' rounds" "$rounds vs $mean"; fi

/usr/bin/python3 - "$T/m.csm" "$rounds" >"$T/meta.out" 2>&1 <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack_from("<I", b, 12)[0]
for i in range(n):
    tag, _, off, ln = struct.unpack_from("<IIQQ", b, 64 + 24 * i)
    if tag == 1:
        meta = json.loads(b[off:off + ln].decode().rstrip("\0"))
p, t = meta["params"], meta["tuning"]
assert "auto" not in json.dumps(p), p
assert p["num_iterations"] == int(sys.argv[2]), (p["num_iterations"], sys.argv[2])
assert t["num_iterations"]["chosen"] == p["num_iterations"] and len(t["num_iterations"]["folds"]) == 5, t
assert t["calibration"]["asked"] == "auto" and t["calibration"]["chosen"] == meta["calibration"], t
assert meta["calibration"] in ("platt", "isotonic-interp"), meta["calibration"]
print("meta ok")
PY
check_grep "the model file holds the fitted parameters and the defaults' record" '^meta ok$' "$T/meta.out"

# the test clients: distinct raw scores give distinct probabilities, none 0 or 1
"$CS" predict --model "$T/m.csm" --features "$T/f.csf" --out "$T/p.csv" >/dev/null 2>&1
/usr/bin/python3 - "$T/p.csv" >"$T/ties.out" 2>&1 <<'PY'
import csv, sys
p = [float(r["probability"]) for r in csv.DictReader(open(sys.argv[1]))]
assert all(0 < v < 1 for v in p), "a probability is 0 or 1"
print(f"distinct {len(set(p))} of {len(p)}")
PY
n=$(sed -n 's/^distinct \([0-9]*\) of \([0-9]*\)$/\1 \2/p' "$T/ties.out")
if [ -n "$n" ] && awk -v a="${n% *}" -v b="${n#* }" 'BEGIN {exit !(a >= 0.97 * b)}'; then
  ok "the default calibration does not tie clients in blocks ($n)"
else
  fail "the default calibration does not tie clients in blocks" "$(cat "$T/ties.out")"
fi

# the folds file: one line per training row, folds 0..4
ntrain=$(sed -n 's/^model .* on \([0-9]*\) clients.*/\1/p' "$T/train.out")
if awk -F, -v want="$ntrain" 'NR == 1 {ok = ($0 == "row,SK_ID_CURR,fold")} NR > 1 {c[$3]++; n++} END {exit !(ok && n == want && length(c) == 5 && (0 in c) && (4 in c))}' "$T/folds.csv"; then
  ok "--folds-out writes each training row's fold"
else
  fail "--folds-out writes each training row's fold" "$(head -2 "$T/folds.csv")"
fi

# the run records what was asked and what was fitted
"$CS" runs list >"$T/runs.out" 2>&1
id=$(awk 'NR > 1 && $1 ~ /^[0-9a-f]+$/ {print $1; exit}' "$T/runs.out")
"$CS" runs show "$id" >"$T/show.out" 2>&1
check_grep "the run records num_iterations as asked (auto)" 'num_iterations +auto' "$T/show.out"
check_grep "the run records the fitted rounds" "fitted.num_iterations +$rounds" "$T/show.out"
check_grep "the run records the calibration's losses" 'calib_oof_log_loss_platt' "$T/show.out"

# an explicit step isotonic still works and is reported as such; "auto" only where it means something
check "train with --calibration isotonic" "$CS" train --features "$T/f.csf" --out "$T/iso.csm" --params '{"num_iterations": 20}' --calibration isotonic --no-track
check_grep "it says isotonic" '^model +gbdt, isotonic calibration' "$T/.out"
check_fails "\"auto\" for a parameter without one -> exit 2" 2 "$CS" train --features "$T/f.csf" --out "$T/x.csm" --params '{"num_leaves": "auto"}' --no-track
check_fails "an unknown calibration -> exit 2" 2 "$CS" train --features "$T/f.csf" --out "$T/x.csm" --calibration beta --no-track
