#!/usr/bin/env bash
# bench_recipe.sh: the recipe engine beside the hand-written kernel code it replaced, on the
# full-size generated data: `creditscore features` of a build from before the kernel code was
# removed (BENCH_BASELINE_CS, or else built here from the last commit that had
# src/features/kernel.c) and `creditscore features --recipe recipes/homecredit-kernel.json` of
# this build run alternately BENCH_RUNS times each on the same files, same machine; wall time,
# CPU time and peak memory, medians; the two feature files compared byte for byte. Goal: the
# recipe engine no slower than 1.2x the kernel code. Results: bench/results/recipe.md.
source "$(dirname "$0")/lib.sh"
D=$(full_data)
W=$BENCH_WORK/recipe
mkdir -p "$W"
rm -f "$W/k.txt" "$W/r.txt"
BASE_CS=${BENCH_BASELINE_CS:-}
if [ -z "$BASE_CS" ]; then
  gone=$(git -C "$ROOT" rev-list -n 1 HEAD -- src/features/kernel.c 2>/dev/null || true)
  [ -n "$gone" ] || { echo "bench_recipe: no git history with src/features/kernel.c: set BENCH_BASELINE_CS" >&2; exit 1; }
  rev=$(git -C "$ROOT" rev-parse "$gone^")
  BASE_CS=$W/baseline/build/creditscore
  if [ "$(cat "$W/baseline/REV" 2>/dev/null)" != "$rev" ] || [ ! -x "$BASE_CS" ]; then
    echo "bench_recipe: building the kernel code's last commit ${rev:0:12} in $W/baseline" >&2
    rm -rf "$W/baseline" && mkdir -p "$W/baseline"
    git -C "$ROOT" archive "$rev" | tar -x -C "$W/baseline"
    make -C "$W/baseline" -j2 >"$W/baseline.log" 2>&1 || { tail -20 "$W/baseline.log" >&2; exit 1; }
    echo "$rev" >"$W/baseline/REV"
  fi
fi
CMD_K=("$BASE_CS" features --data "$D" --out "$W/kernel.csf")
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
show() { local x="$*"; x=${x//$BASE_CS/<kernel-code build>/creditscore}; x=${x//$CS/build/creditscore}; x=${x//$ROOT\//}; x=${x//$BENCH_WORK/\$BENCH_WORK}; echo "$x"; }
{
  echo "# recipe engine vs the kernel code, full-size generated data"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, shared machine (other jobs running: expect noise)."
  echo "Data: \`$(show "$D")\` (\`creditscore synth --seed 1\`): $(wc -l <"$D/application_train.csv") + $(wc -l <"$D/application_test.csv") application lines."
  echo "Runs alternate (kernel, recipe, kernel, ...) so that both see the same load."
  echo
  echo "| | wall time (s) | CPU time, user + sys (s) | peak RSS (MB) | load average at start | runs |"
  echo "|---|---|---|---|---|---|"
  echo "| kernel code (\`features\` of the build before its removal) | $k_s | $k_cpu | $((k_kb / 1024)) | $k_load | $BENCH_RUNS (median) |"
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
