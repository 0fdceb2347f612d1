# lib.sh: helpers for end-to-end tests. Source it; it provides:
#   $CS          the creditscore binary (set by scripts/test.sh, defaults to build/creditscore)
#   $T           a fresh temporary folder, removed on exit
#   $SAMPLE      the real Home Credit sample folder (may not exist: use need_sample)
#   ok NAME / fail NAME MSG / skip NAME WHY     print one result line
#   check NAME CMD...          ok when CMD exits 0
#   check_fails NAME CODE CMD...   ok when CMD exits with CODE (non-zero expected)
#   check_grep NAME PATTERN FILE   ok when FILE matches PATTERN (grep -E)
#   backend_init / backend_store NAME   the backend of the stores the servers of a suite use:
#                $CS_TEST_BACKEND sqlite (default) or postgresql (see below)
#   sanitized_libs               the libraries built with ASan + UBSan for C test harnesses
#                (see below)
set -u
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CS=${CS:-$ROOT/build/creditscore}
SAMPLE=${CS_SAMPLE_DIR:-$ROOT/../shared/data/homecredit-sample}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok()   { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; }
skip() { echo "skip - $1${2:+ ($2)}"; }

check() {
  local name=$1; shift
  if "$@" >"$T/.out" 2>&1; then ok "$name"; else fail "$name" "exit $? from: $*"; tail -5 "$T/.out"; fi
}

check_fails() {
  local name=$1 code=$2; shift 2
  "$@" >"$T/.out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$code" ]; then ok "$name"; else fail "$name" "expected exit $code, got $rc from: $*"; tail -5 "$T/.out"; fi
}

check_grep() {
  local name=$1 pat=$2 file=$3
  if grep -Eq -- "$pat" "$file"; then ok "$name"; else fail "$name" "no /$pat/ in $file"; head -5 "$file"; fi
}

# serve_bg NAME ARGS...: start `$CS serve --port 0 ARGS...` in the background, its output in
# $T/NAME.out and $T/NAME.err (emptied first: a restart must not read the previous server's
# port); waits for its "listening on" line and sets PID, URL and PORT. Fails (1) when the
# server exits or is not up within 10 s.
serve_bg() {
  local name=$1; shift
  : >"$T/$name.out"
  "$CS" serve --port 0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
  PID=$!
  URL= PORT=
  for _ in $(seq 1 200); do
    URL=$(sed -n 's/.*listening on \(http:[^ ]*\)\/ .*/\1/p' "$T/$name.out")
    if [ -n "$URL" ]; then PORT=${URL##*:}; return 0; fi
    kill -0 $PID 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# logreg_fixture MODEL: a small logistic regression model at MODEL (300 generated rows with
# EXT_SOURCE_1/2 among five features; tests/e2e/gen_features.c), in a second or two.
logreg_fixture() {
  ar rcs "$T/gen_lib.a" "$ROOT"/build/obj/base/*.o "$ROOT"/build/obj/features/featfile.o 2>/dev/null
  gcc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$T/gen" "$ROOT/tests/e2e/gen_features.c" "$T/gen_lib.a" -lm \
    -fopenmp 2>"$T/cc.err" || { fail "build the feature generator" "$(head -3 "$T/cc.err")"; return 1; }
  "$T/gen" "$T/fixture.csf" 300 5 0 7 && "$CS" train --features "$T/fixture.csf" --out "$1" --model logreg --cv 2 \
    >"$T/fixture.log" 2>&1 || { fail "fixture: train"; tail -3 "$T/fixture.log"; return 1; }
}

# The backend of a suite's stores (clients store, audit log), chosen by CS_TEST_BACKEND:
# sqlite (the default: files in $T) or postgresql (pg.sh's throwaway server, one database
# per store). backend_init, in the test's own shell before any backend_store: with
# postgresql, starts the server, and when it cannot the test fails saying why (exit 1).
# backend_store NAME prints the store NAME for --clients, --audit, --out, --db: $T/NAME.db
# or the URL of a new database NAME.
BACKEND=${CS_TEST_BACKEND:-sqlite}
backend_init() {
  case "$BACKEND" in
    sqlite) return 0 ;;
    postgresql)
      . "$ROOT/tests/e2e/pg.sh"
      if ! pg_start 2>"$T/.pg.err"; then
        fail "CS_TEST_BACKEND=postgresql: start a throwaway PostgreSQL server" "$(tr '\n' ' ' <"$T/.pg.err")"
        exit 1
      fi
      echo "# stores in PostgreSQL on 127.0.0.1:$PG_PORT" ;;
    *) fail "CS_TEST_BACKEND" "'$BACKEND' is neither sqlite nor postgresql"; exit 1 ;;
  esac
}
backend_store() {
  if [ "$BACKEND" = postgresql ]; then
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U creditscore -d creditscore -c "CREATE DATABASE \"$1\"" >/dev/null &&
      echo "${PG_URL%/*}/$1"
  else
    echo "$T/$1.db"
  fi
}

# sanitized_libs: build every layer's archive with AddressSanitizer + UndefinedBehaviorSanitizer
# in build/fuzz-replay (as build/asan, plus float-cast-overflow, which gcc leaves out of
# -fsanitize=undefined but clang's fuzz builds include), for the harnesses that link the
# library itself (the fuzz corpus replayers, the malloc-failure run). Sets SAN_LIBS (the
# archives, lowest layer first: link them in a --start-group), SAN_CFLAGS and SAN_LDLIBS;
# run from $ROOT. Fails the test saying why (returns 1) when the build fails.
sanitized_libs() {
  local a=build/fuzz-replay l layers
  SAN_LIBS=""
  # the Makefile's layers, lowest first (one list: a new layer is linked here too)
  layers=$(sed -n 's/^LAYERS *:= *//p' Makefile)
  [ -n "$layers" ] || { fail "sanitized libraries" "no LAYERS line in the Makefile"; return 1; }
  for l in $layers; do
    SAN_LIBS="$SAN_LIBS $a/lib/libcs_$l.a"
  done
  if ! make -s -j2 B=$a SAN=1 OPT="-O1 -g -fsanitize=float-cast-overflow" $SAN_LIBS >"$T/.san.log" 2>&1; then
    fail "build the sanitized libraries" "$(tail -3 "$T/.san.log")"; return 1
  fi
  SAN_CFLAGS="-std=c11 -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fopenmp -pthread -D_GNU_SOURCE -Isrc $(pkg-config --cflags sqlite3 libmicrohttpd libcjson libpq zlib 2>/dev/null)"
  SAN_LDLIBS="$(pkg-config --libs sqlite3 libmicrohttpd libcjson libpq zlib 2>/dev/null) -lxgboost -lm"
}
