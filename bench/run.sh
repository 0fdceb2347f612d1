#!/usr/bin/env bash
# bench/run.sh: `make bench`. Generates the full-size data once (bench/work/full, kept
# between runs), then runs every bench/bench_*.sh in turn. Each writes its results to
# bench/results/<name>.md (and .json where useful) with the command that produced them,
# the medians of several runs, and the ratio to the peer measured in the same run.
# BENCH_ONLY=name runs one; BENCH_RUNS=n sets the repetitions (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
export ROOT=$(pwd)
export CS=$ROOT/build/creditscore
export BENCH_WORK=${BENCH_WORK:-$ROOT/bench/work}
export BENCH_RUNS=${BENCH_RUNS:-3}
export PY=/usr/bin/python3
mkdir -p "$BENCH_WORK" bench/results
for b in bench/bench_*.sh; do
  [ -f "$b" ] || continue
  name=$(basename "$b" .sh); name=${name#bench_}
  if [ -n "${BENCH_ONLY:-}" ] && [ "$BENCH_ONLY" != "$name" ]; then continue; fi
  echo "== bench $name"
  bash "$b"
done
