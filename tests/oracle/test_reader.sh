#!/usr/bin/env bash
# test_reader.sh: the CSV reader against pandas.read_csv (Debian's /usr/bin/python3), via
# `creditscore inspect --json`: row counts, missing counts, min / median / max of every
# numeric column compared exactly (pandas with float_precision='round_trip', i.e. Python's
# correctly rounded float()), category counts. On a generated file full of awkward
# numbers (17-digit, exponents, long mantissas, negative zero), quoted categories with
# commas, doubled quotes and newlines, CRLF line ends and a byte-order mark; and on every
# file of the real sample when it is present. Then every value of every column, through a
# small driver (io_driver.c) that prints the table as read, against pandas, value by value.
source "$(dirname "$0")/../e2e/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import pandas, numpy' 2>/dev/null; then
  fail "reader oracle" "no pandas in $PY"; exit 0
fi
objs=$(cd "$ROOT" && ls src/base/*.c src/io/*.c | sed 's|^src/\(.*\)\.c$|build/obj/\1.o|')
(cd "$ROOT" && make -s $objs >/dev/null 2>&1)
DRV=$T/io_driver
if ! gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/tests/oracle/io_driver.c" \
     $(for o in $objs; do echo "$ROOT/$o"; done) -lm -fopenmp 2>"$T/cc.err"; then
  fail "build the io driver" "$(head -3 "$T/cc.err")"; exit 1
fi

$PY - "$CS" "$T" "$SAMPLE" "$DRV" <<'PYEOF'
import json, math, os, random, subprocess, sys
import numpy as np
import pandas as pd

cs, tmp, sample, drv = sys.argv[1:5]

def ok(name): print("ok - " + name)
def bad(name, why): print("not ok - %s: %s" % (name, why))

def gen(path, n, seed):
    rnd = random.Random(seed)
    cats = ['Stone, brick', 'say "hi"', 'two\nlines', 'Secondary / secondary special', 'XNA', '0', '1']
    def num():
        k = rnd.randrange(9)
        if k == 0: return repr(rnd.uniform(-1e6, 1e6))
        if k == 1: return "%d" % rnd.randrange(-10**9, 10**9)
        if k == 2: return "%.1f" % (rnd.randrange(0, 4000) * 250.0)
        if k == 3: return "%.17g" % (rnd.random() * 10 ** rnd.randrange(-30, 30))
        if k == 4: return "%.25f" % rnd.random()
        if k == 5: return "%de%d" % (rnd.randrange(1, 99999), rnd.randrange(-300, 300))
        if k == 6: return "-0"
        if k == 7: return ""
        return "%.*f" % (rnd.randrange(0, 19), rnd.uniform(-1, 1))
    def cat():
        c = rnd.choice(cats + [""])
        if c == "": return ""
        if any(x in c for x in ',"\n') or rnd.random() < 0.2:
            return '"' + c.replace('"', '""') + '"'
        return c
    with open(path, "w", newline="") as f:
        f.write("\ufeffid,x,kind,y\r\n")
        for i in range(n):
            f.write("%d,%s,%s,%s\r\n" % (i, num(), cat(), num()))

def values(path, name):
    """Every value of every column as read by our reader equals pandas' (round_trip floats)."""
    enc = "latin-1" if "description" in path else "utf-8"
    out = subprocess.run([drv, path], capture_output=True)
    if out.returncode != 0:
        bad(name, "driver exit %d: %s" % (out.returncode, out.stderr.decode(errors="replace").strip())); return
    cols = [json.loads(l) for l in out.stdout.decode(enc).split("\n") if l]
    cat_cols = [i for i, c in enumerate(cols) if c["type"] == "cat"]
    df = pd.read_csv(path, float_precision="round_trip", keep_default_na=False, na_values=[""],
                     dtype={i: str for i in cat_cols}, encoding=enc)
    errs = []
    if len(cols) != df.shape[1]: errs.append("%d columns vs pandas %d" % (len(cols), df.shape[1]))
    for i, c in enumerate(cols[:df.shape[1]]):
        s = df.iloc[:, i]
        got = c["values"]
        if len(got) != len(s): errs.append("%s: %d rows vs %d" % (c["name"], len(got), len(s))); continue
        if c["type"] == "num":
            g = np.array([np.nan if v is None else float(v) for v in got])
            w = s.to_numpy(dtype=float)
            same = (g == w) & (np.signbit(g) == np.signbit(w)) | (np.isnan(g) & np.isnan(w))
            if not same.all():
                j = int(np.argmin(same))
                errs.append("%s row %d: %r vs pandas %r" % (c["name"], j, g[j], w[j]))
        else:
            w = [None if isinstance(v, float) else v for v in s.tolist()]
            if got != w:
                j = next(j for j in range(len(w)) if got[j] != w[j])
                errs.append("%s row %d: %r vs pandas %r" % (c["name"], j, got[j], w[j]))
    if errs: bad(name, "; ".join(errs[:5]))
    else: ok(name)

def compare(path, name):
    out = subprocess.run([cs, "inspect", "--json", path], capture_output=True, text=True)
    if out.returncode != 0:
        bad(name, "inspect exit %d: %s" % (out.returncode, out.stderr.strip())); return
    d = json.loads(out.stdout)[0]
    cat_cols = [i for i, c in enumerate(d["cols"]) if c["type"] == "cat"]
    df = pd.read_csv(path, float_precision="round_trip", keep_default_na=False, na_values=[""],
                     dtype={i: str for i in cat_cols}, encoding="latin-1" if "description" in path else "utf-8")
    errs = []
    if d["rows"] != len(df): errs.append("rows %d vs pandas %d" % (d["rows"], len(df)))
    if d["columns"] != df.shape[1]: errs.append("columns %d vs pandas %d" % (d["columns"], df.shape[1]))
    for i, c in enumerate(d["cols"]):
        s = df.iloc[:, i]
        miss = int(s.isna().sum())
        if c["missing"] != miss: errs.append("%s: missing %d vs %d" % (c["name"], c["missing"], miss))
        if c["type"] == "num":
            if s.dtype.kind not in "fiu": errs.append("%s: pandas reads %s" % (c["name"], s.dtype)); continue
            v = s.dropna().to_numpy(dtype=float)
            if len(v) == 0: continue
            for key, want in (("min", v.min()), ("median", np.median(v)), ("max", v.max())):
                got = c[key]
                if got is None or float(got) != float(want) or math.copysign(1, float(got)) != math.copysign(1, float(want)) and float(want) != 0:
                    errs.append("%s: %s %r vs pandas %r" % (c["name"], key, got, float(want)))
        else:
            vc = s.dropna().value_counts()
            if c["n_categories"] != len(vc): errs.append("%s: %d categories vs %d" % (c["name"], c["n_categories"], len(vc)))
            for t in c["top"]:
                v = t["value"]
                if "description" in path: v = v  # non-UTF-8 bytes come back escaped; compare counts only
                if v in vc.index and int(vc[v]) != t["count"]:
                    errs.append("%s: %r counted %d vs %d" % (c["name"], v, t["count"], int(vc[v])))
            if sorted(t["count"] for t in c["top"]) != sorted(vc.to_numpy().tolist(), reverse=True)[:len(c["top"])][::-1]:
                errs.append("%s: top counts differ" % c["name"])
    if errs: bad(name, "; ".join(errs[:5]))
    else: ok(name)

gen(os.path.join(tmp, "awkward.csv"), 20000, 1)
compare(os.path.join(tmp, "awkward.csv"), "generated awkward CSV: inspect figures equal pandas (quotes, CRLF, BOM)")
values(os.path.join(tmp, "awkward.csv"), "generated awkward CSV: every value equals pandas (exact numbers)")
gen(os.path.join(tmp, "awkward2.csv"), 3000, 2)
compare(os.path.join(tmp, "awkward2.csv"), "second generated CSV equals pandas")

if os.path.isdir(sample):
    for f in sorted(os.listdir(sample)):
        if f.endswith(".csv"):
            compare(os.path.join(sample, f), "sample %s: inspect figures equal pandas" % f)
            values(os.path.join(sample, f), "sample %s: every value equals pandas" % f)
else:
    print("skip - sample files (no %s)" % sample)
PYEOF
