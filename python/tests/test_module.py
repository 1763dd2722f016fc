"""The module as a whole: version, exception type, zero-copy reading, the GIL released while
the library computes, no process-wide state changed, and hypothesis tests of argument
conversion (never a crash: InputError or the CLI's numbers)."""
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlstrat
from conftest import BINARY


def test_version_is_the_clis():
    out = subprocess.run([BINARY, "--version"], capture_output=True, text=True).stdout.split()
    assert out[:2] == ["mlstrat", mlstrat.__version__]


def test_input_error_is_a_value_error():
    assert issubclass(mlstrat.InputError, ValueError)


def test_every_function_has_a_docstring():
    for f in (mlstrat.evaluate, mlstrat.find_label_issues, mlstrat.label_issues_report,
              mlstrat.diagnose, mlstrat.ceiling, mlstrat.select, mlstrat.errors.tally,
              mlstrat.errors.slices):
        assert f.__doc__ and len(f.__doc__) > 80, f.__name__
    stubs = os.path.join(os.path.dirname(mlstrat.__file__), "__init__.pyi")
    assert os.path.exists(stubs)


def test_arrays_are_not_copied():
    """A million int64 labels: reading them in place allocates far less than one copy (8 MB)."""
    import tracemalloc
    y = np.random.default_rng(0).integers(0, 10, 1_000_000)
    p = y.copy()
    w = np.ones(len(y))
    mlstrat.evaluate(y[:10], p[:10])
    tracemalloc.start()
    mlstrat.evaluate(y, p, sample_weight=w, n_jobs=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000, peak


def test_gil_is_released_while_computing():
    """Another Python thread keeps running while evaluate counts 20 million rows."""
    y = np.zeros(20_000_000, dtype=np.int8)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    time.sleep(0.01)
    start = time.perf_counter()
    mlstrat.evaluate(y, y, n_jobs=1)
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # the call takes tens of milliseconds; with the GIL held no tick would land inside it
    assert end - start < 0.02 or len(during) >= 2, (end - start, len(during))


def test_process_state_is_unchanged():
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM),
              signal.getsignal(signal.SIGSEGV), os.environ.copy(), threading.active_count())
    y = np.random.default_rng(1).integers(0, 3, 300_000)
    mlstrat.evaluate(y, y[::-1], slices={"s": y})
    probs = np.full((1000, 3), 1 / 3)
    mlstrat.find_label_issues(y[:1000], probs)
    after = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM),
             signal.getsignal(signal.SIGSEGV), os.environ.copy(), threading.active_count())
    assert before == after


label_dtypes = st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32,
                                np.float32, np.float64, np.bool_])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), dtype=label_dtypes, n=st.integers(0, 40), step=st.sampled_from([1, 2, -1]))
def test_evaluate_never_crashes(data, dtype, n, step):
    y = data.draw(hnp.arrays(dtype, n * abs(step) or 0))[::step]
    p = data.draw(hnp.arrays(dtype, n * abs(step) or 0))[::step]
    w = data.draw(hnp.arrays(np.float64, len(y), elements=st.one_of(st.floats(-1, 5), st.just(float("nan")))))
    try:
        report = mlstrat.evaluate(y, p, sample_weight=w)
    except mlstrat.InputError:
        return
    assert report["rows"] == len(y)
    assert sum(map(sum, report["confusion"]["matrix"])) == len(y)
    assert 0.0 <= report["error"] <= 1.0


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=st.integers(0, 30), k=st.integers(0, 5),
       dtype=st.sampled_from([np.float32, np.float64, np.int64]),
       shape_extra=st.sampled_from([(), (1,)]))
def test_find_label_issues_never_crashes(data, n, k, dtype, shape_extra):
    probs = data.draw(hnp.arrays(dtype, (n, k) + shape_extra,
                                 elements=st.one_of(st.floats(-0.5, 1.5, width=32), st.just(float("nan")))
                                 if dtype != np.int64 else st.integers(-1, 2)))
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(-1, 6)))
    try:
        mask = mlstrat.find_label_issues(labels, probs)
    except mlstrat.InputError:
        return
    assert mask.shape == (n,)
