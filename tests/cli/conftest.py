import json
import subprocess
import sys
from pathlib import Path

import pytest

from gdtui.cli import main


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def gdtui(capsys):
    """Run the command line in-process: gdtui("run", "bowl", "--json")."""
    def call(*argv):
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return call


def gdtui_process(*argv, **kw):
    """Run `python -m gdtui` as a user would (tracebacks would show here)."""
    p = subprocess.run([sys.executable, "-m", "gdtui", *map(str, argv)], capture_output=True, text=True, **kw)
    return Result(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def scenario_file(tmp_path):
    """Write a scenario file; returns its path."""
    def write(text, name="s.toml"):
        path = tmp_path / name
        path.write_text(text)
        return path
    return write


BASE = '''
title = "t"
steps = 20
[problem]
type = "surface"
name = "bowl"
start = [-3.0, 1.5]
[[runs]]
name = "GD"
optimizer = "gd"
lr = 0.05
'''
