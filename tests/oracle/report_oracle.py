#!/usr/bin/env python3
"""report_oracle.py REPORT.json PREDICTIONS.csv FEATURES.csv SCORES.csv

Check `creditscore report --json` against scikit-learn / scipy / numpy, from the definitions in
docs/model-report.md: the out-of-fold rows (`report --predictions`) are the training rows of the
feature file in file order with their targets; AUC (roc_auc_score), Gini, KS (ks_2samp), log
loss (log_loss), Brier (brier_score_loss); the confusion at the threshold; calibration by decile
(stable sort, numpy.array_split); the score distributions; the PSI of every feature and of the
score between training rows and test rows (deciles of the training values, numpy 'linear',
duplicates dropped, right-closed bins, a missing bin, bins empty on both sides dropped, zero
shares filled as evidently does); bootstrap intervals around their estimates and about as wide
as the Hanley-McNeil standard error gives. Prints TAP lines."""
import json
import math
import sys

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

rep = json.load(open(sys.argv[1]))
pred = pd.read_csv(sys.argv[2], float_precision="round_trip")  # the threshold is one of these probabilities
feat = pd.read_csv(sys.argv[3], float_precision="round_trip")
scores = pd.read_csv(sys.argv[4], float_precision="round_trip")
ok_all = True


def check(name, cond, detail=""):
    global ok_all
    if cond:
        print(f"ok - {name}")
    else:
        ok_all = False
        print(f"not ok - {name}: {detail}")


def close(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


perf = rep["performance"]
y = pred.target.to_numpy(float)
p = pred.probability.to_numpy(float)
train = feat[feat.TARGET.notna()].reset_index(drop=True)
test = feat[feat.TARGET.isna()].reset_index(drop=True)
check("the out-of-fold rows are the training rows in file order", len(train) == len(pred) and
      np.array_equal(train.TARGET.to_numpy(float), y), f"{len(train)} vs {len(pred)}")
check("n and defaults", perf["n"] == len(y) and perf["n_default"] == y.sum())

want = {
    "auc": roc_auc_score(y, p),
    "ks": ks_2samp(p[y == 1], p[y == 0]).statistic,
    "log_loss": log_loss(y, p),
    "brier": brier_score_loss(y, p),
}
want["gini"] = 2 * want["auc"] - 1
for k, v in want.items():
    got = perf[k]["value"]
    check(f"{k} = scikit-learn/scipy's ({v:.6f})", close(got, v), f"got {got}")
    lo, hi = perf[k]["lo"], perf[k]["hi"]
    check(f"{k}: the bootstrap interval holds the estimate", lo is not None and lo <= got <= hi, f"[{lo}, {hi}]")

# the AUC interval against Hanley-McNeil's standard error
auc, n1, n0 = want["auc"], y.sum(), len(y) - y.sum()
q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
se = math.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc ** 2) + (n0 - 1) * (q2 - auc ** 2)) / (n1 * n0))
width = perf["auc"]["hi"] - perf["auc"]["lo"]
check(f"the AUC interval's width {width:.4f} is about 3.92 x Hanley-McNeil's SE ({3.92 * se:.4f})",
      0.6 * 3.92 * se < width < 1.6 * 3.92 * se)

# at the threshold
t = rep["model"]["threshold"]
at = perf["at_threshold"]
ref = p >= t
check("confusion at the threshold", at["tp"] == (ref & (y == 1)).sum() and at["fp"] == (ref & (y == 0)).sum() and
      at["tn"] == (~ref & (y == 0)).sum() and at["fn"] == (~ref & (y == 1)).sum(), str(at))
check("approval rate at the threshold", close(at["approval_rate"], (~ref).mean()))
cw = rep["model"]["cost_fn"] * at["fn"] + rep["model"]["cost_fp"] * at["fp"]
check("cost at the threshold", close(at["cost"], cw))

# calibration by decile
order = np.argsort(p, kind="stable")
dec = perf["calibration_deciles"]
chunks = np.array_split(order, 10)
check("deciles: sizes as numpy.array_split", dec["n"] == [len(c) for c in chunks], str(dec["n"]))
check("deciles: mean probability", all(close(a, p[c].mean()) for a, c in zip(dec["mean_probability"], chunks)))
check("deciles: observed default rate", all(close(a, y[c].mean()) for a, c in zip(dec["default_rate"], chunks)))

# score distributions
sd = perf["score_distribution"]
hi_ = p.max()
b = np.minimum((p / hi_ * sd["bins"]).astype(int), sd["bins"] - 1)
for cls, name in ((1, "defaulters"), (0, "repayers")):
    share = np.bincount(b[y == cls], minlength=sd["bins"]) / (y == cls).sum()
    check(f"score distribution of the {name}", np.allclose(sd[name], share, atol=1e-12) and close(sd["hi"], hi_))

# ROC
roc = perf["roc"]
check("ROC runs from (0, 0) to (1, 1), non-decreasing",
      roc["fpr"][0] == 0 and roc["tpr"][0] == 0 and roc["fpr"][-1] == 1 and roc["tpr"][-1] == 1 and
      all(np.diff(roc["fpr"]) >= 0) and all(np.diff(roc["tpr"]) >= 0))
check("ROC: its trapezoids give about the AUC", abs(np.trapz(roc["tpr"], roc["fpr"]) - auc) < 0.01)


# PSI
def fill(s):
    s = np.array(s, float)
    nz = s[s > 0]
    mn = nz.min() if len(nz) else 0
    s[s == 0] = mn / 1e6 if mn <= 1e-4 else 1e-4
    return s


def shares(v, edges):
    out = np.zeros(len(edges) + 2)
    nan = np.isnan(v)
    out[-1] = nan.sum()
    k = np.searchsorted(edges, v[~nan], side="left")
    np.add.at(out, k, 1)
    return out / len(v)


def psi(ref_v, cur_v):
    known = ref_v[~np.isnan(ref_v)]
    if not len(known):
        return None
    edges = np.unique(np.quantile(known, np.arange(1, 10) / 10))
    r, c = shares(ref_v, edges), shares(cur_v, edges)
    keep = ~((r == 0) & (c == 0))
    r, c = fill(r[keep]), fill(c[keep])
    return float(((r - c) * np.log(r / c)).sum())


st = rep["stability"]
check("test applicants counted", st["n_test"] == len(test), f'{st["n_test"]} vs {len(test)}')
ts = scores.set_index("SK_ID_CURR").loc[test.SK_ID_CURR, "probability"].to_numpy(float)
sp = psi(p, ts)
check(f"score PSI = the oracle's ({sp:.6f})", close(st["psi_score"], sp, 1e-7), f'got {st["psi_score"]}')
bad = []
for e in st["features"]:
    f = e["feature"]
    w = psi(train[f].to_numpy(float), test[f].to_numpy(float))
    if not (close(e["psi"], w, 1e-7) if w is not None else e["psi"] is None):
        bad.append((f, e["psi"], w))
check(f"the PSI of each of the {len(st['features'])} features", not bad, str(bad[:5]))
vals = [e["psi"] for e in st["features"] if e["psi"] is not None]
check("features listed by decreasing PSI", vals == sorted(vals, reverse=True))
sys.exit(0 if ok_all else 1)
