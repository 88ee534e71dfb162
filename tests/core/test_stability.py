"""core.theory: the exact per-direction step map, its spectral radius and stable edge, the
rate measured from a race's own history, and the exact Hessians of every problem."""

import numpy as np
import pytest

from gdtui.core import theory
from gdtui.core.catalog import make_problem
from gdtui.core.optimizers import RULES
from gdtui.core.race import DIVERGED, Race, RunConfig
from gdtui.core.surfaces import SURFACES, Surface


def map_by_the_rule(rule: str, lr: float, beta: float, lam: float) -> np.ndarray:
    """The one-step map of (e, α·v) on f = λe²/2, read off by running the real update rule
    (optimizers.py, with Nesterov's look-ahead) on the two unit states: independent of
    theory.trace_and_determinant."""
    spec = RULES[rule]
    hp = {"beta": np.array([[beta]])} if spec.hyper else {}
    lr_a = np.array([[lr]])
    columns = []
    for e0, u0 in ((1.0, 0.0), (0.0, 1.0)):
        p = np.array([[e0]])
        state = spec.init((1, 1))
        if "v" in state:
            state["v"] = np.array([[u0 / lr]])
        at = spec.lookahead(p, state, lr_a, hp) if spec.lookahead else p
        step, new, _ = spec.update(lam * at, state, lr_a, hp, p)
        e1 = (p - step)[0, 0]
        u1 = lr * new["v"][0, 0] if "v" in new else step[0, 0]  # GD: its "velocity" is its step
        columns.append((e1, u1))
    return np.array(columns).T


@pytest.mark.parametrize("rule", theory.THEORY_RULES)
def test_the_step_matrix_is_the_rule_itself(rule):
    rng = np.random.default_rng(0)
    for _ in range(30):
        lr, beta, lam = 10 ** rng.uniform(-3, 0), rng.uniform(0, 0.99), 10 ** rng.uniform(-1, 2)
        M = map_by_the_rule(rule, lr, beta, lam)
        expected = max(abs(np.linalg.eigvals(M)))
        if rule == "gd":  # GD's (e, step) state: its second column is unused
            expected = abs(M[0, 0])
        assert theory.rate(rule, lr, beta, lam) == pytest.approx(expected, rel=1e-12, abs=1e-14)
        # the inspector's float path gives the same number
        assert theory.verdict(rule, lr, {"beta": beta}, [lam]).predicted_rate == pytest.approx(expected, rel=1e-12,
                                                                                               abs=1e-14)


@pytest.mark.parametrize("rule", theory.THEORY_RULES)
def test_the_closed_form_edge_is_where_the_spectral_radius_crosses_one(rule):
    rng = np.random.default_rng(1)
    for _ in range(50):
        beta, lam_max = rng.uniform(0, 0.99), 10 ** rng.uniform(-1, 2)
        v = theory.verdict(rule, 0.0, {"beta": beta}, [lam_max / 7, lam_max])
        edge = v.stable_lr_max
        inside = theory.verdict(rule, edge * (1 - 1e-7), {"beta": beta}, [lam_max / 7, lam_max])
        outside = theory.verdict(rule, edge * (1 + 1e-7), {"beta": beta}, [lam_max / 7, lam_max])
        assert inside.predicted_rate < 1 < outside.predicted_rate


def test_the_nesterov_edge_on_the_kappa_25_bowl_and_the_run_that_crosses_it():
    """The defect this replaced: the momentum bound 1.52 called Nesterov at lr 0.6 stable."""
    v = theory.verdict("nesterov", 0.6, {"beta": 0.9}, [1.0, 25.0])
    assert v.stable_lr_max == pytest.approx(2 * 1.9 / (2.8 * 0.1 * 25))  # 0.5428...
    assert v.stable is False and v.predicted_rate > 1
    race = Race(Surface("bowl", condition=25.0), [RunConfig("N", "nesterov", 0.6, hyper={"beta": 0.9})], (-3.5, 1.5))
    race.step(100)
    assert race.status[0] == DIVERGED
    ok = Race(Surface("bowl", condition=25.0), [RunConfig("N", "nesterov", 0.53, hyper={"beta": 0.9})], (-3.5, 1.5))
    ok.step(2000)
    assert ok.status[0] != DIVERGED and ok.loss()[0] < 1e-6


def test_adaptive_rules_get_no_verdict_and_negative_curvature_no_stable_lr():
    assert theory.verdict("adam", 0.1, {}, [1.0, 25.0]).predicted_rate is None
    assert "adaptive" in theory.verdict("rmsprop", 0.1, {}, [1.0, 25.0]).formula
    saddle = theory.verdict("gd", 0.1, {}, [-2.0, 2.0])
    assert saddle.stable_lr_max == pytest.approx(1.0) and saddle.stable   # the step is fine along +2 ...
    assert saddle.escaping and saddle.escape_rate == pytest.approx(1.2)  # ... it leaves along −2: |1 − 0.1·(−2)|
    assert saddle.predicted_rate == pytest.approx(1.2) and saddle.converging is False
    hilltop = theory.verdict("momentum", 0.1, {"beta": 0.9}, [-3.0, -1.0])
    assert hilltop.stable_lr_max == float("inf") and hilltop.escaping


