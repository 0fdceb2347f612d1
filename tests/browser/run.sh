#!/usr/bin/env bash
# run.sh: the browser tests. Builds a small model from generated data, starts the API and
# the dashboard on free ports, runs dashboard.test.mjs (node's test runner, TAP output) with
# playwright-core driving Debian's chromium, and stops everything.
# SCREENSHOT_DIR=DIR also writes screenshots of the main views (make screenshots).
# BROWSER_ONLY=name runs only NAME.test.mjs (the fixtures are built all the same).
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CS=${CS:-$ROOT/build/creditscore}
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

if [ ! -x /usr/bin/chromium ]; then echo "not ok - chromium is missing (scripts/install-deps.sh installs it)"; exit 1; fi
make -s -C "$ROOT" web >/dev/null || { echo "not ok - npm ci of web/dashboard failed"; exit 1; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# a small model: 1,500 clients, few trees
"$CS" synth --out "$T/data" --clients 1500 --test-clients 250 --seed 11 >/dev/null 2>&1 || { echo "not ok - synth"; exit 1; }
# hostile category text for one client (categories.test.mjs): the page must show it as text
XSS_CLIENT=$(/usr/bin/python3 - "$T/data/application_train.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
h = rows[0]
rows[1][h.index('NAME_EDUCATION_TYPE')] = '<script>window.__xss=1</script>'
rows[1][h.index('NAME_FAMILY_STATUS')] = '"><img src=x onerror="window.__xss=2">'
csv.writer(open(sys.argv[1], 'w', newline=''), lineterminator='\n').writerows(rows)
print(rows[1][h.index('SK_ID_CURR')])
PY
) || { echo "not ok - hostile categories"; exit 1; }
export XSS_CLIENT
# the kernel's features through its recipe (labels, units, category names, protected columns)
"$CS" features --recipe "$ROOT/recipes/homecredit-kernel.json" --data "$T/data" --out "$T/f.csf" --spec-out "$T/f.spec" \
  >/dev/null 2>&1 || { echo "not ok - features"; exit 1; }
# Platt calibration: continuous, so the what-if test sees any change of the raw score; the
# protected attributes left out, as the demo does
"$CS" train --features "$T/f.csf" --spec "$T/f.spec" --exclude-protected --out "$T/m.csm" --cv 3 --store "$T/cs.db" \
  --calibration platt --params '{"num_iterations": 40, "num_leaves": 15, "learning_rate": 0.1}' >"$T/train.log" 2>&1 \
  || { echo "not ok - train"; tail -5 "$T/train.log"; exit 1; }
"$CS" clients import --features "$T/f.csf" --data "$T/data" --recipe "$ROOT/recipes/homecredit-kernel.json" \
  --out "$T/clients.db" >/dev/null 2>&1 || { echo "not ok - clients import"; exit 1; }

API_PORT=$(free_port)
"$CS" serve --model "$T/m.csm" --clients "$T/clients.db" --port "$API_PORT" >"$T/api.log" 2>&1 &
API_PID=$!; PIDS+=("$API_PID")
DASH_PORT=$(free_port)
"$CS" dashboard --api "http://127.0.0.1:$API_PORT" --port "$DASH_PORT" >"$T/dash.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$API_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$DASH_PORT/" >/dev/null && break
  sleep 0.1
done

# a scorecard model of the same clients (scorecard.test.mjs): its API and dashboard
"$CS" train --features "$T/f.csf" --spec "$T/f.spec" --model scorecard --out "$T/sc.csm" --cv 3 --no-track \
  >"$T/sc_train.log" 2>&1 || { echo "not ok - train scorecard"; tail -5 "$T/sc_train.log"; exit 1; }
SC_API_PORT=$(free_port)
"$CS" serve --model "$T/sc.csm" --clients "$T/clients.db" --port "$SC_API_PORT" >"$T/sc_api.log" 2>&1 &
PIDS+=("$!")
SC_DASH_PORT=$(free_port)
"$CS" dashboard --api "http://127.0.0.1:$SC_API_PORT" --port "$SC_DASH_PORT" >"$T/sc_dash.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$SC_API_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$SC_DASH_PORT/" >/dev/null && break
  sleep 0.1
done
export SC_API_URL="http://127.0.0.1:$SC_API_PORT" SC_DASH_URL="http://127.0.0.1:$SC_DASH_PORT"

# the model report of the main model (report.test.mjs renders it): lineage from the store, a
# fairness summary over the Home Credit recipe's protected attributes
"$CS" fairness --model "$T/m.csm" --features "$T/f.csf" --recipe "$ROOT/recipes/homecredit-kernel.json" --bootstrap 20 \
    --json "$T/fairness.json" >/dev/null 2>&1 &&
  "$CS" report --model "$T/m.csm" --store "$T/cs.db" --fairness "$T/fairness.json" --bootstrap 50 \
    --html "$T/report.html" >/dev/null 2>&1 || { echo "not ok - model report"; exit 1; }
export MODEL_REPORT_HTML=$T/report.html

# the same model behind its own API and dashboard for manager.test.mjs (dashboard.test.mjs
# stops the first API to see the page report it)
MGR_API_PORT=$(free_port)
"$CS" serve --model "$T/m.csm" --clients "$T/clients.db" --audit "$T/mgr_audit.db" --port "$MGR_API_PORT" >"$T/mgr_api.log" 2>&1 &
PIDS+=("$!")
MGR_DASH_PORT=$(free_port)
"$CS" dashboard --api "http://127.0.0.1:$MGR_API_PORT" --port "$MGR_DASH_PORT" >"$T/mgr_dash.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$MGR_API_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$MGR_DASH_PORT/" >/dev/null && break
  sleep 0.1
done
export MGR_API_URL="http://127.0.0.1:$MGR_API_PORT" MGR_DASH_URL="http://127.0.0.1:$MGR_DASH_PORT"
# manager.test.mjs reads this API's audit log with `creditscore audit`
export MGR_AUDIT_DB=$T/mgr_audit.db CS

# a model that does use the protected attributes (manager.test.mjs: the page says so)
"$CS" train --features "$T/f.csf" --spec "$T/f.spec" --out "$T/prot.csm" --cv 2 --no-track --calibration platt \
  --params '{"num_iterations": 25, "num_leaves": 15, "learning_rate": 0.1}' >"$T/prot_train.log" 2>&1 \
  || { echo "not ok - train with protected attributes"; tail -5 "$T/prot_train.log"; exit 1; }
PROT_API_PORT=$(free_port)
"$CS" serve --model "$T/prot.csm" --clients "$T/clients.db" --port "$PROT_API_PORT" >"$T/prot_api.log" 2>&1 &
PIDS+=("$!")
PROT_DASH_PORT=$(free_port)
"$CS" dashboard --api "http://127.0.0.1:$PROT_API_PORT" --port "$PROT_DASH_PORT" >"$T/prot_dash.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PROT_API_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$PROT_DASH_PORT/" >/dev/null && break
  sleep 0.1
done
export PROT_API_URL="http://127.0.0.1:$PROT_API_PORT" PROT_DASH_URL="http://127.0.0.1:$PROT_DASH_PORT"

# a monitoring report of a small replayed stream (monitor.test.mjs renders it)
"$CS" synth --stream --out "$T/stream" --clients 1200 --months 14 --per-month 80 --shock-month 4 --seed 5 --quiet &&
  "$CS" features --data "$T/stream" --out "$T/sf.csf" >/dev/null 2>&1 &&
  "$CS" train --features "$T/sf.csf" --model logreg --params '{"C": 0.005}' --cv 3 --out "$T/sm.csm" --no-track >/dev/null 2>&1 &&
  "$CS" clients import --features "$T/sf.csf" --data "$T/stream" --out "$T/sclients.db" >/dev/null 2>&1 ||
  { echo "not ok - monitoring fixture"; exit 1; }
MON_PORT=$(free_port)
"$CS" serve --model "$T/sm.csm" --clients "$T/sclients.db" --audit "$T/saudit.db" --replay-time --port "$MON_PORT" \
  >"$T/mon_api.log" 2>&1 &
MON_PID=$!; PIDS+=("$MON_PID")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$MON_PORT/health" >/dev/null && break; sleep 0.1; done
/usr/bin/python3 "$ROOT/scripts/replay.py" "http://127.0.0.1:$MON_PORT" "$T/stream/stream.csv" >/dev/null &&
  kill "$MON_PID" && "$CS" outcomes import --audit "$T/saudit.db" --csv "$T/stream/outcomes.csv" >/dev/null &&
  "$CS" monitor --audit "$T/saudit.db" --model "$T/sm.csm" --clients "$T/sclients.db" --html "$T/monitor.html" --quiet ||
  { echo "not ok - monitoring report"; exit 1; }
export MONITOR_HTML=$T/monitor.html

# a lender's own data (lender.test.mjs): the credit-risk file through recipes/credit-risk.json
# (features --recipe, clients import --recipe); the model carries the recipe
LT=$T/lender
mkdir -p "$LT"
"$CS" features --recipe "$ROOT/recipes/credit-risk.json" --data "$ROOT/data/credit-risk" --out "$LT/f.csf" \
    --spec-out "$LT/f.spec" >/dev/null 2>&1 &&
  "$CS" train --features "$LT/f.csf" --spec "$LT/f.spec" --out "$LT/m.csm" --cv 2 --no-track --calibration platt \
    --params '{"num_iterations": 30, "num_leaves": 15}' >"$LT/train.log" 2>&1 &&
  "$CS" clients import --features "$LT/f.csf" --data "$ROOT/data/credit-risk" --recipe "$ROOT/recipes/credit-risk.json" \
    --out "$LT/clients.db" >/dev/null 2>&1 || { echo "not ok - lender fixture"; tail -5 "$LT/train.log"; exit 1; }
LAPI_PORT=$(free_port)
"$CS" serve --model "$LT/m.csm" --clients "$LT/clients.db" --audit "$LT/audit.db" --port "$LAPI_PORT" >"$LT/api.log" 2>&1 &
PIDS+=("$!")
LDASH_PORT=$(free_port)
"$CS" dashboard --api "http://127.0.0.1:$LAPI_PORT" --port "$LDASH_PORT" >"$LT/dash.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$LAPI_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$LDASH_PORT/" >/dev/null && break
  sleep 0.1
done
export LENDER_API_URL="http://127.0.0.1:$LAPI_PORT" LENDER_DASH_URL="http://127.0.0.1:$LDASH_PORT"

cd "$ROOT/tests/browser"
API_URL="http://127.0.0.1:$API_PORT" DASH_URL="http://127.0.0.1:$DASH_PORT" API_PID=$API_PID \
PLAYWRIGHT_CORE="$ROOT/web/dashboard/node_modules/playwright-core" \
  node --test --test-reporter=tap --test-concurrency=1 ${BROWSER_ONLY:+./$BROWSER_ONLY.test.mjs} \
    $([ -n "${BROWSER_ONLY:-}" ] || echo ./*.test.mjs)
rc=$?
[ $rc -eq 0 ] || { echo "--- api log"; tail -20 "$T/api.log"; echo "--- dashboard log"; tail -20 "$T/dash.log"; }
exit $rc
