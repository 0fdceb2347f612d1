#!/usr/bin/python3
"""cf_oracle.py: checks POST /v1/counterfactual against POST /v1/predict, which scores through
another path (raw records through the one-applicant feature engine, or named features whose
derived columns this script recomputes from the recipe itself).

  cf_oracle.py URL records RECIPE CSV ID...    credit-risk: the applicant as raw records (row ID of CSV)
  cf_oracle.py URL features RECIPE - ID...     a clients store: the applicant's stored features

For every refused applicant whose search finds a change: the change applied gives an approval,
and every candidate the search evaluated with a smaller cost is refused by /v1/predict (brute
force over the candidates, so no smaller one among those searched approves), and each evaluated
candidate's decision is /v1/predict's. Prints TAP-like lines; exits 1 on any failure.
"""
import csv, json, math, sys, urllib.request

url, mode, recipe_path, csv_path = sys.argv[1:5]
ids = [int(a) for a in sys.argv[5:]]
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


def now_of(body, name):
    if "records" in body: return body["records"][root["name"]][name]
    return get("/v1/clients/%d" % body["client_id"])["features"][name]


def moved(set_, body, d):
    """the values a candidate sets: its inputs and the columns scaled with them"""
    out = {}
    for name, to in set_.items():
        now = {x["name"]: x["now"] for x in d["inputs"]}[name]
        out[name] = to
        for s in ([actions[name]["scales"]] if isinstance(actions[name].get("scales"), str) else actions[name].get("scales", [])):
            out[s] = now_of(body, s) * (to / now)
    return out


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
