"""The layers keep to their places: widgets draw a frame and a view and nothing else;
the core is numpy only; the renderers know no Textual."""

import ast
from pathlib import Path

import gdtui

PACKAGE = Path(gdtui.__file__).parent


def modules(folder: str):
    return sorted((PACKAGE / folder).glob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module a file imports, relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("gdtui", *path.relative_to(PACKAGE).parent.parts))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def attributes(path: Path) -> set[str]:
    return {node.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute)}


def test_widgets_never_import_the_core():
    for path in modules("ui/widgets"):
        core = {name for name in imported(path) if name.startswith("gdtui.core")}
        assert not core, f"{path.name} imports {core}"


def test_widgets_never_read_the_race_or_the_problem_or_the_playback():
    for path in modules("ui/widgets"):
        reached = attributes(path) & {"race", "problem", "playback", "history"}
        assert not reached, f"{path.name} reaches {reached}"


def test_the_core_is_numpy_only():
    for path in modules("core"):
        outside = {name for name in imported(path)
                   if name.split(".")[0] not in ("numpy", "gdtui", "__future__", "dataclasses", "typing", "math", "cmath",
                                                 "collections", "functools", "itertools", "enum", "copy",
                                                 # a formula's parser and a points file's reader
                                                 "ast", "csv", "pathlib", "stat")}
        assert not outside, f"{path.name} imports {outside}"
        assert not {name for name in imported(path) if name.startswith("gdtui.") and not name.startswith("gdtui.core")}


def test_the_renderers_know_no_textual():
    for path in modules("render"):
        assert not {name for name in imported(path) if name.startswith("textual")}, path.name


def test_the_imports_test_sees_relative_imports():
    """(The checks above would pass vacuously if relative imports were missed.)"""
    names = imported(PACKAGE / "ui" / "widgets" / "surface.py")
    assert "gdtui.render.overlay" in names or "gdtui.render" in names
    assert "gdtui.core.race.Race" in imported(PACKAGE / "playback" / "setup.py") or \
        "gdtui.core.race.RunConfig" in imported(PACKAGE / "playback" / "setup.py")
