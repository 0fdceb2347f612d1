"""explain_peer.py: the Python side of bench/bench_explain.sh, on the same feature file and
the same rows as bench/explain_bench.c (train: labelled rows with index % 5 != 0, the first
N_TRAIN; test: labelled rows with index % 5 == 0, the first N_TEST). Prints one line of
key=value pairs.

usage: explain_peer.py logreg FILE.csf N_TRAIN N_TEST C
       explain_peer.py shap FILE.csf N_TRAIN N_TEST MODEL.json THREADS [OURS.phi]
  logreg: scikit-learn's LogisticRegression (lbfgs) after the same preprocessing as ours
          (+-inf clipped to the finite training range, median imputation, standardisation),
          fit time including the preprocessing
  shap:   XGBoost's own pred_contribs on THREADS threads (DMatrix construction included) for
          the same trees as ours (bench/explain_bench.c writes them as an XGBoost model), and
          with OURS.phi the largest gap to our contributions relative to the row's total
"""
import struct
import sys
import time
import warnings

import numpy as np


def load_csf(path):
    """The feature matrix of a .csf file (src/features/featfile.c layout), memory-mapped."""
    with open(path, "rb") as f:
        hdr = f.read(128)
    magic, version, hsize, n_rows, n_feats = struct.unpack_from("<8sIIQQ", hdr, 0)
    if magic != b"CSFEAT\0\0":
        raise SystemExit(f"{path}: not a feature file")
    offs = struct.unpack_from("<8Q", hdr, 32)
    target = np.memmap(path, dtype="<f8", mode="r", offset=offs[4], shape=(n_rows,))
    values = np.memmap(path, dtype="<f8", mode="r", offset=offs[6], shape=(n_feats, n_rows))
    return np.asarray(values).T, np.asarray(target)


def rows(y, test, n):
    idx = np.arange(len(y))
    sel = idx[~np.isnan(y) & ((idx % 5 == 0) == test)]
    return sel[:n]


def main():
    mode, path, ntr, nte = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    X, y = load_csf(path)
    tr, te = rows(y, False, ntr), rows(y, True, nte)
    Xtr, Xte = np.ascontiguousarray(X[tr]), np.ascontiguousarray(X[te])
    if mode == "logreg":
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        C = float(sys.argv[5])
        t0, c0 = time.perf_counter(), time.process_time()
        fin = np.where(np.isfinite(Xtr), Xtr, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lo, hi = np.nanmin(fin, axis=0), np.nanmax(fin, axis=0)
            lo, hi = np.nan_to_num(lo), np.nan_to_num(hi)
            def prep(A):
                A = np.where(np.isnan(A), np.nan, np.clip(A, lo, hi))
                return A
            A = prep(Xtr)
            med = np.nan_to_num(np.nanmedian(A, axis=0))
            A = np.where(np.isnan(A), med, A)
            mean, sd = A.mean(axis=0), A.std(axis=0)
            sd[sd == 0] = 1
            Z = (A - mean) / sd
            clf = LogisticRegression(C=C, solver="lbfgs", max_iter=10000).fit(Z, y[tr])
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        B = prep(Xte)
        B = (np.where(np.isnan(B), med, B) - mean) / sd
        auc = roc_auc_score(y[te], clf.predict_proba(B)[:, 1])
        print(f"side=sklearn fit_s={fit_s:.3f} fit_cpu={fit_cpu:.3f} auc={auc:.5f} iter={int(clf.n_iter_[0])}")
    elif mode == "shap":
        import xgboost as xgb
        threads = int(sys.argv[6])
        bst = xgb.Booster()
        bst.load_model(sys.argv[5])
        bst.set_param({"nthread": threads})
        fmax = np.finfo(np.float32).max
        Xf = np.where(np.isnan(Xte), np.nan, np.clip(Xte, -fmax, fmax)).astype(np.float32)
        t0, c0 = time.perf_counter(), time.process_time()
        dm = xgb.DMatrix(Xf, missing=np.nan, nthread=threads)
        c = bst.predict(dm, pred_contribs=True)
        shap_s, shap_cpu = time.perf_counter() - t0, time.process_time() - c0
        extra = ""
        if len(sys.argv) > 7:    # our contributions of the same rows: the largest gap
            ours = np.fromfile(sys.argv[7], dtype="<f8").reshape(len(te), X.shape[1])
            c = c.astype(float)
            tot = np.maximum(1, np.abs(c[:, :-1]).sum(axis=1))[:, None]
            gap = np.max(np.abs(ours - c[:, :-1]) / tot)
            extra = f" vs_ours={gap:.1e}"
        print(f"side=xgboost threads={threads} shap_s={shap_s:.3f} shap_cpu={shap_cpu:.3f}{extra}")
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
