"""gdtui sweep: stability windows against theory, batching against single runs, bad input."""

import numpy as np
import pytest

from gdtui.core.race import Race
from gdtui.scenario import load, parse
from gdtui.sweep import lr_grid, run_sweep

from .conftest import BASE


def test_gd_window_edge_is_two_over_lambda_max_on_the_bowl(gdtui):
    doc = gdtui("sweep", "bowl", "--points", "64", "--steps", "1000", "--json").json()
    assert doc["points"] == 64 and doc["theory"]["gd_edge"] == pytest.approx(2 / 25)
    lrs = [p["lr"] for p in doc["runs"][0]["points"]]
    np.testing.assert_allclose(lrs, np.geomspace(1e-4, 10, 64))
    gd = doc["runs"][0]
    hi = gd["window"][1]
    following = lrs[lrs.index(hi) + 1]
    assert hi <= 2 / 25 < following  # the edge, to the grid's resolution
    assert all(p["status"] == "diverged" for p in gd["points"] if p["lr"] > 0.1)
    # the seed's momentum (beta 0.9) is stable up to lr < 2(1+beta)/((1-beta)*lmax) = 1.52
    m09 = doc["runs"][2]
    assert m09["window"][1] <= 1.52 < lrs[lrs.index(m09["window"][1]) + 1]


def test_gd_window_edge_on_the_linear_regression_ravine():
    sc = parse(BASE.replace('type = "surface"\nname = "bowl"\nstart = [-3.0, 1.5]',
                            'type = "linreg"\nx_std = 0.1\nstart = [-2.0, 2.5]').replace("steps = 20", "steps = 400"),
               "ravine-gd.toml")
    lrs = lr_grid(0.01, 10, 48)
    race, result = run_sweep(sc, lrs)
    lam_max = np.linalg.eigvalsh(2 * race.problem.A)[1]   # f = f* + dᵀAd
    hi = result["runs"][0]["window"][1]
    k = list(lrs).index(hi)
    assert lrs[k] <= 2 / lam_max < lrs[k + 1]
    assert result["theory"]["gd_edge"] == pytest.approx(2 / lam_max)


def test_each_sweep_point_equals_a_race_of_that_run_alone():
    sc = load("ravine")  # mini-batches and noise: the copies of a run share its random stream
    lrs = lr_grid(0.01, 1.0, 5)
    race, _ = run_sweep(sc, lrs, 50)
    for k, run in enumerate(sc.runs):
        for j, lr in enumerate(lrs):
            alone = Race(race.problem, [race.runs[k * len(lrs) + j]], race.start, seed=sc.seed, length=50)
            alone.step(50)
            np.testing.assert_array_equal(alone.P[0], race.P[k * len(lrs) + j])


def test_sweep_table(gdtui):
    r = gdtui("sweep", "bowl", "--points", "8", "--steps", "100")
    assert r.code == 0 and "best lr" in r.out and "2/λmax = 0.08" in r.out


@pytest.mark.parametrize("argv,expected", [
    (["--lr", "1:0.1"], "--lr: MIN must be below MAX (got 1:0.1)"),
    (["--lr", "0:1"], "--lr: both bounds must be finite and > 0 (got 0:1)"),
    (["--lr=-1:1"], "--lr: both bounds must be finite and > 0 (got -1:1)"),
    (["--lr", "fast"], "--lr: expected MIN:MAX such as 1e-4:10, got 'fast'"),
    (["--points", "1"], "--points: must be >= 2, got 1"),
    (["--epochs", "3"], "bowl: this scenario counts steps: use --steps"),
])
def test_bad_sweep_input(gdtui, argv, expected):
    r = gdtui("sweep", "bowl", *argv)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and expected in r.err, r.err


def test_each_rules_theoretical_edge_matches_its_measured_edge_on_rotated_bowls():
    """GD, EMA momentum and Nesterov: the last stable rate of the grid is below the theory's
    edge and the next one above it, at several β and rotations."""
    runs = "".join(f'[[runs]]\nname = "{rule} {beta}"\noptimizer = "{rule}"\nlr = 0.1\n'
                   + ("" if rule == "gd" else f"beta = {beta}\n")
                   for rule, beta in [("gd", 0), ("momentum", 0.5), ("momentum", 0.9), ("nesterov", 0.5),
                                      ("nesterov", 0.9), ("nesterov", 0.99)])
    for angle in (0, 30):
        text = (BASE.replace("steps = 20", "steps = 3000").split("[[runs]]")[0]
                .replace('start = [-3.0, 1.5]', f'angle = {angle}\nstart = [-3.0, 1.5]') + runs)
        lrs = lr_grid(0.01, 10, 96)
        _, result = run_sweep(parse(text, "edges.toml"), lrs)
        for run in result["runs"]:
            edge, hi = run["theory_edge"], run["window"][1]
            k = list(lrs).index(hi)
            assert lrs[k] <= edge < lrs[k + 1], (angle, run["name"], edge, hi)


def test_a_sweep_ends_when_every_run_has_stopped_and_reports_the_length_asked(gdtui):
    """The bowl's runs all converge or diverge within a few hundred steps: 5000 asked give the
    numbers of 5000 steps (a stopped run never moves), computed only up to the last stop."""
    from gdtui import sweep
    from gdtui.scenario import load

    sc = load("bowl")
    lrs = sweep.lr_grid(0.02, 1.0, 8)
    race, result = sweep.run_sweep(sc, lrs, 5000)
    assert race.done and race.tick < 5000 and result["steps"] == 5000
    every = sweep.sweep_race(sc, lrs, 5000)
    every.step(5000)                               # all 5000 steps computed
    assert sweep.summarize(sc, every, lrs)["runs"] == result["runs"]


def test_sweep_rates_within_the_limits(gdtui):
    r = gdtui("sweep", "bowl", "--lr", "1e-20:1")
    assert r.code == 2 and "--lr: rates from 1e-12 to 1e+06 (got 1e-20:1)" in r.err
