"""mlstrat.find_label_issues against the stored cleanlab fixtures (tests/data/labels, made by
make_fixtures.py with cleanlab's find_label_issues), and label_issues_report against
`mlstrat labels --json` on the same arrays."""
import json

import numpy as np
import pytest

import mlstrat
from conftest import data_path, run_cli


def cases():
    with open(data_path("labels", "cleanlab_cases.json")) as f:
        return json.load(f)


def test_every_cleanlab_case_mask_and_ranking():
    for case in cases():
        labels = np.array(case["labels"])
        probs = np.array(case["probs"])
        mask = mlstrat.find_label_issues(labels, probs)
        assert mask.dtype == bool and mask.shape == labels.shape
        assert np.flatnonzero(mask).tolist() == sorted(case["issues"])
        ranked = mlstrat.find_label_issues(labels, probs, return_indices_ranked_by="self_confidence")
        assert ranked.tolist() == case["issues"]
        report = mlstrat.label_issues_report(labels, probs)
        assert report["confident_joint"] == case["confident_joint"]


def test_every_filter_by_mode_equals_cleanlab():
    # the masks cleanlab's find_label_issues(labels, pred_probs, filter_by=MODE) returned
    # (make_filter_fixtures.py)
    with open(data_path("labels", "cleanlab_filter_cases.json")) as f:
        masks = json.load(f)
    assert len(masks[0]) == 7
    for case, expected in zip(cases(), masks):
        labels = np.array(case["labels"])
        probs = np.array(case["probs"])
        for mode, flagged in expected.items():
            mask = mlstrat.find_label_issues(labels, probs, filter_by=mode)
            assert np.flatnonzero(mask).tolist() == flagged, mode
            ranked = mlstrat.find_label_issues(labels, probs, filter_by=mode,
                                               return_indices_ranked_by="self_confidence")
            assert sorted(ranked.tolist()) == flagged, mode
            assert np.all(np.diff(probs[ranked, labels[ranked]]) >= 0), mode


def digits():
    labels = np.loadtxt(data_path("labels", "digits_labels.csv"), skiprows=1, dtype=np.int64)
    probs = np.load(data_path("labels", "digits_probs.npy"))
    with open(data_path("labels", "digits_expected.json")) as f:
        expected = json.load(f)
    return labels, probs, expected


def test_digits_fixture_in_every_layout():
    labels, probs, expected = digits()
    ranked = expected["issues"]
    assert mlstrat.find_label_issues(labels, probs, return_indices_ranked_by="self_confidence").tolist() == ranked
    # Fortran order, a strided view, and narrower label dtypes give the same flags
    assert mlstrat.find_label_issues(labels.astype(np.int8), np.asfortranarray(probs),
                                     return_indices_ranked_by="self_confidence").tolist() == ranked
    wide = np.zeros((probs.shape[0], probs.shape[1] * 2))
    wide[:, ::2] = probs
    assert mlstrat.find_label_issues(labels.astype(np.uint16), wide[:, ::2],
                                     return_indices_ranked_by="self_confidence").tolist() == ranked


def test_report_equals_cli():
    labels, probs, _ = digits()
    expected = run_cli("labels", data_path("labels", "digits_labels.csv"), "--probs",
                       data_path("labels", "digits_probs.npy"), "--json")
    assert mlstrat.label_issues_report(labels, probs) == expected


def test_report_with_a_filter_equals_cli():
    labels, probs, _ = digits()
    for mode in ("both", "low_normalized_margin"):
        expected = run_cli("labels", data_path("labels", "digits_labels.csv"), "--probs",
                           data_path("labels", "digits_probs.npy"), "--filter-by", mode, "--json")
        assert mlstrat.label_issues_report(labels, probs, filter_by=mode) == expected


def test_float32_probabilities_equal_cli_on_the_same_values(tmp_path):
    labels, probs, _ = digits()
    p32 = probs.astype(np.float32)
    np.save(tmp_path / "p32.npy", p32)
    expected = run_cli("labels", data_path("labels", "digits_labels.csv"), "--probs",
                       tmp_path / "p32.npy", "--json", "--sum-tolerance", "1e-3")
    assert mlstrat.label_issues_report(labels, p32) == expected


