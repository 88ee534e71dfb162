"""Your own points from a CSV: the network races on the file's points; a bad file is one line
naming the scenario, the CSV, the row and the column, exit status 2."""

import numpy as np
import os

import pytest

from gdtui.core.points import MAX_ROWS

SCENARIO = '''title = "mine"
epochs = 5
[problem]
type = "mlp"
layers = [2, 4, 1]
data = "points.csv"
[[runs]]
optimizer = "adam"
lr = 0.01
batch = 4
'''
GOOD = "x1,x2,label\n0,0,0\n1,1,1\n0.5,-1,0\n-1,2,1\n"


def write(tmp_path, csv_text, scenario=SCENARIO, name="points.csv"):
    (tmp_path / name).write_bytes(csv_text.encode() if isinstance(csv_text, str) else csv_text)
    path = tmp_path / "mine.toml"
    path.write_text(scenario)
    return path


def test_a_network_races_on_the_files_points(gdtui, tmp_path):
    path = write(tmp_path, "label,x2,x1,note\n0,0,0,a\n1,1,1,b\n\n0,-1,0.5,c\n1,2,-1,d\n")   # any column order
    doc = gdtui("run", path, "--json").json()
    assert doc["problem"] == "mlp" and doc["runs"][0]["status"] == "running"
    from gdtui.scenario import load

    problem = load(str(path)).build_problem()
    assert problem.X.tolist() == [[0, 0], [1, 1], [0.5, -1], [-1, 2]] and problem.y.tolist() == [0, 1, 0, 1]
    assert problem.n_samples == 4 and "points.csv" in problem.name


