#!/usr/bin/env bash
# test_treeshap.sh: the XGBoost bridge and TreeSHAP against Debian's python3-xgboost.
# learn_driver trains through libxgboost's C API (our parameters), converts the trees and
# computes, in our engine, raw scores and exact TreeSHAP values; python loads the very same
# booster from its JSON and computes XGBoost's own output_margin and pred_contribs. Checked:
# margins (1e-6 relative), every contribution (1e-6), the bias column == our expected value
# (1e-6), and our expected value + contributions == our raw score (1e-9); on generated data
# with NaN and +-inf and on numeric columns of the real Home Credit sample (skipped when
# ../shared is absent).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import xgboost, numpy' 2>/dev/null; then
  fail "treeshap oracle" "no xgboost in $PY"; exit 0
fi
libs="base io recipe infer synth features eval learn explain"
(cd "$ROOT" && make -s $(for l in $libs; do printf 'build/lib/libcs_%s.a ' $l; done) >/dev/null 2>"$T/make.err") || {
  fail "build the layer archives" "$(tail -3 "$T/make.err")"; exit 1; }
DRV=$T/learn_driver
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -fopenmp -I"$ROOT/src" -o "$DRV" "$ROOT/tests/oracle/learn_driver.c" \
     -Wl,--start-group $(for l in $libs; do printf '%s/build/lib/libcs_%s.a ' "$ROOT" $l; done) -Wl,--end-group \
     $(pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lxgboost -lm 2>"$T/cc.err"; then
  fail "build the learn driver" "$(head -3 "$T/cc.err")"; exit 1
fi

$PY - "$DRV" "$SAMPLE" "$T" <<'PYEOF'
import os, subprocess, sys
import numpy as np
import xgboost as xgb

drv, sample, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
FMAX = np.finfo(np.float32).max

def report(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + detail))

def fmt(v):
    return "" if np.isnan(v) else repr(float(v))

def compare(name, X, y, params):
    model = os.path.join(tmp, "model.json")
    text = "".join(",".join([str(int(t))] + [fmt(v) for v in row]) + "\n" for t, row in zip(y, X))
    out = subprocess.run([drv, "xgb", params, model], input=text, capture_output=True, text=True)
    if out.returncode != 0:
        report(name + ": train and explain", False, out.stderr.strip()); return
    n, d = X.shape
    raw, shap, expected = np.zeros(n), np.zeros((n, d)), None
    for line in out.stdout.splitlines():
        f = line.split()
        if f[0] == "raw": raw[int(f[1])] = float(f[2])
        elif f[0] == "shap": shap[int(f[1]), int(f[2])] = float(f[3])
        elif f[0] == "expected": expected = float(f[1])
    bst = xgb.Booster()
    bst.load_model(model)
    # XGBoost's view of the data: float32, +-inf clamped to the float range (xgb.h)
    Xf = np.where(np.isnan(X), np.nan, np.clip(X, -FMAX, FMAX)).astype(np.float32)
    dm = xgb.DMatrix(Xf, missing=np.nan)
    margin = bst.predict(dm, output_margin=True).astype(float)
    contribs = bst.predict(dm, pred_contribs=True).astype(float)
    em = np.max(np.abs(raw - margin) / np.maximum(1, np.abs(margin)))
    report(f"{name}: raw scores equal XGBoost's margins", em < 1e-6, f"rel {em:.2e}")
    # XGBoost accumulates contributions in float32 over all trees: 1e-6 relative to the
    # size of the row's margin (a wrong path or weight is off by orders more)
    scale = np.maximum(1, np.abs(contribs).sum(axis=1))[:, None]
    es = np.max(np.abs(shap - contribs[:, :d]) / scale)
    report(f"{name}: TreeSHAP equals XGBoost's pred_contribs", es < 1e-6,
           f"max diff {es:.2e} relative to the row's total |contribution|")
    eb = np.max(np.abs(expected - contribs[:, d]))
    report(f"{name}: expected value equals the bias column", eb < 1e-6, f"max diff {eb:.2e}")
    ea = np.max(np.abs(expected + shap.sum(axis=1) - raw))
    report(f"{name}: expected + contributions == raw score", ea < 1e-9, f"max diff {ea:.2e}")
    nz = np.mean(np.abs(contribs[:, :d]) > 0)
    report(f"{name}: the comparison is not vacuous", nz > 0.3, f"only {nz:.2f} non-zero")

rng = np.random.default_rng(11)
n, d = 2000, 7
X = rng.normal(size=(n, d)) * np.array([1, 5, 1e4, 1, 0.1, 2, 1])
X[:, 3] = np.floor(X[:, 3] * 3)                       # ties on split values
score = X[:, 0] - 0.3 * X[:, 1] / 5 + 0.8 * X[:, 3] - 1.5 + np.sin(X[:, 5])
y = (rng.random(n) < 1 / (1 + np.exp(-score))).astype(int)
X[rng.random((n, d)) < 0.1] = np.nan
X[rng.random(n) < 0.02, 4] = np.inf
X[rng.random(n) < 0.02, 4] = -np.inf
compare("generated depth 4", X, y, '{"num_boost_round": 60, "eta": 0.2, "max_depth": 4, "max_bin": 64, "nthread": 2}')
compare("generated depth 8", X, y, '{"num_boost_round": 25, "eta": 0.3, "max_depth": 8, "min_child_weight": 0.1, '
        '"subsample": 0.8, "colsample_bytree": 0.7, "lambda": 2, "alpha": 0.1, "gamma": 0.05, '
        '"scale_pos_weight": 3, "seed": 5, "nthread": 2}')

path = os.path.join(sample, "application_train.csv")
if os.path.exists(path):
    import pandas as pd
    df = pd.read_csv(path)
    cols = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "DAYS_BIRTH", "DAYS_EMPLOYED",
            "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "OWN_CAR_AGE", "CNT_CHILDREN"]
    Xs = df[cols].to_numpy(dtype=float)
    Xs = np.column_stack([Xs, df["AMT_ANNUITY"] / df["AMT_CREDIT"]])
    compare("real sample", Xs, df["TARGET"].to_numpy(dtype=int),
            '{"num_boost_round": 40, "eta": 0.1, "max_depth": 5, "nthread": 2}')
else:
    print("skip - real sample (no ../shared/data/homecredit-sample)")
PYEOF
