"""mlstrat.split against `mlstrat split` on the same rows: the rows of each part are the rows the
CLI writes to that part's file, for plain, id-keyed, stratified, grouped, target and stable
splits; bad options raise InputError with the CLI's message."""
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

import mlstrat
from conftest import BINARY, run_cli


def frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "id": rng.permutation(n) * 7 + 1000,
        "label": rng.choice(["cat", "dog", "bird"], n, p=[0.6, 0.3, 0.1]),
        "user": rng.integers(0, 400, n),
        "source": rng.choice(["web", "mobile"], n, p=[0.8, 0.2]),
        "x": np.round(rng.normal(size=n), 4),
    })


def cli_parts(tmp_path, data, *flags):
    """{part: ids} as `mlstrat split` writes them for `data` written by pandas."""
    path = str(tmp_path / "data.csv")
    data.to_csv(path, index=False)
    out = str(tmp_path / "out")
    manifest = run_cli("split", path, "--out", out, "--json", *flags)
    return {part: pd.read_csv(os.path.join(out, s["file"]))["id"].tolist()
            for part, s in manifest["splits"].items()}


CASES = [
    ({}, []),
    ({"id": "id", "dev": 0.1, "test": 300, "train_dev": 0.05, "seed": 7},
     ["--id-col", "id", "--dev", "0.1", "--test", "300", "--train-dev", "0.05", "--seed", "7"]),
    ({"stratify": "label", "dev": "20%", "test": 0.2},
     ["--stratify", "label", "--dev", "20%", "--test", "0.2"]),
    ({"groups": "user", "dev": 0.2, "test": 0.2, "seed": 3},
     ["--group", "user", "--dev", "0.2", "--test", "0.2", "--seed", "3"]),
    ({"groups": "user", "stratify": "source", "id": "id"},
     ["--group", "user", "--stratify", "source", "--id-col", "id"]),
    ({"target": "source=mobile", "target_in_train": 0.5, "train_dev": 100},
     ["--target", "source=mobile", "--target-in-train", "0.5", "--train-dev", "100"]),
    ({"target": {"source": "mobile"}, "stable": True, "dev": 0.25, "test": 0.25},
     ["--target", "source=mobile", "--stable", "--dev", "25%", "--test", "25%"]),
    ({"stable": True, "dev": 0.05, "test": 0.05, "id": "id", "seed": 11},
     ["--stable", "--dev", "5%", "--test", "5%", "--id-col", "id", "--seed", "11"]),
]


@pytest.mark.parametrize("kwargs,flags", CASES)
def test_parts_equal_the_cli_files(tmp_path, kwargs, flags):
    data = frame()
    expected = cli_parts(tmp_path, data, *flags)
    got = mlstrat.split(data, **kwargs)
    assert list(got) == [p for p in ["train", "train_dev", "dev", "test"] if p in expected]
    for part, rows in got.items():
        assert rows.dtype == np.int64 and np.all(np.diff(rows) > 0)
        assert data.id.to_numpy()[rows].tolist() == expected[part], part
    everything = np.sort(np.concatenate(list(got.values())))
    assert everything.tolist() == list(range(len(data)))


def test_ids_alone_equal_the_id_column(tmp_path):
    data = frame(1200, seed=4)
    expected = cli_parts(tmp_path, data, "--id-col", "id", "--dev", "150", "--test", "150")
    by_array = mlstrat.split(data.id.to_numpy(), dev=150, test=150)
    by_strings = mlstrat.split(data.id.astype(str).tolist(), dev=150, test=150)
    for part in ["train", "dev", "test"]:
        assert data.id.to_numpy()[by_array[part]].tolist() == expected[part]
        assert by_strings[part].tolist() == by_array[part].tolist()
    # arrays as stratify/groups given directly
    strat = mlstrat.split(data.id.to_numpy(), stratify=data.label.to_numpy(), dev=0.2, test=0.2)
    named = mlstrat.split(data, id="id", stratify="label", dev=0.2, test=0.2)
    assert {k: v.tolist() for k, v in strat.items()} == {k: v.tolist() for k, v in named.items()}


def bad(tmp_path, data, flags, kwargs):
    path = str(tmp_path / "data.csv")
    data.to_csv(path, index=False)
    message = run_cli("split", path, "--out", str(tmp_path / "out"), *flags, ok=False)
    with pytest.raises(mlstrat.InputError) as caught:
        mlstrat.split(data, **kwargs)
    return message.replace(path, "frame"), str(caught.value)


def test_bad_options_raise_the_cli_message(tmp_path):
    data = frame(500)
    for flags, kwargs in [
        (["--stable", "--stratify", "label", "--dev", "10%", "--test", "10%"],
         {"stable": True, "stratify": "label", "dev": 0.1, "test": 0.1}),
        (["--stable", "--dev", "50", "--test", "10%"], {"stable": True, "dev": 50, "test": 0.1}),
        (["--dev", "400", "--test", "200"], {"dev": 400, "test": 200}),
        (["--target", "source=tablet"], {"target": "source=tablet"}),
        (["--dev", "-3"], {"dev": -3}),
        (["--target-in-train", "10"], {"target_in_train": 10}),
    ]:
        cli, python = bad(tmp_path, data, flags, kwargs)
        assert python == cli, flags
    rare = data.copy()
    rare.loc[3, "label"] = "fish"
    cli, python = bad(tmp_path, rare, ["--stratify", "label"], {"stratify": "label"})
    assert python == cli


def test_bad_rows_name_the_column_and_row(tmp_path):
    data = frame(50)
    data["user"] = data.user.astype(str)
    data.loc[7, "user"] = ""
    with pytest.raises(mlstrat.InputError, match=r"user\[7\]: column 'user' is empty; every row needs a group"):
        mlstrat.split(data, groups="user")
    mixed = frame(50)
    mixed.loc[0, "user"] = mixed.loc[1, "user"]
    mixed.loc[0, "source"], mixed.loc[1, "source"] = "web", "mobile"
    with pytest.raises(mlstrat.InputError, match="has rows both matching and not matching --target"):
        mlstrat.split(mixed, groups="user", target="source=mobile")
    with pytest.raises(mlstrat.InputError, match="ids\\[2\\]: column 'ids' is empty"):
        mlstrat.split(["a", "b", "", "d"])
    with pytest.raises(mlstrat.InputError, match="stratify: no column 'nope'"):
        mlstrat.split(data, stratify="nope")
    with pytest.raises(mlstrat.InputError, match="stratify has 3 values but ids has 4"):
        mlstrat.split(["a", "b", "c", "d"], stratify=[1, 2, 3])
    with pytest.raises(mlstrat.InputError, match="frame: no rows to split"):
        mlstrat.split(np.array([], dtype=np.int64))
