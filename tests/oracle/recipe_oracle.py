#!/usr/bin/python3
"""recipe_oracle.py: the recipe engine (src/features/engine.c) against pandas, one
aggregation and encoding at a time, on generated tables with missing values, empty groups,
infinities, a grandchild table and categories of every kind.

    recipe_oracle.py make DIR SEED        write DIR/{clients,events,subs}.csv and DIR/recipe.json
    recipe_oracle.py compare DIR OURS.csv compute every feature with pandas, compare with ours

The pandas side is written from docs/recipes.md, not from our code: groupby min, max, var
(ddof 1), size, count, nunique; first/last after a stable sort on the order column; shares as
means of get_dummies(dummy_na=True); where as a row filter before the groupby; a left join on
the root's key, so a client without rows gets NaN everywhere; one-hot without and with the nan
column, factorize by first appearance, flags Y/N as 1/0, a ratio with x/0 and 0/0. Sums and
means are plain left-to-right sums in file order (as the kernel's oracle, features_oracle.py:
this pandas's compensated sum turns some +inf into NaN). Values must match to a relative 1e-12,
NaN for NaN, infinities exactly.
"""
import json
import sys

import numpy as np
import pandas as pd

RECIPE = {
    "recipe": 1, "name": "oracle", "tables": [
        {"name": "clients", "file": "clients.csv", "key": "id", "columns": [
            {"name": "id", "role": "id"}, {"name": "y", "role": "target"},
            {"name": "x", "role": "numeric", "sentinels": [-999]},
            {"name": "z", "role": "numeric"},
            {"name": "home", "role": "categorical", "encode": "onehot"},
            {"name": "region", "role": "categorical", "encode": "onehot", "nan_category": True},
            {"name": "grade", "role": "categorical", "encode": "factorize"},
            {"name": "prior", "role": "flag"}],
         "derived": [{"name": "ratio", "op": "div", "args": ["x", "z"]},
                     {"name": "diff", "op": "sub", "args": ["x", "z"], "then": "positive"},
                     {"name": "over", "op": "gt", "args": ["x", 0.5]}]},
        {"name": "events", "file": "events.csv", "key": "eid", "parent": "clients", "link": "id", "prefix": "EV",
         "columns": [
             {"name": "eid", "role": "id"}, {"name": "id", "role": "id"},
             {"name": "v", "role": "numeric"}, {"name": "t", "role": "numeric"},
             {"name": "kind", "role": "categorical", "nan_category": True},
             {"name": "tag", "role": "categorical", "encode": "onehot", "nan_category": True}],
         "derived": [{"name": "vt", "op": "mul", "args": ["v", "t"]}],
         "aggs": [
             {"column": "v", "ops": ["min", "max", "mean", "sum", "var", "size", "count", "nunique"]},
             {"column": "v", "ops": ["first", "last"], "order_by": "t", "prefix": "ORD"},
             {"column": "v", "ops": ["first", "last"], "prefix": "FILE"},
             {"column": "kind", "ops": ["share", "nunique", "count", "size"]},
             {"column": "tag_*", "ops": ["mean", "sum", "var"]},
             {"column": "vt", "ops": ["max", "mean"]},
             {"column": "s_MEAN", "ops": ["mean", "max"]},
             {"column": "s_SIZE", "ops": ["sum"]},
             {"column": "v", "ops": ["sum", "mean", "var"], "prefix": "KA", "where": {"column": "kind", "equals": "a"}},
             {"column": "v", "ops": ["max"], "prefix": "KBC", "where": {"column": "kind", "in": ["b", "c"]}},
             {"ops": ["count"]}]},
        {"name": "subs", "file": "subs.csv", "parent": "events", "link": "eid",
         "columns": [{"name": "eid", "role": "id"}, {"name": "s", "role": "numeric"}],
         "aggs": [{"column": "s", "ops": ["mean", "size"]}]}]}


