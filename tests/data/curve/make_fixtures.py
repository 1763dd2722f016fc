#!/usr/bin/python3
"""Writes power_law_fits.json: learning curves err = a + b * n^(-c) + noise, and what scipy makes
of them: curve_fit's parameters and covariance with the floor bounded, a >= 0 (an error rate;
unweighted least squares, absolute_sigma=False, bounds=([0, -inf, 0.01], [inf, inf, 5]), the
exponent's search range). When the floor ends on its bound it is no longer estimated: the
covariance is then curve_fit's of the two-parameter b * n^(-c) (a's row and column 0), with
len(n) - 2 degrees of freedom, and the fitted (b, c) must agree with the bounded fit's.
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
    """The band, within [0, 1] as an error rate is."""
    g = grad(n, *popt)
    var = g @ pcov @ g + (s2 if prediction else 0.0)
    centre = model(n, *popt)
    half = t * math.sqrt(var)
    return max(0.0, centre - half), min(1.0, centre + half)


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
# Measured: the dev error of examples/fashion/mlp.toml on Fashion-MNIST (docs/curve.md), where
# an unbounded fit puts the floor below zero.
measured = [
    ("fashion_mlp_measured", [1000, 2000, 5000, 10000, 20000, 55000],
     [0.2154, 0.1937, 0.1821, 0.1542, 0.1468, 0.1272], 0.10),
    ("fashion_mlp_up_to_10000", [1000, 2000, 5000, 10000], [0.2154, 0.1937, 0.1821, 0.1542], 0.10),
]
BOUNDS = ([0.0, -np.inf, 0.01], [np.inf, np.inf, 5.0])
TOL = dict(ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=100000)
data = []
for name, sizes, a, b, c, sd, target in specs:
    n = np.array(sizes, dtype=float)
    data.append((name, sizes, model(n, a, b, c) + rng.normal(0.0, sd, len(n)), [a, b, c], target))
for name, sizes, errors, target in measured:
    data.append((name, sizes, np.array(errors), [0.05, 1.0, 0.3], target))
for name, sizes, y, p0, target in data:
    n = np.array(sizes, dtype=float)
    popt, pcov = optimize.curve_fit(model, n, y, p0=p0, bounds=BOUNDS, method="trf", **TOL)
    floor_at_zero = bool(popt[0] < 1e-8)
    dof = len(n) - 3
    if floor_at_zero:
        two = lambda n, b, c: b * np.power(n, -c)
        popt2, pcov2 = optimize.curve_fit(two, n, y, p0=popt[1:], maxfev=100000)
        assert np.allclose(popt2, popt[1:], rtol=1e-4), (name, popt, popt2)
        popt = np.array([0.0, popt2[0], popt2[1]])
        pcov = np.zeros((3, 3))
        pcov[1:, 1:] = pcov2
        dof = len(n) - 2
    rss = float(np.sum((y - model(n, *popt)) ** 2))
    s2 = rss / dof
    t = float(stats.t.ppf(0.5 + LEVEL / 2, dof))
    probe = [float(n[-1]), 4.0 * float(n[-1])]
    cases.append({
        "name": name,
        "sizes": sizes,
        "errors": [float(v) for v in y],
        "floor_at_zero": floor_at_zero,
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
