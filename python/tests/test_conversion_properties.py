"""Hypothesis properties of the module's argument conversion beyond evaluate's and
find_label_issues' basics (test_module.py): random dtypes, shapes, NaN, empty arrays and
non-contiguous views reach every function, and each answer is an InputError or the CLI's
numbers on the same values — never a crash, never another exception."""
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlstrat
from conftest import data_path, run_cli

SETTINGS = settings(max_examples=int(os.environ.get("MLSTRAT_HYPOTHESIS_EXAMPLES", 40)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Values a caller may pass where a rate, a count or a label belongs.
odd_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["8%", "0.1", "", "abc", "nan", "-1%", "120%", "1e-400", " 5% ", "\x00"]),
    st.lists(st.floats(0, 1), max_size=2))
rates = st.floats(0.0, 1.0)

# The refusals: InputError with the CLI's message, or, for text UTF-8 cannot hold (a lone
# surrogate), Python's own UnicodeEncodeError — like InputError, a ValueError.
REFUSED = (mlstrat.InputError, UnicodeEncodeError)


def convert_or_refuse(fn, *args, **kwargs):
    """fn's answer, or None when it refused the arguments with an InputError."""
    try:
        return fn(*args, **kwargs)
    except REFUSED:
        return None


def tolerant_equal(a, b):
    if isinstance(a, dict):
        return set(a) == set(b) and all(tolerant_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(tolerant_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@SETTINGS
@given(train=odd_scalars, dev=odd_scalars, human=st.one_of(odd_scalars, st.dictionaries(
    st.text(max_size=5), odd_scalars, max_size=2)), sizes=st.one_of(st.none(), st.dictionaries(
        st.sampled_from(["train", "dev", "test", "train_dev", "validation"]), odd_scalars, max_size=2)))
def test_diagnose_takes_any_value(train, dev, human, sizes):
    try:
        report = mlstrat.diagnose(human=human, train=train, dev=dev, sizes=sizes)
    except REFUSED:
        return
    assert 0.0 <= report["bayes_proxy"] <= 1.0 if report.get("bayes_proxy") is not None else True


@SETTINGS
@given(train=rates, train_dev=rates, dev=rates, test=rates, human=rates,
       dev_size=st.one_of(st.none(), st.integers(1, 10**6)))
def test_diagnose_equals_the_cli_on_valid_rates(train, train_dev, dev, test, human, dev_size):
    args = ["diagnose", "--human", repr(human), "--train", repr(train), "--train-dev",
            repr(train_dev), "--dev", repr(dev), "--test", repr(test), "--json"]
    sizes = None
    if dev_size is not None:
        args += ["--dev-size", str(dev_size)]
        sizes = {"dev": dev_size}
    got = convert_or_refuse(mlstrat.diagnose, human=human, train=train, train_dev=train_dev,
                            dev=dev, test=test, sizes=sizes)
    assert got is not None
    assert tolerant_equal(dict(got), run_cli(*args))


@SETTINGS
@given(stages=st.one_of(
    st.dictionaries(st.text(min_size=0, max_size=6), odd_scalars, max_size=4),
    st.lists(st.tuples(st.text(max_size=4), odd_scalars), max_size=4),
    st.lists(st.text(max_size=3), max_size=2)),
    rows=st.one_of(st.none(), st.integers(-5, 2**65), st.floats(allow_nan=True)))
def test_ceiling_takes_any_value(stages, rows):
    try:
        mlstrat.ceiling(stages, rows=rows)
    except REFUSED:
        pass


@SETTINGS
@given(accuracies=st.lists(rates, min_size=2, max_size=5), rows=st.integers(1, 10**6))
def test_ceiling_equals_the_cli(tmp_path_factory, accuracies, rows):
    accuracies = sorted(accuracies)
    stages = {f"stage{i}": a for i, a in enumerate(accuracies)}
    path = tmp_path_factory.mktemp("ceiling") / "stages.csv"
    pd.DataFrame({"stage": list(stages), "accuracy": [repr(a) for a in accuracies]}).to_csv(
        path, index=False)
    got = convert_or_refuse(mlstrat.ceiling, stages, rows=rows)
    try:
        expected = run_cli("ceiling", path, "--rows", rows, "--json")
    except AssertionError:
        expected = None
    if got is None or expected is None:
        assert got is None and run_cli("ceiling", path, "--rows", rows, ok=False)
    else:
        assert tolerant_equal(got, expected)


column_dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_, "U3", object])


@SETTINGS
@given(data=st.data(), n=st.integers(0, 6), dtypes=st.lists(column_dtypes, min_size=1, max_size=3),
       ragged=st.booleans(), as_frame=st.booleans(), maximize=st.sampled_from(["c0", "c1", "name", "zz"]))
def test_select_takes_any_table(data, n, dtypes, ragged, as_frame, maximize):
    table = {"name": [f"m{i}" for i in range(n)]}
    for i, dtype in enumerate(dtypes):
        length = n + (1 if ragged and i == 0 else 0)
        if dtype is object:
            column = data.draw(st.lists(odd_scalars.filter(lambda v: not isinstance(v, list)),
                                        min_size=length, max_size=length))
        else:
            column = data.draw(hnp.arrays(dtype, length))
        table[f"c{i}"] = column
    if as_frame:
        if ragged:
            return
        table = pd.DataFrame(table)
    try:
        report = mlstrat.select(table, maximize=maximize)
    except REFUSED:
        return
    assert report is not None


