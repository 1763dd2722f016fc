#!/usr/bin/python3
"""Student's t quantiles from scipy.stats.t.ppf, the oracle of stats::student_t_quantile
(tests/registry_groups_test.cpp). Run with Debian's python: /usr/bin/python3 make_student_t.py"""
import json
import os

from scipy.stats import t

CASES = [(0.975, 1), (0.975, 2), (0.975, 4), (0.975, 9), (0.995, 3), (0.9, 30), (0.025, 5),
         (0.5, 7), (0.975, 200)]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "student_t.json")
with open(path, "w") as f:
    json.dump({"source": "scipy.stats.t.ppf(p, dof)",
               "cases": [{"p": p, "dof": d, "quantile": float(t.ppf(p, d))} for p, d in CASES]},
              f, indent=1)
    f.write("\n")
