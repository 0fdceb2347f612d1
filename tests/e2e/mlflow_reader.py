"""mlflow_reader.py: read an MLflow file store, written from the layout description alone
(experiment and run meta.yaml, params/, metrics/ with "timestamp value step" lines, tags/),
and print it as JSON: {experiment_id: {"meta": {...}, "runs": {run_id: {...}}}}.
It knows nothing of creditscore: the test compares its output with `runs show --json`.

usage: /usr/bin/python3 mlflow_reader.py DIR
"""
import json
import os
import sys


def read_yaml(path):
    """The flat 'key: value' YAML MLflow writes (scalars, quoted strings, [] and null)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            key, _, value = line.partition(": ")
            if not _:
                key, value = line.rstrip(":"), ""
            value = value.strip()
            if value.startswith("'") and value.endswith("'") and len(value) >= 2:
                value = value[1:-1].replace("''", "'")
            elif value == "null":
                value = None
            elif value == "[]":
                value = []
            else:
                try:
                    value = int(value)
                except ValueError:
                    pass
            out[key] = value
    return out


def read_dir_files(path):
    """One file per key, keys may hold '/' (sub-folders)."""
    out = {}
    if not os.path.isdir(path):
        return out
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            key = os.path.relpath(full, path)
            with open(full, encoding="utf-8") as f:
                out[key] = f.read()
    return out


def read_metrics(path):
    out = {}
    for key, text in read_dir_files(path).items():
        points = []
        for line in text.splitlines():
            fields = line.split(" ")
            if len(fields) not in (2, 3):
                raise ValueError("%s/%s: bad metric line %r" % (path, key, line))
            ts, value = int(fields[0]), float(fields[1])
            step = int(fields[2]) if len(fields) == 3 else 0
            points.append([ts, value, step])
        out[key] = points
    return out


def main():
    root = sys.argv[1]
    store = {}
    for exp in sorted(os.listdir(root)):
        edir = os.path.join(root, exp)
        if exp.startswith(".") or not os.path.isfile(os.path.join(edir, "meta.yaml")):
            continue
        runs = {}
        for run in sorted(os.listdir(edir)):
            rdir = os.path.join(edir, run)
            if run in ("tags", "datasets", "traces") or not os.path.isfile(os.path.join(rdir, "meta.yaml")):
                continue
            runs[run] = {
                "meta": read_yaml(os.path.join(rdir, "meta.yaml")),
                "params": read_dir_files(os.path.join(rdir, "params")),
                "metrics": read_metrics(os.path.join(rdir, "metrics")),
                "tags": read_dir_files(os.path.join(rdir, "tags")),
                "artifacts": sorted(os.listdir(os.path.join(rdir, "artifacts")))
                if os.path.isdir(os.path.join(rdir, "artifacts")) else [],
            }
        store[exp] = {"meta": read_yaml(os.path.join(edir, "meta.yaml")), "runs": runs}
    json.dump(store, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
