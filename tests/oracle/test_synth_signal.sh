# test_synth_signal.sh: how much of TARGET the generated data explains, measured by Debian's
# Python (scikit-learn HistGradientBoosting, 5-fold AUC, tests/oracle/synth_signal.py) on
# 20,000 generated clients. The generator is calibrated so that, as in the real data:
#   EXT_SOURCE_1..3 alone                          0.69 <= AUC <= 0.75   (real: about 0.72)
#   the application table alone                    above EXT alone, below app + history
#   application + per-client history aggregates    0.75 <= AUC <= 0.81   (real kernel: 0.78-0.79)
#   the history adds at least 0.015 to the application table alone
# At 20,000 clients one AUC has a standard error of about 0.005.
. "$(dirname "$0")/../e2e/lib.sh"

PY=/usr/bin/python3
"$CS" synth --out "$T/d" --clients 20000 --test-clients 2000 --seed 5 --quiet || { fail "synth 20000 clients"; exit 0; }
ok "synth 20000 clients"
"$PY" "$(dirname "$0")/synth_signal.py" "$T/d" >"$T/auc.txt" 2>"$T/err" || { fail "synth_signal.py runs" "$(tail -3 "$T/err")"; exit 0; }
ok "synth_signal.py runs"
cat "$T/auc.txt"
ext=$(sed -n 's/^auc ext //p' "$T/auc.txt")
app=$(sed -n 's/^auc app //p' "$T/auc.txt")
full=$(sed -n 's/^auc full //p' "$T/auc.txt")
in_range() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN {exit !(x >= lo && x <= hi)}'; }
in_range "$ext" 0.69 0.75 && ok "EXT_SOURCE_1..3 alone: AUC $ext in [0.69, 0.75]" || fail "EXT_SOURCE_1..3 alone: AUC $ext in [0.69, 0.75]"
in_range "$full" 0.75 0.81 && ok "application + history: AUC $full in [0.75, 0.81]" || fail "application + history: AUC $full in [0.75, 0.81]"
awk -v a="$app" -v e="$ext" 'BEGIN {exit !(a > e)}' && ok "application alone ($app) beats EXT alone ($ext)" || fail "application alone ($app) beats EXT alone ($ext)"
awk -v a="$app" -v f="$full" 'BEGIN {exit !(f - a >= 0.015)}' && ok "history adds >= 0.015 ($app -> $full)" || fail "history adds >= 0.015 ($app -> $full)"
