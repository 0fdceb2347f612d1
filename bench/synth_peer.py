"""synth_peer.py: the Python peer of `creditscore synth` in bench_synth.sh.

A Python generator of these tables would at least have to write them: this peer reads
each table that `creditscore synth` wrote (not timed) and writes it again with pandas'
DataFrame.to_csv (timed), one table at a time. Its time is therefore a lower bound for
any pandas-based generator of the same data. Prints "seconds <total write time>".
usage: synth_peer.py DIR OUTDIR
"""
import os
import sys
import time

import pandas as pd

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
names = ["application_train", "application_test", "bureau", "bureau_balance",
         "previous_application", "POS_CASH_balance", "installments_payments",
         "credit_card_balance"]
total = 0.0
for n in names:
    df = pd.read_csv(f"{src}/{n}.csv", dtype={"STATUS": str} if n == "bureau_balance" else None)
    t0 = time.perf_counter()
    df.to_csv(f"{out}/{n}.csv", index=False)
    total += time.perf_counter() - t0
    del df
print("seconds %.3f" % total)
