"""Every Python example of docs/python.md runs as it is."""
import os
import re

import pytest

from conftest import SOURCE_DIR


def examples():
    with open(os.path.join(SOURCE_DIR, "docs", "python.md")) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


@pytest.mark.parametrize("code", examples())
def test_example_runs(code, capsys):
    exec(compile(code, "docs/python.md", "exec"), {})
    assert capsys.readouterr().out.strip()
