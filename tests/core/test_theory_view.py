"""playback/theory.py: the numbers the theory view draws, checked against the math."""

import math

import numpy as np
import pytest

from gdtui.core import theory
from gdtui.playback import theory as view
from gdtui.playback.playback import Playback
from gdtui.scenario import load


def at(name, steps):
    pb = Playback(load(name))
    pb.step(steps)
    return pb


def test_rate_map_on_the_bowl():
    data = view.build(at("bowl", 60), 0)
    m = data.rate_map
    assert m.family == "momentum" and m.eigenvalues == pytest.approx((1.0, 25.0)) and not m.local
    by_name = {r.name: r for r in m.racers}
    assert by_name["GD"].predicted == pytest.approx(0.925) and by_name["GD"].beta == 0
    assert by_name["Momentum tuned"].predicted == pytest.approx(2 / 3)
    assert by_name["Momentum 0.9"].predicted == pytest.approx(math.sqrt(0.9))
    assert by_name["Momentum 0.9"].edge == pytest.approx(2 * 1.9 / (0.1 * 25))
    assert "Adam" not in by_name                     # no linear map: not placed on it
    # the grid: its corners are the closed forms at those (lr, β)
    rho = m.grid(50, 30)
    lo, hi = m.lr_range
    gd_at_lo = max(abs(1 - lo * 1), abs(1 - lo * 25))   # bottom-left: β = 0, GD
    assert rho[-1, 0] == pytest.approx(gd_at_lo)
    top_right = max(theory.rate("momentum", hi, view.BETA_MAX, lam) for lam in (1.0, 25.0))
    assert rho[0, -1] == pytest.approx(top_right)
    assert lo <= 2 / 25 <= hi


def test_eigen_directions_follow_the_theory_exactly_for_full_batch_gd():
    data = view.build(at("ravine", 80), 0)
    e = data.eigen
    assert e.theory is not None and e.errors.shape == (81, 2)
    np.testing.assert_allclose(e.errors, e.theory, rtol=1e-6, atol=1e-12)
    flat, steep = e.rates
    lam = e.eigenvalues
    assert flat == pytest.approx(1 - 0.95 * lam[0]) and steep == pytest.approx(abs(1 - 0.95 * lam[1]))
    assert "mostly w" in e.labels[0] and "mostly b" in e.labels[1]


def test_gradient_noise_on_the_ravine_is_the_per_example_spread():
    pb = at("ravine", 40)
    data = view.build(pb, 0)
    problem = pb.problem
    w, b = pb.race.history.params[40, 0]
    # worked by hand: example i's gradient of (w x + b − y)² is 2(w x + b − y)·(x, 1)
    r = w * problem.x + b - problem.y
    g = 2 * r[:, None] * np.stack([problem.x, np.ones_like(problem.x)], axis=1)
    G = g.mean(axis=0)
    trace = np.sum(np.var(g, axis=0))
    n = data.noise
    np.testing.assert_allclose(n.full, G, rtol=1e-10)
    assert n.trace == pytest.approx(trace) and n.b_simple == pytest.approx(trace / (G @ G))
    assert n.cloud.shape == (view.NOISE_SAMPLES, 2) and n.batch == 8   # GD is full batch: batches of 8 shown
    # the cloud is centred on G: its mean is within a few standard errors
    assert np.all(np.abs(n.cloud.mean(axis=0) - G) < 4 * np.sqrt(np.diag(np.cov(g.T)) / 8 / view.NOISE_SAMPLES))
    assert n.b_path[-1] == pytest.approx(n.b_simple)


def test_local_theory_on_a_surface_and_none_for_analytic_noise():
    data = view.build(at("rosenbrock", 100), 0)
    assert data.rate_map.local and data.eigen.local and data.noise is None
    assert any("no examples" in note for note in data.notes)


def test_sharpness_series_replays_the_race():
    sc = load("course_moons")
    ticks, plain, pre, bounds, rules, names = view.sharpness_series(sc, 20, samples=10)
    assert ticks.tolist() == [0, 3, 6, 9, 12, 15, 18, 20]   # an odd stride: 2 would become 3
    assert rules == ["gd", "momentum", "adam"] and names == ["GD", "Momentum", "Adam"]
    race = sc.build_race()
    race.step(20)
    H = race.problem.hessian(race.P)
    np.testing.assert_allclose(plain[-1], np.linalg.eigvalsh(H)[:, -1], rtol=1e-10)
    np.testing.assert_allclose(bounds[-1], [2 / 0.0007, 2 * 1.9 / (0.1 * 0.0007), 2 * 1.9 / (0.1 * 0.0007)])
    assert np.isnan(pre[-1, :2]).all() and pre[-1, 2] > 0


