# serve_raw.py DATA_DIR CLIENT_ID: print one client's records of the seven tables as the JSON body
# of POST /v1/predict (raw input), values as the CSV text (empty = null). Used by test_serve.sh.
import csv, json, os, sys

data, cid = sys.argv[1], sys.argv[2]
tables = {"bureau": "bureau.csv", "previous_application": "previous_application.csv",
          "POS_CASH_balance": "POS_CASH_balance.csv", "installments_payments": "installments_payments.csv",
          "credit_card_balance": "credit_card_balance.csv"}

def rows(name, key, keep):
    path = os.path.join(data, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f) if keep(r[key])]

body = {}
for name in ("application_test.csv", "application_train.csv"):
    app = rows(name, "SK_ID_CURR", lambda v: v == cid)
    if app:
        app[0].pop("TARGET", None)
        body["application"] = app[0]
        break
for key, name in tables.items():
    body[key] = rows(name, "SK_ID_CURR", lambda v: v == cid)
bureau_ids = {r["SK_ID_BUREAU"] for r in body["bureau"]}
body["bureau_balance"] = rows("bureau_balance.csv", "SK_ID_BUREAU", lambda v: v in bureau_ids)
print(json.dumps(body))
