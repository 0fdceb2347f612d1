#!/usr/bin/env bash
# bench_servers.sh: one API server against two sharing their state, with the audit log in
# SQLite (one file on this machine: both servers write it) and in PostgreSQL (a throwaway
# server started here, tests/e2e/pg.sh), then with the clients store in the same PostgreSQL
# database too (all the state shared), POST /v1/predict by client id, the audit on: wrk
# with 1 thread per server, SERVERS_CONNS connections in all (split between the servers),
# medians of BENCH_RUNS runs of SERVERS_SECONDS each, every server with 2 worker threads;
# then the two-server kill -9 test's counts (tests/e2e/test_pg_two_servers.sh). Results:
# bench/results/servers.md.
#   model: a GBDT with the default parameters on SERVERS_CLIENTS generated clients (default
#   5,000), its clients store (BENCH_WORK/servers).
#   SERVERS_BASELINE=BINARY: also one server on SQLite with another creditscore binary (a
#   build of the previous release), run after ours in the same run, as the baseline.
# On one 2-core machine the two servers, the two wrk and PostgreSQL share the same cores:
# the second server adds no CPU, so what this measures is the cost of sharing the log, not
# the scaling two machines give.
source "$(dirname "$0")/lib.sh"
W=$BENCH_WORK/servers
DUR=${SERVERS_SECONDS:-10}
CONNS=${SERVERS_CONNS:-16}
N=${SERVERS_CLIENTS:-5000}
mkdir -p "$W"
command -v wrk >/dev/null || { echo "bench_servers: wrk is not installed (scripts/install-deps.sh)" >&2; exit 1; }
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

if [ ! -f "$W/.complete" ]; then
  echo "bench_servers: building $W ($N clients)" >&2
  rm -rf "$W"; mkdir -p "$W"
  "$CS" synth --out "$W/data" --clients "$N" --test-clients $((N / 6)) --seed 5 >&2
  "$CS" features --data "$W/data" --out "$W/features.csf" --spec-out "$W/features.spec" >&2
  "$CS" train --features "$W/features.csf" --out "$W/model.csm" --cv 2 --spec "$W/features.spec" --name servers >&2
  "$CS" clients import --features "$W/features.csf" --data "$W/data" --out "$W/clients.db" >&2
  touch "$W/.complete"
fi
CID=$(sed -n 2p "$W/data/application_test.csv" | cut -d, -f1)
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'{\"client_id\": $CID}'" >"$W/predict.lua"

# the throwaway PostgreSQL server (pg.sh wants lib.sh's T and its helpers)
T=$(mktemp -d)
ok() { :; }; fail() { echo "bench_servers: $1 ${2:-}" >&2; }
source "$ROOT/tests/e2e/pg.sh"
PIDS=()
pg_start || { echo "bench_servers: cannot start PostgreSQL (above)" >&2; rm -rf "$T"; exit 1; }
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; pg_stop || true; rm -rf "$T"; }
trap cleanup EXIT   # after pg_start, whose own trap it replaces

