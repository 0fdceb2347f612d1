#!/usr/bin/env bash
# demo.sh: `make demo`, the main job: generate a demo data set and run the pipeline on it,
# from raw tables to a model served over HTTP. Each stage says what it does and where its
# output goes. DEMO_CLIENTS (default 20000) sets the size; DEMO_DIR (default demo/) the place.
set -euo pipefail
cd "$(dirname "$0")/.."
CS=./build/creditscore
DIR=${DEMO_DIR:-demo}
N=${DEMO_CLIENTS:-20000}
mkdir -p "$DIR"

echo "== 1. generate $N train clients of Home Credit-like data into $DIR/data"
"$CS" synth --out "$DIR/data" --clients "$N" --test-clients $((N / 6)) --seed 7

echo "== 2. compute the kernel's features into $DIR/features.csf (spec: $DIR/features.spec)"
"$CS" features --data "$DIR/data" --out "$DIR/features.csf" --spec-out "$DIR/features.spec"
