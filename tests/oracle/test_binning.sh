#!/usr/bin/env bash
# test_binning.sh: the WoE binning (src/learn/binning.h) against pandas on the same bins
# (Debian's /usr/bin/python3): for each column, pandas recomputes from the rows and the
# bin each was given: every bin's count, events, share, event rate, WoE (0.5 in place of an
# empty class) and IV contribution, and the feature's IV, to 1e-12; for numeric columns
# pd.cut with the table's edges (right-closed) puts every non-missing, non-special row in
# the same bin, and the rows of each missing/special bin are exactly the NaN/special ones.
# Columns: generated (rising, falling and peaked rates, NaN, a special value, a categorical
# one with rare codes) and numeric and categorical columns of the real Home Credit sample
# (skipped when ../shared is absent).
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import pandas, numpy' 2>/dev/null; then
  fail "binning oracle" "no pandas in $PY"; exit 1
fi
libs="base io recipe synth features eval learn"
(cd "$ROOT" && make -s $(for l in $libs; do printf 'build/lib/libcs_%s.a ' $l; done) >/dev/null 2>"$T/make.err") || {
  fail "build the layer archives" "$(tail -3 "$T/make.err")"; exit 1; }
DRV=$T/binning_driver
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -fopenmp -I"$ROOT/src" -o "$DRV" "$ROOT/tests/oracle/binning_driver.c" \
     -Wl,--start-group $(for l in $libs; do printf '%s/build/lib/libcs_%s.a ' "$ROOT" $l; done) -Wl,--end-group \
     $(pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lxgboost -lm 2>"$T/cc.err"; then
  fail "build the binning driver" "$(head -3 "$T/cc.err")"; exit 1
fi

$PY - "$DRV" "$SAMPLE" <<'PYEOF'
import json, os, subprocess, sys
import numpy as np
import pandas as pd

drv, sample = sys.argv[1], sys.argv[2]

def report(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + detail))

def run(x, y, categorical=False, specials=(), trend="auto"):
    text = "".join(f"{int(t)},{'' if np.isnan(v) else repr(float(v))}\n" for t, v in zip(y, x))
    out = subprocess.run([drv, "1" if categorical else "0", ",".join(repr(float(s)) for s in specials), trend],
                         input=text, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    table, bins = None, np.zeros(len(y), dtype=int)
    for line in out.stdout.splitlines():
        if line.startswith("table "):
            table = json.loads(line[6:])
        elif line.startswith("bin "):
            _, i, b = line.split()
            bins[int(i)] = int(b)
    return table, bins

def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300) if b != 0 else abs(a)

