#!/usr/bin/python3
"""cf_oracle.py: checks POST /v1/counterfactual against POST /v1/predict, which scores through
another path (raw records through the one-applicant feature engine, or named features whose
derived columns this script recomputes from the recipe itself).

  cf_oracle.py URL records RECIPE CSV ID...    credit-risk: the applicant as raw records (row ID of CSV)
  cf_oracle.py URL features RECIPE - ID...     a clients store: the applicant's stored features
  cf_oracle.py URL MODE RECIPE CSV grid ID...  the brute force below instead

For every refused applicant whose search finds a change: the change applied gives an approval,
and every candidate the search evaluated with a smaller cost is refused by /v1/predict (brute
force over the candidates, so no smaller one among those searched approves), and each evaluated
candidate's decision is /v1/predict's.

grid: exactness by brute force, independent of the search's candidates. For every applicant and
every actionable input, every multiple of its step between its bounds (the recipe's direction
only) is scored by /v1/predict, the scaled columns moved in proportion and a value breaking a
relation that holds now (at_most, at_least) left out, as the recipe says. For a refusal the
cheapest approving value over all inputs (relative change |new - now| / |now|) must be the
search's one change (max_changes 1) at the same cost, and when the search finds none no grid
value may approve; for an approval the margin must be the farthest approved value before the
first refused one. Prints TAP-like lines; exits 1 on any failure.
"""
import csv, json, math, sys, urllib.request

url, mode, recipe_path, csv_path = sys.argv[1:5]
grid = len(sys.argv) > 5 and sys.argv[5] == "grid"
ids = [int(a) for a in sys.argv[5 + grid:]]
recipe = json.load(open(recipe_path))
root = [t for t in recipe["tables"] if "parent" not in t][0]
actions = {c["name"]: c["actionable"] for c in root["columns"] if isinstance(c.get("actionable"), dict)}
text_cols = {c["name"] for c in root["columns"] if c["role"] in ("categorical", "flag", "id")}
failed = 0


def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def get(path):
    with urllib.request.urlopen(url + path) as r:
        return json.load(r)


def report(good, name, detail=""):
    global failed
    print(("ok - " if good else "not ok - ") + name + ("" if good else ": " + detail))
    failed += not good