def make(d, seed):
    rng = np.random.default_rng(seed)
    n = 300
    ids = rng.permutation(np.arange(1000, 1000 + n))
    x = np.round(rng.normal(0.5, 1, n), 3)
    x[rng.random(n) < 0.1] = np.nan
    x[rng.random(n) < 0.05] = -999
    z = np.round(rng.normal(0, 1, n), 2)
    z[rng.random(n) < 0.1] = 0          # x/0 -> +-inf, 0/0 -> NaN
    z[rng.random(n) < 0.05] = np.nan
    def cats(vals, p_nan, size):
        c = rng.choice(vals, size).astype(object)
        c[rng.random(size) < p_nan] = None
        return c
    clients = pd.DataFrame({"id": ids, "y": rng.integers(0, 2, n).astype(float), "x": x, "z": z,
                            "home": cats(["RENT", "OWN", "MORTGAGE", "Other"], 0.1, n),
                            "region": cats(["north", "South", "east"], 0.15, n),
                            "grade": cats(["B", "A", "C"], 0.05, n),
                            "prior": cats(["Y", "N"], 0.1, n)})
    clients.loc[rng.random(n) < 0.1, "y"] = np.nan
    m = 2500
    # clients without events (empty groups), events of unknown clients
    owners = rng.choice(np.r_[ids[: int(n * 0.8)], [1, 2, 3]], m)
    v = np.round(rng.normal(10, 5, m), 2)
    v[rng.random(m) < 0.1] = np.nan
    v[rng.random(m) < 0.01] = np.inf
    v[rng.random(m) < 0.01] = -np.inf
    v[rng.random(m) < 0.05] = 7.0      # repeated values for nunique
    t = rng.integers(0, 40, m).astype(float)
    t[rng.random(m) < 0.05] = np.nan
    events = pd.DataFrame({"eid": np.arange(1, m + 1), "id": owners, "v": v, "t": t,
                           "kind": cats(["a", "b", "c", "D"], 0.1, m),
                           "tag": cats(["x1", "y2", "Z3"], 0.2, m)})
    k = 4000
    s = np.round(rng.normal(0, 3, k), 2)
    s[rng.random(k) < 0.1] = np.nan
    subs = pd.DataFrame({"eid": rng.integers(1, int(m * 0.7), k), "s": s})
    for name, df in (("clients", clients), ("events", events), ("subs", subs)):
        df.to_csv(f"{d}/{name}.csv", index=False, na_rep="")
    json.dump(RECIPE, open(f"{d}/recipe.json", "w"), indent=1)


def read(d, name, cat_cols):
    return pd.read_csv(f"{d}/{name}.csv", dtype={c: object for c in cat_cols}, keep_default_na=False, na_values=[""])


def seq_sum(keys, values, index):
    """Plain left-to-right sum per key in file order (NaN skipped) and the non-NaN count."""
    s = {k: 0.0 for k in index}
    c = {k: 0 for k in index}
    with np.errstate(invalid="ignore"):
        for k, v in zip(keys, values):
            if k in s and not np.isnan(v):
                s[k] = s[k] + v
                c[k] += 1
    return pd.Series(s), pd.Series(c)


