#!/usr/bin/python3
"""Makes the fixtures of find_label_issues' other arguments, on the problems of
cleanlab_cases.json and cleanlab_multilabel_cases.json (made by make_fixtures.py): what cleanlab's
find_label_issues returns

- ranked by return_indices_ranked_by="normalized_margin" and "confidence_weighted_entropy",
  for every filter_by mode (cleanlab_rank_cases.json);
- with frac_noise, min_examples_per_class and num_to_remove_per_class other than their defaults,
  for the filters that use them (cleanlab_prune_option_cases.json);
- with multi_label=True, for every filter_by mode, as a mask and ranked by each score
  (cleanlab_multilabel_filter_cases.json);
- for the CLI's files: pets.csv ranked by each score (pets_rank_expected.json) and tags.csv
  filtered by every mode (tags_filter_expected.json).

Only cleanlab's answers (and the arguments given) are stored.

    CLEANLAB_SRC=/path/to/cleanlab/checkout /usr/bin/python3 tests/data/labels/make_rank_fixtures.py
"""
import csv
import json
import os
import warnings

import numpy as np

from make_fixtures import HERE, load_cleanlab

MODES = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
         "predicted_neq_given", "low_self_confidence", "low_normalized_margin"]
PRUNING = ["prune_by_noise_rate", "prune_by_class", "both"]
SCORES = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


def save(name, value):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(value, f, separators=(",", ":"))


def ranked_cases(find_label_issues, cases):
    out = []
    for case in cases:
        labels = np.array(case["labels"], dtype=np.int64)
        probs = np.array(case["probs"], dtype=np.float64)
        out.append({rank: {mode: find_label_issues(labels, probs, filter_by=mode, n_jobs=1,
                                                   return_indices_ranked_by=rank).tolist()
                           for mode in MODES}
                    for rank in SCORES[1:]})
    return out


def option_cases(find_label_issues, cases):
    """Per problem, a few argument sets (chosen by a seeded generator) and cleanlab's mask."""
    rng = np.random.default_rng(7)
    out = []
    for case in cases:
        labels = np.array(case["labels"], dtype=np.int64)
        probs = np.array(case["probs"], dtype=np.float64)
        k = case["classes"]
        counts = np.bincount(labels, minlength=k)
        runs = []
        for frac in (0.3, 0.5, 0.75):
            runs.append({"frac_noise": frac})
        for least in (0, 3, 12):
            runs.append({"min_examples_per_class": least})
        runs.append({"frac_noise": 0.6, "min_examples_per_class": 4})
        for _ in range(2):
            runs.append({"num_to_remove_per_class":
                         [int(rng.integers(0, max(1, c // 3) + 1)) for c in counts]})
        for args in runs:
            for mode in PRUNING:
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    mask = find_label_issues(labels, probs, filter_by=mode, n_jobs=1, **args)
                # numpy's warning of a division by zero: cleanlab computed with NaN or inf there.
                undefined = any(issubclass(w.category, RuntimeWarning) for w in seen)
                out.append({"case": cases.index(case), "filter_by": mode, "args": args,
                            "issues": None if undefined else np.flatnonzero(mask).tolist()})
    return out


def multilabel_cases(find_label_issues, cases):
    out = []
    for case in cases:
        labels = case["labels"]
        probs = np.array(case["probs"], dtype=np.float64)
        entry = {}
        for mode in MODES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mask = find_label_issues(labels, probs, filter_by=mode, multi_label=True, n_jobs=1)
                entry[mode] = {"mask": np.flatnonzero(mask).tolist()}
                for rank in SCORES:
                    try:
                        entry[mode][rank] = find_label_issues(
                            labels, probs, filter_by=mode, multi_label=True, n_jobs=1,
                            return_indices_ranked_by=rank).tolist()
                    except ValueError:  # cleanlab's low_* ranking fails on some problems
                        entry[mode][rank] = None
        out.append(entry)
    return out


def file_cases(find_label_issues):
    """pets.csv ranked by each score, and tags.csv (multi-label) by every filter: the files the
    CLI reads."""
    with open(os.path.join(HERE, "pets.csv")) as f:
        rows = list(csv.DictReader(f))
    names = ["cat", "dog", "bird"]
    labels = np.array([names.index(r["label"]) for r in rows], dtype=np.int64)
    probs = np.array([[float(r["p_" + c]) for c in names] for r in rows])
    save("pets_rank_expected.json",
         {rank: find_label_issues(labels, probs, n_jobs=1, return_indices_ranked_by=rank).tolist()
          for rank in SCORES})
    with open(os.path.join(HERE, "tags.csv")) as f:
        rows = list(csv.DictReader(f))
    names = ["indoor", "person", "dog", "car"]
    labels = [[names.index(c) for c in r["label"].split("|") if c] for r in rows]
    probs = np.array([[float(r["p_" + c]) for c in names] for r in rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save("tags_filter_expected.json",
             {mode: find_label_issues(labels, probs, filter_by=mode, multi_label=True, n_jobs=1,
                                      return_indices_ranked_by="self_confidence").tolist()
              for mode in MODES})


def main():
    find_label_issues, _ = load_cleanlab()
    cases = load("cleanlab_cases.json")
    save("cleanlab_rank_cases.json", ranked_cases(find_label_issues, cases))
    save("cleanlab_prune_option_cases.json", option_cases(find_label_issues, cases))
    save("cleanlab_multilabel_filter_cases.json",
         multilabel_cases(find_label_issues, load("cleanlab_multilabel_cases.json")))
    file_cases(find_label_issues)


if __name__ == "__main__":
    main()
