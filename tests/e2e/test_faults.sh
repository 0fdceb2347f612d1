# test_faults.sh: I/O fault injection (issue #21 section 3), as SQLite's test suite does it:
# tests/fault/shim.c, preloaded, makes the N-th write/pwrite/fsync/fdatasync/msync/open/
# openat/mmap/rename (and stdio's fopen for writing, fwrite, fclose) fail; each writer runs once
# without a fault to count its calls K, then once for each N of 1..K:
#   - the feature file writer (features) and the model writer (train): no crash (exit 0 or
#     1, never a signal), never a half-written file under the final name (it is absent or
#     loads whole: a failed sync of the folder after the rename is reported, exit 1, with
#     the whole file in place), no temporary file left;
#   - the writers that replace a file (predict --out, explain --out, sign, features --csv,
#     cs_write_file's recipe infer --out): the earlier file under the name stays whole or the new
#     one is there whole, and each of their fsync and rename calls failing is exit 1 with a
#     message naming the file; synth's tables over an earlier folder: the same for each
#     table, every fsync and rename failing in turn; the registry's copy (models register):
#     each fsync and rename failing is exit 1 naming the copy, and registering again gives it
#     whole;
#   - the clients store (clients import over an earlier import): no crash, the store holds
#     the earlier import or the new one whole (SQLite's integrity check passes), the new one
#     whenever the command said it succeeded;
#   - the tracking store (train --store): no crash, the store passes the integrity check,
#     and a run the command reported is in it, FINISHED;
#   - the audit writer (serve --audit, decisions sent one after the other): no crash of the
#     server, every decision answered 200 is in the log (read back after it stopped), and a
#     server that started answers 200 again after the fault (the writer recovers by itself).
# FAULT_POINTS=P tests P values of N spread evenly over 1..K per writer (make test: the
# default, 8); FAULT_POINTS=0 tests every N (make fuzz). FAULT_ONLY="audit clients" runs
# those writers alone (features, model, predict, explain, sign, featcsv, report, synth,
# registry, clients, runs, audit).
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
PY=/usr/bin/python3
[ -x "$PY" ] || { fail "fault injection" "no /usr/bin/python3 (reads the stores back)"; exit 0; }
G=$T/gen
"$CS" synth --out "$G" --clients 150 --test-clients 20 --seed 4 --quiet >/dev/null 2>&1 || { fail "generate data"; exit 0; }
POINTS=${FAULT_POINTS:-8}
# want NAME: 0 when the writer NAME is to be tested
want() { [ -z "${FAULT_ONLY:-}" ] || [[ " $FAULT_ONLY " == *" $1 "* ]]; }

# fault_points K: the values of N to test, 1..K, or POINTS of them spread evenly (the first
# and the last included)
fault_points() {
  local k=$1
  if [ "$POINTS" -le 0 ] || [ "$k" -le "$POINTS" ]; then seq 1 "$k"; return; fi
  awk -v k="$k" -v p="$POINTS" 'BEGIN { for (i = 0; i < p; i++) printf "%d\n", 1 + int(i * (k - 1) / (p - 1) + 0.5) }'
}

# count_calls CMD...: run CMD under the shim without a fault; prints its number of calls
count_calls() {
  rm -f "$T/cnt"
  CS_FAULT_COUNT=$T/cnt LD_PRELOAD=$PRE "$@" >"$T/.c" 2>&1 || return 1
  cat "$T/cnt"
}

# report NAME BAD TESTED K FAILED: the result line of one writer
report() {
  if [ "$2" -eq 0 ]; then ok "$1: a fault at $3 of its $4 calls: no crash, nothing half-written ($5 refused with a message)"
  else fail "$1" "$2 of $3 fault points (of $4 calls) broke the promise"; fi
}

