#!/usr/bin/python3
"""Makes dev_predictions.csv: the notes' cat app (1.1.2), a cat classifier's dev-set predictions
in four regions, with a few pornographic images that must never be shown as cats.

Run with Debian's python3: /usr/bin/python3 make_example.py
"""
import csv
import os

import numpy as np

rng = np.random.default_rng(11)
here = os.path.dirname(os.path.abspath(__file__))
# Error per region of the notes' algorithm C: US 2%, China 3%, India 4%, Other 5%.
regions = [("US", 0.02, 1500), ("China", 0.03, 1200), ("India", 0.04, 900), ("Other", 0.05, 400)]
with open(os.path.join(here, "dev_predictions.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "label", "pred", "region", "p_cat"])
    k = 0
    for region, err, n in regions:
        for _ in range(n):
            label = rng.choice(["cat", "not_cat", "porn"], p=[0.5, 0.48, 0.02])
            wrong = rng.random() < err
            if wrong:
                pred = "cat" if label != "cat" else rng.choice(["not_cat", "porn"], p=[0.9, 0.1])
            else:
                pred = label
            p_cat = rng.uniform(0.5, 1.0) if pred == "cat" else rng.uniform(0.0, 0.5)
            w.writerow([f"img{k:05d}", label, pred, region, f"{p_cat:.4f}"])
            k += 1
