#!/usr/bin/python3
"""McNemar's exact test p-values from scipy.stats.binomtest, the oracle of
tests/registry_compare_test.cpp. Run with Debian's python: /usr/bin/python3 make_mcnemar.py"""
import json
import os

from scipy.stats import binomtest

# (only_a_right, only_b_right): the discordant pairs of two models on the same examples.
CASES = [(0, 1), (1, 0), (5, 0), (3, 10), (10, 3), (7, 7), (25, 40), (100, 130), (0, 20),
         (500, 560), (2000, 2150), (12, 13)]

out = []
for b, c in CASES:
    n = b + c
    p = binomtest(min(b, c), n, 0.5, alternative="two-sided").pvalue
    out.append({"only_a_right": b, "only_b_right": c, "p_value": p})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mcnemar_binomtest.json")
with open(path, "w") as f:
    json.dump({"source": "scipy.stats.binomtest(min(b, c), b + c, 0.5, 'two-sided')",
               "cases": out}, f, indent=1)
    f.write("\n")
