#!/usr/bin/env bash
# test_logreg.sh: our logistic regression (src/learn/lr.h) against scikit-learn's
# LogisticRegression(solver='lbfgs', tol=1e-10, max_iter=10000) on the same standardised
# data (Debian's /usr/bin/python3): the learned preprocessing (clip to the finite range,
# median imputation, mean and standard deviation) recomputed in numpy, then coefficients,
# intercept and probabilities to relative 1e-4, with and without balanced class weights,
# for several C, on generated data with NaN, +-inf and a constant column, and on numeric
# columns of the real Home Credit sample (skipped when ../shared is absent).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import sklearn, numpy' 2>/dev/null; then
  fail "logreg oracle" "no scikit-learn in $PY"; exit 0
fi
libs="base io recipe synth features eval learn explain"
(cd "$ROOT" && make -s $(for l in $libs; do printf 'build/lib/libcs_%s.a ' $l; done) >/dev/null 2>"$T/make.err") || {
  fail "build the layer archives" "$(tail -3 "$T/make.err")"; exit 1; }
DRV=$T/learn_driver
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -fopenmp -I"$ROOT/src" -o "$DRV" "$ROOT/tests/oracle/learn_driver.c" \
     -Wl,--start-group $(for l in $libs; do printf '%s/build/lib/libcs_%s.a ' "$ROOT" $l; done) -Wl,--end-group \
     $(pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lxgboost -lm 2>"$T/cc.err"; then
  fail "build the learn driver" "$(head -3 "$T/cc.err")"; exit 1
fi

$PY - "$DRV" "$SAMPLE" <<'PYEOF'
import os, subprocess, sys, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression

drv, sample = sys.argv[1], sys.argv[2]

def report(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + detail))

def fmt(v):
    return "" if np.isnan(v) else repr(float(v))

def run(X, y, C, balanced):
    text = "".join(",".join([str(int(t))] + [fmt(v) for v in row]) + "\n" for t, row in zip(y, X))
    out = subprocess.run([drv, "logreg", repr(C), str(int(balanced))], input=text,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    d = X.shape[1]
    res = {k: np.zeros(d) for k in ("median", "mean", "scale", "coef")}
    res["proba"] = np.zeros(len(y))
    for line in out.stdout.splitlines():
        f = line.split()
        if f[0] in ("median", "mean", "scale", "coef", "proba"):
            res[f[0]][int(f[1])] = float(f[2])
        elif f[0] == "intercept":
            res["intercept"] = float(f[1])
        elif f[0] == "iter":
            res["iter"] = int(f[1])
    return res

def preprocess(X):
    """The recipe of lr.h, independently: clip +-inf to the finite range, NaN -> median,
    standardise with the mean and the population standard deviation (0 -> 1)."""
    fin = np.where(np.isfinite(X), X, np.nan)
    lo, hi = np.nanmin(fin, axis=0), np.nanmax(fin, axis=0)
    Xc = np.where(np.isnan(X), np.nan, np.clip(X, lo, hi))
    med = np.nanmedian(Xc, axis=0)
    Xi = np.where(np.isnan(Xc), med, Xc)
    mean, sd = Xi.mean(axis=0), Xi.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    return (Xi - mean) / sd, med, mean, sd

def rel(a, b, floor):
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), floor))

def compare(name, X, y, C, balanced):
    ours = run(X, y, C, balanced)
    Z, med, mean, sd = preprocess(X)
    ok = rel(ours["median"], med, 1e-300) < 1e-12 and rel(ours["mean"], mean, 1e-9) < 1e-9 \
         and rel(ours["scale"], sd, 1e-300) < 1e-9
    report(f"{name}: preprocessing statistics (C={C}, balanced={balanced})", ok,
           f"median {rel(ours['median'], med, 1e-300):.2e} mean {rel(ours['mean'], mean, 1e-9):.2e} "
           f"scale {rel(ours['scale'], sd, 1e-300):.2e}")
    # scikit-learn's L-BFGS also stops on a relative decrease of the loss (scipy's ftol),
    # often well before tol=1e-10 is met; warm-started refits continue from where it
    # stopped until the coefficients no longer move, so both sides sit at the optimum.
    sk = LogisticRegression(C=C, tol=1e-10, max_iter=10000, solver="lbfgs", warm_start=True,
                            class_weight="balanced" if balanced else None)
    prev = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(50):
            sk.fit(Z, y)
            cur = np.r_[sk.coef_[0], sk.intercept_]
            if prev is not None and np.max(np.abs(cur - prev)) <= 1e-10 * max(np.max(np.abs(cur)), 1):
                break
            prev = cur
    coef = sk.coef_[0]
    floor = 1e-3 * max(np.max(np.abs(coef)), 1e-12)    # coefficients ~0 compared absolutely
    ec = rel(ours["coef"], coef, floor)
    eb = abs(ours["intercept"] - sk.intercept_[0]) / max(abs(sk.intercept_[0]), 1e-3)
    ep = rel(ours["proba"], sk.predict_proba(Z)[:, 1], 1e-12)
    report(f"{name}: coefficients and intercept (C={C}, balanced={balanced})", ec < 1e-4 and eb < 1e-4,
           f"coef rel {ec:.2e}, intercept rel {eb:.2e}, {ours['iter']} iterations")
    report(f"{name}: probabilities (C={C}, balanced={balanced})", ep < 1e-4, f"rel {ep:.2e}")

rng = np.random.default_rng(7)
n, d = 3000, 8
X = rng.normal(size=(n, d)) * np.array([1, 10, 1e5, 0.01, 3, 1, 2, 1]) + np.array([0, -5, 2e5, 0, 1, 0, 0, 0])
X[:, 5] = np.floor(rng.normal(size=n) * 2)              # discrete: ties at the median
X[:, 7] = 4.25                                          # constant
score = 0.8 * (X[:, 0]) - 0.05 * X[:, 1] + 0.6 * X[:, 4] - 0.4 * X[:, 5] - 2.2
y = (rng.random(n) < 1 / (1 + np.exp(-score))).astype(int)
X[rng.random((n, d)) < 0.08] = np.nan                   # missing values everywhere
X[rng.random(n) < 0.01, 3] = np.inf                     # infinite ratios
X[rng.random(n) < 0.01, 3] = -np.inf
for C in (1.0, 0.01):
    for balanced in (False, True):
        compare("generated", X, y, C, balanced)

path = os.path.join(sample, "application_train.csv")
if os.path.exists(path):
    import pandas as pd
    df = pd.read_csv(path)
    cols = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "DAYS_BIRTH", "DAYS_EMPLOYED",
            "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "OWN_CAR_AGE", "CNT_CHILDREN"]
    Xs = df[cols].to_numpy(dtype=float)
    Xs[:, 4] = np.where(Xs[:, 4] == 365243, np.nan, Xs[:, 4])
    Xs = np.column_stack([Xs, df["AMT_ANNUITY"] / df["AMT_CREDIT"]])
    compare("real sample", Xs, df["TARGET"].to_numpy(dtype=int), 0.5, False)
    compare("real sample", Xs, df["TARGET"].to_numpy(dtype=int), 0.5, True)
else:
    print("skip - real sample (no ../shared/data/homecredit-sample)")
PYEOF