def test_class_names():
    labels, probs, _ = digits()
    names = [f"digit{c}" for c in range(10)]
    report = mlstrat.label_issues_report(labels, probs, class_names=names)
    assert report["classes"] == names


def test_bad_rows_raise_the_cli_message(tmp_path):
    labels, probs, _ = digits()
    bad = probs.copy()
    bad[5] *= 2.0
    np.save(tmp_path / "bad.npy", bad)
    cli = run_cli("labels", data_path("labels", "digits_labels.csv"), "--probs",
                  tmp_path / "bad.npy", ok=False)
    with pytest.raises(mlstrat.InputError) as e:
        mlstrat.find_label_issues(labels, bad)
    # the CLI names "FILE.npy: row 5", Python "pred_probs[5]"; the rest is the same
    assert str(e.value).split(": ", 1)[1] == cli.split(": ", 2)[2]
    assert str(e.value).startswith("pred_probs[5]: ")


def test_bad_arguments():
    labels, probs, _ = digits()
    with pytest.raises(mlstrat.InputError, match=r"labels\[0\] is 10; labels must be class indices 0 to 9"):
        mlstrat.find_label_issues(np.full(len(labels), 10), probs)
    with pytest.raises(mlstrat.InputError, match="aligned row by row"):
        mlstrat.find_label_issues(labels[:-1], probs)
    with pytest.raises(mlstrat.InputError, match="two-dimensional"):
        mlstrat.find_label_issues(labels, probs[:, 0])
    with pytest.raises(mlstrat.InputError,
                       match="filter_by 'prune_by_margin' is not one of prune_by_noise_rate, "):
        mlstrat.find_label_issues(labels, probs, filter_by="prune_by_margin")
    with pytest.raises(mlstrat.InputError,
                       match="return_indices_ranked_by 'margin' is not one of self_confidence, "
                             "normalized_margin, confidence_weighted_entropy"):
        mlstrat.find_label_issues(labels, probs, return_indices_ranked_by="margin")
    with pytest.raises(mlstrat.InputError, match="frac_noise is 2; it must be a share from 0 to 1"):
        mlstrat.find_label_issues(labels, probs, frac_noise=2.0)
    with pytest.raises(mlstrat.InputError, match="num_to_remove_per_class has 3 counts but there "
                                                 "are 10 classes"):
        mlstrat.find_label_issues(labels, probs, num_to_remove_per_class=[1, 2, 3])
    with pytest.raises(mlstrat.InputError, match="supported with filter_by prune_by_noise_rate, "
                                                 "prune_by_class or both only"):
        mlstrat.find_label_issues(labels, probs, filter_by="confident_learning",
                                  num_to_remove_per_class=[1] * 10)
    with pytest.raises(mlstrat.InputError, match=r"confident_joint has 9 counts; it must be "
                                                 r"10 x 10 for 10 classes"):
        mlstrat.find_label_issues(labels, probs, confident_joint=np.eye(3, dtype=np.int64))
    with pytest.raises(mlstrat.InputError, match="confident_joint must be a K x K matrix"):
        mlstrat.find_label_issues(labels, probs, confident_joint=np.ones((10, 9)))
    with pytest.raises(mlstrat.InputError, match="confident_joint must be a K x K matrix"):
        mlstrat.find_label_issues(labels, probs, confident_joint="many")
    with pytest.raises(mlstrat.InputError,
                       match=r"confident_joint\[0\]\[1\] is 0.5; it must hold whole counts"):
        joint = np.eye(10) * 50
        joint[0, 1] = 0.5
        mlstrat.find_label_issues(labels, probs, confident_joint=joint)
    with pytest.raises(mlstrat.InputError,
                       match=r"confident_joint\[2\]\[3\] is -1; a count must not be negative"):
        joint = np.eye(10, dtype=np.int64) * 50
        joint[2, 3] = -1
        mlstrat.find_label_issues(labels, probs, confident_joint=joint)
    with pytest.raises(mlstrat.InputError, match="class indices"):
        mlstrat.find_label_issues(np.array(["a"] * len(labels)), probs)