# run_faults NAME OUTFILE VERIFY-CMD... -- CMD...: CMD under the shim for each fault point
run_faults() {
  local name=$1 out=$2; shift 2
  local verify=() cmd=()
  while [ "$1" != "--" ]; do verify+=("$1"); shift; done
  shift; cmd=("$@")
  rm -f "$out" "$out".tmp*
  local calls; calls=$(count_calls "${cmd[@]}") || { fail "$name: runs under the shim without faults" "$(tail -1 "$T/.c")"; return; }
  local bad=0 failed=0 tested=0 n rc
  for n in $(fault_points "$calls"); do
    tested=$((tested + 1))
    rm -f "$out" "$out".tmp*
    CS_FAULT_AT=$n LD_PRELOAD=$PRE "${cmd[@]}" >"$T/.f" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then bad=$((bad + 1)); echo "# $name N=$n: exit $rc: $(tail -1 "$T/.f")"; continue; fi
    [ $rc -eq 1 ] && failed=$((failed + 1))
    if ls "$out".tmp* >/dev/null 2>&1; then bad=$((bad + 1)); echo "# $name N=$n: temporary file left: $(ls "$out".tmp*)"; fi
    if [ -e "$out" ] && ! "${verify[@]}" >"$T/.v" 2>&1; then
      bad=$((bad + 1)); echo "# $name N=$n (exit $rc): $out is under its name but does not load: $(tail -1 "$T/.v")"
    fi
  done
  report "$name" $bad $tested "$calls" $failed
}

want features && run_faults "features writer" "$T/f.csf" "$CS" drift --reference "$T/f.csf" --current "$T/f.csf" --json "$T/v.json" --columns AMT_CREDIT -- \
  "$CS" features --data "$G" --out "$T/f.csf"
"$CS" features --data "$G" --out "$T/base.csf" >/dev/null 2>&1
"$CS" train --features "$T/base.csf" --model gbdt --cv 2 --out "$T/base.csm" --no-track >/dev/null 2>&1 ||
  { fail "train the model the writers below use"; exit 0; }
want model && run_faults "model writer" "$T/m.csm" "$CS" predict --model "$T/m.csm" --features "$T/base.csf" --out "$T/p.csv" -- \
  "$CS" train --features "$T/base.csf" --model logreg --cv 2 --out "$T/m.csm" --no-track

