#!/usr/bin/python3
"""fairness_oracle.py: `creditscore fairness --json` against pandas and scikit-learn.

usage: fairness_oracle.py REPORT.json FEATURES.csv ID_COL TARGET_COL ATTR KIND SCORES.csv [SCORES2.csv]

KIND is "age_years", "age_days" (the attribute's column is an age) or "codes:A,B,..." (a
factorized column: code k is category k). SCORES.csv is `creditscore predict`'s output for the
report's model (SCORES2.csv for the comparison model). Every point estimate is recomputed here
from the definitions in docs/fairness.md (groups with pandas, AUC with sklearn's roc_auc_score)
and must agree to 1e-9; the bootstrap intervals must hold the estimate and have a width within
35 % of a bootstrap done here with numpy (1000 replicates, rows resampled within each group).
Prints ok / not ok lines.
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

BANDS = ["under 25", "25-34", "35-44", "45-54", "55-64", "65 and over"]
TOL = 1e-9
fails = 0


def check(name, cond, detail=""):
    global fails
    if cond:
        print(f"ok - {name}")
    else:
        fails += 1
        print(f"not ok - {name}{': ' + detail if detail else ''}")


def close(a, b):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return abs(a - b) <= TOL * max(1.0, abs(b))


def band(years):
    if np.isnan(years):
        return None
    if years < 25:
        return BANDS[0]
    if years >= 65:
        return BANDS[5]
    return BANDS[1 + int((years - 25) // 10)]


def metrics(df, t):
    """the point metrics of one group (all rows df), as docs/fairness.md defines them"""
    lab = df[df.y.isin([0, 1])]
    d, r = lab[lab.y == 1], lab[lab.y == 0]
    return {
        "approval_rate": float((df.p < t).mean()) if len(df) else math.nan,
        "default_rate": float(lab.y.mean()) if len(lab) else math.nan,
        "expected_default_rate": float(lab.p.mean()) if len(lab) else math.nan,
        "auc": float(roc_auc_score(lab.y, lab.p)) if len(d) and len(r) else math.nan,
        "tpr": float((d.p >= t).mean()) if len(d) else math.nan,
        "fpr": float((r.p >= t).mean()) if len(r) else math.nan,
    }


def main():
    rep_path, feat_path, id_col, y_col, attr, kind, scores = sys.argv[1:8]
    scores2 = sys.argv[8] if len(sys.argv) > 8 else None
    rep = json.load(open(rep_path))
    f = pd.read_csv(feat_path)
    s = pd.read_csv(scores)
    assert (s.iloc[:, 0].values == f[id_col].values).all(), "the scores and the features list other rows"  # its id column, named as the recipe names it
    df = pd.DataFrame({"y": f[y_col].astype(float), "p": s.probability.astype(float)})
    if kind == "age_years":
        df["g"] = [band(v) for v in f[attr].astype(float)]
    elif kind == "age_days":
        df["g"] = [band(math.floor(abs(v) / 365.25)) if not np.isnan(v) else None for v in f[attr].astype(float)]
    elif kind.startswith("codes:"):
        cats = kind[6:].split(",")
        df["g"] = [cats[int(v)] if not np.isnan(v) and 0 <= v < len(cats) else None for v in f[attr].astype(float)]
    else:
        raise SystemExit("unknown kind " + kind)
    t = rep["overall"]["threshold"]
    min_group = rep["min_group"]
    a = next(x for x in rep["attributes"] if x["name"] == attr)
    groups = {g["group"]: g for g in a["groups"]}
    present = [g for g in df.g.dropna().unique()]
    check(f"{attr}: the groups present are reported", set(present) <= set(groups), f"{sorted(present)} vs {sorted(groups)}")
    check(f"{attr}: rows in no group", a["n_missing"] == int(df.g.isna().sum()))

    # per group: counts and every metric
    ours = {}
    for name, g in groups.items():
        sub = df[df.g == name]
        m = metrics(sub, t)
        ours[name] = m
        lab = sub[sub.y.isin([0, 1])]
        check(f"{attr}={name}: n, n_labelled, n_default",
              (g["n"], g["n_labelled"], g["n_default"]) == (len(sub), len(lab), int((lab.y == 1).sum())),
              f"{(g['n'], g['n_labelled'], g['n_default'])} vs {(len(sub), len(lab), int((lab.y == 1).sum()))}")
        bad = [k for k in m if not close(g[k]["value"], m[k])]
        check(f"{attr}={name}: approval, default rate, expected, AUC, TPR, FPR", not bad,
              "; ".join(f"{k} {g[k]['value']} vs {m[k]}" for k in bad))
        if scores2:
            s2 = pd.read_csv(scores2).probability.astype(float)
            a2 = float((s2[df.g == name] < rep["compare"]["overall"]["threshold"]).mean())
            check(f"{attr}={name}: approval rate under the comparison model", close(g["approval_rate_compare"], a2),
                  f"{g['approval_rate_compare']} vs {a2}")

    # the ratios and differences over groups that are not small
    big = [n for n in groups if groups[n]["n"] >= min_group]
    fav = max(big, key=lambda n: (ours[n]["approval_rate"], -list(groups).index(n)))
    check(f"{attr}: most favoured group", a["favoured_group"] == fav, f"{a['favoured_group']} vs {fav}")
    for n in groups:
        air = ours[n]["approval_rate"] / ours[fav]["approval_rate"]
        check(f"{attr}={n}: adverse impact ratio and four-fifths flag",
              close(groups[n]["adverse_impact_ratio"]["value"], air) and groups[n]["four_fifths_flag"] == (air < 0.8),
              f"{groups[n]['adverse_impact_ratio']['value']} vs {air}")
    min_air = min(ours[n]["approval_rate"] / ours[fav]["approval_rate"] for n in big)
    spread = lambda k, fl=False: max((1 - ours[n][k]) if fl else ours[n][k] for n in big) - min(
        (1 - ours[n][k]) if fl else ours[n][k] for n in big)
    exp = {"min_adverse_impact_ratio": min_air, "demographic_parity_difference": spread("approval_rate"),
           "equal_opportunity_difference": spread("fpr", True),
           "equalized_odds_difference": max(spread("tpr"), spread("fpr"))}
    bad = [k for k in exp if not close(a[k]["value"], exp[k])]
    check(f"{attr}: smallest AIR, demographic parity, equal opportunity, equalized odds differences", not bad,
          "; ".join(f"{k} {a[k]['value']} vs {exp[k]}" for k in bad))
    check(f"{attr}: four_fifths_pass", a["four_fifths_pass"] == (min_air >= 0.8))

    # overall: approval, AUC, cost
    lab = df[df.y.isin([0, 1])]
    fn = int(((lab.y == 1) & (lab.p < t)).sum())
    fp = int(((lab.y == 0) & ~(lab.p < t)).sum())
    o = rep["overall"]
    check("overall: approval rate, AUC",
          close(o["approval_rate"], float((df.p < t).mean())) and close(o["auc"], roc_auc_score(lab.y, lab.p)))
    check("overall: cost = 10 FN + 1 FP (the model's weights)", close(o["cost"], 10 * fn + 1 * fp), f"{o['cost']} vs {10 * fn + fp}")

    # the intervals: hold the estimate, width near a numpy bootstrap of the same kind
    rng = np.random.default_rng(7)
    for n in big:
        sub = df[df.g == n]
        if len(sub) < 500:
            continue
        pv, yv = sub.p.values, sub.y.values
        reps = []
        for _ in range(1000):
            i = rng.integers(0, len(sub), len(sub))
            reps.append(((pv[i] < t).mean(), yv[i].mean()))
        reps = np.array(reps)
        for j, k in enumerate(["approval_rate", "default_rate"]):
            ci = groups[n][k]
            w_ours, w_np = ci["hi"] - ci["lo"], np.quantile(reps[:, j], 0.975) - np.quantile(reps[:, j], 0.025)
            check(f"{attr}={n}: {k} interval holds the estimate, width {w_ours:.4f} vs numpy {w_np:.4f}",
                  ci["lo"] <= ci["value"] <= ci["hi"] and abs(w_ours / w_np - 1) < 0.35)
    sys.exit(1 if fails else 0)


main()
