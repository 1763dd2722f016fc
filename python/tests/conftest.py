"""What the tests share: the CLI built beside the module, run on files written from the same
arrays, so every Python result is compared with `mlstrat ... --json` on the same rows."""
import json
import os
import subprocess
import tempfile

import pytest

SOURCE_DIR = os.environ.get("MLSTRAT_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("MLSTRAT_BINARY", os.path.join(SOURCE_DIR, "build", "mlstrat"))


# The CLI runs in an empty folder: no ./mlstrat.db of the caller's is read.
EMPTY_DIR = tempfile.mkdtemp(prefix="mlstrat_pytest_")


def data_path(*parts):
    return os.path.join(SOURCE_DIR, "tests", "data", *parts)


def run_cli(*args, ok=True):
    """Runs `mlstrat ARGS`; returns the parsed JSON (ok) or the error line (not ok)."""
    proc = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, cwd=EMPTY_DIR)
    if ok:
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = proc.stderr.strip()
    assert line.startswith("mlstrat: error: "), line
    return line[len("mlstrat: error: "):]


def cli_text(*args):
    proc = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, cwd=EMPTY_DIR)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def cli():
    return run_cli


# Hypothesis keeps no example database in the checkout; its examples are drawn afresh each run.
from hypothesis import settings  # noqa: E402

settings.register_profile("mlstrat", database=None)
settings.load_profile("mlstrat")
