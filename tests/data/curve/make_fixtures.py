#!/usr/bin/python3
"""Writes power_law_fits.json: learning curves err = a + b * n^(-c) + noise, and what scipy makes
of them: curve_fit's parameters and covariance (unweighted least squares, absolute_sigma=False),
Student t quantiles, the confidence band of the fitted curve and the prediction band of one new
measurement at some sizes, and the interval of sizes whose confidence band reaches a target (the
smallest n where the band's lower end, then its upper end, falls to the target).

Run from this folder: /usr/bin/python3 make_fixtures.py
"""
import json
import math

import numpy as np
from scipy import optimize, stats

LEVEL = 0.95


def model(n, a, b, c):
    return a + b * np.power(n, -c)


def grad(n, a, b, c):
    x = n ** -c
    return np.array([1.0, x, -b * x * math.log(n)])


def band(n, popt, pcov, t, s2, prediction):
    g = grad(n, *popt)
    var = g @ pcov @ g + (s2 if prediction else 0.0)
    centre = model(n, *popt)
    half = t * math.sqrt(var)
    return centre - half, centre + half


def first_size(popt, pcov, t, target, side, start):
    """The smallest n >= start where the band's `side` end (0 lower, 1 upper) is <= target."""
    f = lambda log_n: band(math.exp(log_n), popt, pcov, t, 0.0, False)[side] - target
    lo = math.log(start)
    if f(lo) <= 0:
        return start
    hi = lo
    while f(hi) > 0:
        hi += 0.5
        if hi > math.log(1e15):
            return None
    return math.exp(optimize.brentq(f, hi - 0.5, hi, xtol=1e-12))


cases = []
rng = np.random.default_rng(19)
specs = [
    # name, sizes, a, b, c, noise sd, target
    ("fashion_like", [1000, 2000, 5000, 10000, 20000, 55000], 0.09, 1.2, 0.45, 0.002, 0.085),
    ("steep", [500, 1000, 2000, 4000, 8000, 16000, 32000], 0.02, 3.0, 0.6, 0.001, 0.025),
    ("flat_floor_above", [1000, 3000, 10000, 30000], 0.15, 0.8, 0.5, 0.001, 0.12),
    ("four_points", [1000, 2000, 5000, 10000], 0.10, 0.9, 0.4, 0.0005, 0.11),
]
for name, sizes, a, b, c, sd, target in specs:
    n = np.array(sizes, dtype=float)
    y = model(n, a, b, c) + rng.normal(0.0, sd, len(n))
    popt, pcov = optimize.curve_fit(model, n, y, p0=[a, b, c], maxfev=100000)
    dof = len(n) - 3
    rss = float(np.sum((y - model(n, *popt)) ** 2))
    s2 = rss / dof
    t = float(stats.t.ppf(0.5 + LEVEL / 2, dof))
    probe = [float(n[-1]), 4.0 * float(n[-1])]
    cases.append({
        "name": name,
        "sizes": sizes,
        "errors": [float(v) for v in y],
        "a": float(popt[0]), "b": float(popt[1]), "c": float(popt[2]),
        "covariance": [[float(v) for v in row] for row in pcov],
        "rss": rss,
        "dof": dof,
        "t": t,
        "probe_sizes": probe,
        "confidence_band": [list(band(p, popt, pcov, t, s2, False)) for p in probe],
        "prediction_band": [list(band(p, popt, pcov, t, s2, True)) for p in probe],
        "target": target,
        "size_to_reach": float((popt[1] / (target - popt[0])) ** (1 / popt[2]))
        if target > popt[0] else None,
        "size_interval": [first_size(popt, pcov, t, target, 0, float(n[-1])),
                          first_size(popt, pcov, t, target, 1, float(n[-1]))],
    })

quantiles = [{"p": p, "dof": d, "t": float(stats.t.ppf(p, d))}
             for p in (0.975, 0.95, 0.995, 0.9) for d in (1, 2, 3, 4, 7, 30, 200)]
with open("power_law_fits.json", "w") as f:
    json.dump({"level": LEVEL, "cases": cases, "t_quantiles": quantiles}, f, indent=1)
    f.write("\n")