def test_the_path_is_relative_to_the_scenario_file(gdtui, tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    monkeypatch.chdir("/")
    assert gdtui("check", path).code == 0


@pytest.mark.parametrize("csv_text,expected", [
    ("x1,x2\n0,0\n", "row 1: the header must name the columns x1, x2 and label (missing: label; found: x1, x2)"),
    ("", "row 1: the header must name the columns x1, x2 and label (missing: x1, x2, label; found: nothing)"),
    ("x1,x2,label\n0,0,0\n1,abc,1\n", "row 3, column x2: 'abc' is not a number"),
    ("x1,x2,label\n0,0,0\ninf,1,1\n", "row 3, column x1: inf is not finite"),
    ("x1,x2,label\n0,0,0\nnan,1,1\n", "row 3, column x1: nan is not finite"),
    ("x1,x2,label\n0,0,0\n1,1,2\n", "row 3, column label: must be 0 or 1 (got 2)"),
    ("x1,x2,label\n0,0,0\n1,1\n", "row 3, column label: missing (the row has 2 cells)"),
    ("x1,x2,label\n0,0,1\n1,1,1\n", "every label is 1: a classifier needs points of both classes"),
    ("x1,x2,label\n0,0,1\n", "1 point: at least 2 are needed"),
    ("x1,x2,label\n0,0,0\n1e9,1,1\n", "row 3, column x1: 1e9 is beyond ±1e6"),
    ("x1,x2,label\n" + "0,0,0\n1,1,1\n" * (MAX_ROWS // 2) + "2,2,0\n",
     f"row {MAX_ROWS + 2}: more than {MAX_ROWS} points"),
    (b"x1,x2,label\n0,0,0\n\xff\xfe,1,1\n", "not UTF-8 text"),
])
def test_a_bad_csv_is_one_line_naming_file_row_and_column(gdtui, tmp_path, csv_text, expected):
    path = write(tmp_path, csv_text)
    for command in (("check", path), ("run", path, "--json"), ("sweep", path, "--points", "2")):
        r = gdtui(*command)
        assert r.code == 2 and r.out == "" and r.err.count("\n") == 1, r.err
        assert r.err.startswith(f"gdtui: error: {path}: problem.data: 'points.csv': ") and expected in r.err, r.err


def test_a_missing_file_and_clashing_fields(gdtui, tmp_path):
    path = write(tmp_path, GOOD, name="other.csv")
    r = gdtui("check", path)
    assert r.code == 2 and "problem.data: 'points.csv': cannot read it: No such file or directory" in r.err
    path = write(tmp_path, GOOD, SCENARIO.replace('data = "points.csv"', 'data = "points.csv"\nsamples = 50'))
    r = gdtui("check", path)
    assert r.code == 2 and "problem.samples: the points come from problem.data" in r.err
    path = write(tmp_path, GOOD, 'compat = "course"\n' + SCENARIO)
    r = gdtui("check", path)
    assert r.code == 2 and "compat: 'course' uses the course's own moons" in r.err


def test_tuning_and_sweeping_run_on_the_files_points(gdtui, tmp_path):
    path = write(tmp_path, GOOD)
    assert gdtui("tune", path, "--budget", "3", "--json").json()["runs"][0]["trials"] == 3
    assert gdtui("sweep", path, "--points", "3", "--json").json()["points"] == 3


LOGREG = '''title = "mine on a line"
steps = 50
[problem]
type = "logreg"
data = "line.csv"
[[runs]]
optimizer = "gd"
lr = 0.5
'''


def test_a_logistic_regression_on_the_files_points_on_a_line(gdtui, tmp_path):
    """Its own minimum (Newton's, on the file's points) is where GD goes."""
    labels = {-2: 0, -1.5: 0, -1: 1, -0.6: 0, -0.2: 1, 0.1: 0, 0.4: 1, 0.7: 0, 1: 1, 2: 1}   # (overlapping)
    (tmp_path / "line.csv").write_text("x,label\n" + "".join(f"{x},{c}\n" for x, c in labels.items()))
    path = tmp_path / "line.toml"
    path.write_text(LOGREG.replace("steps = 50", "steps = 3000"))
    from gdtui.scenario import load

    problem = load(str(path)).build_problem()
    assert problem.x.tolist() == [-2, -1.5, -1, -0.6, -0.2, 0.1, 0.4, 0.7, 1, 2] and problem.n_samples == 10
    assert problem.name == "logreg on line.csv" and problem.minima   # (not separable: a minimum exists)
    doc = gdtui("run", path, "--json").json()
    np.testing.assert_allclose(doc["runs"][0]["params"], problem.minima[0], atol=1e-4)


def test_a_logistic_regressions_csv_names_its_columns(gdtui, tmp_path):
    (tmp_path / "line.csv").write_text("x1,x2,label\n0,0,0\n1,1,1\n")
    path = tmp_path / "line.toml"
    path.write_text(LOGREG)
    r = gdtui("check", path)
    assert r.code == 2 and "row 1: the header must name the columns x and label (missing: x" in r.err
    (tmp_path / "line.csv").write_text("x,label\n0,0\n1,1\n")
    path.write_text(LOGREG.replace('data = "line.csv"', 'data = "line.csv"\nw_true = 3'))
    r = gdtui("check", path)
    assert r.code == 2 and "problem.w_true: the points come from problem.data" in r.err


@pytest.mark.parametrize("make,expected", [
    (lambda d: os.mkfifo(d / "points.csv"), "not a regular file"),
    (lambda d: (d / "points.csv").mkdir(), "not a regular file"),
    (lambda d: (d / "points.csv").write_text("x1,x2,label\n" + "a" * 200_000 + ",1,1\n"), "not a CSV file this tool"),
    (lambda d: (d / "points.csv").write_text("x1,x2,label,x1\n1,1,1,2\n"), "row 1: the column x1 is named twice"),
    (lambda d: (d / "points.csv").write_text("x1,x2,label\n0,0,0\n1" + "0" * 300 + ",1,1\n"),
     "row 3, column x1: 100000000000000000000000000000000000000… is beyond ±1e6"),
])
def test_a_file_that_is_no_csv_of_points_is_one_short_line(gdtui, tmp_path, make, expected):
    """A FIFO or a device would never end; a directory, a giant cell, a column named twice."""
    (tmp_path / "mine.toml").write_text(SCENARIO)
    make(tmp_path)
    r = gdtui("check", tmp_path / "mine.toml")
    assert r.code == 2 and expected in r.err and r.err.count("\n") == 1 and len(r.err) < 300, r.err


def test_a_saved_scenario_keeps_its_points_file(gdtui, tmp_path, monkeypatch):
    from gdtui.scenario import load, parse
    from gdtui.scenario_writer import dumps

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "points.csv").write_text(GOOD)
    (tmp_path / "sub" / "mine.toml").write_text(SCENARIO)
    monkeypatch.chdir(tmp_path)
    saved = dumps(load("sub/mine.toml"))
    (tmp_path / "sub" / "saved.toml").write_text(saved)
    assert load("sub/saved.toml").build_problem().n_samples == 4
    assert parse(saved, "elsewhere.toml").build_problem().n_samples == 4
