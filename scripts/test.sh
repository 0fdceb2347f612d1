#!/usr/bin/env bash
# test.sh: everything `make test` runs, in order, with one summary at the end.
#   1. unit tests (cmocka), built normally            build/tests/test_*
#   2. the same unit tests under ASan + UBSan         build/asan/tests/test_*
#   3. end-to-end tests of the commands               tests/e2e/test_*.sh
#   4. the same end-to-end tests with the CLI built   build/asan/creditscore, reports of every
#      with ASan + UBSan (+ LeakSanitizer)            process in build/asan/e2e-reports/
#   4b. the suites of the servers' stores again with  tests/e2e/test_serve.sh, test_lender.sh,
#                                                     test_audit_kind.sh,
#      the stores in PostgreSQL (CS_TEST_BACKEND=     each on its own throwaway server (pg.sh);
#      postgresql: clients store and audit log)       the test_pg_*.sh and test_durability.sh
#                                                     suites run both backends in stage 3
#   5. oracle tests against Debian's Python           tests/oracle/test_*.sh
#   6. browser tests (playwright-core + chromium)     tests/browser/run.sh, when present
# TEST_ONLY=unit|asan|e2e|e2e-asan|e2e-pg|oracle|browser runs one stage. Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
ONLY=${TEST_ONLY:-}

total_pass=0
total_fail=0
failed_names=()
summary=()

stage() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# run_unit DIR LABEL: run every cmocka binary in DIR/tests, count tests from cmocka's report
run_unit() {
  local dir=$1 label=$2 pass=0 fail=0 out bin p f
  for bin in "$dir"/tests/test_*; do
    [ -x "$bin" ] || continue
    out=$("$bin" 2>&1)
    local rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before cmocka reported
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -ne 0 ]; then
      failed_names+=("$label $(basename "$bin")")
      printf '%s\n' "$out" | tail -40
    fi
  done
  printf '%-8s %d passed, %d failed\n' "$label" "$pass" "$fail"
  summary+=("$(printf '%-8s %d passed, %d failed' "$label" "$pass" "$fail")")
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
}

# run_scripts GLOB LABEL: each script prints "ok - name" / "not ok - name" lines (TAP-like)
run_scripts() {
  local label=$1; shift
  local pass=0 fail=0 s out rc p f
  for s in "$@"; do
    [ -f "$s" ] || continue
    echo "== $label: $s"
    out=$(CS="${RUN_CS:-$ROOT/build/creditscore}" ROOT="$ROOT" bash "$s" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^(ok|not ok|skip) ' | sed 's/^/   /'
    p=$(printf '%s\n' "$out" | grep -c '^ok ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok ')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -ne 0 ]; then
      failed_names+=("$label $(basename "$s")")
      printf '%s\n' "$out" | grep -vE '^(ok|skip) ' | tail -40 | sed 's/^/   | /'
    fi
    pass=$((pass + p)); fail=$((fail + f))
  done
  printf '%-8s %d passed, %d failed\n' "$label" "$pass" "$fail"
  summary+=("$(printf '%-8s %d passed, %d failed' "$label" "$pass" "$fail")")
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
}

build_ok=1
if stage unit || stage e2e || stage e2e-asan || stage e2e-pg || stage oracle || stage browser; then
  echo "== build"
  make -s -j"$JOBS" all unit-bins web >/dev/null || build_ok=0
fi
if [ $build_ok -eq 0 ]; then
  echo "build failed"; total_fail=$((total_fail + 1)); failed_names+=("build")
else
  if stage unit; then echo "== unit tests"; run_unit build unit; fi
  if stage asan; then
    echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    if make -s -j"$JOBS" B=build/asan SAN=1 OPT="-O1 -g" unit-bins >/dev/null; then
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_unit build/asan asan
    else
      echo "asan build failed"; total_fail=$((total_fail + 1)); failed_names+=("asan build")
    fi
  fi
  if stage e2e; then run_scripts e2e tests/e2e/test_*.sh; fi
  if stage e2e-asan; then
    # every e2e test again with $CS built with ASan + UBSan: any report (an error, or a leak at
    # exit, also from a server in the background) goes to a file of $rep and fails the stage.
    # Only our binary is instrumented; a process killed by SIGKILL cannot report its leaks.
    # Left out: test_fuzz_corpus.sh and test_malloc_fail.sh (they test the library linked into
    # their own harnesses, which already run under ASan in e2e).
    echo "== end-to-end tests under AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer"
    rep=$ROOT/build/asan/e2e-reports t0=$SECONDS
    if make -s -j"$JOBS" B=build/asan SAN=1 OPT="-O1 -g" build/asan/creditscore >/dev/null; then
      rm -rf "$rep" && mkdir -p "$rep"
      scripts=()
      for s in tests/e2e/test_*.sh; do
        case "$s" in tests/e2e/test_fuzz_corpus.sh|tests/e2e/test_malloc_fail.sh) ;; *) scripts+=("$s") ;; esac
      done
      echo "   skip - tests/e2e/test_fuzz_corpus.sh, test_malloc_fail.sh (their harnesses already run under ASan in e2e)"
      RUN_CS=$ROOT/build/asan/creditscore \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$rep/asan \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$rep/ubsan run_scripts e2e-asan "${scripts[@]}"
      n_rep=$(find "$rep" -type f | wc -l)
      for f in $(find "$rep" -type f | head -5); do echo "   | $f:"; head -30 "$f" | sed 's/^/   | /'; done
      msg=$(printf '%-8s %d sanitizer reports, %d s' e2e-asan "$n_rep" $((SECONDS - t0)))
      echo "$msg"; summary+=("$msg")
      if [ "$n_rep" -ne 0 ]; then total_fail=$((total_fail + 1)); failed_names+=("e2e-asan: $n_rep reports in $rep"); fi
    else
      echo "asan build of the CLI failed"; total_fail=$((total_fail + 1)); failed_names+=("e2e-asan build")
    fi
  fi
  if stage e2e-pg; then
    # a server that cannot start fails each suite, saying why (lib.sh's backend_init)
    echo "== end-to-end suites with the stores in PostgreSQL (CS_TEST_BACKEND=postgresql)"
    CS_TEST_BACKEND=postgresql run_scripts e2e-pg tests/e2e/test_serve.sh tests/e2e/test_lender.sh tests/e2e/test_audit_kind.sh \
      tests/e2e/test_runs.sh tests/e2e/test_store_race.sh tests/e2e/test_reload_model.sh
  fi
  if stage oracle; then run_scripts oracle tests/oracle/test_*.sh; fi
  if stage browser && [ -f tests/browser/run.sh ]; then run_scripts browser tests/browser/run.sh; fi
fi

{
  echo
  echo "==================== summary ===================="
  for l in "${summary[@]}"; do echo "$l"; done
  for n in "${failed_names[@]}"; do echo "FAILED: $n"; done
  echo "total: $total_pass passed, $total_fail failed"
} | tee build/test-summary.txt
[ "$total_fail" -eq 0 ]