port_free() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() {
  for _ in $(seq 1 600); do
    curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"client_id\": $CID}" "$1/v1/predict" && return 0
    sleep 0.1
  done
  echo "bench_servers: $1 did not come up" >&2; return 1
}
# wrk_one URL CONNS OUT: one wrk run; "rps p99_ms non2xx" into OUT
wrk_one() {
  wrk -t1 -c"$2" -d"${DUR}s" --latency -s "$W/predict.lua" "$1/v1/predict" | tee -a "$W/wrk.log" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +99%/ {p99 = ms($2)} /^Requests\/sec:/ {rps = $2} /Non-2xx/ {bad = $NF} END {printf "%s %s %s\n", rps, p99, bad + 0}' >"$3"
}
# config NAME AUDIT NSERVERS [BINARY]: BENCH_RUNS runs; appends "rps p99 non2xx" (sums, worst p99) to
# $W/NAME.txt. The clients store: $CFG_CLIENTS, else the SQLite file.
config() {
  local name=$1 audit=$2 ns=$3 bin=${4:-$CS} clients=${CFG_CLIENTS:-$W/clients.db} urls=() i r
  rm -f "$W/$name.txt"
  for i in $(seq 1 "$ns"); do
    local p; p=$(port_free)
    "$bin" serve --model "$W/model.csm" --clients "$clients" --audit "$audit" --threads 2 --port "$p" \
      >"$W/$name-$i.out" 2>"$W/$name-$i.err" & PIDS+=($!)
    wait_up "http://127.0.0.1:$p"
    urls+=("http://127.0.0.1:$p")
  done
  for r in $(seq "$BENCH_RUNS"); do
    echo "bench_servers: $name, run $r/$BENCH_RUNS" >&2
    local wp=()
    for i in $(seq 1 "$ns"); do wrk_one "${urls[$((i - 1))]}" $((CONNS / ns)) "$W/$name.run$i" & wp+=($!); done
    wait "${wp[@]}"
    cat "$W/$name".run* | awk '{rps += $1; if ($2 > p99) p99 = $2; bad += $3} END {printf "%.0f %.2f %d\n", rps, p99, bad}' >>"$W/$name.txt"
    rm -f "$W/$name".run*
  done
  for i in $(seq 1 "$ns"); do kill -TERM "${PIDS[-$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
rm -f "$W/wrk.log" "$W"/audit*.db*
config sqlite1 "$W/audit1.db" 1
[ -n "${SERVERS_BASELINE:-}" ] && config base1 "$W/audit0.db" 1 "$SERVERS_BASELINE"
config sqlite2 "$W/audit2.db" 2
pg_psql "DROP TABLE IF EXISTS audit; DROP TABLE IF EXISTS creditscore_schema" >/dev/null
config pg1 "$PG_URL" 1
config pg2 "$PG_URL" 2
"$CS" clients import --features "$W/features.csf" --data "$W/data" --out "$PG_URL" >"$W/pg-import.out" 2>&1 ||
  { echo "bench_servers: clients import into PostgreSQL: $(tail -2 "$W/pg-import.out")" >&2; exit 1; }
CFG_CLIENTS=$PG_URL config pgc1 "$PG_URL" 1
CFG_CLIENTS=$PG_URL config pgc2 "$PG_URL" 2
N_PG=$(pg_psql "SELECT count(*) FROM audit")
LOAD_MID=$(cut -d' ' -f1-3 /proc/loadavg)

echo "bench_servers: the two-server kill -9 test" >&2
KILL_OUT=$(CS=$CS PG_KILL_ROUNDS=${SERVERS_KILL_ROUNDS:-5} bash "$ROOT/tests/e2e/test_pg_two_servers.sh" 2>&1) || true

row() {   # row NAME LABEL
  local f=$W/$1.txt
  printf '| %s | %s | %s | %s |\n' "$2" "$(median "$f" 1)" "$(median "$f" 2)" "$(awk '{s += $3} END {print s + 0}' "$f")"
}
ratio() { awk -v a="$(median "$W/$1.txt" 1)" -v b="$(median "$W/$2.txt" 1)" 'BEGIN {printf "%.2f", a / b}'; }
{
  echo "# One API server and two sharing their state"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores shared by everything below and whatever else runs on the machine"
  echo "(other engineers' builds and tests: expect noise). Load average (1, 5, 15 min) at the start: $LOAD_START;"
  echo "after the throughput runs: $LOAD_MID; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "POST /v1/predict by client id, a GBDT with the default parameters on $N generated clients, the"
  echo "audit log on, every server with 2 worker threads and the clients store of the same file (the"
  echo "last two rows: in the PostgreSQL database of the audit log, shared by the servers). wrk:"
  echo "1 thread per server, $CONNS keep-alive connections in all (split evenly), ${DUR}s per run, medians"
  echo "of $BENCH_RUNS runs; two servers: the sum of both wrk's requests/s and the worse p99."
  echo "PostgreSQL: Debian's server started for the run (initdb, default settings: synchronous_commit on,"
  echo "fsync on), on the same machine over TCP 127.0.0.1; $N_PG decisions were written to its table."
  echo
  echo "| configuration | requests/s | p99 ms | non-2xx |"
  echo "|---|---|---|---|"
  row sqlite1 "1 server, SQLite audit log"
  if [ -n "${SERVERS_BASELINE:-}" ]; then
    row base1 "1 server, SQLite audit log, baseline binary ($("$SERVERS_BASELINE" --version 2>/dev/null | head -1))"
  fi
  row sqlite2 "2 servers, one SQLite audit log (same machine)"
  row pg1 "1 server, PostgreSQL audit log"
  row pg2 "2 servers, one PostgreSQL audit log"
  row pgc1 "1 server, audit log and clients store in PostgreSQL"
  row pgc2 "2 servers, one PostgreSQL database for the audit log and the clients store"
  echo
  echo "Two servers against one: $(ratio sqlite2 sqlite1)x on SQLite, $(ratio pg2 pg1)x on PostgreSQL,"
  echo "$(ratio pgc2 pgc1)x with the clients store in PostgreSQL too. The clients store in PostgreSQL against"
  echo "the SQLite file, one server: $(ratio pgc1 pg1)x (a lookup there is a round trip to the database"
  echo "server, here a read of a mapped file)."
  echo "PostgreSQL against SQLite, one server: $(ratio pg1 sqlite1)x."
  [ -z "${SERVERS_BASELINE:-}" ] || echo "This build against the baseline binary, one server on SQLite: $(ratio sqlite1 base1)x."
  echo "The two servers here share 2 cores with their wrk, the database and the machine's other work: the"
  echo "second server brings no CPU of its own (on a loaded machine two processes only get a larger share"
  echo "of it), so these ratios are not what a second machine adds (there each server has its cores and"
  echo "only the log is shared: docs/deploy.md). PostgreSQL commits with an fsync each batch"
  echo "(synchronous_commit on), SQLite's WAL with synchronous=NORMAL does not: the price of a log that"
  echo "survives a power cut and that several machines share."
  echo
  echo "## kill -9 of one of two servers under load"
  echo
  echo "tests/e2e/test_pg_two_servers.sh, ${SERVERS_KILL_ROUNDS:-5} rounds (wrk on both servers, a recording"
  echo "client on each, one server killed mid-stream each round):"
  echo
  echo '```'
  echo "$KILL_OUT"
  echo '```'
} >"$ROOT/bench/results/servers.md"
cat "$ROOT/bench/results/servers.md"
