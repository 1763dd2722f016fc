"""diagnose, ceiling, select and the errors functions against the CLI's JSON and text on the
same numbers and files."""
import numpy as np
import pandas as pd
import pytest

import mlstrat
from conftest import cli_text, data_path, run_cli


def test_diagnose_equals_cli_json_and_text():
    args = ["--human", "doctor=0.5%", "--human", "crowd=3%", "--train", "8%", "--train-dev", "9%",
            "--dev", "10%", "--test", "10.5%", "--train-size", "50000", "--dev-size", "2000"]
    expected = run_cli("diagnose", *args, "--json")
    report = mlstrat.diagnose(human={"doctor": 0.005, "crowd": "3%"}, train=0.08, train_dev="9%",
                              dev=0.10, test="10.5%", sizes={"train": 50000, "dev": 2000})
    assert report == expected
    assert str(report) == cli_text("diagnose", *args)
    assert report["focus"] == "avoidable_bias"


def test_diagnose_human_forms():
    a = mlstrat.diagnose(human=["doctor=1%", "crowd=2%"], train=0.05, dev=0.06)
    b = mlstrat.diagnose(human={"doctor": 0.01, "crowd": 0.02}, train=0.05, dev=0.06)
    assert a == b
    assert mlstrat.diagnose(human=0.01, train=0.05, dev=0.06)["bayes_proxy"] == pytest.approx(0.01)


def test_diagnose_errors_are_the_cli_messages():
    cli = run_cli("diagnose", "--train", "120%", "--dev", "10%", ok=False)
    with pytest.raises(mlstrat.InputError) as e:
        mlstrat.diagnose(train="120%", dev=0.1)
    assert str(e.value) == cli.replace("--train", "train")
    cli = run_cli("diagnose", "--train", "8%", ok=False)
    with pytest.raises(mlstrat.InputError) as e:
        mlstrat.diagnose(train=0.08)
    assert str(e.value) == cli
    with pytest.raises(mlstrat.InputError, match="not a split"):
        mlstrat.diagnose(train=0.08, dev=0.1, sizes={"validation": 10})


def test_ceiling_equals_cli(tmp_path):
    stages = {"system": 0.60, "detector": 0.849, "segmentation": 0.851, "recognition": 1.0}
    path = tmp_path / "stages.csv"
    pd.DataFrame({"stage": list(stages), "accuracy": list(stages.values())}).to_csv(path, index=False)
    expected = run_cli("ceiling", path, "--rows", 1000, "--json")
    assert mlstrat.ceiling(stages, rows=1000) == expected
    assert mlstrat.ceiling(list(stages.items()), rows=1000) == expected
    assert mlstrat.ceiling(str(path), rows=1000) == expected


def test_select_equals_cli(tmp_path):
    frame = pd.DataFrame({"name": ["A", "B", "C"], "accuracy": [0.90, 0.92, 0.95],
                          "running_time_ms": [80, 95, 1500]})
    path = tmp_path / "runs.csv"
    frame.to_csv(path, index=False)
    expected = run_cli("select", path, "--maximize", "accuracy", "--require",
                       "running_time_ms<=100", "--dev-size", 10000, "--json")
    got = mlstrat.select(frame, maximize="accuracy", require=["running_time_ms<=100"],
                         dev_size=10000)
    assert got == expected
    assert got["winner"] == "B"
    assert mlstrat.select(str(path), maximize="accuracy", require=["running_time_ms<=100"],
                          dev_size=10000) == expected
    with pytest.raises(mlstrat.InputError):
        mlstrat.select(frame, maximize="speed")


def test_errors_tally_and_slices_equal_cli(tmp_path):
    sheet = tmp_path / "sheet.csv"
    rows = ["id,label,pred,dog,great_cat,blurry,mislabeled"]
    rng = np.random.default_rng(3)
    for i in range(100):
        marks = ["x" if rng.random() < p else "" for p in (0.08, 0.43, 0.61, 0.06)]
        rows.append(f"{i},cat,dog," + ",".join(marks))
    sheet.write_text("\n".join(rows) + "\n")
    expected = run_cli("errors", "tally", sheet, "--error", "10%", "--json")
    assert mlstrat.errors.tally(sheet, error=0.10) == expected

    n = 5000
    region = rng.choice(["us", "in", "eu"], n)
    blur = rng.random(n)
    label = rng.integers(0, 2, n)
    wrong = rng.random(n) < np.where((region == "in") & (blur > 0.6), 0.5, 0.05)
    pred = np.where(wrong, 1 - label, label)
    path = tmp_path / "pred.csv"
    pd.DataFrame({"label": label, "pred": pred, "region": region, "blur": blur}).to_csv(path, index=False)
    expected = run_cli("errors", "slices", path, "--features", "region,blur", "--json")
    assert mlstrat.errors.slices(path, features=["region", "blur"]) == expected
