#!/usr/bin/python3
"""The peer a user would otherwise run: pandas read_csv + scikit-learn metrics.

Prints the same numbers mlstrat eval reports, as JSON, so the bench can check they agree.
"""
import json
import sys

import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

path = sys.argv[1]
df = pd.read_csv(path, dtype={"label": str, "pred": str, "slice": str})
y, p, w = df["label"], df["pred"], df["weight"]
labels = sorted(set(y) | set(p))
prec, rec, f1, sup = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
macro = precision_recall_fscore_support(y, p, labels=labels, average="macro", zero_division=0)
cm = confusion_matrix(y, p, labels=labels)
acc = accuracy_score(y, p)
weighted_error = 1.0 - accuracy_score(y, p, sample_weight=w)
slice_error = (y != p).groupby(df["slice"]).mean()
print(json.dumps({
    "rows": len(df), "accuracy": acc, "weighted_error": weighted_error,
    "macro_f1": macro[2], "f1": dict(zip(labels, f1.tolist())),
    "confusion_trace": int(cm.trace()),
    "slice_average_error": float(slice_error.mean()),
}))
