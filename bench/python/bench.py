"""The measurements of bench/python/run (see there)."""
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

import mlstrat

REPEAT = int(os.environ.get("REPEAT", "3"))


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_growth_mib(fn):
    """How far fn raises the resident set above where it started, in a forked child."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        before = rss_kib()
        fn()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.write(write, str(max(0, peak - before)).encode())
        os._exit(0)
    os.close(write)
    data = os.read(read, 64)
    os.waitpid(pid, 0)
    return int(data or b"0") / 1024


def best(fn):
    times = []
    result = None
    for _ in range(REPEAT):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def bench_evaluate(n):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n)
    pred = np.where(rng.random(n) < 0.85, y, rng.integers(0, 10, n))
    slices = {f"s{i}": rng.integers(0, 8, n) for i in range(4)}
    w = rng.uniform(0.5, 2.0, n)

    def ours():
        return mlstrat.evaluate(y, pred, slices=slices, sample_weight=w)

    def peer():
        # what evaluate reports: per-class and averaged P/R/F1, the confusion matrix, the
        # weighted error, and each slice value's rows and errors
        p, r, f, s = precision_recall_fscore_support(y, pred, zero_division=0)
        for average in ("macro", "micro", "weighted"):
            precision_recall_fscore_support(y, pred, average=average, zero_division=0)
        cm = confusion_matrix(y, pred)
        wrong = y != pred
        np.average(wrong, weights=w)
        frame = pd.DataFrame({"wrong": wrong, **slices})
        per_slice = {name: frame.groupby(name)["wrong"].agg(["size", "mean"]) for name in slices}
        return p, r, f, cm, per_slice

    t_ours, report = best(ours)
    t_peer, (p, r, f, cm, per_slice) = best(peer)
    assert report["confusion"]["matrix"] == cm.tolist()
    assert all(report["slices"][f"s{i}"][v]["errors"] ==
               round(per_slice[f"s{i}"]["mean"].iloc[v] * per_slice[f"s{i}"]["size"].iloc[v])
               for i in range(4) for v in range(8))
    m_ours = peak_growth_mib(ours)
    m_peer = peak_growth_mib(peer)
    print(f"evaluate, {n:,} labels, 10 classes, 4 slices, weights:")
    print(f"  mlstrat.evaluate      {t_ours * 1000:9.1f} ms   peak +{m_ours:7.1f} MiB")
    print(f"  scikit-learn + pandas {t_peer * 1000:9.1f} ms   peak +{m_peer:7.1f} MiB")
    print(f"  ratio {t_peer / t_ours:.1f}x")


def bench_labels(n):
    src = os.environ.get("CLEANLAB_SRC")
    rng = np.random.default_rng(5)
    k = 10
    true = rng.integers(0, k, n)
    logits = rng.normal(0.0, 1.0, (n, k))
    logits[np.arange(n), true] += 2.0
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < 0.2
    labels[flip] = rng.integers(0, k, flip.sum())

    t_ours, mask = best(lambda: mlstrat.find_label_issues(labels, probs))
    m_ours = peak_growth_mib(lambda: mlstrat.find_label_issues(labels, probs))
    print(f"find_label_issues, {n:,} x {k}:")
    print(f"  mlstrat               {t_ours * 1000:9.1f} ms   peak +{m_ours:7.1f} MiB   "
          f"{int(mask.sum()):,} flagged")
    if not src:
        print("  cleanlab: not run (set CLEANLAB_SRC to a folder holding the cleanlab package)")
        return
    sys.path.insert(0, src)
    from cleanlab.filter import find_label_issues
    t_peer, theirs = best(lambda: find_label_issues(labels, probs))
    m_peer = peak_growth_mib(lambda: find_label_issues(labels, probs))
    same = bool(np.array_equal(mask, theirs))
    print(f"  cleanlab              {t_peer * 1000:9.1f} ms   peak +{m_peer:7.1f} MiB   "
          f"{int(theirs.sum()):,} flagged")
    print(f"  ratio {t_peer / t_ours:.1f}x, same flagged set: {same}")
    if not same:
        sys.exit("bench/python: the flagged sets differ")


def bench_overhead():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 1000)
    pred = rng.integers(0, 10, 1000)
    calls = 2000
    for _ in range(50):
        mlstrat.evaluate(y, pred)
    t = time.perf_counter()
    for _ in range(calls):
        mlstrat.evaluate(y, pred)
    per_call = (time.perf_counter() - t) / calls
    print(f"one mlstrat.evaluate call on 1,000 rows: {per_call * 1e6:.0f} us (all of it, "
          f"conversion of the arguments and of the result included)")


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    bench_evaluate(rows)
    bench_labels(min(rows // 10, 1_000_000) if len(sys.argv) > 1 else 1_000_000)
    bench_overhead()