@SETTINGS
@given(data=st.data(), n=st.integers(0, 25), k=st.integers(1, 4),
       dtype=st.sampled_from([np.float32, np.float64]),
       layout=st.sampled_from(["strided", "fortran", "reversed", "column-view"]))
def test_find_label_issues_reads_views_as_their_copies(data, n, k, dtype, layout):
    base = data.draw(hnp.arrays(dtype, (2 * n, 2 * k), elements=st.floats(
        0, 1, width=32, allow_subnormal=False)))
    if layout == "strided":
        probs = base[::2, ::2]
    elif layout == "fortran":
        probs = np.asfortranarray(base[:n, :k])
    elif layout == "reversed":
        probs = base[:n, :k][::-1]
    else:
        probs = base[:n, k:2 * k]
    probs = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-3) if n else probs
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    got = convert_or_refuse(mlstrat.find_label_issues, labels, probs)
    copied = convert_or_refuse(mlstrat.find_label_issues, labels, np.ascontiguousarray(probs))
    if got is None or copied is None:
        assert got is None and copied is None
    else:
        assert np.array_equal(got, copied)


texts = st.text(alphabet="abcxyz019 -_é", min_size=1, max_size=4).filter(lambda s: s.strip() == s)


@SETTINGS
@given(data=st.data(), n=st.integers(1, 30),
       kind=st.sampled_from(["int64", "uint8", "str", "object-str", "bool", "category"]),
       step=st.sampled_from([1, 2, -1, -3]), two_d=st.booleans())
def test_evaluate_equals_the_cli(tmp_path_factory, data, n, kind, step, two_d):
    if kind in ("str", "object-str", "category"):
        values = data.draw(st.lists(texts, min_size=n * abs(step), max_size=n * abs(step)))
        y_base = np.array(values, dtype=object if kind == "object-str" else str)
        p_base = np.array(data.draw(st.permutations(values)), dtype=y_base.dtype)
    else:
        dtype = {"int64": np.int64, "uint8": np.uint8, "bool": np.bool_}[kind]
        y_base = data.draw(hnp.arrays(dtype, n * abs(step)))
        p_base = data.draw(hnp.arrays(dtype, n * abs(step)))
    y, p = y_base[::step], p_base[::step]
    csv = tmp_path_factory.mktemp("eval") / "pred.csv"
    pd.DataFrame({"label": [str(v) for v in y], "pred": [str(v) for v in p]}).to_csv(csv, index=False)
    if kind == "category":
        y, p = pd.Series(y, dtype="category"), pd.Series(p, dtype="category")
    if kind == "bool":
        # A bool is the text a CSV holds of it, as pandas writes it.
        pass
    if two_d and kind not in ("category",):
        y = y.reshape(-1, 1)
        try:
            got = mlstrat.evaluate(y, p)
        except REFUSED:
            return
        assert got["rows"] == n  # an (n, 1) column is the n labels
        return
    got = mlstrat.evaluate(y, p)
    expected = run_cli("eval", csv, "--json")
    assert tolerant_equal(got, expected)


@SETTINGS
@given(data=st.data(), n=st.integers(0, 12),
       y_dtype=st.sampled_from([np.float64, np.float32, np.int32, "U2", object, np.complex64,
                                "datetime64[s]", "V4"]),
       weights=st.one_of(st.none(), hnp.arrays(np.float64, st.integers(0, 13),
                                                 elements=st.floats(allow_nan=True, allow_infinity=True))),
       shape=st.sampled_from([(), (1,), (2,), (0,)]))
def test_evaluate_refuses_or_counts_any_arrays(data, n, y_dtype, weights, shape):
    try:
        y = data.draw(hnp.arrays(y_dtype, (n,) + shape))
        p = data.draw(hnp.arrays(y_dtype, (n,) + shape))
    except Exception:  # hypothesis cannot draw some dtypes: nothing to test then
        assume(False)
    try:
        report = mlstrat.evaluate(y, p, sample_weight=weights)
    except REFUSED:
        return
    assert report["rows"] == len(y)
    assert 0.0 <= report["error"] <= 1.0


@SETTINGS
@given(error=odd_scalars, resolution=st.one_of(st.none(), odd_scalars),
       tags=st.lists(st.text(max_size=4), max_size=2))
def test_errors_tally_takes_any_error_value(error, resolution, tags):
    sheet = data_path("analysis", "notes_sheet.csv")
    try:
        got = mlstrat.errors.tally(sheet, error=error, resolution=resolution, tags=tags)
    except REFUSED:
        return
    if isinstance(error, float) and not tags and resolution is None:
        assert tolerant_equal(got, run_cli("errors", "tally", sheet, "--error", repr(error), "--json"))


def test_select_refuses_text_utf8_cannot_hold_as_python_does():
    # Found by test_select_takes_any_table: a lone surrogate in a cell gave pybind11's
    # RuntimeError "Unable to cast Python instance to C++ type".
    with pytest.raises(UnicodeEncodeError):
        mlstrat.select({"name": ["a"], "acc": ["\ud800"]}, maximize="acc")
