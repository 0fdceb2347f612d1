"""drift_peer.py: the Python peer of `creditscore drift` for bench/bench_drift.sh: read the
two tables with pandas, then run evidently 0.4's default test on every common column with
scipy (the oracle's code, tests/oracle/drift_oracle.py) plus PSI, as creditscore does.
Prints the reading and statistics times and the verdict.

  drift_peer.py REFERENCE.csv CURRENT.csv
"""
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "oracle"))
import drift_oracle as o  # noqa: E402

t0 = time.perf_counter()
ref_df = pd.read_csv(sys.argv[1])
cur_df = pd.read_csv(sys.argv[2])
t1 = time.perf_counter()
n = drifted = 0
for col in ref_df.columns:
    if col not in cur_df.columns or col in o.IDS:
        continue
    ref = ref_df[col].replace([-np.inf, np.inf], np.nan).dropna()
    cur = cur_df[col].replace([-np.inf, np.inf], np.nan).dropna()
    if len(ref) == 0 or len(cur) == 0:
        continue
    ctype = o.column_type(ref_df[col], cur_df[col])
    test = o.auto_test(ctype, ref, cur)
    score, _ = o.run_test(test, ctype, ref, cur)
    o.run_test("psi", ctype, ref, cur)
    n += 1
    drifted += o.drifted(test, score, 0.05 if test in ("ks", "chisquare", "z") else 0.1)
t2 = time.perf_counter()
print("read in %.3f s, statistics in %.3f s: %d of %d columns drifted" % (t1 - t0, t2 - t1, drifted, n))
