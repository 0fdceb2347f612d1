#!/usr/bin/env bash
# bench_features.sh: `creditscore features` on the full-size generated data (356,255 clients,
# ~58 million secondary rows) beside the pandas implementation of the same kernel
# (tests/oracle/features_oracle.py, Debian's python3) on the same files: wall time and peak
# resident memory, medians of BENCH_RUNS runs for creditscore. pandas takes minutes, so it
# runs PY_RUNS times (default 1); the same run checks every value of our feature file.
# Results: bench/results/features.md.
source "$(dirname "$0")/lib.sh"
D=$(full_data)
W=$BENCH_WORK/features
PY_RUNS=${PY_RUNS:-1}
mkdir -p "$W"
rm -f "$W/c.txt" "$W/py.txt"
CMD_C=("$CS" features --data "$D" --out "$W/full.csf")
CMD_PY=("$PY" "$ROOT/tests/oracle/features_oracle.py" compute "$D" - "$W/full.csf")

# wall s, peak KB, CPU s (user + sys), load average at the start: the machine is shared
measure_full() {
  local out=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %M %U %S' -o "$W/.t" "$@" >"$W/.out" 2>&1 || { tail -5 "$W/.out" >&2; return 1; }
  awk -v l="$load" '{ printf "%s %s %.2f %s\n", $1, $2, $3 + $4, l }' "$W/.t" >>"$out"
}
for i in $(seq "$BENCH_RUNS"); do
  echo "creditscore features, run $i/$BENCH_RUNS" >&2
  measure_full "$W/c.txt" "${CMD_C[@]}"
done
n_feats=$("$PY" -c 'import struct,sys; f=open(sys.argv[1],"rb"); h=f.read(40); print(struct.unpack_from("<Q", h, 24)[0])' "$W/full.csf")
names_same=no
if [ -f "$ROOT/../shared/docs/kernel-feature-names.txt" ] && "$PY" - "$W/full.csf" "$ROOT/../shared/docs/kernel-feature-names.txt" <<'PY'
import struct, sys
raw = open(sys.argv[1], 'rb').read(1 << 20)
n_feats, no, nl = struct.unpack_from('<Q', raw, 24)[0], *struct.unpack_from('<QQ', raw, 32)
names = raw[no:no + nl].split(b'\0')[:n_feats]
ref = [l.rstrip('\n').encode() for l in open(sys.argv[2], encoding='utf-8')]
sys.exit(0 if names == ref else 1)
PY
then names_same=yes; fi

for i in $(seq "$PY_RUNS"); do
  echo "pandas features_oracle.py, run $i/$PY_RUNS (minutes)" >&2
  measure_full "$W/py.txt" "${CMD_PY[@]}" || true
  cp "$W/.out" "$W/py.last"
done
py_compute=$(sed -n 's/.*computed in \([0-9.]*\) s/\1/p' "$W/py.last" | tail -1)
py_check=$(tail -1 "$W/py.last")

c_s=$(median "$W/c.txt" 1); c_kb=$(median "$W/c.txt" 2); c_cpu=$(median "$W/c.txt" 3); c_load=$(median "$W/c.txt" 4)
p_s=$(median "$W/py.txt" 1); p_kb=$(median "$W/py.txt" 2); p_cpu=$(median "$W/py.txt" 3); p_load=$(median "$W/py.txt" 4)
rows=$(awk 'NR > 1' "$D"/*.csv 2>/dev/null | wc -l)
ratio=$(awk -v a="$py_compute" -v b="$c_s" 'BEGIN { if (b > 0 && a > 0) printf "%.1f", a / b; else print "n/a" }')
ratio_cpu=$(awk -v a="$p_cpu" -v b="$c_cpu" 'BEGIN { if (b > 0 && a > 0) printf "%.1f", a / b; else print "n/a" }')
# paths as shown in the results: relative to the repository
show() { local x="$*"; x=${x//$CS/build/creditscore}; x=${x//$ROOT\//}; echo "$x"; }
mkdir -p "$ROOT/bench/results"
cat >"$ROOT/bench/results/features.md" <<MD
# features: creditscore vs pandas, full-size generated data

$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, shared machine (other jobs running: expect noise).
Data: \`$(show "$D")\` (\`creditscore synth --seed 1\`): $(wc -l <"$D/application_train.csv") + $(wc -l <"$D/application_test.csv") application lines, $rows lines in all tables.

| | wall time (s) | CPU time, user + sys (s) | peak RSS (MB) | load average at start | runs |
|---|---|---|---|---|---|
| creditscore features (CSV read + features + .csf write) | $c_s | $c_cpu | $((c_kb / 1024)) | $c_load | $BENCH_RUNS (median) |
| pandas features_oracle.py (read + features) | $py_compute | | | | $PY_RUNS |
| pandas, whole process (+ comparison with our .csf) | $p_s | $p_cpu | $((p_kb / 1024)) | $p_load | $PY_RUNS |

**Ratio (pandas feature time / creditscore wall time): $ratio x; CPU time ratio (whole processes): $ratio_cpu x.**
The machine has 2 cores shared with other jobs: a load average well above 2 stretches wall
times (CPU time is the steadier figure).

- features written: $n_feats; names identical to \`kernel-feature-names.txt\` (795, in order): $names_same
- the recipe engine (\`features --recipe recipes/homecredit-kernel.json\`) beside this kernel code, same
  data, same machine: [recipe.md](recipe.md) (\`bench/bench_recipe.sh\`)
- pandas check of our file: $py_check

Commands:

\`\`\`sh
$(show "${CMD_C[*]}")
$(show "${CMD_PY[*]}")
\`\`\`

Raw measurements (wall s, max RSS KB, CPU s, load): creditscore $(tr '\n' ';' <"$W/c.txt") pandas $(tr '\n' ';' <"$W/py.txt")
MD
cat "$ROOT/bench/results/features.md"
