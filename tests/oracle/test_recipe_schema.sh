#!/usr/bin/env bash
# test_recipe_schema.sh: recipes/recipe.schema.json against Debian's python3-jsonschema: the
# schema is a valid draft 2020-12 schema, every recipe in recipes/ and every valid seed of
# the recipe fuzz corpus conforms to it, and recipes with the faults a schema can see
# (unknown key, unknown role or operation, a bad version, a derived column with one
# operand) are refused by it as by our parser.
. "$(dirname "$0")/../e2e/lib.sh"
cd "$ROOT" || exit 1
/usr/bin/python3 - <<'PY' >"$T/out.txt" 2>&1
import json, sys, glob, jsonschema
schema = json.load(open("recipes/recipe.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
print("ok - the schema is a valid JSON Schema (draft 2020-12)")
v = jsonschema.Draft202012Validator(schema)
files = sorted(f for f in glob.glob("recipes/*.json") if not f.endswith(".schema.json"))
files += ["tests/fuzz/corpus/recipe/loans.json", "tests/fuzz/corpus/recipe/nested.json"]
for f in files:
    errs = list(v.iter_errors(json.load(open(f))))
    print(("ok - " if not errs else "not ok - ") + f + " conforms to the schema" + ("" if not errs else ": " + errs[0].message[:200]))
base = json.load(open("tests/fuzz/corpus/recipe/loans.json"))
def bad(name, edit):
    import copy
    r = copy.deepcopy(base)
    edit(r)
    errs = list(v.iter_errors(r))
    print(("ok - " if errs else "not ok - ") + "the schema refuses " + name)
bad("an unknown key", lambda r: r["tables"][0]["columns"][2].update({"protectd": True}))
bad("an unknown role", lambda r: r["tables"][0]["columns"][2].update({"role": "money"}))
bad("an unknown operation", lambda r: r["tables"][1]["aggs"][0]["ops"].append("median"))
bad("an operation given twice", lambda r: r["tables"][1]["aggs"][0]["ops"].append("min"))
bad("a newer format version", lambda r: r.update({"recipe": 2}))
bad("a derived column with one operand", lambda r: r["tables"][0]["derived"][0].update({"args": ["amount"]}))
bad("a child without a link", lambda r: r["tables"][1].pop("link"))
bad("a table with no file", lambda r: r["tables"][1].pop("file"))
PY
rc=$?
cat "$T/out.txt"
[ $rc -eq 0 ] || fail "the schema check ran" "exit $rc"
