#!/usr/bin/python3
"""challenger_oracle.py: recompute `creditscore challenger --json` with pandas, scipy and
scikit-learn from the audit log itself (sqlite3): per pair of models, agreement, swaps both
ways, approval rates, mean probabilities, Pearson (scipy.stats.pearsonr) and Spearman
(scipy.stats.spearmanr) of the two probabilities, and, on the decisions with a known
outcome (joined as docs/monitor.md says: a request id's outcome to the latest paired
decision with that id at or before the observation, then a client id's to the client's
latest paired decision at or before it that has none yet), both models' AUC
(sklearn.metrics.roc_auc_score) and the swap sets' default rates.

usage: challenger_oracle.py REPORT.json AUDIT.db [LABEL]
       challenger_oracle.py --add-cases AUDIT.db   (adds hostile rows to a log: ties, a failing
                                                     challenger, a second pair, unpaired rows,
                                                     outcomes by request and by client id)
Prints TAP-like ok / not ok lines. Tolerance 1e-12 (counts exact).
"""
import json
import math
import random
import sqlite3
import sys

import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score


def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(why)[:300]))


def add_cases(path):
    """Rows a live server rarely writes: probabilities rounded to two decimals (ties for the
    ranks and the AUC), failures ('error'), rows without a challenger, a second pair of models,
    clients decided several times, outcomes keyed both ways, one observed before its decision."""
    rnd = random.Random(17)
    db = sqlite3.connect(path)
    t0 = 1780000000000
    rows = []
    for i in range(600):
        t = t0 + i * 60000
        client = 900000 + (i % 250)                      # 250 clients, decided 2-3 times
        p0 = round(rnd.random() ** 2, 2)
        p1 = round(min(1.0, max(0.0, p0 + rnd.gauss(0, 0.12))), 2)
        th0, th1 = 0.3, 0.25
        pair = ("hand-champion", "4", "hand-challenger", "5") if i % 7 else ("hand-champion", "4", "other", "1")
        if i % 50 == 3:                                  # the challenger failed
            ch = (pair[2], pair[3], None, None, "error")
        elif i % 31 == 5:                                # no challenger on this one
            ch = (None, None, None, None, None)
        else:
            ch = (pair[2], pair[3], p1, th1, "refuse" if p1 >= th1 else "approve")
        rows.append((("2026-06-01T00:00:00.000Z"), t, "case-%d" % i, "predict", pair[0], pair[1], "client_id", client,
                     "d", p0, 600.0, th0, "refuse" if p0 >= th0 else "approve") + ch)
    db.executemany("INSERT INTO audit(time, unix_ms, request_id, endpoint, model_name, model_version, input_kind,"
                   " client_id, input_digest, probability, score, threshold, decision, challenger_name,"
                   " challenger_version, challenger_probability, challenger_threshold, challenger_decision)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.execute("CREATE TABLE IF NOT EXISTS outcomes(key_kind TEXT NOT NULL, key TEXT NOT NULL, defaulted INTEGER"
               " NOT NULL, observed_ms INTEGER NOT NULL, imported_ms INTEGER NOT NULL, source TEXT,"
               " PRIMARY KEY (key_kind, key))")
    outs = []
    for i in range(0, 600, 3):                           # by request id
        outs.append(("request_id", "case-%d" % i, int(rnd.random() < 0.2 + 0.5 * rows[i][9]), t0 + 600 * 60000 + i, 0, "t"))
    for c in range(900000, 900250, 2):                   # by client id, mid-way: an earlier decision
        outs.append(("client_id", str(c), int(rnd.random() < 0.3), t0 + 300 * 60000, 0, "t"))
    outs.append(("request_id", "case-599", 1, t0, 0, "t"))  # observed before its decision: not joined
    db.executemany("INSERT OR REPLACE INTO outcomes VALUES (?,?,?,?,?,?)", outs)
    db.execute("INSERT OR IGNORE INTO creditscore_schema(name, version, upgraded_ms) VALUES ('outcomes', 1, 0)")
    db.commit()


def main():
    if sys.argv[1] == "--add-cases":
        add_cases(sys.argv[2])
        return
    rep = json.load(open(sys.argv[1]))
    label = (sys.argv[3] + ": ") if len(sys.argv) > 3 else ""
    db = sqlite3.connect(sys.argv[2])
    d = pd.read_sql_query("SELECT seq, unix_ms, request_id, client_id, model_name, model_version, probability, decision,"
                          " challenger_name, challenger_version, challenger_probability, challenger_decision"
                          " FROM audit ORDER BY seq", db)
    try:
        o = pd.read_sql_query("SELECT key_kind, key, defaulted, observed_ms FROM outcomes", db)
    except Exception:
        o = pd.DataFrame(columns=["key_kind", "key", "defaulted", "observed_ms"])
    ok(label + "decisions read", rep["decisions"] == len(d), (rep["decisions"], len(d)))
    ok(label + "decisions without a challenger", rep["unpaired"] == int(d.challenger_name.isna().sum()),
       (rep["unpaired"], int(d.challenger_name.isna().sum())))
    paired = d[d.challenger_decision.isin(["approve", "refuse"])].copy()
    paired["outcome"] = -1
    # the join: request ids, then client ids
    matched = 0
    for _, r in o[o.key_kind == "request_id"].iterrows():
        c = paired[(paired.request_id == r.key) & (paired.unix_ms <= r.observed_ms)]
        if len(c):
            best = c.sort_values(["unix_ms", "seq"]).index[-1]
            paired.loc[best, "outcome"] = int(r.defaulted)
            matched += 1
    for _, r in o[o.key_kind == "client_id"].iterrows():
        c = paired[(paired.client_id == int(r.key)) & (paired.unix_ms <= r.observed_ms)]
        if len(c):
            best = c.sort_values(["unix_ms", "seq"]).index[-1]
            if paired.loc[best, "outcome"] < 0:
                paired.loc[best, "outcome"] = int(r.defaulted)
                matched += 1
    ok(label + "outcomes joined", rep["outcomes_matched"] == matched, (rep["outcomes_matched"], matched))
    keys = ["model_name", "model_version", "challenger_name", "challenger_version"]
    groups = {k: g for k, g in paired.groupby(keys)}
    ok(label + "pairs of models", len(rep["pairs"]) == len(groups), (len(rep["pairs"]), list(groups)))
    bad = []
    close = lambda a, b: (a is None and (b is None or (isinstance(b, float) and math.isnan(b)))) or \
        (a is not None and b is not None and not math.isnan(b) and abs(a - b) <= 1e-12)
    for p in rep["pairs"]:
        key = (p["champion"]["name"], p["champion"]["version"], p["challenger"]["name"], p["challenger"]["version"])
        g = groups.get(key)
        if g is None:
            bad.append("no pair %s" % (key,))
            continue
        failed = d[(d.model_name == key[0]) & (d.model_version == key[1]) & (d.challenger_name == key[2]) &
                   (d.challenger_version == key[3]) & ~d.challenger_decision.isin(["approve", "refuse"])]
        a0, a1 = g.decision == "approve", g.challenger_decision == "approve"
        want = {
            "n": len(g), "challenger_failures": len(failed), "both_approve": int((a0 & a1).sum()),
            "both_refuse": int((~a0 & ~a1).sum()),
        }
        for k, v in want.items():
            if p[k] != v: bad.append("%s %s: %s vs %s" % (key, k, p[k], v))
        if p["swaps"] != {"to_refuse": int((a0 & ~a1).sum()), "to_approve": int((~a0 & a1).sum())}:
            bad.append("%s swaps %s" % (key, p["swaps"]))
        x, y = g.probability.to_numpy(float), g.challenger_probability.to_numpy(float)
        floats = {
            "agreement": float((a0 == a1).mean()), "champion_approval_rate": float(a0.mean()),
            "challenger_approval_rate": float(a1.mean()), "champion_mean_probability": float(x.mean()),
            "challenger_mean_probability": float(y.mean()),
            "pearson": float(stats.pearsonr(x, y)[0]) if len(g) > 1 else float("nan"),
            "spearman": float(stats.spearmanr(x, y)[0]) if len(g) > 1 else float("nan"),
        }
        for k, v in floats.items():
            if not close(p[k], v): bad.append("%s %s: %r vs %r" % (key, k, p[k], v))
        k = g[g.outcome >= 0]
        out = p["outcomes"]
        if out["n"] != len(k) or out["defaults"] != int(k.outcome.sum()): bad.append("%s outcomes %s" % (key, out))
        two = len(k) and k.outcome.nunique() == 2
        aucs = (roc_auc_score(k.outcome, k.probability), roc_auc_score(k.outcome, k.challenger_probability)) if two \
            else (float("nan"), float("nan"))
        if not close(out["champion_auc"], aucs[0]) or not close(out["challenger_auc"], aucs[1]):
            bad.append("%s AUC %s %s vs %s" % (key, out["champion_auc"], out["challenger_auc"], aucs))
        ka0, ka1 = k.decision == "approve", k.challenger_decision == "approve"
        for name, sel in (("to_refuse", ka0 & ~ka1), ("to_approve", ~ka0 & ka1)):
            s = k[sel]
            rate = float(s.outcome.mean()) if len(s) else float("nan")
            if out[name]["known"] != len(s) or out[name]["defaults"] != int(s.outcome.sum()) or \
               not close(out[name]["default_rate"], rate):
                bad.append("%s %s %s vs %d %d" % (key, name, out[name], len(s), int(s.outcome.sum())))
    ok(label + "per pair: counts, swaps, agreement, approval, Pearson, Spearman, AUC, swap default rates"
       " (%d pairs, %d decisions)" % (len(rep["pairs"]), len(paired)), not bad, "; ".join(bad[:4]))
    if any(p["outcomes"]["n"] for p in rep["pairs"]):
        ok(label + "some AUC measured", any(p["outcomes"]["champion_auc"] is not None for p in rep["pairs"]))


if __name__ == "__main__":
    main()
