#!/usr/bin/env bash
# test_store_race.sh: issue #21's case: train runs started together on a tracking store that
# does not exist yet all succeed, several rounds, and `runs list` sees every run; then eight
# commands opening one new store at once (`runs list` creates the store as `train` does), 20
# rounds. Release 0.1.0's store_open failed with "database is locked" in 1 to 11 of 800
# opens raced by forked processes; launched as commands the race is rarer (this file passed
# once against that release's binary): the unit test test_store_db.c races eight forked
# processes fifty times on the store itself. With CS_TEST_BACKEND=postgresql each new store is
# a new database of pg.sh's throwaway server (the schemas created by the first opener, the
# others waiting on its lock).
. "$(dirname "$0")/lib.sh"
backend_init
logreg_fixture "$T/m.csm" || exit 1
N=4
ROUNDS=${STORE_RACE_ROUNDS:-2}
OPEN_ROUNDS=${STORE_RACE_OPEN_ROUNDS:-20}
bad=0
for r in $(seq 1 "$ROUNDS"); do
  pids=() store=$(backend_store "race$r")
  for i in $(seq 1 $N); do
    "$CS" train --features "$T/fixture.csf" --out "$T/m$r-$i.csm" --model logreg --cv 2 --store "$store" \
      --experiment race >"$T/train$r-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 $N); do
    if ! wait "${pids[$((i - 1))]}"; then
      bad=$((bad + 1))
      echo "# round $r run $i: $(grep -m1 -i 'error\|locked' "$T/train$r-$i.log")"
    fi
  done
  n=$("$CS" runs list --store "$store" --experiment race 2>/dev/null | grep -c FINISHED)
  [ "$n" = $N ] || { bad=$((bad + 1)); echo "# round $r: $n finished runs of $N"; }
done
if [ $bad = 0 ]; then ok "$N train runs at once on a new store, $ROUNDS rounds: every run recorded"
else fail "concurrent train runs on a new store" "$bad failures"; fi

bad=0
for r in $(seq 1 "$OPEN_ROUNDS"); do
  pids=() store=$(backend_store "open$r")
  for i in $(seq 1 8); do
    "$CS" runs list --store "$store" >/dev/null 2>"$T/open$r-$i.err" &
    pids+=($!)
  done
  for i in $(seq 1 8); do
    wait "${pids[$((i - 1))]}" || { bad=$((bad + 1)); echo "# round $r: $(head -1 "$T/open$r-$i.err")"; }
  done
done
if [ $bad = 0 ]; then ok "8 commands opening one new store at once, $OPEN_ROUNDS rounds: none fails"
else fail "concurrent opening of a new store" "$bad of $((OPEN_ROUNDS * 8)) failed"; fi