# (lr, β) points, each for GD (β unused), EMA momentum and Nesterov, on the κ=25 bowl
# at three rotations: underdamped, overdamped and critically damped, near and far from the edge.
POINTS = [(0.02, 0.5), (0.05, 0.9), (0.075, 0.0), (0.3, 0.7), (0.5, 0.8), (0.01, 0.95), (0.06, 0.3),
          (0.4, 0.6), (0.03, 0.8), (0.2, 4 / 9), (0.7, 0.9), (0.004, 0.99)]


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0])
def test_predicted_rate_matches_the_rate_measured_from_the_race(angle):
    problem = Surface("bowl", condition=25.0, angle=angle)
    runs = [RunConfig(f"{rule} {lr} {beta}", rule, lr, hyper={} if rule == "gd" else {"beta": beta})
            for rule in theory.THEORY_RULES for lr, beta in POINTS]
    race = Race(problem, runs, (-3.5, 1.5), tolerance=0.0)
    race.step(300)
    lam, vec = theory.spectrum(problem, np.zeros((1, 2)))
    np.testing.assert_allclose(lam[0], [1.0, 25.0], rtol=1e-12)
    compared = 0
    for r, run in enumerate(runs):
        v = theory.verdict(run.rule, run.lr, run.hyper, lam[0])
        if not v.stable:
            assert race.status[r] == DIVERGED or v.predicted_rate == pytest.approx(1, abs=1e-9), run.name
            continue
        errors = theory.error_along(race.history.params[:, r], (0.0, 0.0), vec[0])
        measured = theory.measured_rate(errors)
        assert measured == pytest.approx(v.predicted_rate, abs=1e-3), run.name
        compared += 1
    assert compared >= 20


def test_measured_rates_per_direction_on_the_ravine():
    """GD on the linreg ravine: b (steep) at |1 − lr·λmax|, w (flat) at 1 − lr·λmin."""
    problem = make_problem("linreg", None, {"x_std": 0.2}, seed=0)
    lam, vec = theory.spectrum(problem, np.zeros((1, 2)))
    lr = 0.9
    race = Race(problem, [RunConfig("GD", "gd", lr)], problem.start, tolerance=0.0)
    race.step(200)
    errors = theory.error_along(race.history.params[:, 0], problem.theta, vec[0])
    flat, steep = theory.measured_rates(errors)
    assert flat == pytest.approx(1 - lr * lam[0, 0], abs=1e-9)
    assert steep == pytest.approx(abs(1 - lr * lam[0, 1]), abs=1e-6)


def finite_difference_hessian(problem, P, h=1e-5):
    cols = [(problem.value_and_grad(P + h * e)[1] - problem.value_and_grad(P - h * e)[1]) / (2 * h)
            for e in np.eye(P.shape[1])]
    return np.stack(cols, axis=2)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surface_hessians_match_finite_differences(name):
    problem = Surface(name)
    (x0, x1), (y0, y1) = SURFACES[name].view
    rng = np.random.default_rng(2)
    P = np.stack([rng.uniform(x0, x1, 40), rng.uniform(y0, y1, 40)], axis=1)
    H = problem.hessian(P)
    scale = max(1.0, np.abs(H).max())
    np.testing.assert_allclose(H, finite_difference_hessian(problem, P), atol=1e-6 * scale)


def test_rotated_bowl_hessian():
    problem = Surface("bowl", condition=25.0, angle=30.0)
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    R = np.array([[c, -s], [s, c]])
    np.testing.assert_allclose(problem.hessian(np.zeros((1, 2)))[0], R @ np.diag([1, 25]) @ R.T, atol=1e-12)


@pytest.mark.parametrize("kind", ["linreg", "logreg"])
def test_regression_hessians_match_finite_differences(kind):
    problem = make_problem(kind, None, {}, seed=3)
    P = np.array([[0.5, -1.0], [2.0, 1.0], [-3.0, 4.0]])
    np.testing.assert_allclose(problem.hessian(P), finite_difference_hessian(problem, P), atol=1e-7)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_hessian_matches_finite_differences(activation):
    problem = make_problem("mlp", None, {"layers": [2, 5, 2, 1], "activation": activation}, seed=0)
    rng = np.random.default_rng(4)
    P = problem.initial_params()[None] + 0.3 * rng.standard_normal((3, problem.dim))
    H = problem.hessian(P)
    np.testing.assert_allclose(H, finite_difference_hessian(problem, P), atol=1e-6 * max(1.0, np.abs(H).max()))
    # one product at a time equals the batched Hessian's column
    v = rng.standard_normal(problem.dim)
    np.testing.assert_allclose(problem.hessian_vector_products(P[:1], v[None])[0], H[0] @ v, atol=1e-12)
