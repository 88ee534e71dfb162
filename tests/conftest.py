import os

# Snapshot and UI tests must not depend on the user's terminal settings.
os.environ.pop("NO_COLOR", None)
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

import json

import pytest


@pytest.fixture
def gdtui_json(capsys):
    """The JSON printed by the in-process command line."""
    from gdtui.cli import main

    def call(*argv):
        code = main(list(argv))
        out = capsys.readouterr().out
        assert code == 0
        return json.loads(out)
    return call
