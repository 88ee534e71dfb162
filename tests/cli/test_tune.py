"""gdtui tune: equal budgets, reproducible draws, a trial is a run alone, and what is reported."""

import json
import math

import numpy as np
import pytest

from gdtui.core.race import Race
from gdtui.scenario import load, parse
from gdtui.tune import grid_trials, random_trials, run_tune, trial_run

from .conftest import BASE, gdtui_process

EVERY_RULE = BASE.split("[[runs]]")[0] + "".join(
    f'[[runs]]\nname = "{rule}"\noptimizer = "{rule}"\nlr = 0.01\n'
    for rule in ("gd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam", "adamw"))


@pytest.mark.parametrize("search", ["random", "grid"])
@pytest.mark.parametrize("budget", [1, 5, 16, 33])
def test_every_run_gets_exactly_the_budget(search, budget):
    sc = parse(EVERY_RULE, "every-rule.toml")
    race, result = run_tune(sc, budget, 3, search)
    assert race.R == 8 * budget
    for run in result["runs"]:
        assert run["trials"] == budget and len(run["points"]) == budget
        settings = [(p["lr"], tuple(sorted(p["hyper"].items()))) for p in run["points"]]
        assert len(set(settings)) == len(settings) or budget == 1 or search == "grid" and run["searched"] == ["lr"]
        for p in run["points"]:
            assert 1e-5 <= p["lr"] <= 10
            assert set(p["hyper"]) == set(run["searched"]) - {"lr"}


def test_the_random_search_is_log_uniform_in_rate_and_in_one_minus_beta():
    """The draws, worked out from the documented distribution: u uniform from the run's own
    generator (seed, 13, run); lr = 1e-5 · 10^(6u); β = 1 − 0.5 · (0.001/0.5)^u."""
    trials = random_trials("momentum", 4, np.random.default_rng([7, 13, 2]))
    u = np.random.default_rng([7, 13, 2]).random((4, 2))
    np.testing.assert_allclose([t["lr"] for t in trials], 10 ** (-5 + 6 * u[:, 0]), rtol=1e-12)
    np.testing.assert_allclose([t["beta"] for t in trials], 1 - 0.5 * 0.002 ** u[:, 1], rtol=1e-12)


def test_the_grid_shares_the_budget_out_over_the_decay_rates():
    # momentum, 16 trials: 4 values of β (the most that leave 4 rates each), 4 rates each
    grid = grid_trials("momentum", 16)
    betas = sorted({t["beta"] for t in grid})
    np.testing.assert_allclose(betas, [0.5, 1 - 0.5 * 0.002 ** (1 / 3), 1 - 0.5 * 0.002 ** (2 / 3), 0.999])
    for beta in betas:
        np.testing.assert_allclose([t["lr"] for t in grid if t["beta"] == beta], [1e-5, 1e-3, 0.1, 10])
    # adam, 19 trials: 2 values each of β1 and β2 (3 × 3 × 4 = 36 > 19); 5, 5, 5 and 4 rates
    grid = grid_trials("adam", 19)
    combos = [(t["beta1"], t["beta2"]) for t in grid]
    assert sorted(set(combos)) == [(0.5, 0.9), (0.5, 0.9999), (0.999, 0.9), (0.999, 0.9999)]
    assert sorted(combos.count(c) for c in set(combos)) == [4, 5, 5, 5]
    assert [t["lr"] for t in grid_trials("gd", 7)] == pytest.approx(list(np.geomspace(1e-5, 10, 7)))


def test_the_same_seed_gives_the_same_json_and_another_seed_other_trials():
    first = gdtui_process("tune", "ravine", "--budget", "6", "--steps", "40", "--json")
    again = gdtui_process("tune", "ravine", "--budget", "6", "--steps", "40", "--json")
    other = gdtui_process("tune", "ravine", "--budget", "6", "--steps", "40", "--seed", "1", "--json")
    assert first.code == again.code == other.code == 0 and first.err == ""
    assert first.out == again.out
    a, b = json.loads(first.out), json.loads(other.out)
    assert a["seed"] == 0 and b["seed"] == 1
    grid = json.loads(gdtui_process("tune", "bowl", "--budget", "4", "--steps", "5", "--search", "grid", "--json").out)
    assert grid["seed"] is None   # (a grid draws nothing)
    assert [p["lr"] for p in a["runs"][0]["points"]] != [p["lr"] for p in b["runs"][0]["points"]]


