#!/usr/bin/python3
"""replay.py: replay a generated production stream through the scoring API.

usage: replay.py URL STREAM_CSV [--limit N] [--connections K]

Reads stream.csv (SK_ID_CURR,month,application_time) as `creditscore synth --stream`
writes it and sends one POST /v1/predict {"client_id": ID} per applicant, in file order,
with X-Decision-Time set to its application time (the server must run with
--replay-time), over K keep-alive connections (default 2). Prints the count of
decisions and exits 1 on the first answer that is not 200. Standard library only.
"""
import csv
import http.client
import json
import sys
import threading
import urllib.parse


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 else 2
    url, path = argv[1], argv[2]
    limit, conns = None, 2
    rest = argv[3:]
    while rest:
        if rest[0] == "--limit" and len(rest) > 1:
            limit = int(rest[1])
            rest = rest[2:]
        elif rest[0] == "--connections" and len(rest) > 1:
            conns = max(1, int(rest[1]))
            rest = rest[2:]
        else:
            print(f"replay.py: unknown argument {rest[0]!r}", file=sys.stderr)
            return 2
    with open(path, newline="") as f:
        rows = [(int(r["SK_ID_CURR"]), r["application_time"]) for r in csv.DictReader(f)]
    if limit is not None:
        rows = rows[:limit]
    u = urllib.parse.urlparse(url)
    failures = []
    done = [0] * conns

    def worker(k):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        for i in range(k, len(rows), conns):
            if failures:
                return
            cid, t = rows[i]
            c.request("POST", "/v1/predict", body=json.dumps({"client_id": cid}),
                      headers={"Content-Type": "application/json", "X-Decision-Time": t})
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                failures.append(f"client {cid}: HTTP {r.status}: {body[:200]!r}")
                return
            done[k] += 1
        c.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        print("replay.py: " + failures[0], file=sys.stderr)
        return 1
    print(f"replayed {sum(done)} decisions from {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
