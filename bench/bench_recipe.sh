#!/usr/bin/env bash
# bench_recipe.sh: the recipe engine beside the kernel code it replaces, on the full-size
# generated data: `creditscore features` (kernel code) and `creditscore features --recipe
# recipes/homecredit-kernel.json` run alternately BENCH_RUNS times each on the same files,
# same machine; wall time, CPU time and peak memory, medians; the two feature files compared
# byte for byte. Goal: the recipe engine no slower than 1.2x the kernel code.
# Results: bench/results/recipe.md.
source "$(dirname "$0")/lib.sh"
D=$(full_data)
W=$BENCH_WORK/recipe
mkdir -p "$W"
rm -f "$W/k.txt" "$W/r.txt"
CMD_K=("$CS" features --data "$D" --out "$W/kernel.csf")
CMD_R=("$CS" features --recipe "$ROOT/recipes/homecredit-kernel.json" --data "$D" --out "$W/recipe.csf")

# wall s, peak KB, CPU s (user + sys), load average at the start: the machine is shared
measure_full() {
  local out=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %M %U %S' -o "$W/.t" "$@" >"$W/.out" 2>&1 || { tail -5 "$W/.out" >&2; return 1; }
  awk -v l="$load" '{ printf "%s %s %.2f %s\n", $1, $2, $3 + $4, l }' "$W/.t" >>"$out"
}
for i in $(seq "$BENCH_RUNS"); do
  echo "kernel code, run $i/$BENCH_RUNS" >&2
  measure_full "$W/k.txt" "${CMD_K[@]}"
  echo "recipe engine, run $i/$BENCH_RUNS" >&2
  measure_full "$W/r.txt" "${CMD_R[@]}"
done
same=no
cmp -s "$W/kernel.csf" "$W/recipe.csf" && same=yes
k_s=$(median "$W/k.txt" 1); k_kb=$(median "$W/k.txt" 2); k_cpu=$(median "$W/k.txt" 3); k_load=$(median "$W/k.txt" 4)
r_s=$(median "$W/r.txt" 1); r_kb=$(median "$W/r.txt" 2); r_cpu=$(median "$W/r.txt" 3); r_load=$(median "$W/r.txt" 4)
ratio=$(awk -v a="$r_s" -v b="$k_s" 'BEGIN { printf "%.2f", a / b }')
ratio_cpu=$(awk -v a="$r_cpu" -v b="$k_cpu" 'BEGIN { printf "%.2f", a / b }')
show() { local x="$*"; x=${x//$CS/build/creditscore}; x=${x//$ROOT\//}; x=${x//$BENCH_WORK/\$BENCH_WORK}; echo "$x"; }
{
  echo "# recipe engine vs the kernel code, full-size generated data"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, shared machine (other jobs running: expect noise)."
  echo "Data: \`$(show "$D")\` (\`creditscore synth --seed 1\`): $(wc -l <"$D/application_train.csv") + $(wc -l <"$D/application_test.csv") application lines."
  echo "Runs alternate (kernel, recipe, kernel, ...) so that both see the same load."
  echo
  echo "| | wall time (s) | CPU time, user + sys (s) | peak RSS (MB) | load average at start | runs |"
  echo "|---|---|---|---|---|---|"
  echo "| kernel code (\`features\`) | $k_s | $k_cpu | $((k_kb / 1024)) | $k_load | $BENCH_RUNS (median) |"
  echo "| recipe engine (\`features --recipe recipes/homecredit-kernel.json\`) | $r_s | $r_cpu | $((r_kb / 1024)) | $r_load | $BENCH_RUNS (median) |"
  echo
  echo "**Ratio recipe / kernel: wall $ratio x, CPU $ratio_cpu x** (goal: no worse than 1.2x)."
  echo "Feature files identical byte for byte: **$same**."
  echo
  echo "Every run (wall s, peak KB, CPU s, load):"
  echo
  echo '```'
  paste -d' ' <(sed 's/^/kernel /' "$W/k.txt") <(sed 's/^/recipe /' "$W/r.txt")
  echo '```'
  echo
  echo "Commands:"
  echo
  echo '```sh'
  show "${CMD_K[*]}"
  show "${CMD_R[*]}"
  echo '```'
} >"$ROOT/bench/results/recipe.md"
cat "$ROOT/bench/results/recipe.md"
