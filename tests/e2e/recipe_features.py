"""recipe_features.py: the features of recipes/credit-risk.json computed with pandas, for the
end-to-end tests (tests/e2e/csv_to_csf.c turns the CSV into a feature file): the id is the row
number (1 = the first data row, the recipe's "@row" key), loan_status the target, numeric
columns as they are, the Y/N flag as 1/0, the categorical columns one-hot encoded with the
category set of the file in Python string order (the recipe's "onehot": <COL>_<category>).
usage: recipe_features.py IN.csv OUT.csv [FIRST_ROW LAST_ROW]  (rows 1-based, inclusive)"""
import sys

import pandas as pd

src, out = sys.argv[1], sys.argv[2]
d = pd.read_csv(src, float_precision="round_trip")   # exact, as creditscore reads numbers
d.insert(0, "id", range(1, len(d) + 1))
cats = {c: sorted(d[c].dropna().unique()) for c in ("person_home_ownership", "loan_intent")}
if len(sys.argv) > 4:
    d = d[(d["id"] >= int(sys.argv[3])) & (d["id"] <= int(sys.argv[4]))]
f = pd.DataFrame({"id": d["id"], "TARGET": d["loan_status"]})
for c in d.columns:
    if c in ("id", "loan_status"):
        continue
    if c in cats:
        for v in cats[c]:
            f[f"{c}_{v}"] = (d[c] == v).astype(float)
    elif c == "cb_person_default_on_file":
        f[c] = d[c].map({"Y": 1.0, "N": 0.0})
    else:
        f[c] = d[c].astype(float)
f.to_csv(out, index=False, float_format="%.17g")
