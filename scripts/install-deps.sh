#!/usr/bin/env bash
# install-deps.sh: install, idempotently and only what is missing, the Debian packages that
# creditscore needs to build, run and test. Run as root on Debian 12 (or with sudo available).
#
#   scripts/install-deps.sh            everything (build, runtime, tests, benchmarks)
#   scripts/install-deps.sh --build    only what `make` needs
#   scripts/install-deps.sh --bench    only the benchmarks' extra packages
#
# Each package group says why it is here; later parts of the project add to the lists.
set -euo pipefail

BUILD_PKGS=(
  build-essential pkg-config     # gcc, make, pkg-config
  libomp-dev                     # OpenMP runtime headers (gcc ships libgomp; kept for clang builds)
  libsqlite3-dev                 # experiment tracking, registry, clients store, audit log
  libmicrohttpd-dev              # the scoring API and dashboard servers
  zlib1g-dev                     # the dashboard gzips the page and the API answers it forwards
  libcjson-dev                   # JSON bodies and documents
  libxgboost-dev                 # the XGBoost learner, through its C API
  libpq-dev                      # the audit log in PostgreSQL (serve --audit postgresql://...)
)
TEST_PKGS=(
  libcmocka-dev                  # unit tests
  python3 python3-pandas python3-numpy python3-scipy python3-sklearn python3-xgboost  # oracles; scripts/replay.py (demo)
  python3-jsonschema             # recipes checked against recipes/recipe.schema.json
  curl                           # end-to-end tests of the HTTP endpoints
  clang llvm libclang-rt-14-dev  # libFuzzer and sanitizers for make fuzz
  valgrind
  chromium                       # browser tests (playwright-core drives Debian's chromium)
  postgresql                     # the tests' throwaway PostgreSQL server (tests/e2e/pg.sh: initdb, pg_ctl, psql)
)
BENCH_PKGS=(
  wrk hyperfine time             # load and timing
  python3-fastapi python3-uvicorn  # the API peer
  cmake g++ libeigen3-dev        # LightGBM, the learners' peer, built from ../shared/peers/lightgbm (bench/build_lightgbm.sh)
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" = "--bench" ]; then
  want=("${BENCH_PKGS[@]}")
elif [ "${1:-}" != "--build" ]; then
  want+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}")
fi

# Node.js and npm: Debian's packages unless a node with npm is already installed (another
# build of node conflicts with Debian's npm package).
if [ "${1:-}" = "" ] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
