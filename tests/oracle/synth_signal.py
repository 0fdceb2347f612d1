"""synth_signal.py: how much of the generated TARGET each part of the data explains.

Reads a folder written by `creditscore synth`, builds three feature sets and prints the
5-fold cross-validated AUC of scikit-learn's HistGradientBoostingClassifier on each:
  ext   EXT_SOURCE_1..3 only
  app   every application_train column
  full  application + simple per-client aggregates of the six history tables
        (a rough stand-in for the kernel features)
Output: one line per set, "auc <set> <value>".
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.metrics import roc_auc_score

d = sys.argv[1]
app = pd.read_csv(f"{d}/application_train.csv")
y = app["TARGET"].values
X = app.drop(columns=["TARGET"]).set_index("SK_ID_CURR")
for c in X.columns:
    if X[c].dtype == object:
        X[c] = X[c].astype("category").cat.codes
X["DAYS_EMPLOYED"] = X["DAYS_EMPLOYED"].replace(365243, np.nan)
X["PAYMENT_RATE"] = X["AMT_ANNUITY"] / X["AMT_CREDIT"]

bu = pd.read_csv(f"{d}/bureau.csv")
bb = pd.read_csv(f"{d}/bureau_balance.csv", dtype={"STATUS": str})
bb["LATE"] = bb["STATUS"].isin(["1", "2", "3", "4", "5"]).astype(float)
bbg = bb.groupby("SK_ID_BUREAU").agg(BB_LATE=("LATE", "mean"), BB_N=("LATE", "size"))
bu = bu.join(bbg, on="SK_ID_BUREAU")
bu["ACTIVE"] = (bu["CREDIT_ACTIVE"] == "Active").astype(float)
B = bu.groupby("SK_ID_CURR").agg(
    BU_N=("SK_ID_BUREAU", "size"), BU_OD_MAX=("CREDIT_DAY_OVERDUE", "max"),
    BU_OD_MEAN=("CREDIT_DAY_OVERDUE", "mean"), BU_MAXOD_MEAN=("AMT_CREDIT_MAX_OVERDUE", "mean"),
    BU_ACTIVE=("ACTIVE", "mean"), BU_DEBT=("AMT_CREDIT_SUM_DEBT", "sum"),
    BU_SUMOD=("AMT_CREDIT_SUM_OVERDUE", "mean"), BU_DAYS=("DAYS_CREDIT", "mean"),
    BB_LATE=("BB_LATE", "mean"))

pr = pd.read_csv(f"{d}/previous_application.csv")
pr["REFUSED"] = (pr["NAME_CONTRACT_STATUS"] == "Refused").astype(float)
pr["APPROVED"] = (pr["NAME_CONTRACT_STATUS"] == "Approved").astype(float)
P = pr.groupby("SK_ID_CURR").agg(PR_N=("SK_ID_PREV", "size"), PR_REF=("REFUSED", "mean"),
                                  PR_APP=("APPROVED", "mean"), PR_CREDIT=("AMT_CREDIT", "mean"),
                                  PR_DAYS=("DAYS_DECISION", "mean"))
po = pd.read_csv(f"{d}/POS_CASH_balance.csv")
PO = po.groupby("SK_ID_CURR").agg(POS_N=("SK_DPD", "size"), POS_DPD_MAX=("SK_DPD", "max"),
                                  POS_DPD_MEAN=("SK_DPD", "mean"), POS_DEF=("SK_DPD_DEF", "mean"))
ins = pd.read_csv(f"{d}/installments_payments.csv")
ins["DPD"] = (ins["DAYS_ENTRY_PAYMENT"] - ins["DAYS_INSTALMENT"]).clip(lower=0)
ins["DBD"] = (ins["DAYS_INSTALMENT"] - ins["DAYS_ENTRY_PAYMENT"]).clip(lower=0)
ins["PERC"] = ins["AMT_PAYMENT"] / ins["AMT_INSTALMENT"]
I = ins.groupby("SK_ID_CURR").agg(IN_N=("DPD", "size"), IN_DPD_MEAN=("DPD", "mean"),
                                  IN_DPD_MAX=("DPD", "max"), IN_DBD_MEAN=("DBD", "mean"),
                                  IN_PERC=("PERC", "mean"))
cc = pd.read_csv(f"{d}/credit_card_balance.csv")
cc["UTIL"] = cc["AMT_BALANCE"] / cc["AMT_CREDIT_LIMIT_ACTUAL"].replace(0, np.nan)
C = cc.groupby("SK_ID_CURR").agg(CC_N=("SK_DPD", "size"), CC_DPD_MAX=("SK_DPD", "max"),
                                 CC_DPD_MEAN=("SK_DPD", "mean"), CC_UTIL=("UTIL", "mean"),
                                 CC_BAL=("AMT_BALANCE", "mean"))
full = X.join(B).join(P).join(PO).join(I).join(C)


def auc(frame):
    clf = HistGradientBoostingClassifier(max_iter=120, learning_rate=0.1, max_leaf_nodes=15,
                                         min_samples_leaf=100, early_stopping=False,
                                         random_state=0)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    p = cross_val_predict(clf, frame.values, y, cv=folds, method="predict_proba")[:, 1]
    return roc_auc_score(y, p)


print("rows %d default_rate %.4f" % (len(y), y.mean()))
print("auc ext %.4f" % auc(X[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]]))
print("auc app %.4f" % auc(X))
print("auc full %.4f" % auc(full))
