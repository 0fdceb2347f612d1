#!/usr/bin/env bash
# test_fuzz_corpus.sh: every fuzz target's seed corpus and past crashes (tests/fuzz/corpus/)
# replayed as a regression test, without clang/libFuzzer: each target is linked by gcc with
# tests/fuzz/replay.c against an AddressSanitizer + UndefinedBehaviorSanitizer build of the
# libraries (lib.sh's sanitized_libs), so that a fixed crash coming back fails here. `make fuzz` is the
# fuzzing itself.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
sanitized_libs || exit 1
for t in csv request raw model featfile drift recipe http; do
  src=tests/fuzz/fuzz_$t.c
  [ -f "$src" ] || { fail "fuzz target $t exists" "no $src"; continue; }
  if ! gcc $SAN_CFLAGS -o "$T/replay_$t" "$src" tests/fuzz/replay.c -Wl,--start-group $SAN_LIBS -Wl,--end-group $SAN_LDLIBS \
       >"$T/cc_$t.log" 2>&1; then
    fail "build the $t replayer" "$(head -3 "$T/cc_$t.log")"; continue
  fi
  n=$(ls tests/fuzz/corpus/$t | wc -l)
  # fuzz_http: both servers must answer /health after every input, not every 64th
  if FUZZ_HTTP_CHECK=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$T/replay_$t" tests/fuzz/corpus/$t >"$T/run_$t.log" 2>&1 \
     && [ "$(grep -c '^replayed ' "$T/run_$t.log")" -eq "$n" ]; then
    ok "fuzz corpus $t: $n inputs replayed under ASan+UBSan, no error"
  else
    fail "fuzz corpus $t replays cleanly" "$(grep -E 'ERROR|runtime error|SUMMARY' "$T/run_$t.log" | head -3)"
  fi
done
