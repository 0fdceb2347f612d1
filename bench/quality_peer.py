"""quality_peer.py: the peers of bench/bench_quality.sh, cross-validated on exactly our folds.

usage: quality_peer.py FILE.csf FOLDS.csv SIDE

FOLDS.csv is what `creditscore train --folds-out` wrote (row,SK_ID_CURR,fold: row = 0-based
row of the feature file). For each fold the side is fitted on the other folds' rows and scored
on the fold's; prints one line of key=value pairs: the mean and population sd of the fold
AUCs (as `train` reports them), the pooled out-of-fold AUC, the wall and CPU seconds of the
k fits and predictions (data loading excluded), the rounds used per fold.

Sides:
  xgb500    XGBoost hist, 500 rounds, eta 0.05, max_depth 6, its other defaults (base_score
            0.5 in 1.7), 2 threads
  xgb_es    the same with early stopping on each validation fold (validation AUC, 50 rounds
            of patience, at most 5000 rounds; the best iteration predicts)
  lgbm500   LightGBM with its defaults (lr 0.1, 31 leaves, min_data_in_leaf 20,
            min_sum_hessian 1e-3) and 500 rounds, 2 threads (the build of bench/build_lightgbm.sh
            on PYTHONPATH)
  hgb       scikit-learn HistGradientBoostingClassifier with its defaults (100 iterations, lr
            0.1, 31 leaves, min_samples_leaf 20, early stopping on an internal 10% split when
            there are more than 10,000 rows)
"""
import sys
import time

import numpy as np

from learn_peer import load_csf   # bench/ is the script's folder: on sys.path


def main():
    path, folds_path, side = sys.argv[1], sys.argv[2], sys.argv[3]
    X, y = load_csf(path)
    fd = np.loadtxt(folds_path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    rows, fold = fd[:, 0], fd[:, 2]
    if rows.max() >= len(y) or np.isnan(y[rows]).any():
        raise SystemExit(f"{folds_path}: rows do not match {path}")
    k = int(fold.max()) + 1
    from sklearn.metrics import roc_auc_score
    aucs, rounds, wall, cpu = [], [], 0.0, 0.0
    oof = np.empty(len(rows))
    for f in range(k):
        tr, va = rows[fold != f], rows[fold == f]
        Xtr, Xva = np.ascontiguousarray(X[tr]), np.ascontiguousarray(X[va])
        ytr, yva = y[tr], y[va]
        t0, c0 = time.perf_counter(), time.process_time()
        if side in ("xgb500", "xgb_es"):
            import xgboost as xgb
            prm = {"objective": "binary:logistic", "eta": 0.05, "max_depth": 6, "tree_method": "hist",
                   "nthread": 2, "eval_metric": "auc", "seed": 0}
            dtr = xgb.DMatrix(Xtr, label=ytr, nthread=2)
            if side == "xgb500":
                bst = xgb.train(prm, dtr, num_boost_round=500)
                p = bst.predict(xgb.DMatrix(Xva, nthread=2))
                rounds.append(500)
            else:
                dva = xgb.DMatrix(Xva, label=yva, nthread=2)
                bst = xgb.train(prm, dtr, num_boost_round=5000, evals=[(dva, "valid")],
                                early_stopping_rounds=50, verbose_eval=False)
                p = bst.predict(dva, iteration_range=(0, bst.best_iteration + 1))
                rounds.append(bst.best_iteration + 1)
        elif side == "lgbm500":
            import lightgbm as lgb
            ds = lgb.Dataset(Xtr, label=ytr, params={"verbose": -1})
            bst = lgb.train({"objective": "binary", "num_threads": 2, "verbose": -1}, ds, num_boost_round=500)
            p = bst.predict(Xva, num_threads=2)
            rounds.append(500)
        elif side == "hgb":
            from sklearn.ensemble import HistGradientBoostingClassifier
            m = HistGradientBoostingClassifier(random_state=0).fit(Xtr, ytr)
            p = m.predict_proba(Xva)[:, 1]
            rounds.append(m.n_iter_)
        else:
            raise SystemExit(f"unknown side {side}")
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        aucs.append(roc_auc_score(yva, p))
        oof[fold == f] = p
    a = np.array(aucs)
    print(f"side={side} rows={len(rows)} feats={X.shape[1]} k={k} auc_mean={a.mean():.5f} auc_sd={a.std():.5f} "
          f"oof_auc={roc_auc_score(y[rows], oof):.5f} cv_s={wall:.3f} cv_cpu={cpu:.3f} "
          f"rounds={'/'.join(str(r) for r in rounds)} "
          f"fold_auc={'/'.join(f'{v:.5f}' for v in aucs)}")


if __name__ == "__main__":
    main()
