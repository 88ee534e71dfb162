"""The MLP: gradients, the course's data and initialisation, and course mode
against the course's own dict-based loop (gdtui/course_loop.py)."""

import numpy as np
import pytest

from gdtui import course_loop, scenario
from gdtui.core.data import course_moons
from gdtui.core.mlp import MLP
from gdtui.core.race import Race, RunConfig

from .test_gradients import finite_difference


@pytest.mark.parametrize("layers,activation,dataset", [
    ([2, 5, 2, 1], "relu", "moons"), ([2, 3, 1], "tanh", "circles"), ([2, 4, 4, 3, 1], "sigmoid", "xor"),
    ([2, 1], "relu", "blobs"), ([2, 8, 1], "tanh", "spiral"),
])
def test_gradient_against_finite_differences(layers, activation, dataset):
    p = MLP(np.random.default_rng(1), layers=layers, activation=activation, dataset=dataset, samples=40)
    rng = np.random.default_rng(2)
    P = rng.normal(size=(3, p.dim))
    if activation == "relu":  # keep away from the kinks, where the derivative jumps
        P += np.sign(P) * 0.05
    _, G = p.value_and_grad(P)
    np.testing.assert_allclose(G, finite_difference(p.loss, P, h=1e-6), atol=2e-7)
    idx = np.stack([rng.choice(40, 10, replace=False) for _ in range(3)])
    w = np.full((3, 10), 0.1)
    _, Gb = p.value_and_grad(P, (idx, w))
    np.testing.assert_allclose(Gb, finite_difference(lambda Q: p.value_and_grad(Q, (idx, w))[0], P), atol=2e-7)


def test_parameter_views_carry_the_seeds_names():
    p = MLP(np.random.default_rng(0), layers=[2, 5, 2, 1])
    assert p.dim == 2 * 5 + 5 + 5 * 2 + 2 + 2 + 1
    P = np.arange(2 * p.dim, dtype=float).reshape(2, p.dim)
    v = p.parameter_views(P)
    assert v["W1"].shape == (2, 5, 2) and v["b1"].shape == (2, 5, 1) and v["W3"].shape == (2, 1, 2)
    v["b2"][1, 0, 0] = -7.0  # a view: writes land in P
    assert -7.0 in P[1]
    assert len(p.param_names) == p.dim and p.param_names[:3] == ("W1[0,0]", "W1[0,1]", "b1[0]")


def test_moons_first_points_match_the_course():
    X, y = course_moons()
    np.testing.assert_allclose(X[:3, 0], [-0.21687013, 0.80505015, 0.71127451], atol=1e-8)
    np.testing.assert_allclose(X[:3, 1], [1.01544937, -0.5579734, -0.41006024], atol=1e-8)
    assert y.sum() == 150 and len(y) == 300


def test_course_he_initialisation():
    p = MLP(None, course=True)
    v = p.parameter_views(p.initial_params()[None])
    rs = np.random.RandomState(3)
    for l, (n, n_prev) in enumerate([(5, 2), (2, 5), (1, 2)], start=1):
        np.testing.assert_array_equal(v[f"W{l}"][0], rs.randn(n, n_prev) * np.sqrt(2 / n_prev))
        assert not v[f"b{l}"].any()


def course_race(runs, epochs):
    sc = scenario.load("course_moons")
    sc.runs = runs
    race = sc.build_race(length=epochs)
    race.step(epochs)
    return race


RULES = [("gd", {}), ("momentum", {"beta": 0.9}), ("adam", {})]


@pytest.mark.parametrize("rule,hyper", RULES)
def test_course_mode_equals_the_course_loop(rule, hyper):
    X, y = course_moons()
    params, costs = course_loop.model(X.T, y[None], [2, 5, 2, 1], rule, learning_rate=0.0007, num_epochs=50)
    race = course_race([RunConfig(rule, rule, 0.0007, 64, hyper)], 50)
    views = race.problem.parameter_views(race.P)
    for name, value in params.items():
        np.testing.assert_allclose(views[name][0], value, rtol=0, atol=1e-10)
    np.testing.assert_allclose(race.history.epoch_cost[1:, 0], costs, rtol=0, atol=1e-10)


def test_course_mode_decay_uses_the_previous_epochs_index():
    """The course updates the rate after each epoch from the epoch's own index:
    epoch e trains at lr0 / (1 + decay_rate*floor((e-1)/interval))."""
    X, y = course_moons()
    params, costs = course_loop.model(X.T, y[None], [2, 5, 2, 1], "momentum", learning_rate=0.1,
                                      num_epochs=40, decay_rate=1.0, time_interval=10)
    schedule = {"type": "step", "decay_rate": 1.0, "interval": 10}
    race = course_race([RunConfig("m", "momentum", 0.1, 64, {"beta": 0.9}, schedule)], 40)
    views = race.problem.parameter_views(race.P)
    for name, value in params.items():
        np.testing.assert_allclose(views[name][0], value, rtol=0, atol=1e-10)
    np.testing.assert_allclose(race.history.epoch_cost[1:, 0], costs, rtol=0, atol=1e-10)
    # the rate of 0-based epochs 0, 10, 11 and 21: from floor((e-1)/10) = 0, 0, 1, 2
    lr = race.history.lr[1:, 0]
    assert [lr[0], lr[10], lr[11], lr[21]] == pytest.approx([0.1, 0.1, 0.05, 0.1 / 3])


@pytest.mark.slow
def test_the_published_course_result(gdtui_json):
    """gdtui run course_moons: GD 0.7967 (239/300), momentum 0.7967, Adam 0.94 (282/300)."""
    doc = gdtui_json("run", "course_moons", "--json")
    acc = {r["name"]: round(r["accuracy"] * 300) for r in doc["runs"]}
    assert acc == {"GD": 239, "Momentum": 239, "Adam": 282}
    assert all(r["epochs"] == 10000 and r["updates"] == 50000 for r in doc["runs"])


def test_decay_result_matches_the_course_loop(gdtui_json):
    """gdtui run course_moons_decay equals the course loop with schedule_lr_decay:
    GD 0.9433 (283/300), momentum 0.9533 (286/300), Adam 0.94 (282/300)."""
    doc = gdtui_json("run", "course_moons_decay", "--json")
    acc = {r["name"]: round(r["accuracy"] * 300) for r in doc["runs"]}
    assert acc == {"GD": 283, "Momentum": 286, "Adam": 282}
