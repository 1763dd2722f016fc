#!/usr/bin/python3
"""Makes the eval fixtures and the values scikit-learn computes for them.

Run with Debian's python3 (python3-sklearn, python3-pandas): /usr/bin/python3 make_fixtures.py
Writes *.csv beside this script and expected.json, which tests/metrics_test.cpp compares with.
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, confusion_matrix, fbeta_score,
                             precision_recall_fscore_support)

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261125)


def noisy(labels, classes, p_wrong):
    pred = labels.copy()
    flip = rng.random(len(labels)) < p_wrong
    pred[flip] = rng.choice(classes, flip.sum())
    return pred


def write(name, df):
    df.to_csv(os.path.join(HERE, name), index=False)


cases = {}

# 1. Multiclass strings; 'ferret' is never predicted, 'wolf' is predicted but never true.
n = 3000
classes = np.array(["cat", "dog", "bird", "fish", "ferret"])
label = rng.choice(classes, n, p=[0.35, 0.3, 0.2, 0.14, 0.01])
pred = noisy(label, np.array(["cat", "dog", "bird", "fish", "wolf"]), 0.22)
pred[label == "ferret"] = "cat"
region = rng.choice(["US", "China", "India", "Other"], n)
weight = rng.choice([1.0, 1.0, 2.5, 10.0], n)
write("multiclass.csv", pd.DataFrame({"id": np.arange(n), "label": label, "pred": pred,
                                      "region": region, "weight": weight}))
cases["multiclass"] = {"beta": 2.0, "slice": "region", "weight": "weight"}

# 2. Numeric labels 0..11: scikit-learn orders them numerically (2 before 10).
n = 2000
label = rng.integers(0, 12, n)
pred = noisy(label, np.arange(12), 0.3)
write("numeric.csv", pd.DataFrame({"label": label, "pred": pred}))
cases["numeric"] = {"beta": 0.5}

# 3. Binary with a rare positive class.
n = 5000
label = np.where(rng.random(n) < 0.05, "spam", "ham")
pred = label.copy()
pred[(label == "spam") & (rng.random(n) < 0.3)] = "ham"
pred[(label == "ham") & (rng.random(n) < 0.02)] = "spam"
write("binary.csv", pd.DataFrame({"label": label, "pred": pred}))
cases["binary"] = {"beta": 1.0, "positive": "spam"}

expected = {}
for name, spec in cases.items():
    df = pd.read_csv(os.path.join(HERE, name + ".csv"))
    y, p = df["label"], df["pred"]
    labels = sorted(set(y) | set(p))
    prec, rec, f1, sup = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
    fb = fbeta_score(y, p, beta=spec["beta"], labels=labels, average=None, zero_division=0)
    out = {
        "labels": [str(x) for x in labels],
        "rows": len(df),
        "accuracy": accuracy_score(y, p),
        "precision": prec.tolist(), "recall": rec.tolist(), "f1": f1.tolist(),
        "fbeta": fb.tolist(), "beta": spec["beta"], "support": sup.tolist(),
        "confusion": confusion_matrix(y, p, labels=labels).tolist(),
    }
    for avg in ["macro", "micro", "weighted"]:
        P, R, F, _ = precision_recall_fscore_support(y, p, labels=labels, average=avg,
                                                     zero_division=0)
        FB = fbeta_score(y, p, beta=spec["beta"], labels=labels, average=avg, zero_division=0)
        out[avg] = {"precision": P, "recall": R, "f1": F, "fbeta": FB}
    if "positive" in spec:
        P, R, F, _ = precision_recall_fscore_support(y, p, pos_label=spec["positive"],
                                                     average="binary", zero_division=0)
        out["binary"] = {"positive": spec["positive"], "precision": P, "recall": R, "f1": F}
    if "weight" in spec:
        w = df[spec["weight"]]
        out["weighted_error"] = 1.0 - accuracy_score(y, p, sample_weight=w)
    if "slice" in spec:
        col = spec["slice"]
        err = (y != p).groupby(df[col]).mean()
        out["slices"] = {col: {str(k): float(v) for k, v in err.items()}}
        out["slice_average_error"] = {col: float(err.mean())}
    expected[name] = out

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
