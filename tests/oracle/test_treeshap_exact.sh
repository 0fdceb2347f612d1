#!/usr/bin/env bash
# test_treeshap_exact.sh: the TreeSHAP engine (src/explain/shap_plan.c) on every kind of tree
# we make, against two references, with Debian's python3-xgboost and numpy:
#   - XGBoost's own pred_contribs on the very same trees, rebuilt as an XGBoost JSON model from
#     our dump (thresholds as the smallest float above ours, so float rows take the same side;
#     XGBoost holds leaf values and sums in float32: 1e-6 relative to the row's total);
#   - an independent double-precision TreeSHAP in Python (Lundberg et al. 2018, Algorithm 2)
#     on the dumped trees: every contribution to 1e-9.
# Also: our expected value equals XGBoost's bias column, expected + contributions == raw
# score on every row (1e-9), and the one-row path gives the matrix path's numbers.
# Models: XGBoost (through our bridge) of depth 2, 4, 6, 8, 10 and 12; our leaf-wise GBDT
# (31 leaves, NaN default directions learned), with monotone constraints, one with
# single-leaf trees among the others (XGBoost's gamma prunes them), and our forest (average).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import xgboost, numpy' 2>/dev/null; then
  fail "treeshap exact oracle" "no xgboost in $PY"; exit 0
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

OMP_NUM_THREADS=2 $PY - "$DRV" "$T" <<'PYEOF'
import json, subprocess, sys
import numpy as np
import xgboost as xgb

drv, tmp = sys.argv[1], sys.argv[2]
sys.setrecursionlimit(10000)

def report(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + detail))

def fmt(v):
    return "" if np.isnan(v) else repr(float(v))

