#!/usr/bin/python3
"""Writes N rows of id,label,pred,slice,weight (10 classes, 4 slices) to a CSV file."""
import sys

import numpy as np

path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1)
classes = np.array(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                    "ship", "truck"])
slices = np.array(["US", "China", "India", "Other"])
chunk = 1_000_000
with open(path, "w") as f:
    f.write("id,label,pred,slice,weight\n")
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        label = rng.integers(0, 10, m)
        sl = rng.integers(0, 4, m)
        wrong = rng.random(m) < 0.08 + 0.03 * sl
        pred = np.where(wrong, rng.integers(0, 10, m), label)
        weight = np.where(label == 3, 10, 1)
        ids = np.arange(start, start + m)
        lines = [f"{i},{classes[a]},{classes[b]},{slices[s]},{x}"
                 for i, a, b, s, x in zip(ids.tolist(), label.tolist(), pred.tolist(),
                                          sl.tolist(), weight.tolist())]
        f.write("\n".join(lines))
        f.write("\n")
