#!/usr/bin/python3
"""monitor_oracle.py: recompute `creditscore monitor --json` with pandas, numpy, scipy and
scikit-learn from the same files: the audit log (decisions and outcomes, sqlite3), the
clients store (feature vectors) and the model's score reference (from the report itself;
the feature reference is recomputed from the training clients of the store).

usage: monitor_oracle.py REPORT.json AUDIT.db CLIENTS.db
Prints TAP-like ok / not ok lines. Tolerances: PSI, CSI, AUC, KS 1e-9; p-values 1e-9
relative (or 1e-300 absolute).
"""
import json
import sqlite3
import sys

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score


def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)[:300]))


def fill_zeroes(a):
    """evidently's feel_zeroes"""
    a = a.copy()
    nz = a[a != 0]
    if len(nz) == 0:
        return a
    mn = nz.min()
    a[a == 0] = mn / 1e6 if mn <= 0.0001 else 0.0001
    return a


def psi(ref_share, counts):
    counts = np.asarray(counts, float)
    if counts.sum() <= 0:
        return np.nan
    cur = counts / counts.sum()
    keep = ~((ref_share == 0) & (cur == 0))
    r, c = fill_zeroes(ref_share[keep]), fill_zeroes(cur[keep])
    return float(np.sum((c - r) * np.log(c / r)))


def bins_of(edges, v):
    """right-closed bins (-inf, e0], ..., (e_last, inf) and a missing bin (index 10)"""
    b = np.searchsorted(edges, v, side="left")
    return np.where(np.isnan(v), 10, b)


def main(report, audit, clients):
    r = json.load(open(report))
    P = r["periods"]
    db = sqlite3.connect(audit)
    dec = pd.read_sql("SELECT seq, unix_ms, client_id, probability, decision, model_name FROM audit ORDER BY seq", db)
    dec = dec[dec.model_name == r["model"]["name"]].copy()
    out = pd.read_sql("SELECT key_kind, key, defaulted, observed_ms FROM outcomes", db)
    dec["period"] = pd.to_datetime(dec.unix_ms, unit="ms").dt.strftime("%Y-%m")
    ok("the same periods", [p["period"] for p in P] == sorted(dec.period.unique()), [p["period"] for p in P][:4])

    # score PSI
    ref = r["reference"]
    edges = np.array(ref["score_edges"], float)
    ref_share = np.zeros(11)
    shares = [b["share"] for b in ref["bins"]]
    ref_share[: len(edges) + 1] = shares[: len(edges) + 1]
    ref_share[10] = shares[-1]
    worst = 0.0
    for p in P:
        d = dec[dec.period == p["period"]]
        c = np.bincount(bins_of(edges, d.probability.to_numpy()), minlength=11)
        worst = max(worst, abs(psi(ref_share, c) - p["psi"]))
        if abs(d.decision.eq("approve").mean() - p["approval_rate"]) > 1e-12:
            worst = 1
    ok(f"score PSI and approval rate of every period as pandas computes them (max diff {worst:.2e})", worst < 1e-9, worst)

    # CSI: the reference recomputed from the training clients of the store
    cdb = sqlite3.connect(clients)
    names = [n for (n,) in cdb.execute("SELECT name FROM features ORDER BY idx")]
    rows = cdb.execute("SELECT id, target, x FROM clients ORDER BY id").fetchall()
    ids = np.array([a for a, _, _ in rows])
    target = np.array([np.nan if t is None else t for _, t, _ in rows], float)
    X = np.vstack([np.frombuffer(x, dtype="<f8") for _, _, x in rows])
    train = ~np.isnan(target)
    fidx = {n: k for k, n in enumerate(names)}
    pos = {i: k for k, i in enumerate(ids)}
    dec_rows = np.array([pos[c] for c in dec.client_id])
    worst, n_checked = 0.0, 0
    for j, name in enumerate(r["features"]):
        col = X[:, fidx[name]]
        tv = col[train]
        tv = tv[~np.isnan(tv)]
        q = np.quantile(tv, np.arange(1, 10) / 10.0, method="linear") if len(tv) else np.array([])
        e = np.unique(q)
        share = np.bincount(bins_of(e, col[train]), minlength=11) / train.sum()
        cur = col[dec_rows]
        for p in P:
            m = (dec.period == p["period"]).to_numpy()
            c = np.bincount(bins_of(e, cur[m]), minlength=11)
            v = psi(share, c)
            got = p["csi"][j]
            if got is None or abs(v - got) > 1e-9:
                worst = max(worst, 1.0 if got is None else abs(v - got))
            n_checked += 1
    ok(f"CSI of {len(r['features'])} features x {len(P)} periods as numpy computes them ({n_checked} values, max diff {worst:.2e})",
       worst < 1e-9, worst)

    # outcomes: client-keyed, the client's latest decision at or before the observation
    oc = out[out.key_kind == "client_id"].copy()
    oc["client_id"] = oc.key.astype(np.int64)
    j = dec.merge(oc[["client_id", "defaulted", "observed_ms"]], on="client_id")
    j = j[j.unix_ms <= j.observed_ms].sort_values("unix_ms").groupby("client_id").tail(1)
    ok("the same outcomes joined", len(j) == r["outcomes_matched"], (len(j), r["outcomes_matched"]))
    wa, wp, n_tests = 0.0, 0.0, 0
    for p in P:
        if not p["mature"]:
            continue
        d = j[j.period == p["period"]]
        y, s = d.defaulted.to_numpy(), d.probability.to_numpy()
        auc = roc_auc_score(y, s)
        ks = stats.ks_2samp(s[y == 1], s[y == 0]).statistic
        wa = max(wa, abs(auc - p["auc"]), abs(ks - p["ks"]), abs((2 * auc - 1) - p["gini"]))
        def pcmp(a, b):
            return abs(a - b) <= max(1e-300, 1e-9 * max(abs(a), abs(b)))
        pv = stats.binomtest(int(y.sum()), len(y), float(s.mean())).pvalue
        n_tests += 1
        if not pcmp(pv, p["binomial_p"]):
            wp = max(wp, abs(pv - p["binomial_p"]))
        b = bins_of(edges, s)
        for band in p["bands"]:
            m = b == band["band"]
            if m.sum() == 0:
                continue
            pv = stats.binomtest(int(y[m].sum()), int(m.sum()), float(s[m].mean())).pvalue
            n_tests += 1
            if not pcmp(pv, band["binomial_p"]) or abs(s[m].mean() - band["expected"]) > 1e-12:
                wp = max(wp, abs(pv - band["binomial_p"]), 1e-300)
    ok(f"AUC, Gini and KS of the mature periods as scikit-learn and scipy compute them (max diff {wa:.2e})", wa < 1e-9, wa)
    ok(f"{n_tests} binomial tests (periods and bands) as scipy.stats.binomtest", wp == 0.0, wp)


if __name__ == "__main__":
    main(*sys.argv[1:4])