def test_a_given_confident_joint_equals_cleanlab():
    # cleanlab's masks with confident_joint given (make_joint_fixtures.py): the estimated joint,
    # its off-diagonal doubled and halved, and a random one; the pruning filters prune by it, the
    # others ignore it.
    with open(data_path("labels", "cleanlab_joint_cases.json")) as f:
        runs = json.load(f)
    problems = cases()
    changed = 0
    for run in runs:
        case = problems[run["case"]]
        labels, probs = np.array(case["labels"]), np.array(case["probs"])
        joint = np.array(run["confident_joint"], dtype=np.int64)
        mask = mlstrat.find_label_issues(labels, probs, filter_by=run["filter_by"],
                                         confident_joint=joint, **run["args"])
        assert np.flatnonzero(mask).tolist() == run["issues"], (run["case"], run["joint"],
                                                                run["filter_by"], run["args"])
        estimated = mlstrat.find_label_issues(labels, probs, filter_by=run["filter_by"],
                                              **run["args"])
        changed += not np.array_equal(mask, estimated)
    # The other joints change what is flagged in many runs, so the joint is not ignored.
    assert len(runs) == 1440 and changed > 300, changed


def test_ranked_by_each_score_equals_cleanlab():
    # cleanlab's find_label_issues(..., filter_by=MODE, return_indices_ranked_by=SCORE)
    # (make_rank_fixtures.py)
    with open(data_path("labels", "cleanlab_rank_cases.json")) as f:
        ranked = json.load(f)
    for case, expected in zip(cases(), ranked):
        labels = np.array(case["labels"])
        probs = np.array(case["probs"])
        for score, modes in expected.items():
            for mode, order in modes.items():
                got = mlstrat.find_label_issues(labels, probs, filter_by=mode,
                                                return_indices_ranked_by=score)
                assert got.tolist() == order, (score, mode)


def test_prune_options_equal_cleanlab():
    # frac_noise, min_examples_per_class and num_to_remove_per_class, as cleanlab's masks
    # (make_rank_fixtures.py); runs where cleanlab divided by zero (stored as None) are refused.
    with open(data_path("labels", "cleanlab_prune_option_cases.json")) as f:
        runs = json.load(f)
    problems = cases()
    checked = refused = 0
    for run in runs:
        case = problems[run["case"]]
        if run["issues"] is None:
            with pytest.raises(mlstrat.InputError, match="has no estimated label noise to scale"):
                mlstrat.find_label_issues(np.array(case["labels"]), np.array(case["probs"]),
                                          filter_by=run["filter_by"], **run["args"])
            refused += 1
            continue
        mask = mlstrat.find_label_issues(np.array(case["labels"]), np.array(case["probs"]),
                                         filter_by=run["filter_by"], n_jobs=1, verbose=True,
                                         **run["args"])
        assert np.flatnonzero(mask).tolist() == run["issues"], run["args"]
        checked += 1
    assert checked > 1200 and refused > 100


def test_report_ranked_by_a_score_equals_cli():
    labels, probs, _ = digits()
    for score in ("normalized_margin", "confidence_weighted_entropy"):
        expected = run_cli("labels", data_path("labels", "digits_labels.csv"), "--probs",
                           data_path("labels", "digits_probs.npy"), "--rank-by", score,
                           "--frac-noise", "0.5", "--json")
        report = mlstrat.label_issues_report(labels, probs, return_indices_ranked_by=score,
                                             frac_noise=0.5)
        assert report == expected
        assert report["ranked_by"] == score
        scores = [issue[score] for issue in report["issues"]]
        assert scores == sorted(scores) and len(scores) > 100
        ranked = mlstrat.find_label_issues(labels, probs, return_indices_ranked_by=score,
                                           frac_noise=0.5)
        assert ranked.tolist() == [issue["index"] for issue in report["issues"]]
