#!/usr/bin/python3
"""Makes the confident-learning fixtures: random noisy-label problems, and what cleanlab's
find_label_issues(labels, pred_probs) (its defaults, filter_by='prune_by_noise_rate') flags on
them, with one label per example and with sets of labels (multi_label=True). Only the inputs and cleanlab's answers are stored, never cleanlab itself.

    CLEANLAB_SRC=/path/to/cleanlab/checkout /usr/bin/python3 tests/data/labels/make_fixtures.py

CLEANLAB_SRC (or the first argument) is a folder holding the `cleanlab` package.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cleanlab():
    src = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CLEANLAB_SRC")
    if not src:
        sys.exit("make_fixtures.py: set CLEANLAB_SRC (or pass it as the first argument) to a "
                 "folder holding the cleanlab package")
    sys.path.insert(0, src)
    from cleanlab.count import compute_confident_joint
    from cleanlab.filter import find_label_issues
    return find_label_issues, compute_confident_joint


def noisy_problem(rng, n, k, noise, sharpness, absent=()):
    """A model's probabilities for n examples of k classes, and labels with `noise` flipped."""
    true = rng.integers(0, k, n)
    for a in absent:
        true[true == a] = (a + 1) % k
    logits = rng.normal(0.0, 1.0, (n, k))
    logits[np.arange(n), true] += sharpness
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < noise
    labels[flip] = rng.integers(0, k, flip.sum())
    for a in absent:
        labels[labels == a] = (a + 1) % k
    return labels, probs


def expected(find_label_issues, compute_confident_joint, labels, probs):
    mask = find_label_issues(labels, probs)
    ranked = find_label_issues(labels, probs, return_indices_ranked_by="self_confidence")
    assert set(ranked.tolist()) == set(np.flatnonzero(mask).tolist())
    joint = compute_confident_joint(labels, probs)
    return {"issues": ranked.tolist(), "confident_joint": joint.tolist()}


def multilabel_problem(rng, n, k, noise, sharpness):
    """One-vs-rest (sigmoid) probabilities for n examples and k classes, and label sets with
    each class membership flipped with probability `noise`."""
    true = rng.random((n, k)) < rng.uniform(0.15, 0.5, k)
    logits = rng.normal(0.0, 1.0, (n, k)) + np.where(true, sharpness, -sharpness)
    probs = 1.0 / (1.0 + np.exp(-logits))
    given = true.copy()
    flip = rng.random((n, k)) < noise
    given[flip] = ~given[flip]
    return [np.flatnonzero(row).tolist() for row in given], probs


def expected_multilabel(find_label_issues, compute_confident_joint, labels, probs):
    mask = find_label_issues(labels, probs, multi_label=True)
    ranked = find_label_issues(labels, probs, multi_label=True,
                               return_indices_ranked_by="self_confidence")
    assert set(ranked.tolist()) == set(np.flatnonzero(mask).tolist())
    joint = compute_confident_joint(labels, probs, multi_label=True)
    return {"issues": ranked.tolist(), "confident_joint": joint.tolist()}


def write_csv(path, labels, probs, names, ids=None):
    with open(path, "w") as f:
        head = (["id"] if ids is not None else []) + ["label"] + ["p_" + c for c in names]
        f.write(",".join(head) + "\n")
        for i in range(len(labels)):
            given = (names[labels[i]] if not isinstance(labels[i], list)
                     else "|".join(names[c] for c in labels[i]))
            cells = ([ids[i]] if ids is not None else []) + [given]
            cells += [repr(float(v)) for v in probs[i]]
            f.write(",".join(cells) + "\n")


def main():
    find_label_issues, compute_confident_joint = load_cleanlab()
    rng = np.random.default_rng(20211)

    # Many small problems, inline, for the unit test: small n makes the calibration round
    # halves and leaves classes with one example, where the procedure has its corner cases.
    cases = []
    for c in range(60):
        k = int(rng.integers(2, 9))
        n = int(rng.integers(8, 160))
        absent = (int(rng.integers(0, k)),) if k > 2 and c % 7 == 3 else ()
        labels, probs = noisy_problem(rng, n, k, float(rng.uniform(0.0, 0.4)),
                                      float(rng.uniform(0.5, 4.0)), absent)
        case = {"classes": k, "labels": labels.tolist(), "probs": probs.tolist()}
        case.update(expected(find_label_issues, compute_confident_joint, labels, probs))
        cases.append(case)
    with open(os.path.join(HERE, "cleanlab_cases.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))

    # A named-class CSV for the CLI: cat / dog / bird with ids.
    names = ["cat", "dog", "bird"]
    labels, probs = noisy_problem(rng, 400, 3, 0.12, 2.5)
    ids = ["ex%04d" % i for i in range(len(labels))]
    write_csv(os.path.join(HERE, "pets.csv"), labels, probs, names, ids)
    with open(os.path.join(HERE, "pets_expected.json"), "w") as f:
        json.dump(expected(find_label_issues, compute_confident_joint, labels, probs), f)

    # Integer labels 0..9 with probabilities in a .npy file (float64), one class never given.
    labels, probs = noisy_problem(rng, 3000, 10, 0.2, 2.0, absent=(7,))
    np.save(os.path.join(HERE, "digits_probs.npy"), probs)
    with open(os.path.join(HERE, "digits_labels.csv"), "w") as f:
        f.write("label\n")
        f.writelines("%d\n" % v for v in labels)
    with open(os.path.join(HERE, "digits_expected.json"), "w") as f:
        json.dump(expected(find_label_issues, compute_confident_joint, labels, probs), f)

    # Multi-label: random problems for the unit test, and a CSV of label sets for the CLI.
    # A generator of their own, so the fixtures above do not change.
    rng = np.random.default_rng(50)
    cases = []
    for c in range(40):
        k = int(rng.integers(2, 9))
        n = int(rng.integers(20, 240))
        labels, probs = multilabel_problem(rng, n, k, float(rng.uniform(0.0, 0.3)),
                                           float(rng.uniform(0.5, 3.0)))
        case = {"classes": k, "labels": labels, "probs": probs.tolist()}
        case.update(expected_multilabel(find_label_issues, compute_confident_joint, labels, probs))
        cases.append(case)
    with open(os.path.join(HERE, "cleanlab_multilabel_cases.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))
    names = ["indoor", "person", "dog", "car"]
    labels, probs = multilabel_problem(rng, 300, 4, 0.08, 2.0)
    ids = ["img%03d" % i for i in range(len(labels))]
    write_csv(os.path.join(HERE, "tags.csv"), labels, probs, names, ids)
    with open(os.path.join(HERE, "tags_expected.json"), "w") as f:
        json.dump(expected_multilabel(find_label_issues, compute_confident_joint, labels, probs), f)


if __name__ == "__main__":
    main()
