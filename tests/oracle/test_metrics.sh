#!/usr/bin/env bash
# test_metrics.sh: src/eval against scikit-learn/scipy (Debian's /usr/bin/python3):
# ROC AUC on data with many ties (1e-12), Gini, KS (scipy ks_2samp), log loss and Brier,
# isotonic calibration (IsotonicRegression, clip), Platt scaling (scikit-learn's
# _sigmoid_calibration objective solved tightly by scipy), stratified fold class shares,
# and the cost-optimal threshold against a brute-force search in numpy.
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import sklearn, scipy, numpy' 2>/dev/null; then
  fail "metrics oracle" "no scikit-learn in $PY"; exit 0
fi
objs=$(ls "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/eval/*.o 2>/dev/null)
if [ -z "$objs" ]; then
  (cd "$ROOT" && make -s build/obj/eval/metrics.o >/dev/null 2>&1)
  objs=$(ls "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/eval/*.o)
fi
DRV=$T/eval_driver
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/tests/oracle/eval_driver.c" $objs \
     $(pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lm -fopenmp 2>"$T/cc.err"; then
  fail "build the eval driver" "$(head -3 "$T/cc.err")"; exit 1
fi

$PY - "$DRV" "$T" <<'PYEOF'
import subprocess, sys
import numpy as np
from scipy.special import expit, xlogy
from scipy.optimize import minimize
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score, log_loss, brier_score_loss
from sklearn.isotonic import IsotonicRegression
from sklearn.calibration import _sigmoid_calibration

drv, tmp = sys.argv[1], sys.argv[2]

def run(args, y, p, queries=None):
    text = "".join("%d,%r\n" % (a, b) for a, b in zip(y, p))
    if queries is not None:
        text += "--\n" + "".join("%r\n" % q for q in queries)
    out = subprocess.run([drv] + args, input=text, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.split("\n")

def named(lines):
    d = {}
    for l in lines:
        if l:
            k, v = l.split()
            d.setdefault(k, []).append(float(v))
    return d

def report(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + detail))

rng = np.random.default_rng(20240601)
for case, (n, levels) in enumerate([(5000, 12), (20000, 400), (3000, 0)]):
    y = (rng.random(n) < 0.09).astype(int)
    raw = rng.normal(size=n) + 0.9 * y
    p = expit(raw - 2.2)
    if levels:
        p = np.round(p * levels) / levels   # many ties
        p = np.clip(p, 0, 1)
    got = named(run(["metrics"], y, p))
    auc = roc_auc_score(y, p)
    report("auc case %d (n=%d, %d distinct scores) vs roc_auc_score to 1e-12" % (case, n, len(np.unique(p))),
           abs(got["auc"][0] - auc) <= 1e-12, "%r vs %r" % (got["auc"][0], auc))
    report("gini case %d" % case, abs(got["gini"][0] - (2 * auc - 1)) <= 2e-12)
    ks = ks_2samp(p[y == 1], p[y == 0]).statistic
    report("ks case %d vs scipy ks_2samp" % case, abs(got["ks"][0] - ks) <= 1e-12, "%r vs %r" % (got["ks"][0], ks))
    ll = log_loss(y, p)
    report("log loss case %d vs log_loss (clipping at eps)" % case, abs(got["log_loss"][0] - ll) <= 1e-12 * max(1, ll),
           "%r vs %r" % (got["log_loss"][0], ll))
    br = brier_score_loss(y, p)
    report("brier case %d vs brier_score_loss" % case, abs(got["brier"][0] - br) <= 1e-13, "%r vs %r" % (got["brier"][0], br))

    # isotonic: fit on p, query in and out of range
    q = np.concatenate([np.linspace(-0.1, 1.1, 301), p[:200]])
    got_iso = np.array(named(run(["isotonic"], y, p, q))["q"])
    iso = IsotonicRegression(out_of_bounds="clip").fit(p, y).predict(q)
    err = np.max(np.abs(got_iso - iso))
    report("isotonic case %d vs IsotonicRegression to 1e-12" % case, err <= 1e-12, "max diff %g" % err)

    # Platt: same objective as scikit-learn, F = logit(clip(p, 1e-15))
    pc = np.clip(p, 1e-15, 1 - 1e-15)
    F = np.log(pc / (1 - pc))
    d = named(run(["platt"], y, p, q))
    a, b = d["a"][0], d["b"][0]
    prior1 = y.sum(); prior0 = n - prior1
    T = np.where(y > 0, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))
    def obj(ab):
        P = expit(-(ab[0] * F + ab[1]))
        return -(xlogy(T, P) + xlogy(1 - T, 1 - P)).sum()
    def grad(ab):
        P = expit(-(ab[0] * F + ab[1]))
        return np.array([np.dot(T - P, F), np.sum(T - P)])
    res = minimize(obj, [0.0, np.log((prior0 + 1) / (prior1 + 1))], jac=grad, method="BFGS",
                   options={"gtol": 1e-10, "maxiter": 1000})
    report("platt case %d: a, b at scipy's tight optimum (1e-6)" % case,
           abs(a - res.x[0]) < 1e-6 and abs(b - res.x[1]) < 1e-6, "%r %r vs %r" % (a, b, res.x))
    sa, sb = _sigmoid_calibration(F, y)
    qc = np.clip(q, 1e-15, 1 - 1e-15)
    Fq = np.log(qc / (1 - qc))
    sk = expit(-(sa * Fq + sb))
    err = np.max(np.abs(np.array(d["q"]) - sk))
    report("platt case %d: probabilities vs _sigmoid_calibration (1e-4, its BFGS stops early)" % case,
           err < 1e-4, "max diff %g" % err)
    report("platt case %d: our objective <= scikit-learn's" % case, obj([a, b]) <= obj([sa, sb]) + 1e-9)

    # stratified folds: class shares like StratifiedKFold
    for k in (3, 5, 10):
        folds = np.array([int(v) for v in run(["folds", str(k), "7"], y, p) if v])
        npos = y.sum()
        cnt = np.array([[np.sum((folds == f) & (y == c)) for c in (0, 1)] for f in range(k)])
        from sklearn.model_selection import StratifiedKFold
        sk_cnt = np.array(sorted([[np.sum(y[te] == c) for c in (0, 1)]
                                  for _, te in StratifiedKFold(k, shuffle=True, random_state=0).split(p, y)]))
        report("folds case %d k=%d: per-fold class counts equal StratifiedKFold's" % (case, k),
               np.array_equal(np.array(sorted(cnt.tolist())), sk_cnt), "%s vs %s" % (cnt.tolist(), sk_cnt.tolist()))

    # exact threshold vs brute force
    got_t = named(run(["threshold", "10", "1"], y, p))
    cands = np.unique(np.append(p, np.nextafter(p.max(), np.inf)))
    costs = np.array([10 * np.sum((p < t) & (y == 1)) + np.sum((p >= t) & (y == 0)) for t in cands])
    best = costs.min()
    report("threshold case %d: cost-optimal by brute force" % case,
           got_t["cost"][0] == best and got_t["threshold"][0] == cands[np.argmin(costs)],
           "%r at %r vs %r at %r" % (got_t["cost"][0], got_t["threshold"][0], best, cands[np.argmin(costs)]))
PYEOF
