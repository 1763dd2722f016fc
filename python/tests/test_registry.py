"""mlstrat.Registry: runs logged from Python land in the file the CLI reads — `runs list`,
`runs show`, `runs compare` and `report` see them as they see any other run — and several
processes (Python and `mlstrat runs log`) logging at once lose nothing."""
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import mlstrat
from conftest import BINARY, run_cli


def probabilities(rng, labels, accuracy, classes=3):
    """Probabilities whose argmax is right on about `accuracy` of the rows."""
    n = len(labels)
    pred = np.where(rng.random(n) < accuracy, labels, (labels + 1) % classes)
    probs = rng.random((n, classes)) * 0.2
    probs[np.arange(n), pred] += 1.0
    return probs / probs.sum(axis=1, keepdims=True), pred


def test_a_logged_run_reads_back_through_the_cli(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    reg = mlstrat.Registry(db)
    with reg.run("lr05", params={"optim": {"lr": 0.05, "name": "sgd"}, "model": {"widths": [16, 8]},
                                 "epochs": 3, "augment": True}, group="lr05") as run:
        for epoch in range(3):
            run.log(epoch, train_error=0.3 - 0.1 * epoch, dev_error=0.35 - 0.1 * epoch,
                    train_dev_error=0.32 - 0.1 * epoch, train_loss=1.0 / (epoch + 1), lr=0.05)
        assert reg.get("lr05")["status"] == "running"
    shown = run_cli("runs", "show", "lr05", "--db", db, "--json")
    assert shown["status"] == "finished" and shown["finished"] and shown["kind"] == "log"
    assert shown["group"] == "lr05"
    assert shown["errors"] == pytest.approx({"train": 0.1, "dev": 0.15, "train_dev": 0.12})
    assert shown["splits"]["train"]["loss"] == pytest.approx(1 / 3)
    assert shown["metrics"] == {"lr": 0.05}
    assert shown["params"] == {"optim.lr": 0.05, "optim.name": "sgd", "model.widths": [16, 8],
                               "epochs": 3, "augment": True}
    steps = reg.steps("lr05")
    assert len(steps) == 3 * 5
    dev = steps[(steps.split == "dev") & (steps.metric == "error")]
    assert dev.step.tolist() == [0, 1, 2]
    assert dev.value.tolist() == pytest.approx([0.35, 0.25, 0.15])
    assert reg.get("lr05") == shown
    assert reg.get("nope") is None


def test_a_failing_block_marks_the_run_failed(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    reg = mlstrat.Registry(db)
    with pytest.raises(ZeroDivisionError):
        with reg.run("diverged") as run:
            run.log(0, train_loss=2.0)
            1 / 0
    assert run_cli("runs", "show", "diverged", "--db", db, "--json")["status"] == "failed"
    with reg.run("diverged") as run:  # resumed: running again, then finished
        assert reg.get("diverged")["status"] == "running"
        run.log(1, train_loss=1.0)
    assert reg.get("diverged")["status"] == "finished"


def test_runs_is_the_query_of_runs_list(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    reg = mlstrat.Registry(db)
    for name, lr, dev in [("a", 0.1, 0.20), ("b", 0.01, 0.12), ("c", 0.001, 0.15), ("d", 0.1, 0.09)]:
        with reg.run(name, params={"optim.lr": lr}) as run:
            run.log(0, dev_error=dev, test_error=dev + 0.01)
            run.tags(owner="ana" if name != "c" else "bo")
    frame = reg.runs(where=["param.optim.lr>=0.01", "tag.owner=ana"], sort="dev.error")
    cli = run_cli("runs", "list", "--db", db, "--where", "param.optim.lr>=0.01", "--where",
                  "tag.owner=ana", "--sort", "dev.error", "--json")
    assert frame.name.tolist() == [r["name"] for r in cli["runs"]] == ["d", "b", "a"]
    assert frame["dev.error"].tolist() == pytest.approx([0.09, 0.12, 0.20])
    assert frame["param.optim.lr"].tolist() == [0.1, 0.01, 0.1]
    assert frame["tag.owner"].tolist() == ["ana"] * 3
    assert set(frame.status) == {"finished"}
    top = reg.runs(sort="-error", limit=2, columns=["name", "dev.error", "test.error"])
    assert list(top.columns) == ["name", "dev.error", "test.error"]
    assert top.name.tolist() == ["a", "c"]
    assert isinstance(reg.runs(), pd.DataFrame) and len(reg.runs()) == 4
    assert len(reg.runs(where="name~z*")) == 0


def test_bad_queries_and_metrics_raise_the_cli_message(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    reg = mlstrat.Registry(db)
    with reg.run("a") as run:
        run.log(0, dev_error=0.2)
        with pytest.raises(mlstrat.InputError, match="say which split error was measured on"):
            run.log(1, error=0.2)
        with pytest.raises(mlstrat.InputError, match="not a finite number"):
            run.log(1, dev_error=float("nan"))
        with pytest.raises(mlstrat.InputError, match="not a number"):
            run.log(1, dev_error="low")
    for where in ["dev.nope<0.1", "dev.error<<0.1"]:
        message = run_cli("runs", "list", "--db", db, "--where", where, ok=False)
        with pytest.raises(mlstrat.InputError) as caught:
            reg.runs(where=where)
        assert str(caught.value) == message
    with pytest.raises(mlstrat.InputError):
        mlstrat.Registry(str(tmp_path / "no" / "such" / "folder" / "x.db"))


def test_predictions_are_compared_by_the_cli(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    reg = mlstrat.Registry(db)
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, 400)
    ids = np.arange(1000, 1400)
    classes = ["cat", "dog", "frog"]
    right = {}
    for name, accuracy in [("small", 0.7), ("big", 0.8)]:
        probs, pred = probabilities(rng, labels, accuracy)
        right[name] = pred == labels
        with reg.run(name) as run:
            run.log(0, dev_error=float(np.mean(pred != labels)))
            path = run.predictions("dev", ids, labels, probs.astype(np.float32), classes=classes)
        assert path == os.path.join(str(tmp_path), "runs", name, "pred_dev.csv")
        written = pd.read_csv(path)
        assert list(written.columns) == ["id", "label", "pred", "p_cat", "p_dog", "p_frog"]
        assert written.id.tolist() == ids.tolist()
        assert written.label.tolist() == [classes[k] for k in labels]
        assert written.pred.tolist() == [classes[k] for k in pred]
        evaluated = run_cli("eval", path, "--json")
        assert evaluated["error"] == pytest.approx(np.mean(pred != labels))
    compared = run_cli("runs", "compare", "small", "big", "--db", db, "--json")
    paired = compared["paired"]
    a, b = right["small"], right["big"]
    assert paired["examples"] == 400
    assert paired["both_right"] == int(np.sum(a & b))
    assert paired["only_a_right"] == int(np.sum(a & ~b))
    assert paired["only_b_right"] == int(np.sum(~a & b))
    # string labels name the classes; another path may be given
    other = str(tmp_path / "elsewhere.csv")
    with reg.run("named") as run:
        run.predictions("test", ids.astype(str), np.array(classes)[labels], probs, classes=classes,
                        path=other)
    assert run_cli("runs", "show", "named", "--db", db, "--json")["predictions"] == {"test": other}


def test_bad_predictions_raise_and_write_nothing(tmp_path):
    reg = mlstrat.Registry(str(tmp_path / "mlstrat.db"))
    probs = np.full((3, 2), 0.5)
    out = str(tmp_path / "p.csv")
    with reg.run("a") as run:
        cases = [
            (([1, 1, 2], [0, 1, 0], probs), "ids\\[1\\]: id '1' appears twice"),
            (([1, 2, 3], [0, 1, 2], probs), "y_true\\[2\\] is 2, not a class index \\(0 to 1\\)"),
            (([1, 2, 3], ["0", "1", "x"], probs), "y_true\\[2\\] is 'x', which is not one of the classes"),
            (([1, 2, 3], [0, 1], probs), "y_true has 2 values but ids has 3"),
            (([1, 2], [0, 1], probs), "pred_probs has 3 rows but ids has 2"),
            (([1, 2, 3], [0, 1, 0], np.array([[0.5, 0.5], [1.5, -0.5], [1, 0]])),
             "pred_probs\\[1, 0\\] is 1.5, not a probability"),
            (([1, 2, 3], [0, 1, 0], np.ones(3)), "pred_probs must be two-dimensional"),
        ]
        for (ids, y, p), message in cases:
            with pytest.raises(mlstrat.InputError, match=message):
                run.predictions("dev", ids, y, p, path=out)
            assert not os.path.exists(out)
        with pytest.raises(mlstrat.InputError, match="classes names 3 classes"):
            run.predictions("dev", [1, 2, 3], [0, 1, 0], probs, classes=["a", "b", "c"], path=out)
    assert reg.get("a")["predictions"] == {}


def test_report_draws_a_python_run(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    reg = mlstrat.Registry(db)
    with reg.run("py") as run:
        for epoch in range(4):
            run.log(epoch, train_error=0.2 / (epoch + 1), dev_error=0.25 / (epoch + 1) + 0.02)
    out = str(tmp_path / "report.html")
    proc = subprocess.run([BINARY, "report", "--db", db, "--out", out, "--json"],
                          capture_output=True, text=True, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "py" in proc.stdout and os.path.getsize(out) > 0
    import json
    doc = json.loads(proc.stdout)
    assert "curves" in doc["charts"] and "leaderboard" in doc["charts"]


WRITER = """
import sys
import mlstrat
reg = mlstrat.Registry(sys.argv[1])
name = sys.argv[2]
with reg.run(name, params={"worker": name}) as run:
    for step in range(int(sys.argv[3])):
        run.log(step, dev_error=step / 1000, train_loss=1.0)
"""


def test_several_processes_log_at_once_and_nothing_is_lost(tmp_path):
    db = str(tmp_path / "mlstrat.db")
    mlstrat.Registry(db)  # created once, so the writers race on logging only
    steps = 40
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db, f"py{i}", str(steps)], env=env,
                              stderr=subprocess.PIPE, text=True) for i in range(3)]
    # the CLI logs into one of the same runs and into its own, meanwhile
    shell = " ; ".join(f"{BINARY} runs log cli --db {db} --step {s} --metric dev.error=0.{s:02d}"
                       f" --metric train.loss=1 >/dev/null && {BINARY} runs log py0 --db {db}"
                       f" --step {1000 + s} --metric dev.error=0.5 >/dev/null" for s in range(steps))
    cli = subprocess.Popen(["sh", "-c", "set -e; " + shell], stderr=subprocess.PIPE, text=True)
    for p in procs + [cli]:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    reg = mlstrat.Registry(db)
    for i in range(3):
        logged = reg.steps(f"py{i}")
        python_steps = logged[logged.step < 1000]
        assert len(python_steps) == steps * 2
        assert reg.get(f"py{i}")["params"] == {"worker": f"py{i}"}
    assert len(reg.steps("py0")[lambda s: s.step >= 1000]) == steps
    assert len(reg.steps("cli")) == steps * 2
    listed = run_cli("runs", "list", "--db", db, "--json")["runs"]
    assert sorted(r["name"] for r in listed) == ["cli", "py0", "py1", "py2"]
