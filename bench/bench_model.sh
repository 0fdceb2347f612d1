#!/usr/bin/env bash
# bench_model.sh: how long loading a model file takes, against the Python peer, same run.
# Ours: a model file (.csm) with 1,000 full depth-5 trees (63 nodes each) over 795 features,
# isotonic calibration, cost curve, reference statistics and histograms, and a 5,000-row
# drift sample (bench/model_bench.c gen; 35 MB), loaded with mf_load() (checksum verified,
# every section parsed). The peer loads what a Python service would: an XGBoost model of
# 1,000 depth-5 trees (xgboost.Booster(model_file=...), JSON), its metadata (json) and the
# same-size drift sample (numpy .npy). Each side times LOAD_RUNS loads inside one process
# (median and minimum); BENCH_RUNS processes, medians of their medians.
# Results: bench/results/model.md.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/model
mkdir -p "$W"
LOAD_RUNS=${LOAD_RUNS:-21}

DRV=$W/model_bench
# shellcheck disable=SC2046
gcc -std=c11 -O2 -fopenmp -D_GNU_SOURCE -I"$ROOT/src" -o "$DRV" "$ROOT/bench/model_bench.c" \
  -Wl,--start-group "$ROOT"/build/lib/*.a -Wl,--end-group $(pkg-config --libs libcjson sqlite3 libmicrohttpd libpq 2>/dev/null) -lxgboost -lm
[ -f "$W/m1000.csm" ] || "$DRV" gen "$W/m1000.csm" 1000 795 20000 1

# the peer's files: an XGBoost model with 1,000 depth-5 trees, metadata, a 5,000 x 795 sample
if [ ! -f "$W/peer.json" ]; then
  "$PY" - "$W" <<'PYEOF'
import json, sys
import numpy as np, xgboost as xgb
w = sys.argv[1]
rng = np.random.default_rng(1)
X = rng.normal(size=(3000, 50)); y = (rng.random(3000) < 0.3).astype(int)   # tree size does not depend on the width
b = xgb.train({"max_depth": 5, "eta": 0.05, "min_child_weight": 0, "lambda": 0, "nthread": 2,
               "objective": "binary:logistic", "tree_method": "hist"}, xgb.DMatrix(X, y), 1000)
b.save_model(w + "/peer.json")
np.save(w + "/peer_sample.npy", rng.normal(size=(5000, 795)))
json.dump({"threshold": 0.1, "names": ["F_%d" % j for j in range(795)]}, open(w + "/peer_meta.json", "w"))
PYEOF
fi
cat >"$W/peer_load.py" <<'PYEOF'
import json, sys, time
import numpy as np, xgboost as xgb
w, runs = sys.argv[1], int(sys.argv[2])
t = []
for _ in range(runs):
    t0 = time.perf_counter()
    b = xgb.Booster(model_file=w + "/peer.json")
    meta = json.load(open(w + "/peer_meta.json"))
    s = np.load(w + "/peer_sample.npy")
    t.append((time.perf_counter() - t0) * 1e3)
t.sort()
print("side=py median_ms=%.3f min_ms=%.3f trees=%d" % (t[len(t) // 2], t[0], b.num_boosted_rounds()))
PYEOF

rm -f "$W"/c.txt "$W"/py.txt
for i in $(seq "$BENCH_RUNS"); do
  echo "bench_model: run $i/$BENCH_RUNS" >&2
  "$DRV" time "$W/m1000.csm" "$LOAD_RUNS" >> "$W/c.txt"
  "$PY" "$W/peer_load.py" "$W" "$LOAD_RUNS" >> "$W/py.txt"
done
col() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$1" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
c_med=$(col "$W/c.txt" median_ms); c_min=$(col "$W/c.txt" min_ms)
p_med=$(col "$W/py.txt" median_ms); p_min=$(col "$W/py.txt" min_ms)
bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$W/c.txt" | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
rel() { echo "${1#"$ROOT"/}"; }
cat > "$ROOT/bench/results/model.md" <<MD
# Model file load time

$(date -u +%Y-%m-%d), $(nproc) cores, load average $load during the run; medians of $BENCH_RUNS
processes, each timing $LOAD_RUNS loads.

| side | what is loaded | median (ms) | min (ms) |
|---|---|---:|---:|
| creditscore \`mf_load\` | 1,000 depth-5 trees, 795 features, calibration, curve, stats, histograms, 5,000-row sample ($((bytes / 1000000)) MB) | $c_med | $c_min |
| Python: xgboost \`Booster(model_file=)\` + json + \`np.load\` | 1,000 depth-5 trees (JSON), metadata, 5,000 x 795 sample | $p_med | $p_min |

Commands:

    $(rel "$DRV") gen $(rel "$W")/m1000.csm 1000 795 20000 1
    $(rel "$DRV") time $(rel "$W")/m1000.csm $LOAD_RUNS
    python3 $(rel "$W")/peer_load.py $(rel "$W") $LOAD_RUNS

The sample's values are outside the load-time checksum (they have their own,
\`mf_sample_check\`), so a load maps the file and reads only the small sections.
MD
cat "$ROOT/bench/results/model.md"