def op(o, a, b):
    if o in ("add", "sub", "mul", "div"):
        if o == "add": return a + b
        if o == "sub": return a - b
        if o == "mul": return a * b
        if b == 0:
            return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if a != a or b != b: return math.nan
    return float({"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b, "eq": a == b, "ne": a != b}[o])


rows = list(csv.DictReader(open(csv_path))) if mode == "records" else None


def applicant(i):
    """the body naming applicant i as is, and a function giving the body with values set"""
    if mode == "records":
        row = rows[i - 1]
        rec = {k: (v if k in text_cols else (float(v) if v != "" else None)) for k, v in row.items()
               if k != "loan_status"}
        def with_set(vals):
            r = dict(rec); r.update(vals)
            return {"records": {root["name"]: r}}
        return {"records": {root["name"]: rec}}, with_set
    feats = get("/v1/clients/%d" % i)["features"]
    def with_set(vals):
        f = dict(feats)
        v = {k: (x if x is not None else math.nan) for k, x in f.items()}
        v.update(vals)
        for d in root.get("derived", []):
            a, b = [(v.get(x, math.nan) if isinstance(x, str) else float(x)) for x in d["args"]]
            z = op(d["op"], a, b)
            if d.get("then") == "positive": z = z if z > 0 else 0.0
            if any(isinstance(x, str) and x in vals or isinstance(x, str) and x in changed for x in d["args"]):
                changed.add(d["name"])
                if d["name"] in f: f[d["name"]] = None if z != z else z
                v[d["name"]] = z
        for k, x in vals.items():
            if k in f: f[k] = None if x != x else x
        return {"features": f}
    changed = set()
    def wrapped(vals):
        changed.clear(); changed.update(vals)
        return with_set(vals)
    return {"client_id": i}, wrapped


_stored = {}


def now_of(body, name):
    if "records" in body: return body["records"][root["name"]][name]
    if body["client_id"] not in _stored: _stored[body["client_id"]] = get("/v1/clients/%d" % body["client_id"])["features"]
    return _stored[body["client_id"]][name]


def moved(set_, body, d):
    """the values a candidate sets: its inputs and the columns scaled with them"""
    out = {}
    for name, to in set_.items():
        now = {x["name"]: x["now"] for x in d["inputs"]}[name]
        out[name] = to
        for s in ([actions[name]["scales"]] if isinstance(actions[name].get("scales"), str) else actions[name].get("scales", [])):
            out[s] = now_of(body, s) * (to / now)
    return out


def scales_of(name):
    s = actions[name].get("scales", [])
    return [s] if isinstance(s, str) else s


def relations_hold(body, vals):
    """the relations (at_most, at_least) that hold now still hold with vals set"""
    for name, a in actions.items():
        for key, worse in (("at_most", lambda x, y: x > y), ("at_least", lambda x, y: x < y)):
            other = a.get(key)
            if not other or (name not in vals and other not in vals): continue
            x0, y0 = now_of(body, name), now_of(body, other)
            if x0 is None or y0 is None or worse(x0, y0): continue
            if worse(vals.get(name, x0), vals.get(other, y0)): return False
    return True


def grid_check(i):
    body, with_set = applicant(i)
    d = post("/v1/counterfactual", dict(body, max_changes=1))
    best, n_scored, margins = None, 0, {}
    for inp in d["inputs"]:
        name, now, lo, hi, step = inp["name"], inp["now"], inp["min"], inp["max"], inp["step"]
        if inp["skipped"]:
            continue
        if not step or not now:
            report(False, "applicant %d: %s has no step or a current value of 0 (the grid needs both)" % (i, name))
            continue
        way = actions[name].get("direction", "any") if d["decision"] == "refuse" else inp["way"]
        k0, k1 = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        vals = [k * step for k in range(k0, k1 + 1) if k * step != now and
                (way == "any" or (way == "decrease") == (k * step < now))]
        vals.sort(key=lambda v: abs(v - now))
        decided = []
        for v in vals:
            moved_vals = {name: v}
            for s in scales_of(name): moved_vals[s] = now_of(body, s) * (v / now)
            if not relations_hold(body, moved_vals): continue
            q = post("/v1/predict", with_set(moved_vals)); n_scored += 1
            decided.append((v, q["decision"]))
            cost = abs(v - now) / abs(now)
            if q["decision"] == "approve" and d["decision"] == "refuse":
                if best is None or cost < best[0] - 1e-15: best = (cost, name, v)
                break  # values are in order of cost: the first approval is this input's cheapest
        margins[name] = decided
    if d["decision"] == "refuse":
        if best is None:
            report(not d["found"], "applicant %d: refused, no grid value of any input approves (%d scored), the search finds none"
                   % (i, n_scored), json.dumps(d["changes"])[:300])
        else:
            got = d["changes"][0] if d["found"] else None
            good = got is not None and abs(d["cost"] - best[0]) < 1e-12 and (got["input"], got["to"]) == best[1:]
            report(good, "applicant %d: refused, the cheapest approving grid value is %s = %s (cost %.6g, %d scored), the search's"
                   % (i, best[1], best[2], best[0], n_scored), "search: %s cost %s" % (json.dumps(got)[:200], d.get("cost")))
    else:
        bad = []
        for m in d["margins"]:
            dec = margins.get(m["input"], [])
            first_refused = next((v for v, x in dec if x == "refuse"), None)
            approved = [v for v, x in dec if x == "approve" and (first_refused is None or abs(v - m["from"]) < abs(first_refused - m["from"]))]
            want_to = approved[-1] if approved else m["from"]
            if m["to"] != want_to or (first_refused is None) != (m["limited_by"] == "bound") or \
               (first_refused is not None and m["refused_at"] != first_refused):
                bad.append((m, want_to, first_refused))
        report(not bad, "applicant %d: approved, each margin is the farthest approved grid value before the first refused one (%d scored)"
               % (i, n_scored), str(bad)[:300])


if grid:
    for i in ids: grid_check(i)
    report(len(ids) > 0, "%d applicants checked on the grid" % len(ids))
    sys.exit(1 if failed else 0)

checked = 0
for i in ids:
    body, with_set = applicant(i)
    d = post("/v1/counterfactual", dict(body, candidates=True, max_changes=2))
    if d["decision"] != "refuse" or not d["found"]:
        continue
    checked += 1
    found = {c["input"]: c["to"] for c in d["changes"]}
    p = post("/v1/predict", with_set(moved(found, body, d)))
    report(p["decision"] == "approve" and p["probability"] == d["new"]["probability"],
           "applicant %d: the change %s gives an approval (p %.4f)" % (i, found, p["probability"]), json.dumps(p)[:200])
    smaller = [t for t in d["tried"] if t["cost"] < d["cost"]]
    bad = []
    others = [t for t in d["tried"] if t["cost"] >= d["cost"]][:50]
    for t in smaller + others:
        q = post("/v1/predict", with_set(moved(t["set"], body, d)))
        if q["decision"] != t["decision"] or q["probability"] != t["probability"]:
            bad.append(("differs", t, q["probability"]))
        if t["cost"] < d["cost"] and q["decision"] == "approve":
            bad.append(("smaller approves", t))
    report(not bad, "applicant %d: %d candidates evaluated, the %d smaller than the change (and %d others) scored as /v1/predict "
           "scores them, none of the smaller approved" % (i, len(d["tried"]), len(smaller), len(others)), str(bad[:3]))
report(checked > 0, "%d refused applicants with a change found were checked" % checked)
sys.exit(1 if failed else 0)
