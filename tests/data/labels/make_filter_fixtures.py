#!/usr/bin/python3
"""Makes the fixtures of find_label_issues' other filters: for each problem of
cleanlab_cases.json, and for pets.csv and digits, the examples cleanlab's
find_label_issues(labels, pred_probs, filter_by=MODE) flags, for every MODE (for the two files
ranked by self-confidence, as `mlstrat labels` lists them). Run it after make_fixtures.py,
which makes the problems; only cleanlab's answers are stored.

    CLEANLAB_SRC=/path/to/cleanlab/checkout /usr/bin/python3 tests/data/labels/make_filter_fixtures.py
"""
import csv
import json
import os

import numpy as np

from make_fixtures import HERE, load_cleanlab

MODES = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
         "predicted_neq_given", "low_self_confidence", "low_normalized_margin"]


def flagged(find_label_issues, labels, probs, ranked=False):
    """Per mode, the indices of the flagged examples: ascending, or ranked least confident in
    the given label first."""
    out = {}
    for mode in MODES:
        if ranked:
            out[mode] = find_label_issues(labels, probs, filter_by=mode, n_jobs=1,
                                          return_indices_ranked_by="self_confidence").tolist()
        else:
            mask = find_label_issues(labels, probs, filter_by=mode, n_jobs=1)
            out[mode] = np.flatnonzero(mask).tolist()
    return out


def main():
    find_label_issues, _ = load_cleanlab()
    with open(os.path.join(HERE, "cleanlab_cases.json")) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        labels = np.array(case["labels"], dtype=np.int64)
        probs = np.array(case["probs"], dtype=np.float64)
        out.append(flagged(find_label_issues, labels, probs))
    with open(os.path.join(HERE, "cleanlab_filter_cases.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))

    # pets.csv (cat / dog / bird), for the CLI's --filter-by.
    with open(os.path.join(HERE, "pets.csv")) as f:
        rows = list(csv.DictReader(f))
    names = ["cat", "dog", "bird"]
    labels = np.array([names.index(r["label"]) for r in rows], dtype=np.int64)
    probs = np.array([[float(r["p_" + c]) for c in names] for r in rows])
    with open(os.path.join(HERE, "pets_filter_expected.json"), "w") as f:
        json.dump(flagged(find_label_issues, labels, probs, ranked=True), f, separators=(",", ":"))

    # digits: integer labels with a .npy of probabilities, one class never given.
    labels = np.loadtxt(os.path.join(HERE, "digits_labels.csv"), skiprows=1, dtype=np.int64)
    probs = np.load(os.path.join(HERE, "digits_probs.npy"))
    with open(os.path.join(HERE, "digits_filter_expected.json"), "w") as f:
        json.dump(flagged(find_label_issues, labels, probs, ranked=True), f, separators=(",", ":"))


if __name__ == "__main__":
    main()
