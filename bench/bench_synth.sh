#!/usr/bin/env bash
# bench_synth.sh: `creditscore synth` at full size (307,511 train + 48,744 test clients,
# about 58 million rows in eight tables): wall time and peak memory, medians of BENCH_RUNS
# runs, rows per table; and, in the same run, the Python peer (bench/synth_peer.py): the
# time pandas' to_csv takes to write the same tables, a lower bound for a pandas generator
# (SYNTH_PEER_RUNS runs, default 1: it is slow). Results: bench/results/synth.md.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/synth
PEER_RUNS=${SYNTH_PEER_RUNS:-1}
mkdir -p "$W" "$ROOT/bench/results"
rm -f "$W/times" "$W/peer"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

CMD="$CS synth --out $W/full --seed 42 --quiet"
for i in $(seq "$BENCH_RUNS"); do
  rm -rf "$W/full"
  /usr/bin/time -f '%e %M %U %S' -o "$W/one" $CMD >/dev/null
  cat "$W/one" >>"$W/times"
  echo "bench_synth: run $i: $(tail -1 "$W/times" | cut -d' ' -f1) s" >&2
done
T_MED=$(median "$W/times" 1)
RSS_MED=$(median "$W/times" 2)
CPU_MED=$(awk '{print $3 + $4}' "$W/times" >"$W/cpu"; median "$W/cpu" 1)
ROWS=""
TOTAL=0
for f in application_train application_test bureau bureau_balance previous_application \
         POS_CASH_balance installments_payments credit_card_balance; do
  n=$(($(wc -l <"$W/full/$f.csv") - 1))
  TOTAL=$((TOTAL + n))
  ROWS="$ROWS| $f.csv | $n | $(du -m "$W/full/$f.csv" | cut -f1) |
"
done

PEER_CMD="$PY $ROOT/bench/synth_peer.py $W/full $W/peer_out"
for i in $(seq "$PEER_RUNS"); do
  $PEER_CMD | sed -n 's/^seconds //p' >>"$W/peer"
  rm -rf "$W/peer_out"
  echo "bench_synth: peer run $i: $(tail -1 "$W/peer") s" >&2
done
P_MED=$(median "$W/peer" 1)
RATIO=$(awk -v a="$P_MED" -v b="$T_MED" 'BEGIN {printf "%.1f", a / b}')

{
  echo "# creditscore synth: full-size generation"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores (shared with other work: expect noise)."
  echo
  echo "| what | median | runs |"
  echo "|---|---|---|"
  echo "| \`creditscore synth\`, all eight tables (wall time) | **${T_MED} s** | $BENCH_RUNS |"
  echo "| its CPU time (user + system, both cores) | ${CPU_MED} s | $BENCH_RUNS |"
  echo "| its peak memory (max RSS) | $((RSS_MED / 1024)) MB | $BENCH_RUNS |"
  echo "| Python peer: pandas \`to_csv\` of the same tables (write time only) | ${P_MED} s | $PEER_RUNS |"
  echo "| ratio peer / creditscore | ${RATIO}x | |"
  echo
  echo "Target: under 120 s on 2 cores. Rows written: $TOTAL. Load average at the start: $LOAD"
  echo "(when other work shares the cores, wall time is mostly waiting: compare with the CPU time)."
  echo
  echo "| table | rows | MB |"
  echo "|---|---|---|"
  printf '%s' "$ROWS"
  echo
  echo "Commands:"
  echo
  echo '```'
  echo "${CMD//$ROOT/.}"
  echo "${PEER_CMD//$ROOT/.}"
  echo '```'
  echo
  echo "The peer only writes tables that already exist in memory (reading them is not timed),"
  echo "so a Python generator would be slower still. Raw times: bench/work/synth/times, bench/work/synth/peer."
} >"$ROOT/bench/results/synth.md"
cat "$ROOT/bench/results/synth.md"
