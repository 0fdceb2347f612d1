"""drift_oracle.py: evidently 0.4's default data-drift tests recomputed with pandas and
scipy, to check `creditscore drift --json` against (tests/oracle/test_drift.sh).

  drift_oracle.py gen DIR                       write the generated test pairs into DIR
  drift_oracle.py check NAME REF CUR JSON [--stattest T] [--keep-ids]
                                                recompute every column of REF vs CUR and
                                                compare with JSON; prints ok/not ok lines

Statistics must agree to 1e-9 (relative, or absolute below 1), p-values to 1e-6
(absolute); the test picked, the drift flags and the dataset verdict must be equal.
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

IDS = {"SK_ID_CURR", "SK_ID_PREV", "SK_ID_BUREAU"}


def column_type(ref, cur):
    # evidently data_preprocessing._get_column_type: the current dtype decides
    if pd.api.types.is_integer_dtype(cur.dtype):
        nunique = ref.nunique() or cur.nunique()
        return "categorical" if nunique <= 5 else "numerical"
    if pd.api.types.is_bool_dtype(cur.dtype) or cur.dtype == object:
        return "categorical"
    return "numerical"


def auto_test(ctype, ref, cur):
    n_values = pd.concat([ref, cur]).nunique()
    if ref.shape[0] <= 1000:
        if ctype == "numerical" and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if ctype == "numerical" and n_values > 5:
        return "wasserstein"
    return "jensenshannon"


def binned(ref, cur, ctype, feel_zeroes):
    # evidently stattests/utils.get_binned_data
    if ctype == "numerical" and ref.nunique() > 20:
        bins = np.histogram_bin_edges(pd.concat([ref, cur], axis=0).values, bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.dropna().unique()) | set(cur.dropna().unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        r = np.array([rd[k] / len(ref) for k in keys])
        c = np.array([cd[k] / len(cur) for k in keys])
    if feel_zeroes:
        for a in (r, c):
            m = min(a[a != 0])
            np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def run_test(test, ctype, ref, cur):
    """(score, statistic) as evidently computes them"""
    if test == "ks":
        res = stats.ks_2samp(ref, cur)
        return res[1], res[0]
    if test == "chisquare":
        keys = list(set(ref.dropna().unique()) | set(cur.dropna().unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        k_norm = cur.shape[0] / ref.shape[0]
        res = stats.chisquare([cd[k] for k in keys], [rd[k] * k_norm for k in keys])
        return res[1], res[0]
    if test == "z":
        if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
            return 1.0, 0.0
        keys = sorted(set(ref.dropna().unique()) | set(cur.dropna().unique()))
        a = ref.apply(lambda x: 0 if x == keys[0] else 1)
        b = cur.apply(lambda x: 0 if x == keys[0] else 1)
        n1, n2 = len(a), len(b)
        p1, p2 = float(sum(a)) / n1, float(sum(b)) / n2
        P = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
        return 2 * (1 - stats.norm.cdf(np.abs(z))), z
    if test == "wasserstein":
        norm = max(np.std(ref), 0.001)
        w = stats.wasserstein_distance(ref, cur)
        return w / norm, w
    if test == "jensenshannon":
        r, c = binned(ref, cur, ctype, False)
        v = distance.jensenshannon(r, c)
        return v, v
    if test == "psi":
        r, c = binned(ref, cur, ctype, True)
        v = float(np.sum((r - c) * np.log(r / c)))
        return v, v
    raise ValueError(test)


def drifted(test, score, thr):
    if score != score:
        return False
    if test == "ks":
        return score <= thr
    if test in ("chisquare", "z"):
        return score < thr
    return score >= thr


def close(a, b, tol, relative):
    if a is None or b is None:  # the JSON writes null for NaN and infinities
        other = b if a is None else a
        return other is None or not math.isfinite(other)
    if math.isinf(a) or math.isinf(b):
        return a == b
    if relative:
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    return abs(a - b) <= tol


def check(name, ref_path, cur_path, json_path, forced=None, keep_ids=False):
    ref_df = pd.read_csv(ref_path)
    cur_df = pd.read_csv(cur_path)
    rep = json.load(open(json_path))
    got = {c["name"]: c for c in rep["columns"]}
    problems = []
    n = 0
    n_drift = 0
    for col in ref_df.columns:
        if col not in cur_df.columns or (col in IDS and not keep_ids):
            continue
        ref = ref_df[col].replace([-np.inf, np.inf], np.nan).dropna()
        cur = cur_df[col].replace([-np.inf, np.inf], np.nan).dropna()
        if len(ref) == 0 or len(cur) == 0:
            continue
        ctype = column_type(ref_df[col], cur_df[col])
        if forced in ("ks", "wasserstein") and ref_df[col].dtype == object:
            continue  # numeric-only tests: creditscore lists text columns as not compared
        test = forced or auto_test(ctype, ref, cur)
        score, stat = run_test(test, ctype, ref, cur)
        psi, _ = run_test("psi", ctype, ref, cur)
        thr = 0.05 if test in ("ks", "chisquare", "z") else 0.1
        d = drifted(test, score, thr)
        n += 1
        n_drift += d
        g = got.get(col)
        if g is None:
            problems.append(f"{col}: missing from the report")
            continue
        if g["test"] != test:
            problems.append(f"{col}: test {g['test']} vs {test}")
            continue
        pval = test in ("ks", "chisquare", "z")
        if not close(g["score"], float(score), 1e-6 if pval else 1e-9, not pval):
            problems.append(f"{col}: {test} score {g['score']!r} vs scipy {float(score)!r}")
        if not close(g["statistic"], float(stat), 1e-9, True):
            problems.append(f"{col}: {test} statistic {g['statistic']!r} vs scipy {float(stat)!r}")
        if not close(g["psi"], float(psi), 1e-9, True):
            problems.append(f"{col}: psi {g['psi']!r} vs {float(psi)!r}")
        if g["drifted"] != d:
            problems.append(f"{col}: drifted {g['drifted']} vs {d}")
    s = rep["summary"]
    if s["columns"] != n or s["drifted"] != n_drift:
        problems.append(f"summary {s['drifted']}/{s['columns']} vs oracle {n_drift}/{n}")
    if s["dataset_drift"] != (n_drift / n >= 0.5 if n else False):
        problems.append("dataset verdict differs")
    if problems:
        print(f"not ok - {name}: {len(problems)} disagreements")
        for p in problems[:20]:
            print("   " + p)
    else:
        print(f"ok - {name}: {n} columns, {n_drift} drifted, tests and numbers agree with scipy")
    return not problems


def gen(out):
    rng = np.random.default_rng(20240611)

    def frame(n, shift, miss):
        df = pd.DataFrame({
            "SK_ID_CURR": np.arange(100000, 100000 + n),
            "AMT": np.round(rng.lognormal(11 + shift, 0.5, n), 1),
            "SCORE": rng.normal(0.5 + shift, 0.2, n),
            "DAYS": -rng.integers(7000, 25000, n),
            "FLAG": rng.integers(0, 2, n),
            "RATING": rng.integers(1, 4, n),
            "KIDS": np.minimum(rng.poisson(0.5 + shift, n), 9),
            "FEW": rng.choice([0.5, 1.5, 2.5, 3.5], n),
            "GENDER": rng.choice(["F", "M"], n, p=[0.65 - shift / 4, 0.35 + shift / 4]),
            "ORG": rng.choice([f"Type {i}" for i in range(12)] + ["Self-employed", "XNA"], n),
            "BINCAT": rng.choice(["Cash loans", "Revolving loans"], n, p=[0.9, 0.1]),
        })
        for k in range(1, 6):  # a spread of shifts, so KS meets every p-value regime
            df[f"S{k}"] = rng.normal(shift * k * k, 1.0, n)
        for c in ("AMT", "SCORE", "ORG"):
            df.loc[rng.random(n) < miss, c] = np.nan
        return df

    pairs = {
        "small": (frame(800, 0.0, 0.1), frame(600, 0.05, 0.1)),        # KS exact, chi2, z
        "equal": (frame(500, 0.0, 0.0), frame(500, 0.1, 0.05)),        # KS exact n1 == n2
        "asymp": (frame(900, 0.0, 0.0), frame(12000, 0.02, 0.0)),      # KS asymptotic (kstwo)
        "large": (frame(6000, 0.0, 0.1), frame(4000, 0.15, 0.2)),      # Wasserstein, JS
        "tiny": (frame(100, 0.0, 0.0), frame(11000, 0.05, 0.0)),       # KS asymptotic, n <= 140
        "big": (frame(20000, 0.0, 0.0), frame(15000, 0.003, 0.0)),     # forced KS, large n
    }
    for name, (r, c) in pairs.items():
        r.to_csv(f"{out}/{name}_ref.csv", index=False)
        c.to_csv(f"{out}/{name}_cur.csv", index=False)


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        args = sys.argv[2:]
        forced = None
        keep = "--keep-ids" in args
        if "--stattest" in args:
            forced = args[args.index("--stattest") + 1]
        pos = [a for a in args if not a.startswith("--") and a != forced]
        ok = check(pos[0], pos[1], pos[2], pos[3], forced, keep)
        sys.exit(0 if ok else 1)