# ---- writers that replace a file: the earlier file under the name stays whole -------------
# replace_faults NAME OUT CMD...: OUT holds an earlier file before each run of CMD under the
# shim; after a fault OUT is the earlier file or the new one byte for byte (the new one
# whenever CMD exits 0), no temporary file beside it. Then CS_FAULT_CALLS="fsync rename"
# fails each fsync and rename of the run in turn (every one, whatever FAULT_POINTS): each
# must exit 1 with a message naming a file of the run and what failed (sync or rename), and
# among them the fsync of OUT itself, its rename and the fsync of its folder, each named.
replace_faults() {
  local name=$1 out=$2; shift 2
  local bad=0 failed=0 tested=0 n rc calls got sync_calls sync_bad=0 msg what
  rm -f "$out" "$out".tmp*
  "$@" >"$T/.r" 2>&1 || { fail "$name: runs without faults" "$(tail -1 "$T/.r")"; return; }
  cp "$out" "$T/replace.new"
  printf 'an earlier file, not the new one\n' >"$T/replace.old"
  cp "$T/replace.old" "$out"
  calls=$(count_calls "$@") || { fail "$name: runs under the shim without faults" "$(tail -1 "$T/.c")"; return; }
  cmp -s "$out" "$T/replace.new" || { fail "$name: the run under the shim wrote the same file"; return; }
  for n in $(fault_points "$calls"); do
    tested=$((tested + 1))
    rm -f "$out".tmp*; cp "$T/replace.old" "$out"
    CS_FAULT_AT=$n LD_PRELOAD=$PRE "$@" >"$T/.f" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then bad=$((bad + 1)); echo "# $name N=$n: exit $rc: $(tail -1 "$T/.f")"; continue; fi
    [ $rc -eq 1 ] && failed=$((failed + 1))
    if ls "$out".tmp* >/dev/null 2>&1; then bad=$((bad + 1)); echo "# $name N=$n: temporary file left: $(ls "$out".tmp*)"; fi
    if cmp -s "$out" "$T/replace.new"; then got=new; elif cmp -s "$out" "$T/replace.old"; then got=old; else got=broken; fi
    if [ $got = broken ] || { [ $rc -eq 0 ] && [ $got = old ]; }; then
      bad=$((bad + 1)); echo "# $name N=$n (exit $rc): $out is neither the earlier file nor the new one whole ($got)"
    fi
  done
  report "$name" $bad $tested "$calls" $failed
  sync_calls=$(CS_FAULT_CALLS="fsync rename" count_calls "$@") || { fail "$name: counts its fsync and rename calls"; return; }
  if [ "$sync_calls" -lt 2 ]; then fail "$name: fsyncs and renames its file" "$sync_calls fsync or rename calls"; return; fi
  local seen=""
  for n in $(seq 1 "$sync_calls"); do
    rm -f "$out".tmp*; cp "$T/replace.old" "$out"
    CS_FAULT_CALLS="fsync rename" CS_FAULT_AT=$n LD_PRELOAD=$PRE "$@" >"$T/.f" 2>&1
    rc=$?
    msg=$(grep -v '^ *$' "$T/.f" | tail -1)
    case "$msg" in
      *"$out: cannot sync to disk"*) seen+=" file" ;;
      *"$out: cannot rename into place"*) seen+=" rename" ;;
      *"$out: written, but its folder could not be synced"*) seen+=" folder" ;;
    esac
    if [ $rc -ne 1 ] || [[ "$msg" != *"$T/"* ]] || ! [[ "$msg" =~ sync|rename ]]; then
      sync_bad=$((sync_bad + 1)); echo "# $name: fsync/rename $n of $sync_calls failed: exit $rc, '$msg'"
    fi
    if ls "$out".tmp* >/dev/null 2>&1 || ! { cmp -s "$out" "$T/replace.old" || cmp -s "$out" "$T/replace.new"; }; then
      sync_bad=$((sync_bad + 1)); echo "# $name: fsync/rename $n of $sync_calls failed: $out not whole, or a temporary file left"
    fi
  done
  # the file itself synced before its rename, the rename, the folder after it: each failure seen
  for what in file rename folder; do
    if [[ " $seen " != *" $what "* ]]; then
      sync_bad=$((sync_bad + 1)); echo "# $name: no failure of its $what sync/rename named $out (seen:${seen:- none})"
    fi
  done
  if [ $sync_bad -eq 0 ]; then ok "$name: each of its $sync_calls fsync and rename calls failing: exit 1, the file named, the earlier file or the new one whole"
  else fail "$name: failing fsync or rename" "$sync_bad broken"; fi
}
want predict && replace_faults "predict --out (scores CSV)" "$T/p.csv" \
  "$CS" predict --model "$T/base.csm" --features "$T/base.csf" --out "$T/p.csv"
want explain && replace_faults "explain --out (contributions CSV)" "$T/e.csv" \
  "$CS" explain --model "$T/base.csm" --features "$T/base.csf" --out "$T/e.csv"
printf 'model-signing-key-0123456789\n' >"$T/mk"
want sign && replace_faults "sign (MODEL.sig)" "$T/base.csm.sig" "$CS" sign "$T/base.csm" --key-file "$T/mk"
want featcsv && replace_faults "features --csv (the table as CSV)" "$T/fc.csv" \
  "$CS" features --data "$G" --out "$T/fc.csf" --csv "$T/fc.csv"
want report && replace_faults "recipe infer --out (cs_write_file, as the reports)" "$T/r.json" \
  "$CS" recipe infer --table "$G/application_train.csv" --out "$T/r.json"

