"""gdtui landscape: the JSON the issue specifies, the same twice, bad input in one line."""

import numpy as np
import pytest


def test_landscape_json(gdtui):
    first = gdtui("landscape", "course_moons", "--epochs", "60", "--json")
    assert first.code == 0
    doc = first.json()
    assert set(doc) >= {"scenario", "plane", "explained_variance", "grid", "runs"}
    assert doc["plane"] == "pca" and doc["unit"] == "epoch" and doc["steps"] == 60
    a, b = doc["explained_variance"]
    assert a >= b >= 0 and a + b <= 1
    grid = doc["grid"]
    assert len(grid["x"]) == 60 and len(grid["y"]) == 40
    assert len(grid["loss"]) == 40 and all(len(row) == 60 for row in grid["loss"])
    assert [r["name"] for r in doc["runs"]] == ["GD", "Momentum", "Adam"]
    for run in doc["runs"]:
        assert len(run["path"]) == 61 and len(run["residual"]) == 61
        assert all(len(p) == 2 for p in run["path"]) and min(run["residual"]) >= 0
    # the start is the same for every run, and the same point of the plane
    assert doc["runs"][0]["path"][0] == pytest.approx(doc["runs"][2]["path"][0])
    line = doc["line"]
    assert line["alpha"][0] == -0.25 and line["alpha"][-1] == 1.25 and len(line["runs"]) == 3
    # the same scenario gives the same JSON, byte for byte
    assert gdtui("landscape", "course_moons", "--epochs", "60", "--json").out == first.out


def test_random_plane_and_the_table(gdtui):
    doc = gdtui("landscape", "course_moons", "--epochs", "20", "--plane", "random", "--json").json()
    assert doc["plane"] == "random" and 0 <= sum(doc["explained_variance"]) <= 1
    out = gdtui("landscape", "course_moons", "--epochs", "20").out
    assert "off the plane now" in out and "principal directions hold" in out and "after 20 epochs" in out


def test_landscape_drawn_to_text(gdtui, tmp_path):
    f = tmp_path / "land.txt"
    assert gdtui("landscape", "course_moons", "--epochs", "30", "--out", str(f)).code == 0
    text = f.read_text()
    assert "PC1" in text and "PCA plane through the runs' mean end point" in text


@pytest.mark.parametrize("argv, expected", [
    (("landscape", "bowl"), "landscape is for networks"),
    (("landscape", "course_moons", "--out", "x.png"), "must end in .svg or .txt"),
    (("landscape", "course_moons", "--plane", "sideways"), "invalid choice"),
    (("landscape", "course_moons", "--steps", "3"), "use --epochs"),
])
def test_bad_landscape_input(gdtui, argv, expected):
    r = gdtui(*argv)
    assert r.code == 2 and expected in r.err and r.err.count("\n") == 1
