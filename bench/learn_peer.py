"""learn_peer.py: the Python side of bench/bench_learn.sh (XGBoost hist, LightGBM and
scikit-learn's random forest), on the same feature file and the same split as bench/learn_bench.c: train on
the labelled rows whose index % 5 != 0, AUC on those whose index % 5 == 0, prediction timed on
the first 100,000 rows. Prints one line of key=value pairs.

usage: learn_peer.py FILE.csf xgboost|lightgbm|sklearn_rf PARAMS_JSON
(lightgbm: the build of bench/build_lightgbm.sh on PYTHONPATH; its Dataset construction is
part of the fit time, as XGBoost's QuantileDMatrix is)
"""
import json
import struct
import sys
import time

import numpy as np


def load_csf(path):
    """The feature matrix of a .csf file (src/features/featfile.c layout), memory-mapped."""
    with open(path, "rb") as f:
        hdr = f.read(128)
    magic, version, hsize, n_rows, n_feats = struct.unpack_from("<8sIIQQ", hdr, 0)
    if magic != b"CSFEAT\0\0":
        raise SystemExit(f"{path}: not a feature file")
    offs = struct.unpack_from("<8Q", hdr, 32)
    target_off, values_off = offs[4], offs[6]
    target = np.memmap(path, dtype="<f8", mode="r", offset=target_off, shape=(n_rows,))
    values = np.memmap(path, dtype="<f8", mode="r", offset=values_off, shape=(n_feats, n_rows))
    return np.asarray(values).T, np.asarray(target)     # (n_rows, n_feats), Fortran order


def main():
    path, side, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    X, y = load_csf(path)
    idx = np.arange(len(y))
    lab = ~np.isnan(y)
    tr = idx[lab & (idx % 5 != 0)]
    te = idx[lab & (idx % 5 == 0)]
    from sklearn.metrics import roc_auc_score
    t0 = time.perf_counter()
    Xtr = np.ascontiguousarray(X[tr])
    Xte = np.ascontiguousarray(X[te])
    Xp = np.ascontiguousarray(X[: min(100000, len(y))])
    prep_s = time.perf_counter() - t0
    if side == "xgboost":
        import xgboost as xgb
        nrounds = params.pop("num_boost_round")
        if params.get("base_score") == "prior":
            # start from the training prior, as ours (and LightGBM's boost_from_average) do;
            # XGBoost < 2.0 starts from 0.5
            params["base_score"] = float(np.mean(y[tr]))
        t0, c0 = time.perf_counter(), time.process_time()
        dtr = xgb.QuantileDMatrix(Xtr, label=y[tr], max_bin=params.get("max_bin", 256), nthread=params.get("nthread", 2))
        bst = xgb.train(params, dtr, num_boost_round=nrounds)
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        score = bst.inplace_predict(Xte)
        t0, c0 = time.perf_counter(), time.process_time()
        bst.inplace_predict(Xp)
        pred_s, pred_cpu = time.perf_counter() - t0, time.process_time() - c0
        trees = nrounds
    elif side == "lightgbm":
        import lightgbm as lgb
        nrounds = params.pop("num_iterations")
        t0, c0 = time.perf_counter(), time.process_time()
        ds = lgb.Dataset(Xtr, label=y[tr], params={"max_bin": params.get("max_bin", 255), "verbose": -1})
        bst = lgb.train(params, ds, num_boost_round=nrounds)
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        score = bst.predict(Xte, num_threads=params.get("num_threads", 2))
        t0, c0 = time.perf_counter(), time.process_time()
        bst.predict(Xp, num_threads=params.get("num_threads", 2))
        pred_s, pred_cpu = time.perf_counter() - t0, time.process_time() - c0
        trees = nrounds
    elif side == "sklearn_rf":
        from sklearn.ensemble import RandomForestClassifier
        Xtr = np.nan_to_num(Xtr, nan=-999.0, posinf=1e30, neginf=-1e30)   # sklearn < 1.4 has no NaN support in forests
        Xte = np.nan_to_num(Xte, nan=-999.0, posinf=1e30, neginf=-1e30)
        Xp = np.nan_to_num(Xp, nan=-999.0, posinf=1e30, neginf=-1e30)
        t0, c0 = time.perf_counter(), time.process_time()
        rf = RandomForestClassifier(**params).fit(Xtr, y[tr])
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        score = rf.predict_proba(Xte)[:, 1]
        t0, c0 = time.perf_counter(), time.process_time()
        rf.predict_proba(Xp)
        pred_s, pred_cpu = time.perf_counter() - t0, time.process_time() - c0
        trees = params.get("n_estimators", 100)
    else:
        raise SystemExit(f"unknown side {side}")
    auc = roc_auc_score(y[te], score)
    print(f"side={side} rows={len(y)} feats={X.shape[1]} train={len(tr)} test={len(te)} "
          f"fit_s={fit_s:.3f} fit_cpu={fit_cpu:.3f} auc={auc:.5f} predict_rows={len(Xp)} "
          f"predict_s={pred_s:.4f} predict_cpu={pred_cpu:.4f} "
          f"trees={trees} prep_s={prep_s:.3f}")


if __name__ == "__main__":
    main()