# synth writes its tables together (each fsync'ed before any is renamed): over an earlier
# folder, each fsync and rename failing is exit 1 with a message naming the file, and every
# table is the earlier one or the new one whole, no temporary file left
synth_sync_faults() {
  local name="synth (the tables of a folder)" d=$T/sy bad=0 n rc msg calls f seen=""
  local cmd=("$CS" synth --out "$d" --clients 60 --test-clients 10 --seed 7 --quiet)
  rm -rf "$d" "$T/sy.new" "$T/sy.old"
  "$CS" synth --out "$T/sy.old" --clients 40 --test-clients 5 --seed 8 --quiet >/dev/null 2>&1 &&
    "${cmd[@]}" >/dev/null 2>&1 && mv "$d" "$T/sy.new" || { fail "$name: runs without faults"; return; }
  cp -r "$T/sy.old" "$d"
  calls=$(CS_FAULT_CALLS="fsync rename" count_calls "${cmd[@]}") || { fail "$name: runs under the shim without faults"; return; }
  for n in $(seq 1 "$calls"); do
    rm -rf "$d"; cp -r "$T/sy.old" "$d"
    CS_FAULT_CALLS="fsync rename" CS_FAULT_AT=$n LD_PRELOAD=$PRE "${cmd[@]}" >"$T/.f" 2>&1
    rc=$?
    msg=$(grep -v '^ *$' "$T/.f" | tail -1)
    if [ $rc -ne 1 ] || [[ "$msg" != *"$d/"* ]] || ! [[ "$msg" =~ sync|rename ]]; then
      bad=$((bad + 1)); echo "# $name: fsync/rename $n of $calls failed: exit $rc, '$msg'"
    fi
    case "$msg" in
      *"$d/"*": cannot sync to disk"*) seen+=" file" ;;
      *"$d/"*": cannot rename into place"*) seen+=" rename" ;;
      *"$d/"*": written, but its folder could not be synced"*) seen+=" folder" ;;
    esac
    if ls "$d" | grep -q '\.tmp'; then bad=$((bad + 1)); echo "# $name: fsync/rename $n: temporary file left"; fi
    for f in "$T/sy.new"/*; do
      f=${f##*/}
      cmp -s "$d/$f" "$T/sy.new/$f" || cmp -s "$d/$f" "$T/sy.old/$f" ||
        { bad=$((bad + 1)); echo "# $name: fsync/rename $n: $f is neither the earlier table nor the new one whole"; }
    done
  done
  for f in file rename folder; do
    [[ " $seen " == *" $f "* ]] || { bad=$((bad + 1)); echo "# $name: no failure of a table's $f sync/rename seen (seen:${seen:- none})"; }
  done
  if [ $bad -eq 0 ]; then ok "$name: each of its $calls fsync and rename calls failing: exit 1, the file named, each table the earlier one or the new one whole"
  else fail "$name: failing fsync or rename" "$bad broken"; fi
}
want synth && synth_sync_faults

