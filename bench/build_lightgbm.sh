#!/usr/bin/env bash
# build_lightgbm.sh: LightGBM, a peer of the learner benchmarks (bench_quality, bench_learn,
# the single-row latency of bench_learn), built from the source snapshot in
# ../shared/peers/lightgbm/ into $BENCH_WORK/LightGBM when it is not there yet: its shared
# library (lib_lightgbm.so, C API in include/LightGBM/c_api.h) and its Python package
# (python-package/ on PYTHONPATH, with Debian's numpy, scipy and scikit-learn). Never part of
# `make test`, never committed, never linked into creditscore.
#   BENCH_WORK (default bench/work): where it goes.  LIGHTGBM_SRC: the tarball to build from.
# Needs cmake, g++ and libeigen3-dev (scripts/install-deps.sh --bench installs them). About
# 10 minutes on 2 cores. Prints the folder on stdout when done.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_WORK:-$ROOT/bench/work}
SRC=${LIGHTGBM_SRC:-$ROOT/../shared/peers/lightgbm/lightgbm-4.6.0.99-src.tar.gz}
D=$W/LightGBM
if [ -f "$D/lib_lightgbm.so" ] && [ -f "$D/python-package/lightgbm/lib/lib_lightgbm.so" ] &&
   [ -f "$D/include/LightGBM/c_api.h" ]; then
  echo "$D"
  exit 0
fi
if [ ! -f "$SRC" ]; then
  echo "build_lightgbm: no LightGBM source at $SRC (set LIGHTGBM_SRC)" >&2
  exit 1
fi
for tool in cmake g++; do
  command -v "$tool" >/dev/null || "$ROOT/scripts/install-deps.sh" --bench >&2
done
[ -d /usr/include/eigen3 ] || "$ROOT/scripts/install-deps.sh" --bench >&2
for tool in cmake g++; do
  command -v "$tool" >/dev/null || { echo "build_lightgbm: $tool is missing" >&2; exit 1; }
done
[ -d /usr/include/eigen3 ] || { echo "build_lightgbm: libeigen3-dev is missing" >&2; exit 1; }
mkdir -p "$W"
echo "build_lightgbm: building LightGBM from $(basename "$SRC") into $D (about 10 minutes)" >&2
tar xzf "$SRC" -C "$W"
[ -d "$D" ] || { echo "build_lightgbm: $SRC did not unpack into $D" >&2; exit 1; }
cd "$D"
[ -e external_libs/eigen ] || ln -s /usr/include/eigen3 external_libs/eigen
cmake -B build -DCMAKE_BUILD_TYPE=Release >&2
make -C build -j2 _lightgbm lightgbm >&2
mkdir -p python-package/lightgbm/lib
cp lib_lightgbm.so python-package/lightgbm/lib/
PYTHONPATH=$D/python-package /usr/bin/python3 -c 'import lightgbm' ||
  { echo "build_lightgbm: the Python package does not import" >&2; exit 1; }
echo "$D"
