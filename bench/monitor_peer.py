#!/usr/bin/python3
"""monitor_peer.py: the monitor's PSI and CSI in pandas + numpy, for bench_monitor.sh.

usage: monitor_peer.py DIR [REPORT.json] [csf|sqlite]

Reads what `creditscore monitor` reads: DIR/audit.db with sqlite3 into pandas, the model's
monitoring bins (DIR/reference.tsv) and the features of the clients, either (csf, the
default, as `monitor --features`) column-wise from the feature file DIR/features.csf mapped
with numpy.memmap (each column gathered in the decisions' row order), or (sqlite, as
`monitor --clients`) the feature vectors of DIR/clients.db as numpy arrays, in chunks of
50,000 clients so that 1,000,000 x 795 fits in memory. It computes per month
the score PSI and every feature's CSI exactly as docs/monitor.md defines them (right-closed
bins with np.searchsorted, a missing bin, evidently's zero filling). Prints the time of the
reading and of the statistics; with REPORT.json, the largest difference from creditscore's.
"""
import json
import sqlite3
import struct
import sys
import time

import numpy as np
import pandas as pd

t0 = time.time()
d = sys.argv[1]
ref = pd.read_csv(f"{d}/reference.tsv", header=None, sep="\t", quoting=3, float_precision="round_trip")
names = ref[0].tolist()
n_edges = ref[1].to_numpy(int)
edges = ref.iloc[:, 2:11].to_numpy(float)
shares = ref.iloc[:, 11:22].to_numpy(float)

db = sqlite3.connect(f"{d}/audit.db")
dec = pd.read_sql("SELECT unix_ms, client_id, probability FROM audit ORDER BY seq", db)
dec["month"] = pd.to_datetime(dec.unix_ms, unit="ms").dt.strftime("%Y-%m")
months = sorted(dec.month.unique())
mcode = pd.Categorical(dec.month, categories=months).codes.astype(np.int64)
n_m = len(months)


def fill(a):
    nz = a[a != 0]
    if len(nz):
        mn = nz.min()
        a = np.where(a == 0, mn / 1e6 if mn <= 1e-4 else 1e-4, a)
    return a


def psi(ref_share, counts):
    t = counts.sum()
    if t <= 0:
        return np.nan
    cur = counts / t
    keep = ~((ref_share == 0) & (cur == 0))
    r, c = fill(ref_share[keep]), fill(cur[keep])
    return float(np.sum((c - r) * np.log(c / r)))


def bins(e, v):
    b = np.searchsorted(e, v, side="left")
    return np.where(np.isnan(v), 10, b)


t_read = 0.0
ts = time.time()
score_counts = np.zeros((n_m, 11))
b = bins(edges[0, : n_edges[0]], dec.probability.to_numpy())
np.add.at(score_counts, (mcode, b), 1)
score_psi = [psi(shares[0], score_counts[k]) for k in range(n_m)]
t_stats = time.time() - ts

nf = len(names) - 1
counts = np.zeros((n_m, nf, 11))
source = sys.argv[3] if len(sys.argv) > 3 else "csf"
if source == "csf":
    tr = time.time()
    path = f"{d}/features.csf"
    with open(path, "rb") as f:
        hdr = f.read(128)
        magic, version, hsize, n_rows, n_cols = struct.unpack_from("<8sIIQQ", hdr, 0)
        offs = struct.unpack_from("<8Q", hdr, 32)
        f.seek(offs[0])
        cnames = f.read(offs[1]).decode().split("\0")[:n_cols]
    ids = np.memmap(path, dtype="<i8", mode="r", offset=offs[2], shape=(n_rows,))
    values = np.memmap(path, dtype="<f8", mode="r", offset=offs[6], shape=(n_cols, n_rows))
    col_of = {x: k for k, x in enumerate(cnames)}
    # the decisions' rows, in row order (one pass forwards over each column)
    rows = pd.Index(np.asarray(ids)).get_indexer(dec.client_id.to_numpy())
    keep = rows >= 0
    order = np.argsort(rows[keep], kind="stable")
    rows, mo = rows[keep][order], mcode[keep][order]
    t_read += time.time() - tr
    for j in range(nf):
        tr = time.time()
        x = values[col_of[names[j + 1]]][rows]
        t_read += time.time() - tr
        ts = time.time()
        bj = bins(edges[j + 1, : n_edges[j + 1]], x)
        counts[:, j, :] = np.bincount(mo * 11 + bj, minlength=n_m * 11).reshape(n_m, 11)
        t_stats += time.time() - ts
else:
    cdb = sqlite3.connect(f"{d}/clients.db")
    cnames = [x for (x,) in cdb.execute("SELECT name FROM features ORDER BY idx")]
    col_of = {x: k for k, x in enumerate(cnames)}
    cols = np.array([col_of[x] for x in names[1:]])
    # the decisions' months by client id (one decision per client here)
    month_of = pd.Series(mcode, index=dec.client_id.to_numpy())
    cur = cdb.execute("SELECT id, x FROM clients ORDER BY id")
    while True:
        tr = time.time()
        rows = cur.fetchmany(50000)
        if not rows:
            break
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        X = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f8").reshape(len(rows), -1)[:, cols]
        mo = month_of.reindex(ids).to_numpy()
        keep = ~np.isnan(mo)
        X, mo = X[keep], mo[keep].astype(np.int64)
        t_read += time.time() - tr
        ts = time.time()
        for j in range(nf):
            bj = bins(edges[j + 1, : n_edges[j + 1]], X[:, j])
            counts[:, j, :] += np.bincount(mo * 11 + bj, minlength=n_m * 11).reshape(n_m, 11)
        t_stats += time.time() - ts
ts = time.time()
csi = np.array([[psi(shares[j + 1], counts[k, j]) for j in range(nf)] for k in range(n_m)])
t_stats += time.time() - ts
total = time.time() - t0
msg = f"peer ({source}): {len(dec)} decisions, {nf} features, {n_m} months; statistics {t_stats:.2f} s, reading clients {t_read:.2f} s, total {total:.2f} s"
if len(sys.argv) > 2:
    r = json.load(open(sys.argv[2]))
    fi = {x: k for k, x in enumerate(r["features"])}
    dp = max(abs(p["psi"] - score_psi[k]) for k, p in enumerate(r["periods"]))
    dc = max(abs((r["periods"][k]["csi"][fi[names[j + 1]]] or 0) - csi[k, j]) for k in range(n_m) for j in range(nf))
    msg += f"; max |diff| from creditscore: psi {dp:.1e}, csi {dc:.1e}"
print(msg)