def test_sharpness_replay_follows_a_key_change_at_its_step():
    """l halves a run's lr at step 100: the replay must change it there, not from the start."""
    pb = Playback(load("edge_of_stability"))
    pb.step(100)
    pb.select(0)
    pb.scale_lr(0.5)
    pb.step(50)
    ticks, plain, *_ = view.sharpness_series(pb.replay_scenario(), 150, samples=150)
    race = pb.race
    H = race.problem.hessian(race.history.params[150])
    np.testing.assert_allclose(plain[-1], np.linalg.eigvalsh(H)[:, -1], rtol=1e-9)
    assert race.history.lr[101, 0] == pytest.approx(0.4) and race.history.lr[100, 0] == pytest.approx(0.8)


def test_runs_with_default_hyperparameters_get_their_theory(tmp_path):
    """A momentum run and an Adam run that leave β and β1 at their defaults."""
    text = ('title = "defaults"\nsteps = 30\n[problem]\ntype = "mlp"\nlayers = [2, 3, 1]\n'
            '[[runs]]\nname = "M"\noptimizer = "momentum"\nlr = 0.1\n'
            '[[runs]]\nname = "A"\noptimizer = "adam"\nlr = 0.01\n')
    f = tmp_path / "defaults.toml"
    f.write_text(text)
    sc = load(str(f))
    *_, bounds, rules, names = view.sharpness_series(sc, 30, samples=10)
    np.testing.assert_allclose(bounds[-1], [2 * 1.9 / (0.1 * 0.1), 2 * 1.9 / (0.1 * 0.01)])
    from gdtui import theory_report
    runs = theory_report.analyse(sc)["runs"]
    assert runs[0]["hyper"] == {"beta": 0.9} and runs[0]["stable_lr_max"] is not None


def test_only_the_familys_racers_are_on_its_map():
    pb = at("rate_map", 10)
    momentum_map = view.build(pb, 0).rate_map           # β 4/9: momentum
    on = {r.name for r in momentum_map.racers if r.on_map}
    assert on == {"β 4/9", "GD", "β 0.9", "lr 0.22"} and momentum_map.family == "momentum"
    nesterov_map = view.build(pb, 1).rate_map           # the Nesterov run: its own map
    assert nesterov_map.family == "nesterov" and {r.name for r in nesterov_map.racers if r.on_map} == {"Nesterov", "GD"}
    n = next(r for r in nesterov_map.racers if r.name == "Nesterov")
    assert n.predicted == pytest.approx(0.8)            # β = 2/3, lr 0.12: 1 − 1/√κ
    assert nesterov_map.grid(2, 2).shape == (2, 2)


def test_a_network_too_big_for_an_exact_hessian_says_so(tmp_path):
    from gdtui.cli import main
    f = tmp_path / "wide.toml"
    f.write_text('title = "w"\nsteps = 2\n[problem]\ntype = "mlp"\nlayers = [2, 400, 1]\n'
                 '[[runs]]\nname = "GD"\noptimizer = "gd"\nlr = 0.1\n')
    assert main(["run", str(f), "--json", "--sharpness"]) == 2
    pb = Playback(load(str(f)))
    data = view.build(pb, 0)
    assert not data.sharpness and any("too big" in note for note in data.notes)


def test_the_view_reads_nothing_past_the_cursor():
    pb = at("rate_map", 24)
    before = [(r.name, r.measured, r.diverged) for r in view.build(pb, 0).rate_map.racers]
    pb.step(40)
    pb.back(40)
    assert pb.cursor == 24
    after = [(r.name, r.measured, r.diverged) for r in view.build(pb, 0).rate_map.racers]
    assert after == before and not dict((n, d) for n, _, d in after)["lr 0.22"]   # it diverges at 28


def test_the_rate_map_uses_the_scheduled_lr_the_inspector_shows():
    pb = at("schedules", 20)
    rates = {r.name: r.lr for r in view.build(pb, 0).rate_map.racers}
    frame = pb.frame()
    assert rates == {row.name: pytest.approx(row.lr) for row in frame.runs if row.rule == "gd"}
    assert rates["constant"] != rates["exponential"]
