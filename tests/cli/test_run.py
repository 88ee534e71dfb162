import csv
import io
import subprocess
import sys

import numpy as np
import pytest

from .conftest import BASE, gdtui_process


def test_run_table(gdtui):
    r = gdtui("run", "bowl")
    assert r.code == 0
    assert "GD" in r.out and "Momentum tuned" in r.out and "Adam" in r.out and "final loss" in r.out
    assert "converged at 55" in r.out  # the tuned heavy ball (β = 4/9 exactly)


def test_run_json_shape(gdtui):
    r = gdtui("run", "bowl", "--json", "--steps", "50")
    assert r.code == 0
    doc = r.json()
    assert doc["scenario"] == "The elongated bowl" and doc["steps"] == 50
    names = [x["name"] for x in doc["runs"]]
    assert names == ["GD", "Momentum tuned", "Momentum 0.9", "Adam"]
    for run in doc["runs"]:
        for key in ("name", "optimizer", "batch", "lr", "status", "diverged_at", "converged_at",
                    "final_loss", "params"):
            assert key in run
        assert run["status"] in ("running", "converged", "diverged")
        assert len(run["params"]) == 2


def test_run_json_final_loss_is_the_loss_at_the_final_params(gdtui):
    doc = gdtui("run", "bowl", "--json", "--steps", "30").json()
    for run in doc["runs"]:
        x, y = run["params"]
        assert run["final_loss"] == pytest.approx(0.5 * (x * x + 25 * y * y), rel=1e-12)


def test_history_has_n_plus_one_losses(gdtui):
    doc = gdtui("run", "bowl", "--json", "--history", "--steps", "12").json()
    for run in doc["runs"]:
        assert len(run["losses"]) == 13
        assert run["losses"][0] == pytest.approx(0.5 * (3.5**2 + 25 * 1.5**2))
    assert "losses" not in gdtui("run", "bowl", "--json", "--steps", "3").json()["runs"][0]


def test_the_same_scenario_twice_gives_identical_json(gdtui):
    a = gdtui("run", "ravine", "--json", "--history").out
    b = gdtui("run", "ravine", "--json", "--history").out
    assert a == b and len(a) > 1000


def test_csv_round_trips_into_numpy(gdtui, tmp_path):
    path = tmp_path / "t.csv"
    assert gdtui("run", "bowl", "--steps", "10", "--csv", path).code == 0
    rows = list(csv.DictReader(open(path)))
    assert len(rows) == 11 * 4 and list(rows[0]) == ["step", "run", "loss", "x", "y"]
    data = np.genfromtxt(path, delimiter=",", names=True, dtype=None, encoding=None)
    gd = data[data["run"] == "GD"]
    assert gd["step"].tolist() == list(range(11))
    x, y = gd["x"][-1], gd["y"][-1]
    assert gd["loss"][-1] == pytest.approx(0.5 * (x * x + 25 * y * y))


def test_diverged_run_is_reported_and_json_stays_valid(gdtui, scenario_file):
    path = scenario_file(BASE.replace("lr = 0.05", "lr = 0.1") + '''
[[runs]]
name = "Adam"
optimizer = "adam"
lr = 0.1
''')
    doc = gdtui("run", path, "--json", "--history", "--steps", "200").json()
    gd, adam = doc["runs"]
    assert gd["status"] == "diverged" and gd["final_loss"] is None and gd["diverged_at"] > 0
    assert adam["status"] != "diverged" and adam["final_loss"] < 1e-3
    table = gdtui("run", path, "--steps", "200").out
    assert "diverged" in table


def test_python_dash_m_works_and_does_not_import_textual():
    code = ("import sys; from gdtui.cli import main; main(['run', 'bowl', '--json', '--steps', '5']);"
            "main(['list']); print('textual' in sys.modules, 'plotext' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip().endswith("False False")
    r = gdtui_process("--help")
    assert r.code == 0 and "run" in r.out


def test_list_shows_problems_rules_and_scenarios(gdtui):
    out = gdtui("list").out
    for word in ("rosenbrock", "linreg", "adam", "beta1", "0.999", "inverse_time", "ravine"):
        assert word in out


def test_check(gdtui, scenario_file):
    good = scenario_file(BASE)
    r = gdtui("check", "bowl", "ravine", good)
    assert r.code == 0 and r.out.count("ok ") == 3
    bad = scenario_file(BASE.replace("lr = 0.05", "lr = -1"), "bad.toml")
    r = gdtui("check", good, bad)
    assert r.code == 2 and "ok" in r.out and "bad.toml: runs[0].lr: must be > 0" in r.err


def test_bundled_scenarios_are_found_from_any_directory(tmp_path):
    r = gdtui_process("run", "bowl", "--json", "--steps", "3", cwd=tmp_path)
    assert r.code == 0, r.err