def compare(name, x, y, categorical=False, specials=(), trend="auto"):
    table, bins = run(x, y, categorical, specials, trend)
    df = pd.DataFrame({"x": x, "y": y, "bin": bins})
    g = df.groupby("bin")["y"].agg(["count", "sum"])
    E, N = df["y"].sum(), len(df)
    G = N - E
    worst, detail, ivsum = 0.0, "", 0.0
    for b, row in enumerate(table["bins"]):
        cnt = int(g["count"].get(b, 0)); ev = int(g["sum"].get(b, 0))
        if cnt != row["count"] or ev != row["events"]:
            report(f"{name}: bin {b} counts", False, f"pandas {cnt}/{ev}, ours {row['count']}/{row['events']}")
            return
        e, n_g = (ev if ev else 0.5), ((cnt - ev) if cnt - ev else 0.5)
        woe = np.log((n_g / G) / (e / E))
        iv = (n_g / G - e / E) * woe
        ivsum += iv
        for what, a, ref in (("woe", row["woe"], woe), ("iv", row["iv"], iv), ("share", row["share"], cnt / N),
                             ("event_rate", row["event_rate"], ev / cnt)):
            r = rel(a, ref) if abs(ref) > 1e-12 else abs(a - ref)
            if r > worst:
                worst, detail = r, f"bin {b} {what}: ours {a!r}, pandas {ref!r}"
    r = rel(table["iv"], ivsum)
    if r > worst:
        worst, detail = r, f"IV ours {table['iv']!r}, pandas {ivsum!r}"
    report(f"{name}: counts, WoE, IV of {len(table['bins'])} bins against pandas (IV {ivsum:.4f})",
           worst <= 1e-12, detail)
    kinds = [b["kind"] for b in table["bins"]]
    miss = np.isnan(x)
    spec = np.isin(x, np.array(specials, dtype=float)) & ~miss
    ok = True
    for b, k in enumerate(kinds):
        if k == "missing": ok &= bool(np.array_equal(bins == b, miss))
        if k == "special": ok &= bool(np.array_equal(bins == b, x == table["bins"][b]["lo"]))
    if not categorical:
        vals = [b for b in table["bins"] if b["kind"] == "range"]
        edges = [-np.inf] + [b["hi"] if b["hi"] is not None else np.inf for b in vals]
        keep = ~miss & ~spec
        cut = pd.cut(pd.Series(x[keep]), bins=edges, right=True, labels=False)
        ok &= bool(np.array_equal(cut.to_numpy(dtype=int), bins[keep]))
        rates = [b["events"] / b["count"] for b in vals]
        d = np.sign(np.diff(rates))
        shape = table["trend"]
        mono = {"ascending": (d > 0).all(), "descending": (d < 0).all()}.get(shape, True)
        ok &= bool(mono)
    else:
        # every category in exactly one group, groups ordered by event rate
        vals = [b for b in table["bins"] if b["kind"] == "categories"]
        rates = [b["events"] / b["count"] for b in vals]
        ok &= bool((np.diff(rates) > 0).all())
        for b, row in enumerate(table["bins"]):
            if row["kind"] == "categories":
                ok &= bool(set(np.unique(x[bins == b])) <= set(row["cats"]))
    report(f"{name}: each row's bin is pandas' (pd.cut on the edges; NaN, special and category bins) and the trend holds", ok)

rng = np.random.default_rng(16)
n = 20000
v = np.floor(rng.random(n) * 1000) / 10
for shape, p in (("rising", 0.02 + 0.002 * v), ("falling", 0.25 - 0.002 * v),
                 ("peaked", 0.03 + 0.25 * (1 - np.abs(v - 50) / 50))):
    x = v.copy()
    u = rng.random(n)
    x[u < 0.04] = np.nan
    x[(u >= 0.04) & (u < 0.07)] = -1
    y = (rng.random(n) < p).astype(int)
    compare(f"generated {shape}", x, y, specials=(-1,))
    compare(f"generated {shape}, ascending", x, y, specials=(-1,), trend="ascending")
c = np.where(rng.random(n) < 0.96, rng.integers(0, 10, n), rng.integers(10, 30, n)).astype(float)
y = (rng.random(n) < np.where(c < 10, 0.03 + 0.04 * (c % 5), 0.4)).astype(int)
c[rng.random(n) < 0.02] = np.nan
compare("generated categorical with rare codes", c, y, categorical=True)
# tiny bins: an empty class in the missing bin exercises the 0.5 smoothing
x = rng.random(500); y = (rng.random(500) < 0.3).astype(int)
x[:7] = np.nan; y[:7] = 0
compare("generated, a missing bin without events", x, y)

path = os.path.join(sample, "application_train.csv")
if os.path.exists(path):
    df = pd.read_csv(path)
    t = df["TARGET"].to_numpy(dtype=int)
    for col in ("EXT_SOURCE_1", "EXT_SOURCE_3", "AMT_CREDIT", "DAYS_BIRTH", "AMT_ANNUITY", "OWN_CAR_AGE"):
        compare(f"real {col}", df[col].to_numpy(dtype=float), t)
    compare("real DAYS_EMPLOYED (special 365243)", df["DAYS_EMPLOYED"].to_numpy(dtype=float), t, specials=(365243,))
    for col in ("NAME_INCOME_TYPE", "OCCUPATION_TYPE", "ORGANIZATION_TYPE"):
        codes = pd.Categorical(df[col]).codes.astype(float)
        codes[codes < 0] = np.nan
        compare(f"real categorical {col}", codes, t, categorical=True)
else:
    print("skip - real sample (no ../shared/data/homecredit-sample)")
PYEOF
