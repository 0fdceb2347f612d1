# test_faults.sh: I/O fault injection (issue #21 section 3), as SQLite's test suite does it:
# tests/fault/shim.c, preloaded, makes the N-th write/pwrite/fsync/fdatasync/msync/open/
# openat/mmap fail; the feature file writer (features) and the model writer (train) run
# once for every N from 1 to the number of calls they make (FAULT_MAX caps it; 0 = all).
# The promise for each N: no crash (exit 0 or 1, never a signal), never a half-written
# file under the final name (it is absent or loads whole: a failed sync of the folder after
# the rename is reported, exit 1, with the whole file in place), no temporary file left.
# Not covered yet: the audit writer and the stores (SQLite's own I/O), malloc failures.
. "$(dirname "$0")/lib.sh"

SHIM=$T/csfault.so
if ! gcc -O2 -shared -fPIC -Wall -Wextra -o "$SHIM" "$ROOT/tests/fault/shim.c" -ldl >"$T/.cc" 2>&1; then
  fail "build the fault shim" "$(head -3 "$T/.cc")"; exit 0
fi
ok "build the fault shim"
# an ASan build of $CS needs its runtime first among the preloaded libraries
PRE=$SHIM
asan_rt=$(ldd "$CS" 2>/dev/null | awk '/libasan/ {print $3; exit}')
[ -n "$asan_rt" ] && PRE=$asan_rt:$SHIM
G=$T/gen
"$CS" synth --out "$G" --clients 150 --test-clients 20 --seed 4 --quiet >/dev/null 2>&1 || { fail "generate data"; exit 0; }
MAXN=${FAULT_MAX:-0}

# run_faults NAME OUTFILE VERIFY-CMD... -- CMD...: CMD under the shim for N = 1..calls
run_faults() {
  local name=$1 out=$2; shift 2
  local verify=() cmd=()
  while [ "$1" != "--" ]; do verify+=("$1"); shift; done
  shift; cmd=("$@")
  rm -f "$out" "$out".tmp* "$T/cnt"
  CS_FAULT_COUNT=$T/cnt LD_PRELOAD=$PRE "${cmd[@]}" >/dev/null 2>&1 || { fail "$name: runs under the shim without faults"; return; }
  local calls; calls=$(cat "$T/cnt")
  [ "$MAXN" -gt 0 ] && [ "$calls" -gt "$MAXN" ] && calls=$MAXN
  local bad=0 failed=0 n
  for n in $(seq 1 "$calls"); do
    rm -f "$out" "$out".tmp*
    CS_FAULT_AT=$n LD_PRELOAD=$PRE "${cmd[@]}" >"$T/.f" 2>&1
    local rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then bad=$((bad + 1)); echo "# $name N=$n: exit $rc: $(tail -1 "$T/.f")"; continue; fi
    [ $rc -eq 1 ] && failed=$((failed + 1))
    if ls "$out".tmp* >/dev/null 2>&1; then bad=$((bad + 1)); echo "# $name N=$n: temporary file left: $(ls "$out".tmp*)"; fi
    if [ -e "$out" ] && ! "${verify[@]}" >"$T/.v" 2>&1; then
      bad=$((bad + 1)); echo "# $name N=$n (exit $rc): $out is under its name but does not load: $(tail -1 "$T/.v")"
    fi
  done
  if [ $bad -eq 0 ]; then ok "$name: a fault at each of $calls calls: no crash, no partial file ($failed refused with a message)"
  else fail "$name" "$bad of $calls fault points broke the promise"; fi
}

run_faults "features writer" "$T/f.csf" "$CS" drift --reference "$T/f.csf" --current "$T/f.csf" --json "$T/v.json" --columns AMT_CREDIT -- \
  "$CS" features --data "$G" --out "$T/f.csf"
"$CS" features --data "$G" --out "$T/base.csf" >/dev/null 2>&1
run_faults "model writer" "$T/m.csm" "$CS" predict --model "$T/m.csm" --features "$T/base.csf" --out "$T/p.csv" -- \
  "$CS" train --features "$T/base.csf" --model logreg --cv 2 --out "$T/m.csm" --no-track