# the registry's copy of a model (models register, SQLite store): each fsync and rename
# failing is exit 1 naming the copy, each kind seen (the copy's fsync, its rename, its
# folder's), no temporary copy left, and the same register run again gives version 1 with
# the copy equal to the model
registry_sync_faults() {
  local name="models register (the registry's copy)" bad=0 n rc msg calls seen="" what p copy
  local cmd=("$CS" models register "$T/base.csm" --name credit --store "$T/reg.db")
  copy=$T/reg.db-artifacts/registry/credit/1/model.csm
  rm -rf "$T/reg.db"*
  calls=$(CS_FAULT_CALLS="fsync rename" count_calls "${cmd[@]}") || { fail "$name: runs under the shim without faults" "$(tail -1 "$T/.c")"; return; }
  for n in $(seq 1 "$calls"); do
    rm -rf "$T/reg.db"*
    CS_FAULT_CALLS="fsync rename" CS_FAULT_AT=$n LD_PRELOAD=$PRE "${cmd[@]}" >"$T/.f" 2>&1
    rc=$?
    msg=$(grep -v '^ *$' "$T/.f" | tail -1)
    case "$msg" in
      *"$copy: cannot sync to disk"*) seen+=" file" ;;
      *"$copy: cannot rename into place"*) seen+=" rename" ;;
      *"$copy: written, but its folder could not be synced"*) seen+=" folder" ;;
    esac
    if [ $rc -ne 1 ] || ! [[ "$msg" =~ sync|rename|disk ]]; then bad=$((bad + 1)); echo "# $name: fsync/rename $n of $calls failed: exit $rc, '$msg'"; fi
    if ls "$(dirname "$copy")" 2>/dev/null | grep -q '\.tmp'; then bad=$((bad + 1)); echo "# $name: fsync/rename $n: temporary copy left"; fi
    if ! "${cmd[@]}" >"$T/.r" 2>&1 || ! p=$("$CS" models path credit --version 1 --store "$T/reg.db" 2>&1) || ! cmp -s "$p" "$T/base.csm"; then
      bad=$((bad + 1)); echo "# $name: fsync/rename $n: registering again did not give a whole copy: $(tail -1 "$T/.r") / $p"
    fi
  done
  for what in file rename folder; do
    [[ " $seen " == *" $what "* ]] || { bad=$((bad + 1)); echo "# $name: no failure of the copy's $what sync/rename seen (seen:${seen:- none})"; }
  done
  if [ $bad -eq 0 ]; then ok "$name: each of its $calls fsync and rename calls failing: exit 1, the copy named, registering again gives it whole"
  else fail "$name: failing fsync or rename" "$bad broken"; fi
}
want registry && registry_sync_faults

# ---- the stores, read back by SQLite itself ------------------------------------------------
# state.py DB clients|runs: "ok ROWS SUM-OF-IDS" (clients) or "ok STATUS..." (runs, oldest
# first, top-level runs) once SQLite's integrity check passed, else what is wrong
cat >"$T/state.py" <<'PY'
import sqlite3, sys
try:
    c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    ic = c.execute("PRAGMA integrity_check").fetchone()[0]
    if ic != "ok":
        print("integrity_check: " + ic); sys.exit(0)
    if sys.argv[2] == "clients":
        n, s = c.execute("SELECT count(*), coalesce(sum(id), 0) FROM clients").fetchone()
        print("ok", n, s)
    else:
        names = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
        print(" ".join(["ok"] + [names.get(r[0], str(r[0])) for r in
                                 c.execute("SELECT status FROM runs WHERE parent_run_id IS NULL ORDER BY start_time, rowid")]))
except Exception as e:
    print("error: %s" % e)
PY

# store_faults NAME DB SEED JUDGE CMD...: CMD under the shim for each fault point, on DB
# copied from SEED each time; `JUDGE RC` prints nothing when DB is as promised after CMD
# exited RC, else what is wrong
store_faults() {
  local name=$1 db=$2 seed=$3 judge=$4; shift 4
  local bad=0 failed=0 tested=0 n rc why calls
  rm -f "$db"*; cp "$seed" "$db"
  calls=$(count_calls "$@") || { fail "$name: runs under the shim without faults" "$(tail -1 "$T/.c")"; return; }
  for n in $(fault_points "$calls"); do
    tested=$((tested + 1))
    rm -f "$db"*; cp "$seed" "$db"
    CS_FAULT_AT=$n LD_PRELOAD=$PRE "$@" >"$T/.f" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then bad=$((bad + 1)); echo "# $name N=$n: exit $rc: $(tail -1 "$T/.f")"; continue; fi
    [ $rc -eq 1 ] && failed=$((failed + 1))
    why=$("$judge" $rc)
    if [ -n "$why" ]; then bad=$((bad + 1)); echo "# $name N=$n (exit $rc): $why"; fi
  done
  report "$name" $bad $tested "$calls" $failed
}

