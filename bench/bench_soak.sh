#!/usr/bin/env bash
# bench_soak.sh: the API under sustained load. wrk (1 thread, SOAK_CONNS connections) at full
# rate for SOAK_SECONDS (default 600) on a mix of POST /v1/predict (client id, 50 %),
# POST /v1/explain (client id, 25 %) and GET /v1/clients pages (25 %), the server with 2 worker
# threads and the audit log on. Pass: 0 errors (non-2xx answers, socket errors) and resident
# memory at the end within 5 % of the memory after the first SOAK_FIRST seconds (default 60).
# A reliability measure: it has no Python peer. Results: bench/results/soak.md.
#   fixture: bench/work/api/demo (bench_api.sh's: 20,000 generated clients) when present, else a
#   small one built here (bench/work/soak: 3,000 clients).
source "$(dirname "$0")/lib.sh"
DUR=${SOAK_SECONDS:-600}
FIRST=${SOAK_FIRST:-60}
CONNS=${SOAK_CONNS:-16}
W=$BENCH_WORK/soak
mkdir -p "$W"
command -v wrk >/dev/null || { echo "bench_soak: wrk is not installed (scripts/install-deps.sh)" >&2; exit 1; }
[ "$DUR" -gt "$FIRST" ] || { echo "bench_soak: SOAK_SECONDS must exceed SOAK_FIRST" >&2; exit 1; }

if [ -f "$BENCH_WORK/api/demo/model.csm" ] && [ -f "$BENCH_WORK/api/demo/clients.db" ]; then
  F=$BENCH_WORK/api/demo
else
  F=$W
  if [ ! -f "$F/.complete" ]; then
    "$CS" synth --out "$F/data" --clients 3000 --test-clients 300 --seed 3 >/dev/null
    "$CS" features --data "$F/data" --out "$F/f.csf" --spec-out "$F/f.spec" >/dev/null
    "$CS" train --features "$F/f.csf" --spec "$F/f.spec" --out "$F/model.csm" --cv 2 \
      --params '{"num_iterations": 100, "num_leaves": 31}' >/dev/null
    "$CS" clients import --features "$F/f.csf" --data "$F/data" --out "$F/clients.db" >/dev/null
    touch "$F/.complete"
  fi
fi
IDS=$(/usr/bin/python3 -c "
import sqlite3; c = sqlite3.connect('$F/clients.db')
print(','.join(str(r[0]) for r in c.execute('SELECT id FROM clients LIMIT 500')))")
[ -n "$IDS" ] || { echo "bench_soak: no client in $F/clients.db" >&2; exit 1; }

cat >"$W/mix.lua" <<LUA
local ids = { $IDS }
local n = 0
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  local k = n % 4
  if k == 0 or k == 2 then
    return wrk.format("POST", "/v1/predict", {["Content-Type"] = "application/json"}, '{"client_id": ' .. id .. '}')
  elseif k == 1 then
    return wrk.format("POST", "/v1/explain", {["Content-Type"] = "application/json"}, '{"client_id": ' .. id .. '}')
  else
    return wrk.format("GET", "/v1/clients?offset=" .. ((n * 7) % 1000) .. "&limit=20")
  end
end
errors = 0
response = function(status, headers, body)
  if status >= 300 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SOAK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$W/audit.db" "$W/audit.db-wal" "$W/audit.db-shm"
"$CS" serve --model "$F/model.csm" --clients "$F/clients.db" --port "$PORT" --threads 2 --audit "$W/audit.db" \
  >"$W/serve.log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null; wait $SP 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SP/status"; }
rss0=$(rss)
CMD="wrk -t1 -c$CONNS -d${DUR}s --latency -s bench/work/soak/mix.lua http://127.0.0.1:PORT"
wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -s "$W/mix.lua" "http://127.0.0.1:$PORT" >"$W/wrk.out" 2>&1 &
WP=$!
sleep "$FIRST"; rss1=$(rss)
wait $WP
rss2=$(rss)
kill -TERM $SP; wait $SP 2>/dev/null; trap - EXIT
line=$(grep '^SOAK ' "$W/wrk.out" || echo "SOAK requests=0")
get() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
req=$(get requests); non2xx=$(get non2xx)
errs=$(( ${non2xx:-0} + $(get connect) + $(get read) + $(get write) + $(get timeout) ))
growth=$(/usr/bin/python3 -c "print('%.2f' % (100.0 * ($rss2 - $rss1) / $rss1))")
verdict=$( [ "$errs" -eq 0 ] && /usr/bin/python3 -c "import sys; sys.exit(0 if abs($growth) <= 5 else 1)" && echo PASS || echo FAIL )
load=$(cut -d' ' -f1-3 /proc/loadavg)
cat >"$ROOT/bench/results/soak.md" <<MD
# Soak: the API under sustained mixed load

\`SOAK_SECONDS=$DUR SOAK_FIRST=$FIRST make bench BENCH_ONLY=soak\` ($(date -u +%Y-%m-%d), load average at the end: $load; 2 cores shared)

    creditscore serve --model ${F#$ROOT/}/model.csm --clients ${F#$ROOT/}/clients.db --threads 2 --audit bench/work/soak/audit.db
    $CMD

Mix: 50 % POST /v1/predict, 25 % POST /v1/explain (client ids), 25 % GET /v1/clients pages.

| duration | requests | requests/s | errors (non-2xx + socket) | p50 ms | p99 ms | RSS at start | RSS after ${FIRST} s | RSS at end | growth | verdict |
|---|---|---|---|---|---|---|---|---|---|---|
| ${DUR} s | $req | $(( req / DUR )) | $errs | $(get p50_ms) | $(get p99_ms) | $((rss0 / 1024)) MiB | $((rss1 / 1024)) MiB | $((rss2 / 1024)) MiB | $growth % | $verdict |

Pass: 0 errors and RSS at the end within 5 % of the RSS after the first ${FIRST} s. No Python
peer: this measures the server's own steadiness. Every decision is committed to the audit log
before it is answered (group commit), so the requests/s include that.
MD
cat "$ROOT/bench/results/soak.md"
