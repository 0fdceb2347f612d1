"""fastapi_server.py: the Python peer of bench_api.sh, a FastAPI + uvicorn server doing what
the original project's API did for POST /v1/predict {"client_id": N}: look the client's features
up in memory (loaded from our clients store), predict with the model, calibrate, decide, score.

The model: our model file's trees exported as JSON by bench/api_export.c, predicted by a
faithful re-implementation of tree.h's traversal (x <= threshold goes left, NaN follows
default_left, raw = base_score + sum of leaves, sigmoid, then the model's calibration:
isotonic = numpy.interp on the fitted points (clipped), Platt = 1/(1+exp(a*logit(p)+b))).
It is not xgboost: the demo model is our own gradient boosting, which xgboost cannot load.

    python3 fastapi_server.py MODEL.json CLIENTS.db PORT
"""
import json
import math
import sqlite3
import struct
import sys

import numpy as np
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

model = json.load(open(sys.argv[1]))
con = sqlite3.connect(sys.argv[2])
store_names = [r[0] for r in con.execute("SELECT name FROM features ORDER BY idx")]
col = {n: i for i, n in enumerate(store_names)}
order = np.array([col[n] for n in model["features"]])
clients = {}
for cid, blob in con.execute("SELECT id, x FROM clients"):
    clients[cid] = np.frombuffer(blob, dtype="<f8")[order].tolist()
trees = [(t["feature"], t["left"], t["right"], t["default_left"], t["threshold"], t["value"]) for t in model["trees"]]
cal = model["calibration"]
FACTOR = 50 / math.log(2)
OFFSET = 600 - FACTOR * math.log(19)


def raw_score(x):
    s = model["base_score"]
    for feat, left, right, dleft, thr, val in trees:
        i = 0
        while feat[i] >= 0:
            v = x[feat[i]]
            if v != v:
                i = left[i] if dleft[i] else right[i]
            else:
                i = left[i] if v <= thr[i] else right[i]
        s += val[i]
    return s / len(trees) if model["average"] else s


def calibrate(p):
    if cal["kind"] == "isotonic":
        return float(np.interp(p, cal["x"], cal["y"]))
    if cal["kind"] == "platt":
        q = min(max(p, 1e-15), 1 - 1e-15)
        return 1 / (1 + math.exp(cal["a"] * math.log(q / (1 - q)) + cal["b"]))
    return p


class Req(BaseModel):
    client_id: int


app = FastAPI()


@app.post("/v1/predict")
def predict(req: Req):
    x = clients.get(req.client_id)
    if x is None:
        raise HTTPException(status_code=404, detail="unknown client")
    r = raw_score(x)
    p = calibrate(min(max(r, 0.0), 1.0) if model["average"] else 1 / (1 + math.exp(-r)))
    t = model["threshold"]
    q = min(max(p, 1e-15), 1 - 1e-15)
    return {"client_id": req.client_id, "probability": p, "decision": "refuse" if p >= t else "approve",
            "threshold": t, "distance": p - t, "score": OFFSET + FACTOR * math.log((1 - q) / q),
            "model": {"name": model["name"], "version": model["version"]}}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
