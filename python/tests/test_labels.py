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
    with pytest.raises(mlstrat.InputError, match="self_confidence"):
        mlstrat.find_label_issues(labels, probs, return_indices_ranked_by="normalized_margin")
    with pytest.raises(mlstrat.InputError, match="class indices"):
        mlstrat.find_label_issues(np.array(["a"] * len(labels)), probs)
