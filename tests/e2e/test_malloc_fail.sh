#!/usr/bin/env bash
# test_malloc_fail.sh: the library's parsers under allocation failure, as SQLite's test suite
# does it (issue #21 section 3): tests/fault/malloc_fail.c, linked against the ASan + UBSan
# libraries (lib.sh's sanitized_libs) with the library's malloc, calloc, realloc, strdup,
# strndup and vasprintf wrapped (cJSON's through its hooks), runs each parser once to count
# its allocations K, then with the N-th allocation failing: the CSV reader (whole blocks and
# 7-byte blocks), the recipe parser and its inputs' JSON, the API's JSON request parser and
# raw records, the feature file and the model file loaders, the HTTP head parser. Each
# failure must give an error with a message (a 5xx for a request, never a 4xx blaming the
# client), no crash, no sanitizer report, no byte left allocated; a parser that got past the
# failure must give the same answer as without it. Inputs: the fuzz corpora, the recipes of
# recipes/, generated CSV tables and their feature file. MALLOC_FAIL_POINTS=P tests P values of N spread
# evenly over 1..K per input (default 150 here; 0: every N, what `make fuzz` runs).
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
POINTS=${MALLOC_FAIL_POINTS:-150}
sanitized_libs || exit 1
if ! gcc $SAN_CFLAGS -Wall -Wextra -o "$T/malloc_fail" tests/fault/malloc_fail.c \
     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup,--wrap=vasprintf \
     -Wl,--start-group $SAN_LIBS -Wl,--end-group $SAN_LDLIBS >"$T/cc.log" 2>&1; then
  fail "build the malloc-failure harness" "$(head -3 "$T/cc.log")"; exit 1
fi
# generated tables, a few rows each, behind the selector byte the CSV corpus files start with
"$CS" synth --out "$T/gen" --clients 12 --test-clients 2 --seed 3 --quiet >/dev/null 2>&1 || { fail "generate data"; exit 1; }
mkdir -p "$T/csv"
for f in application_train bureau bureau_balance previous_application; do
  { printf '\0'; head -n 6 "$T/gen/$f.csv"; } >"$T/csv/$f.csv"
done
run_kind() {
  local kind=$1; shift
  if MALLOC_FAIL_POINTS=$POINTS ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$T/malloc_fail" "$kind" "$@" >"$T/$kind.log" 2>&1; then
    ok "$(tail -1 "$T/$kind.log") ($# inputs, every failure refused with a message or tolerated, no leak)"
  else
    fail "malloc failures in the $kind parser" "$(grep -E 'BROKEN|ERROR|runtime error|SUMMARY' "$T/$kind.log" | head -3)"
  fi
}
"$CS" features --data "$T/gen" --out "$T/f.csf" >/dev/null 2>&1 || { fail "compute a feature file"; exit 1; }
{ printf '\0'; cat "$T/f.csf"; } >"$T/f1.csf"
export TMPDIR=$T
run_kind csv tests/fuzz/corpus/csv/* "$T"/csv/*.csv
run_kind recipe tests/fuzz/corpus/recipe/* recipes/credit-risk.json
run_kind request tests/fuzz/corpus/request/*
run_kind featfile tests/fuzz/corpus/featfile/* "$T/f1.csf"
run_kind model tests/fuzz/corpus/model/*
run_kind http tests/fuzz/corpus/http/*