# ---- the clients store: an import over an earlier one ------------------------------------
"$CS" synth --out "$T/gen2" --clients 90 --test-clients 10 --seed 5 --quiet >/dev/null 2>&1 &&
  "$CS" features --data "$T/gen2" --out "$T/old.csf" >/dev/null 2>&1 &&
  "$CS" clients import --features "$T/old.csf" --data "$T/gen2" --out "$T/old.db" >/dev/null 2>&1 &&
  "$CS" clients import --features "$T/base.csf" --data "$G" --out "$T/new.db" >/dev/null 2>&1 ||
  { fail "clients store: the two imports without faults"; exit 0; }
old_state=$("$PY" "$T/state.py" "$T/old.db" clients)
new_state=$("$PY" "$T/state.py" "$T/new.db" clients)
# the earlier import or the new one whole, the new one when the import said so; no temporary
judge_clients() {
  local st; st=$("$PY" "$T/state.py" "$T/c.db" clients)
  if [ "$st" != "$new_state" ] && { [ "$1" -eq 0 ] || [ "$st" != "$old_state" ]; }; then
    echo "the store holds '$st' (earlier: '$old_state', new: '$new_state')"
  fi
  if ls "$T/c.db".tmp* >/dev/null 2>&1; then echo "temporary file left"; fi
}
want clients && store_faults "clients store (import over an earlier import)" "$T/c.db" "$T/old.db" judge_clients \
  "$CS" clients import --features "$T/base.csf" --data "$G" --out "$T/c.db"

# ---- the tracking store: train --store on a store holding one run -----------------------
"$CS" train --features "$T/base.csf" --model logreg --cv 2 --out "$T/t0.csm" --store "$T/runs0.db" >/dev/null 2>&1 ||
  { fail "tracking store: train without faults"; exit 0; }
# the earlier run stays FINISHED; a train that exits 0 has its own run FINISHED too
judge_runs() {
  local st; st=$("$PY" "$T/state.py" "$T/runs.db" runs)
  case "$st" in
    "ok FINISHED FINISHED") ;;
    "ok FINISHED"|"ok FINISHED FAILED"|"ok FINISHED RUNNING") [ "$1" -ne 0 ] || echo "exit 0 but the store holds '$st'" ;;
    *) echo "the store holds '$st'" ;;
  esac
}
want runs && store_faults "tracking store (train --store)" "$T/runs.db" "$T/runs0.db" judge_runs \
  "$CS" train --features "$T/base.csf" --model logreg --cv 2 --out "$T/t.csm" --store "$T/runs.db"

# ---- the audit writer: decisions one after the other under a fault ----------------------
cat >"$T/client.py" <<'PY'
import http.client, json, sys, time
port, out, tag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
acked, last, refused = [], None, 0
def one(i):
    global refused
    rid = "%s-%d" % (tag, i)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/v1/predict", json.dumps({"features": {"EXT_SOURCE_1": (i % 97) / 97.0}}),
              {"Content-Type": "application/json", "X-Request-Id": rid})
    r = c.getresponse(); r.read(); c.close()
    if r.status == 200: acked.append(rid)
    else: refused += 1
    return r.status
try:
    for i in range(8): last = one(i)
    # after the fault: the writer recovers by itself (it probes a failed log every 250 ms)
    t0, i = time.time(), 8
    while last != 200 and time.time() - t0 < 5:
        time.sleep(0.1); last = one(i); i += 1
    print("answered", last, "after", refused, "refused")
except (ConnectionError, OSError) as e:
    print("gone:", e)