def compute(d):
    cl = read(d, "clients", ["home", "region", "grade", "prior"])
    ev = read(d, "events", ["kind", "tag"])
    sb = read(d, "subs", [])
    out = {}
    # the root: numbers (sentinel), factorize, flag, then dummies, then derived
    cl["x"] = cl["x"].replace(-999, np.nan)
    out["x"] = cl["x"]
    out["z"] = cl["z"]
    out["grade"] = pd.Series(pd.factorize(cl["grade"])[0], dtype=float)
    out["prior"] = cl["prior"].map({"Y": 1.0, "N": 0.0})
    for c in sorted(cl["home"].dropna().unique()):
        out[f"home_{c}"] = (cl["home"] == c).astype(float)
    for c in sorted(cl["region"].dropna().unique()):
        out[f"region_{c}"] = (cl["region"] == c).astype(float)
    out["region_nan"] = cl["region"].isna().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = cl["x"] / cl["z"]
        dd = cl["x"] - cl["z"]
        out["diff"] = dd.where(dd > 0, 0.0)
        out["over"] = (cl["x"] > 0.5).astype(float).where(cl["x"].notna())
    # the grandchild into events
    g = sb.groupby("eid")["s"]
    s_sum, s_cnt = seq_sum(sb["eid"], sb["s"], g.size().index)
    with np.errstate(invalid="ignore", divide="ignore"):
        ev["s_MEAN"] = ev["eid"].map((s_sum / s_cnt.where(s_cnt > 0)))
    ev["s_SIZE"] = ev["eid"].map(g.size().astype(float))
    ev["vt"] = ev["v"] * ev["t"]
    tag_d = pd.get_dummies(ev["tag"], prefix="tag", dummy_na=True).astype(float)
    ev = pd.concat([ev, tag_d], axis=1)
    key = cl["id"]
    ev_k = ev[ev["id"].isin(set(key))]

    def join(series):
        return key.map(series).astype(float)

    def stats(df, col, ops, prefix):
        grp = df.groupby("id")[col]
        idx = grp.size().index
        ssum, scnt = seq_sum(df["id"], df[col].astype(float), idx)
        for op in ops:
            name = f"{prefix}_{col}_{op.upper()}"
            if op == "sum":
                out[name] = join(ssum)
            elif op == "mean":
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[name] = join(ssum / scnt.where(scnt > 0))
            elif op == "size":
                out[name] = join(grp.size())
            elif op == "var":
                out[name] = join(grp.var(ddof=1))
            else:
                out[name] = join(grp.agg(op))

    stats(ev_k, "v", ["min", "max", "mean", "sum", "var", "size", "count", "nunique"], "EV")
    srt = ev_k.sort_values("t", kind="stable", na_position="last")
    out["ORD_v_FIRST"] = join(srt.groupby("id")["v"].first())
    out["ORD_v_LAST"] = join(srt.groupby("id")["v"].last())
    out["FILE_v_FIRST"] = join(ev_k.groupby("id")["v"].first())
    out["FILE_v_LAST"] = join(ev_k.groupby("id")["v"].last())
    kd = pd.get_dummies(ev_k["kind"], prefix="kind", dummy_na=True).astype(float)
    kd["id"] = ev_k["id"].to_numpy()
    for c in sorted(ev_k["kind"].dropna().unique()) + ["nan"]:
        out[f"EV_kind_{c}_MEAN"] = join(kd.groupby("id")[f"kind_{c}"].mean())
    out["EV_kind_NUNIQUE"] = join(ev_k.groupby("id")["kind"].nunique())
    out["EV_kind_COUNT"] = join(ev_k.groupby("id")["kind"].count())
    out["EV_kind_SIZE"] = join(ev_k.groupby("id").size())
    for c in [f"tag_{x}" for x in sorted(ev["tag"].dropna().unique())] + ["tag_nan"]:
        stats(ev_k, c, ["mean", "sum", "var"], "EV")
    stats(ev_k, "vt", ["max", "mean"], "EV")
    stats(ev_k, "s_MEAN", ["mean", "max"], "EV")
    stats(ev_k, "s_SIZE", ["sum"], "EV")
    stats(ev_k[ev_k["kind"] == "a"], "v", ["sum", "mean", "var"], "KA")
    stats(ev_k[ev_k["kind"].isin(["b", "c"])], "v", ["max"], "KBC")
    out["EV_COUNT"] = join(ev_k.groupby("id").size())
    res = pd.DataFrame(out)
    res.insert(0, "y", cl["y"].astype(float))
    res.insert(0, "id", cl["id"].astype(float))
    return res


def compare(d, ours_path):
    exp = compute(d)
    ours = pd.read_csv(ours_path, keep_default_na=False, na_values=[""])
    bad = []
    if list(ours.columns) != list(exp.columns):
        extra = [c for c in ours.columns if c not in exp.columns]
        missing = [c for c in exp.columns if c not in ours.columns]
        print(f"columns differ: ours only {extra[:8]}, pandas only {missing[:8]}")
        if extra or missing:
            return 1
        print("(same names, other order)")
        return 1
    if len(ours) != len(exp):
        print(f"rows: ours {len(ours)}, pandas {len(exp)}")
        return 1
    n_inf = n_nan = 0
    for c in exp.columns:
        a = ours[c].astype(float).to_numpy()
        b = exp[c].astype(float).to_numpy()
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        inf_ok = np.isinf(a) == np.isinf(b)
        both = ~nan_a & ~nan_b & ~np.isinf(a) & ~np.isinf(b)
        with np.errstate(invalid="ignore"):
            off = np.zeros(len(a), dtype=bool)
            off[both] = np.abs(a[both] - b[both]) > 1e-12 * np.maximum(1.0, np.abs(b[both]))
            off |= (nan_a != nan_b) | ~inf_ok
            off |= np.isinf(b) & (a != b)
        if off.any():
            i = int(np.flatnonzero(off)[0])
            bad.append(f"{c} row {i}: ours {a[i]!r}, pandas {b[i]!r} ({int(off.sum())} values differ)")
        n_inf += int(np.isinf(b).sum())
        n_nan += int(nan_b.sum())
    if bad:
        print("\n".join(bad[:12]))
        return 1
    print(f"{len(exp.columns) - 2} features x {len(exp)} clients agree ({n_nan} NaN, {n_inf} infinities)")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
