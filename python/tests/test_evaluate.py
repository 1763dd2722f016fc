"""mlstrat.evaluate against `mlstrat eval --json` on a CSV of the same rows and against
scikit-learn; labels of every dtype, pandas columns, views, weights, slices, errors."""
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

import mlstrat
from conftest import run_cli


def write_frame(tmp_path, frame, name="pred.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def assert_same(a, b, rel=1e-12):
    """Equal documents; floats within rel (sums of weights may be added in another order)."""
    if isinstance(a, dict):
        assert set(a) == set(b)
        for k in a:
            assert_same(a[k], b[k], rel)
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y, rel)
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-15), (a, b)
    else:
        assert a == b


def problem(n=3000, k=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.8, y, rng.integers(0, k, n))
    region = rng.choice(["us", "eu", "in", "br"], n)
    device = rng.integers(0, 3, n)
    weight = rng.uniform(0.0, 3.0, n)
    return y, pred, region, device, weight


def test_equals_cli_with_slices_and_weights(tmp_path):
    y, pred, region, device, weight = problem()
    frame = pd.DataFrame({"label": y, "pred": pred, "region": region, "device": device,
                          "w": weight})
    path = write_frame(tmp_path, frame)
    expected = run_cli("eval", path, "--json", "--slice-col", "region", "--slice-col", "device",
                       "--weight-col", "w", "--positive", "2", "--beta", "0.5")
    got = mlstrat.evaluate(y, pred, slices={"region": region, "device": device},
                           sample_weight=weight, positive=2, beta=0.5)
    assert_same(got, expected)


def test_equals_scikit_learn():
    y, pred, *_ = problem(seed=1)
    got = mlstrat.evaluate(y, pred)
    p, r, f, s = precision_recall_fscore_support(y, pred, zero_division=0)
    for i, c in enumerate(got["classes"]):
        assert c["precision"] == pytest.approx(p[i], abs=1e-15)
        assert c["recall"] == pytest.approx(r[i], abs=1e-15)
        assert c["f1"] == pytest.approx(f[i], abs=1e-15)
        assert c["support"] == s[i]
    assert got["confusion"]["matrix"] == confusion_matrix(y, pred).tolist()
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y, pred, average=average, zero_division=0)
        assert got[average]["f1"] == pytest.approx(f, abs=1e-15)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16",
                                   "uint32", "uint64"])
def test_integer_dtypes_agree(dtype):
    y, pred, *_ = problem(n=500, seed=2)
    base = mlstrat.evaluate(y, pred)
    assert mlstrat.evaluate(y.astype(dtype), pred.astype(dtype)) == base


def test_string_labels_equal_cli(tmp_path):
    names = np.array(["cat", "dog", "bird", "fish"])
    y, pred, region, _, _ = problem(seed=3)
    frame = pd.DataFrame({"label": names[y], "pred": names[pred], "region": region})
    expected = run_cli("eval", write_frame(tmp_path, frame), "--json", "--slice-col", "region",
                       "--class-weight", "cat=10")
    # object arrays, fixed-width unicode arrays and lists read the same
    for truth, guess in ((names[y].astype(object), names[pred].astype(object)),
                         (names[y], names[pred]), (list(names[y]), list(names[pred]))):
        got = mlstrat.evaluate(truth, guess, slices={"region": region}, class_weight={"cat": 10})
        assert_same(got, expected)


def test_pandas_categoricals_and_series(tmp_path):
    names = np.array(["cat", "dog", "bird"])
    y, pred, region, _, _ = problem(k=3, seed=4)
    frame = pd.DataFrame({"label": names[y], "pred": names[pred], "region": region})
    expected = run_cli("eval", write_frame(tmp_path, frame), "--json", "--slice-col", "region")
    cat = frame.astype({"label": "category", "pred": "category", "region": "category"})
    got = mlstrat.evaluate(cat["label"], cat["pred"], slices=cat[["region"]])
    assert_same(got, expected)
    # categories in another order, and one no row holds
    truth = pd.Categorical(frame["label"], categories=["dog", "cat", "bird", "horse"])
    got = mlstrat.evaluate(truth, frame["pred"].astype("category"), slices={"region": region})
    assert_same(got, expected)


def test_one_slice_as_a_named_series():
    y, pred, region, _, _ = problem(n=500, seed=9)
    by_series = mlstrat.evaluate(y, pred, slices=pd.Series(region, name="region"))
    assert by_series == mlstrat.evaluate(y, pred, slices={"region": region})
    assert list(mlstrat.evaluate(y, pred, slices=region)["slices"]) == ["slice"]


