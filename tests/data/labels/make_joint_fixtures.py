#!/usr/bin/python3
"""Makes cleanlab_joint_cases.json: what cleanlab's find_label_issues flags when it is given a
confident_joint, on the problems of cleanlab_cases.json (made by make_fixtures.py).

Per problem, four joints: the one cleanlab estimates (compute_confident_joint), its off-diagonal
counts doubled, halved (rounded down) and a random matrix of counts from a seeded generator; for
each, the mask of every filter that reads the joint (prune_by_noise_rate, prune_by_class, both)
and of two that ignore it (confident_learning, low_self_confidence), and once with frac_noise.
Runs where numpy warned (a division by zero inside cleanlab) are stored as None and not compared.
Only cleanlab's answers and the arguments given are stored.

    CLEANLAB_SRC=/path/to/cleanlab/checkout /usr/bin/python3 tests/data/labels/make_joint_fixtures.py
"""
import warnings

import numpy as np

from make_fixtures import load_cleanlab
from make_rank_fixtures import PRUNING, load, save

IGNORING = ["confident_learning", "low_self_confidence"]


def joints(compute_confident_joint, labels, probs, k, rng):
    estimated = compute_confident_joint(labels, probs)
    off = ~np.eye(k, dtype=bool)
    doubled = estimated.copy()
    doubled[off] *= 2
    halved = estimated.copy()
    halved[off] //= 2
    drawn = rng.integers(0, max(2, len(labels) // k), (k, k))
    return {"estimated": estimated, "doubled": doubled, "halved": halved, "drawn": drawn}


def main():
    find_label_issues, compute_confident_joint = load_cleanlab()
    rng = np.random.default_rng(11)
    out = []
    for index, case in enumerate(load("cleanlab_cases.json")):
        labels = np.array(case["labels"], dtype=np.int64)
        probs = np.array(case["probs"], dtype=np.float64)
        k = case["classes"]
        for name, joint in joints(compute_confident_joint, labels, probs, k, rng).items():
            runs = [(mode, {}) for mode in PRUNING + IGNORING] + [(PRUNING[0], {"frac_noise": 0.5})]
            for mode, args in runs:
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    mask = find_label_issues(labels, probs, filter_by=mode, n_jobs=1,
                                             confident_joint=joint, **args)
                undefined = any(issubclass(w.category, RuntimeWarning) for w in seen)
                out.append({"case": index, "joint": name, "confident_joint": joint.tolist(),
                            "filter_by": mode, "args": args,
                            "issues": None if undefined else np.flatnonzero(mask).tolist()})
    save("cleanlab_joint_cases.json", out)


if __name__ == "__main__":
    main()