open(out, "w").write("".join(a + "\n" for a in acked))
PY
# serve_fault N: the server under the shim (fault at N; 0: none, its calls counted in
# $T/cnt), the decisions sent, then SIGTERM; sets SRV_RC (the server's exit status) and
# CLIENT (the client's last line: "answered STATUS after R refused", "gone: ..." or "not
# started")
serve_fault() {
  local n=$1 p= pid
  rm -f "$T/a.db"* "$T/acked" "$T/cnt"; : >"$T/srv.out"
  CS_FAULT_AT=$n CS_FAULT_COUNT=$T/cnt LD_PRELOAD=$PRE "$CS" serve --port 0 --model "$T/serve.csm" --threads 2 \
    --audit "$T/a.db" --window 0 >"$T/srv.out" 2>"$T/srv.err" &
  pid=$!
  for _ in $(seq 1 200); do
    p=$(sed -n 's/.*listening on http:[^ ]*:\([0-9]*\)\/ .*/\1/p' "$T/srv.out")
    [ -n "$p" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  CLIENT="not started"
  [ -n "$p" ] && CLIENT=$("$PY" "$T/client.py" "$p" "$T/acked" "n$n" 2>&1 | tail -1)
  kill -TERM $pid 2>/dev/null
  for _ in $(seq 1 300); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  kill -9 $pid 2>/dev/null
  wait $pid; SRV_RC=$?
}
audit_faults() {
  local name="audit writer (serve --audit)" bad=0 failed=0 refusing=0 tested=0 n calls acked lost
  "$CS" train --features "$T/base.csf" --model logreg --cv 2 --out "$T/serve.csm" --no-track >/dev/null 2>&1 ||
    { fail "$name: train the model it serves"; return; }
  serve_fault 0
  if [ $SRV_RC -ne 0 ] || [ "$CLIENT" != "answered 200 after 0 refused" ] || [ "$(wc -l <"$T/acked")" -ne 8 ]; then
    fail "$name: serves under the shim without faults" "exit $SRV_RC, client: $CLIENT, $(tail -1 "$T/srv.err")"; return
  fi
  calls=$(cat "$T/cnt")
  for n in $(fault_points "$calls"); do
    tested=$((tested + 1))
    serve_fault "$n"
    if [ $SRV_RC -ne 0 ] && [ $SRV_RC -ne 1 ]; then bad=$((bad + 1)); echo "# $name N=$n: the server's exit $SRV_RC: $(tail -1 "$T/srv.err")"; continue; fi
    case "$CLIENT" in
      "not started") failed=$((failed + 1)) ;;
      "answered 200 after 0 refused") ;;
      "answered 200 after "*) refusing=$((refusing + 1)) ;;
    esac
    if [ "${CLIENT#answered 200 }" = "$CLIENT" ] && [ "$CLIENT" != "not started" ]; then
      bad=$((bad + 1)); echo "# $name N=$n: the server started but did not answer 200 again after the fault: $CLIENT"
    fi
    [ -s "$T/acked" ] || continue
    acked=$(wc -l <"$T/acked")
    if ! "$CS" audit --db "$T/a.db" --csv --out "$T/log.csv" >"$T/.a" 2>&1; then
      bad=$((bad + 1)); echo "# $name N=$n: $acked decisions acknowledged, the log does not read back: $(tail -1 "$T/.a")"; continue
    fi
    lost=$("$PY" -c 'import csv, sys
ids = set(r["request_id"] for r in csv.DictReader(open(sys.argv[1])))
print(sum(1 for l in open(sys.argv[2]) if l.strip() and l.strip() not in ids))' "$T/log.csv" "$T/acked")
    if [ "$lost" != 0 ]; then bad=$((bad + 1)); echo "# $name N=$n: $lost of $acked acknowledged decisions missing from the log"; fi
  done
  report "$name" $bad $tested "$calls" $failed
  echo "# $name: $failed fault points stopped the server at its start, $refusing refused decisions (503) and recovered"
}
if want audit; then audit_faults; fi