@pytest.mark.parametrize("name,length", [("ravine", 60), ("saddle", 60), ("spiral", 4)])
def test_a_trial_equals_a_one_run_race_with_its_setting(name, length):
    """ravine: mini-batches of the data; saddle: gradient noise on a surface; spiral: a network
    on an epoch clock. Each trial carries its run's stream: alone, it sees the same batches and noise."""
    sc = load(name)
    race, result = run_tune(sc, 4, length)
    for k, run in enumerate(sc.runs):
        for t, point in enumerate(result["runs"][k]["points"]):
            alone = Race(race.problem, [trial_run(run, k, t, {"lr": point["lr"], **point["hyper"]})], race.start,
                         seed=sc.seed, clock=sc.clock, tolerance=sc.tolerance, length=length, course=sc.course)
            alone.step(length)
            i = 4 * k + t
            np.testing.assert_array_equal(alone.P[0], race.P[i])
            assert alone.status_name(0) == point["status"]
            if point["final_loss"] is not None:
                assert alone.last_loss[0] == point["final_loss"]


def test_what_is_reported_follows_from_the_trials():
    sc = load("bowl")
    _, result = run_tune(sc, 24, 200)
    f0 = float(load("bowl").build_race().history.loss[0, 0])
    for run in result["runs"]:
        finals = [math.inf if p["status"] == "diverged" else p["final_loss"] for p in run["points"]]
        stable = [f if f < f0 else math.inf for f in finals]     # ended below its start
        best = int(np.argmin(stable))
        assert run["best"]["final_loss"] == finals[best] and run["best"]["trial"] == best + 1
        assert run["best"]["lr"] == run["points"][best]["lr"]
        median = float(np.median(finals))
        assert run["median_final_loss"] == (median if math.isfinite(median) else None)
        assert run["diverged_fraction"] == sum(p["status"] == "diverged" for p in run["points"]) / 24
        rates = [p["lr"] for p, f in zip(run["points"], finals) if f < f0]
        assert run["window_decades"] == pytest.approx(math.log10(max(rates) / min(rates)))
    gd = result["runs"][0]
    # GD on the bowl (λmax = 25): every trial above 2/λmax = 0.08 diverges, every one below does not
    assert all((p["status"] == "diverged") == (p["lr"] > 0.08) for p in gd["points"])


def test_a_trial_that_ends_no_lower_than_it_started_is_never_the_best():
    """From the bowl's minimum no trial can end below its start: none is best (as in a sweep),
    though every one ended at a finite loss, 0."""
    sc = parse(BASE.replace("start = [-3.0, 1.5]", "start = [0.0, 0.0]"), "at-the-minimum.toml")
    _, result = run_tune(sc, 6, 20)
    gd = result["runs"][0]
    assert all(p["final_loss"] == 0.0 for p in gd["points"])
    assert gd["best"] is None and gd["window_decades"] is None and gd["median_final_loss"] == 0.0


def test_tune_prints_a_plot_and_a_table(gdtui):
    r = gdtui("tune", "bowl", "--budget", "8", "--steps", "100")
    assert r.code == 0 and r.err == ""
    assert "8 trials per run (random search, draws seeded 0), 100 steps each" in r.out
    assert "stable span" in r.out and "β1 = " in r.out


@pytest.mark.parametrize("argv,expected", [
    (["--budget", "0"], "--budget: must be >= 1, got 0"),
    (["--budget", "1001"], "--budget: must be <= 1000, got 1001"),
    (["--search", "bayes"], "--search: invalid choice: 'bayes'"),
    (["--search", "grid", "--seed", "3"], "--seed is for --search random"),
    (["--epochs", "3"], "bowl: this scenario counts steps: use --steps"),
    (["--seed", "-1"], "--seed: must be >= 0, got -1"),
])
def test_bad_tune_input(gdtui, argv, expected):
    r = gdtui("tune", "bowl", *argv)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and expected in r.err, r.err


def test_a_budget_that_cannot_finish_is_refused_naming_the_budget(gdtui):
    r = gdtui("tune", "course_moons", "--budget", "1000")
    assert r.code == 2 and r.err.startswith("gdtui: error: --budget:") and r.err.count("\n") == 1, r.err