def run(kind, params, X, y):
    text = "".join(",".join([str(int(t))] + [fmt(v) for v in row]) + "\n" for t, row in zip(y, X))
    out = subprocess.run([drv, kind, params], input=text, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    n, d = X.shape
    r = {"trees": {}, "raw": np.zeros(n), "shap": np.zeros((n, d)), "row": {}, "stats": out.stderr.strip()}
    for line in out.stdout.splitlines():
        f = line.split()
        if f[0] == "node":
            t = int(f[1])
            r["trees"].setdefault(t, []).append((int(f[3]), int(f[4]), int(f[5]), int(f[6]),
                                                  float(f[7]), float(f[8]), float(f[9])))
        elif f[0] == "raw": r["raw"][int(f[1])] = float(f[2])
        elif f[0] == "shap": r["shap"][int(f[1]), int(f[2])] = float(f[3])
        elif f[0] == "shaprow": r["row"].setdefault(int(f[1]), np.zeros(d))[int(f[2])] = float(f[3])
        elif f[0] == "expected": r["expected"] = float(f[1])
        elif f[0] == "base": r["base"] = float(f[1])
    r["trees"] = [r["trees"][t] for t in sorted(r["trees"])]
    return r, ""

# ---- reference: Lundberg et al. 2018, Algorithm 2, in double --------------------------------
def tree_shap(nodes, x, phi, scale):
    def extend(m, pz, po, pi):
        l = len(m)
        m.append([pi, pz, po, 1.0 if l == 0 else 0.0])
        for i in range(l - 1, -1, -1):
            m[i + 1][3] += po * m[i][3] * (i + 1) / (l + 1)
            m[i][3] = pz * m[i][3] * (l - i) / (l + 1)
    def unwind(m, k):
        l = len(m) - 1
        po, pz = m[k][2], m[k][1]
        nxt = m[l][3]
        for i in range(l - 1, -1, -1):
            if po != 0:
                tmp = m[i][3]
                m[i][3] = nxt * (l + 1) / ((i + 1) * po)
                nxt = tmp - m[i][3] * pz * (l - i) / (l + 1)
            else:
                m[i][3] = m[i][3] * (l + 1) / (pz * (l - i))
        w = [e[3] for e in m]
        del m[k]
        for i in range(len(m)):
            m[i][3] = w[i]
    def unwound_sum(m, k):
        l = len(m) - 1
        po, pz = m[k][2], m[k][1]
        nxt, total = m[l][3], 0.0
        for i in range(l - 1, -1, -1):
            if po != 0:
                tmp = nxt * (l + 1) / ((i + 1) * po)
                total += tmp
                nxt = m[i][3] - tmp * pz * ((l - i) / (l + 1))
            elif pz != 0:
                total += (m[i][3] / pz) / ((l - i) / (l + 1))
        return total
    def rec(j, m, pz, po, pi):
        m = [list(e) for e in m]
        extend(m, pz, po, pi)
        f, left, right, dl, thr, val, cover = nodes[j]
        if f < 0:
            for k in range(1, len(m)):
                phi[m[k][0]] += unwound_sum(m, k) * (m[k][2] - m[k][1]) * val * scale
            return
        v = x[f]
        go_left = dl if np.isnan(v) else v <= thr
        hot, cold = (left, right) if go_left else (right, left)
        w = cover
        hz = nodes[hot][6] / w if w > 0 else 0.5
        cz = nodes[cold][6] / w if w > 0 else 0.5
        iz = io = 1.0
        for k in range(1, len(m)):
            if m[k][0] == f:
                iz, io = m[k][1], m[k][2]
                unwind(m, k)
                break
        if hz * iz != 0 or io != 0:
            rec(hot, m, hz * iz, io, f)
        if cz * iz != 0:
            rec(cold, m, cz * iz, 0.0, f)
    rec(0, [], 1.0, 1.0, -1)

# ---- XGBoost's view of our trees ----------------------------------------------------------
def float_above(t):
    """The smallest float32 strictly above the double t: float x <= t  <=>  x < it."""
    f = np.float32(t)
    if float(f) <= t:
        f = np.nextafter(f, np.float32(np.inf))
    return float(f)

def xgb_json(trees, d):
    out = []
    for i, nodes in enumerate(trees):
        n = len(nodes)
        parents = [2147483647] * n
        for j, (f, l, r, dl, thr, val, cov) in enumerate(nodes):
            if f >= 0:
                parents[l] = parents[r] = j
        out.append({
            "base_weights": [val for (f, l, r, dl, thr, val, cov) in nodes],
            "categories": [], "categories_nodes": [], "categories_segments": [], "categories_sizes": [],
            "default_left": [dl if f >= 0 else 0 for (f, l, r, dl, thr, val, cov) in nodes],
            "id": i,
            "left_children": [l for (f, l, r, dl, thr, val, cov) in nodes],
            "loss_changes": [0.0] * n,
            "parents": parents,
            "right_children": [r for (f, l, r, dl, thr, val, cov) in nodes],
            "split_conditions": [float_above(thr) if f >= 0 else val for (f, l, r, dl, thr, val, cov) in nodes],
            "split_indices": [max(f, 0) for (f, l, r, dl, thr, val, cov) in nodes],
            "split_type": [0] * n,
            "sum_hessian": [cov for (f, l, r, dl, thr, val, cov) in nodes],
            "tree_param": {"num_deleted": "0", "num_feature": str(d), "num_nodes": str(n), "size_leaf_vector": "0"},
        })
    return {"learner": {
        "attributes": {}, "feature_names": [], "feature_types": [],
        "gradient_booster": {"model": {
            "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(trees)), "size_leaf_vector": "0"},
            "tree_info": [0] * len(trees), "trees": out}, "name": "gbtree"},
        "learner_model_param": {"base_score": "5E-1", "boost_from_average": "1", "num_class": "0",
                                "num_feature": str(d), "num_target": "1"},
        "objective": {"name": "binary:logistic", "reg_loss_param": {"scale_pos_weight": "1"}}},
        "version": [1, 7, 4]}

def check(name, kind, params, X, y, ref_rows, average=False, want_single=False):
    r, err = run(kind, params, X, y)
    if r is None:
        report(name + ": fit and explain", False, err); return
    n, d = X.shape
    trees = r["trees"]
    depth_of = lambda nodes: max((dep for dep in _depths(nodes)), default=0)
    singles = sum(1 for nodes in trees if len(nodes) == 1)
    print(f"# {name}: {r['stats']}; deepest tree {max(depth_of(t) for t in trees)}, {singles} single-leaf trees")
    if want_single:
        report(f"{name}: single-leaf trees among the others", 0 < singles < len(trees), f"{singles} of {len(trees)}")
    ea = np.max(np.abs(r["expected"] + r["shap"].sum(axis=1) - r["raw"]))
    report(f"{name}: expected + contributions == raw score on every row", ea < 1e-9, f"max {ea:.2e}")
    er = max(np.max(np.abs(r["row"][i] - r["shap"][i])) for i in r["row"])
    report(f"{name}: the one-row path equals the matrix path within 1e-12 (the incremental method rounds differently)", er < 1e-12, f"max {er:.2e}")
    # the double-precision reference on the first ref_rows rows
    scale = 1.0 / len(trees) if average else 1.0
    worst = 0.0
    for i in range(min(ref_rows, n)):
        phi = np.zeros(d)
        for nodes in trees:
            tree_shap(nodes, X[i], phi, scale)
        worst = max(worst, np.max(np.abs(phi - r["shap"][i])))
    print(f"# {name}: largest |ours - double reference| {worst:.1e}")
    report(f"{name}: every contribution equals the double reference to 1e-9 ({min(ref_rows, n)} rows)",
           worst < 1e-9, f"max diff {worst:.2e}")
    if average:
        return
    bst = xgb.Booster()
    bst.load_model(bytearray(json.dumps(xgb_json(trees, d)).encode()))
    dm = xgb.DMatrix(X.astype(np.float32), missing=np.nan)
    margin = bst.predict(dm, output_margin=True).astype(float)
    em = np.max(np.abs(r["raw"] - r["base"] - margin) / np.maximum(1, np.abs(margin)))
    report(f"{name}: XGBoost routes every row as we do (margins)", em < 1e-6, f"rel {em:.2e}")
    c = bst.predict(dm, pred_contribs=True).astype(float)
    scl = np.maximum(1, np.abs(c).sum(axis=1))[:, None]
    es = np.max(np.abs(r["shap"] - c[:, :d]) / scl)
    print(f"# {name}: largest |ours - pred_contribs| / row total {es:.1e}")
    report(f"{name}: equals XGBoost's pred_contribs (1e-6 of the row's total, float32)", es < 1e-6, f"max {es:.2e}")
    eb = np.max(np.abs(r["expected"] - r["base"] - c[:, d]))
    report(f"{name}: expected value equals XGBoost's bias column", eb < 1e-6, f"max {eb:.2e}")
    nz = np.mean(np.abs(c[:, :d]) > 0)
    report(f"{name}: the comparison is not vacuous", nz > 0.2, f"only {nz:.2f} non-zero")

def _depths(nodes):
    stack = [(0, 0)]
    while stack:
        j, dep = stack.pop()
        f, l, r_, *_ = nodes[j]
        if f < 0:
            yield dep
        else:
            stack += [(l, dep + 1), (r_, dep + 1)]

rng = np.random.default_rng(19)
n, d = 3000, 10
X = rng.normal(size=(n, d)) * np.array([1, 5, 1e3, 1, 0.1, 2, 1, 3, 1, 1])
X[:, 3] = np.floor(X[:, 3] * 3)                       # ties on split values
score = X[:, 0] - 0.3 * X[:, 1] / 5 + 0.8 * X[:, 3] - 1 + np.sin(X[:, 5]) + 0.5 * X[:, 7] * X[:, 8]
y = (rng.random(n) < 1 / (1 + np.exp(-score))).astype(int)
X[rng.random((n, d)) < 0.12] = np.nan
X[rng.random(n) < 0.3, 9] = np.nan                    # a mostly-missing feature: default sides matter
X = X.astype(np.float32).astype(float)                # values XGBoost holds exactly

for depth, rounds, rows in [(2, 30, 60), (4, 20, 40), (6, 15, 25), (8, 8, 12), (10, 4, 6), (12, 3, 4)]:
    check(f"xgboost depth {depth}", "xgb",
          json.dumps({"num_boost_round": rounds, "eta": 0.3, "max_depth": depth, "min_child_weight": 0.05,
                      "lambda": 0.5, "max_bin": 128, "nthread": 2, "seed": depth}), X, y, rows)
check("gbdt 31 leaves (leaf-wise, NaN default sides)", "gbdt",
      '{"num_iterations": 30, "num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 5}', X, y, 25)
check("gbdt monotone constraints", "gbdt",
      '{"num_iterations": 30, "num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 5, '
      '"monotone_constraints": [1, -1, 0, 1, 0, 0, 0, 1, -1, 0]}', X, y, 25)
check("xgboost with single-leaf trees (gamma)", "xgb",
      '{"num_boost_round": 40, "eta": 0.5, "max_depth": 4, "gamma": 6, "nthread": 2}', X, y, 40,
      want_single=True)
check("forest (averaged, depth 10)", "forest", '{"n_estimators": 8, "max_depth": 10, "seed": 2}', X, y, 10,
      average=True)
PYEOF
