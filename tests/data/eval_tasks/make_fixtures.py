#!/usr/bin/python3
"""Makes the multi-task predictions fixture and what scikit-learn computes for it.

Run with Debian's python3 (python3-sklearn, python3-pandas): /usr/bin/python3 make_fixtures.py
Writes tasks.csv (the `mlstrat train` multi-task format: id, one label column per task with 1, 0
or ? when missing, pred_<task>, p_<task>) and expected.json, which tests/metrics_test.cpp
compares with.
"""
import json
import os

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261126)

n = 1500
# Four tasks of the notes' driving example; 'stop_sign' is rare and 'traffic_light' is never
# predicted positive (precision 0/0).
tasks = {"pedestrian": 0.3, "car": 0.6, "stop_sign": 0.04, "traffic_light": 0.15}
flip = {"pedestrian": 0.1, "car": 0.07, "stop_sign": 0.02, "traffic_light": 0.0}
missing = {"pedestrian": 0.0, "car": 0.2, "stop_sign": 0.35, "traffic_light": 0.1}
frame = {"id": [f"img{i}" for i in range(n)]}
labels, preds = {}, {}
for t, p in tasks.items():
    y = (rng.random(n) < p).astype(int)
    yhat = np.where(rng.random(n) < flip[t], 1 - y, y)
    if t == "traffic_light":
        yhat = np.zeros(n, dtype=int)
    labels[t] = y
    preds[t] = yhat
    frame[t] = np.where(rng.random(n) < missing[t], "?", y.astype(str))
for t in tasks:
    frame["pred_" + t] = preds[t]
for t in tasks:
    frame["p_" + t] = np.round(np.clip(preds[t] * 0.8 + rng.random(n) * 0.2, 0, 1), 4)
df = pd.DataFrame(frame)
df.to_csv(os.path.join(HERE, "tasks.csv"), index=False)

df = pd.read_csv(os.path.join(HERE, "tasks.csv"), dtype=str)


def wilson(errors, n, level=0.95):
    """The Wilson score interval, from its formula."""
    z = norm.ppf(0.5 + level / 2)
    p = errors / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [centre - half, centre + half]


out = {"rows": len(df), "tasks": []}
all_y, all_p = [], []
for t in tasks:
    known = df[t] != "?"
    y = df.loc[known, t].astype(int).to_numpy()
    p = df.loc[known, "pred_" + t].astype(int).to_numpy()
    all_y.append(y)
    all_p.append(p)
    P, R, F, _ = precision_recall_fscore_support(y, p, average="binary", zero_division=0)
    out["tasks"].append({"task": t, "labelled": int(known.sum()), "missing": int((~known).sum()),
                         "support": int(y.sum()), "accuracy": accuracy_score(y, p),
                         "precision": P, "recall": R, "f1": F,
                         "error_ci": wilson(int((y != p).sum()), len(y))})
out["mean"] = {k: float(np.mean([m[k] for m in out["tasks"]]))
               for k in ("accuracy", "precision", "recall", "f1")}
y, p = np.concatenate(all_y), np.concatenate(all_p)
P, R, F, _ = precision_recall_fscore_support(y, p, average="binary", zero_division=0)
out["micro"] = {"accuracy": accuracy_score(y, p), "precision": P, "recall": R, "f1": F}
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(out, f, indent=1)
