"""mlstrat.find_label_issues(multi_label=True) against the stored cleanlab fixtures
(tests/data/labels/cleanlab_multilabel_cases.json and tags_expected.json, made by
make_fixtures.py with cleanlab's find_label_issues(..., multi_label=True)), and
label_issues_report(multi_label=True) against `mlstrat labels --multi-label --json`."""
import json

import numpy as np
import pandas as pd
import pytest

import mlstrat
from conftest import data_path, run_cli


def cases():
    with open(data_path("labels", "cleanlab_multilabel_cases.json")) as f:
        return json.load(f)


def test_every_cleanlab_multilabel_case():
    for case in cases():
        labels, probs = case["labels"], np.array(case["probs"])
        mask = mlstrat.find_label_issues(labels, probs, multi_label=True)
        assert mask.dtype == bool and mask.shape == (len(labels),)
        assert np.flatnonzero(mask).tolist() == sorted(case["issues"])
        ranked = mlstrat.find_label_issues(labels, probs, multi_label=True,
                                           return_indices_ranked_by="self_confidence")
        assert ranked.tolist() == case["issues"]
        report = mlstrat.label_issues_report(labels, probs, multi_label=True)
        assert report["confident_joint"] == case["confident_joint"]


def tags():
    table = pd.read_csv(data_path("labels", "tags.csv"), keep_default_na=False,
                        float_precision="round_trip")
    names = ["indoor", "person", "dog", "car"]
    labels = [[names.index(t) for t in cell.split("|") if t] for cell in table.label]
    probs = table[["p_" + n for n in names]].to_numpy()
    return labels, probs, names


def test_tags_in_every_layout_and_report_equals_cli():
    labels, probs, names = tags()
    with open(data_path("labels", "tags_expected.json")) as f:
        expected = json.load(f)
    as_arrays = [np.array(l, dtype=np.int8) for l in labels]
    for given, p in [(labels, probs), (as_arrays, np.asfortranarray(probs)),
                     (tuple(map(tuple, labels)), probs.astype(np.float32).astype(np.float64))]:
        ranked = mlstrat.find_label_issues(given, p, multi_label=True,
                                           return_indices_ranked_by="self_confidence")
        assert ranked.tolist() == expected["issues"]
    report = mlstrat.label_issues_report(labels, probs, multi_label=True, class_names=names)
    cli = run_cli("labels", data_path("labels", "tags.csv"), "--multi-label", "--prob-cols", "p_*", "--json")
    cli_without_ids = {k: v for k, v in cli.items() if k != "ids"}
    for issue in cli_without_ids.get("issues", []):
        issue.pop("id", None)
    assert {k: v for k, v in report.items() if k in cli_without_ids} == cli_without_ids


def test_bad_multilabel_input_raises():
    probs = np.array([[0.9, 0.2], [0.1, 0.7]])
    with pytest.raises(mlstrat.InputError, match=r"labels\[1\] holds 2; labels must be class indices 0 to 1"):
        mlstrat.find_label_issues([[0], [2]], probs, multi_label=True)
    with pytest.raises(mlstrat.InputError, match=r"labels\[0\] is 1; with multi_label=True"):
        mlstrat.find_label_issues([1, 0], probs, multi_label=True)
    with pytest.raises(mlstrat.InputError, match="labels has 3 rows but pred_probs has 2"):
        mlstrat.find_label_issues([[0], [1], []], probs, multi_label=True)
    with pytest.raises(mlstrat.InputError,
                       match=r"pred_probs\[1\]: probability 2 of the row is 1.5; one-vs-rest"):
        mlstrat.find_label_issues([[0], [1]], np.array([[0.9, 0.2], [0.1, 1.5]]), multi_label=True)
    with pytest.raises(mlstrat.InputError, match=r"pred_probs\[0\]: probability 1 of the row is NaN"):
        mlstrat.find_label_issues([[0], [1]], np.array([[np.nan, 0.2], [0.1, 0.5]]), multi_label=True)
    with pytest.raises(mlstrat.InputError, match="num_to_remove_per_class has 1 counts but "
                                                 "there are 2 classes"):
        mlstrat.find_label_issues([[0], [1]], probs, multi_label=True, num_to_remove_per_class=[1])
    with pytest.raises(mlstrat.InputError, match="confident_joint is not supported with "
                                                 "multi-label data"):
        mlstrat.find_label_issues([[0], [1]], probs, multi_label=True,
                                  confident_joint=np.eye(2, dtype=np.int64))


def lowest_score_order_of_cleanlab(case, probs, mode, key):
    """The order cleanlab 2.9.0 gives the issues of a low_* filter with multi_label=True: the
    flagged examples in score order, permuted by the argsort of their scores taken in index
    order (its _find_label_issues_multilabel mixes the two orders), not a ranking by score."""
    by_score = mlstrat.find_label_issues(case["labels"], probs, multi_label=True, filter_by=mode,
                                         return_indices_ranked_by="self_confidence")
    report = mlstrat.label_issues_report(
        case["labels"], probs, multi_label=True, filter_by=mode,
        return_indices_ranked_by=None if key == "self_confidence" else key)
    name = "label_quality" if key == "self_confidence" else key
    score = {issue["index"]: issue[name] for issue in report["issues"]}
    in_index_order = np.array([score[i] for i in sorted(score)])
    return by_score[np.argsort(in_index_order, kind="stable")].tolist()


def test_every_filter_and_score_equals_cleanlab():
    # cleanlab's find_label_issues(..., multi_label=True, filter_by=MODE) as a mask and ranked by
    # each score (make_rank_fixtures.py); None where cleanlab raised. The low_* filters' ranked
    # indices are cleanlab's set in a true ranking: cleanlab's own order is not one (above).
    with open(data_path("labels", "cleanlab_multilabel_filter_cases.json")) as f:
        expected = json.load(f)
    checked = 0
    for case, answers in zip(cases(), expected):
        probs = np.array(case["probs"])
        for mode, by_key in answers.items():
            for key, answer in by_key.items():
                if answer is None:
                    continue
                if key == "mask":
                    got = np.flatnonzero(mlstrat.find_label_issues(
                        case["labels"], probs, multi_label=True, filter_by=mode)).tolist()
                else:
                    got = mlstrat.find_label_issues(case["labels"], probs, multi_label=True,
                                                    filter_by=mode,
                                                    return_indices_ranked_by=key).tolist()
                if key != "mask" and mode.startswith("low_"):
                    assert sorted(got) == sorted(answer), (mode, key)
                    assert answer == lowest_score_order_of_cleanlab(case, probs, mode, key)
                else:
                    assert got == answer, (mode, key)
                checked += 1
    assert checked > 1000