def test_float_and_bool_labels_equal_cli(tmp_path):
    y, pred, *_ = problem(n=400, k=2, seed=5)
    for truth, guess in ((y.astype(float), pred.astype(float)), (y.astype(bool), pred.astype(bool))):
        frame = pd.DataFrame({"label": truth, "pred": guess})
        expected = run_cli("eval", write_frame(tmp_path, frame), "--json")
        assert_same(mlstrat.evaluate(truth, guess), expected)


def test_non_contiguous_views_are_read_in_place():
    y, pred, region, device, weight = problem(n=2000, seed=6)
    wide = np.stack([y, pred, device], axis=1)  # columns are strided views
    base = mlstrat.evaluate(y[::2], pred[::2], slices={"device": device[::2]},
                            sample_weight=weight[::2].copy())
    got = mlstrat.evaluate(wide[::2, 0], wide[::2, 1], slices={"device": wide[::2, 2]},
                           sample_weight=weight[::2])
    assert got == base
    reversed_ = mlstrat.evaluate(y[::-1], pred[::-1])
    assert reversed_["confusion"] == mlstrat.evaluate(y, pred)["confusion"]


def test_weights_of_any_float_width():
    y, pred, _, _, weight = problem(n=1000, seed=7)
    w32 = weight.astype(np.float32)
    got = mlstrat.evaluate(y, pred, sample_weight=w32)
    expected = mlstrat.evaluate(y, pred, sample_weight=w32.astype(np.float64))
    assert got["weighted_error"] == expected["weighted_error"]


def test_multithreaded_counts_equal_one_thread():
    y, pred, region, _, weight = problem(n=600_000, seed=8)
    one = mlstrat.evaluate(y, pred, slices={"region": region}, sample_weight=weight, n_jobs=1)
    many = mlstrat.evaluate(y, pred, slices={"region": region}, sample_weight=weight, n_jobs=4)
    assert_same(one, many, rel=1e-12)


@pytest.mark.parametrize("cells, kwargs, cli_args, python_place", [
    (["1.0", "2.0", "-1.0"], {"sample_weight": [1.0, 2.0, -1.0]}, ["--weight-col", "w"], "sample_weight[2]"),
    (["1", "2", "nan"], {"sample_weight": [1.0, 2.0, float("nan")]}, ["--weight-col", "w"], "sample_weight[2]"),
])
def test_bad_weights_raise_input_error_with_cli_message(tmp_path, cells, kwargs, cli_args, python_place):
    path = tmp_path / "p.csv"
    path.write_text("label,pred,w\n" + "".join(f"a,b,{c}\n" for c in cells))
    cli_message = run_cli("eval", path, *cli_args, ok=False)
    with pytest.raises(mlstrat.InputError) as e:
        mlstrat.evaluate(["a"] * 3, ["b"] * 3, **kwargs)
    assert isinstance(e.value, ValueError)
    # the same words after the place: FILE:LINE for the CLI, ARGUMENT[i] in Python
    cli_rest = cli_message.split(": ", 1)[1].replace("column 'w' ", "")
    assert str(e.value).startswith(python_place + " ")
    assert str(e.value)[len(python_place) + 1:] == cli_rest


def test_empty_label_raises():
    with pytest.raises(mlstrat.InputError, match=r"y_pred\[1\] is empty; every row needs a label"):
        mlstrat.evaluate(["a", "b"], ["a", ""])


def test_shapes_and_lengths_raise():
    with pytest.raises(mlstrat.InputError, match="one-dimensional"):
        mlstrat.evaluate(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(mlstrat.InputError, match="aligned row by row"):
        mlstrat.evaluate([1, 2, 3], [1, 2])
    with pytest.raises(mlstrat.InputError, match="no rows"):
        mlstrat.evaluate(np.array([], dtype=int), np.array([], dtype=int))
    with pytest.raises(mlstrat.InputError, match="is NaN"):
        mlstrat.evaluate([1.0, float("nan")], [1.0, 2.0])
    with pytest.raises(mlstrat.InputError, match="ci_level"):
        mlstrat.evaluate([1], [1], ci_level=1.5)


def test_ci_level_as_text():
    assert mlstrat.evaluate([0, 1], [0, 0], ci_level="90%")["ci_level"] == pytest.approx(0.9)
