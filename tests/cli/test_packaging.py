"""A wheel holds every package of the source tree (pyproject.toml lists them by hand)."""

import tomllib
from pathlib import Path

import gdtui

ROOT = Path(gdtui.__file__).parent


def test_every_package_is_in_the_wheel():
    pyproject = ROOT.parent / "pyproject.toml"
    if not pyproject.exists():  # an installed copy: nothing to compare with
        return
    listed = set(tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(("gdtui", *p.parent.relative_to(ROOT).parts)) for p in ROOT.rglob("__init__.py")}
    assert found - listed == set()
