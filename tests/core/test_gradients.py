"""Every gradient against central finite differences at random points."""

import numpy as np
import pytest

from gdtui.core.data import DATASETS
from gdtui.core.models import LinearRegression, LogisticRegression
from gdtui.core.surfaces import SURFACES, Surface


def finite_difference(loss, P, h=1e-6):
    """Central differences of a batched loss, one coordinate at a time."""
    G = np.zeros_like(P)
    for j in range(P.shape[1]):
        e = np.zeros(P.shape[1])
        e[j] = h
        G[:, j] = (loss(P + e) - loss(P - e)) / (2 * h)
    return G


SURFACE_CASES = [(name, {}) for name in SURFACES] + [
    ("bowl", {"condition": 7.0, "angle": 30.0}),
    ("rosenbrock", {"a": 0.5, "b": 10.0}),
]


@pytest.mark.parametrize("name,params", SURFACE_CASES)
def test_surface_gradients(name, params):
    s = Surface(name, **params)
    rng = np.random.default_rng(1)
    (x0, x1), (y0, y1) = s.view
    P = np.column_stack([rng.uniform(x0, x1, 40), rng.uniform(y0, y1, 40)])
    value, G = s.value_and_grad(P)
    np.testing.assert_allclose(value, s.loss(P))
    scale = 1 + np.abs(G)
    np.testing.assert_allclose(G / scale, finite_difference(s.loss, P) / scale, atol=1e-6)


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_minima_are_stationary(name):
    s = Surface(name)
    for m in s.minima:
        _, G = s.value_and_grad(np.array([m]))
        assert np.linalg.norm(G) < 2e-5
        if s.f_star is not None:
            assert s.loss(np.array([m]))[0] == pytest.approx(s.f_star, abs=1e-9)


def test_bowl_eigenvalues_follow_condition_and_angle():
    s = Surface("bowl", condition=25.0, angle=30.0)
    # Hessian by differencing the exact gradient
    H = np.column_stack([s.value_and_grad(np.array([[1.0, 0.0]]))[1][0],
                         s.value_and_grad(np.array([[0.0, 1.0]]))[1][0]])
    assert sorted(np.linalg.eigvalsh(H)) == pytest.approx([1.0, 25.0])
    # with angle 0 the steep direction is y: f(0, 1) = 25/2
    assert Surface("bowl").loss(np.array([[0.0, 1.0]]))[0] == 12.5


def data_problems():
    rng = lambda: np.random.default_rng(3)
    return [LinearRegression(rng(), samples=50), LinearRegression(rng(), samples=30, x_mean=1.5, x_std=0.7),
            LogisticRegression(rng(), samples=60), LogisticRegression(rng(), samples=40, w_true=-1, b_true=0.3)]


@pytest.mark.parametrize("problem", data_problems(), ids=lambda p: p.name)
def test_data_problem_gradients_full_and_batch(problem):
    rng = np.random.default_rng(5)
    P = rng.normal(size=(6, 2)) * 2
    value, G = problem.value_and_grad(P)
    np.testing.assert_allclose(value, problem.loss(P), rtol=1e-12)
    np.testing.assert_allclose(G, finite_difference(problem.loss, P), atol=1e-6)
    # a mini-batch of 7 examples per run, with two padding slots of weight 0
    m = problem.n_samples
    idx = np.stack([rng.choice(m, 9, replace=False) for _ in range(6)])
    weight = np.full((6, 9), 1 / 7)
    weight[:, 7:] = 0

    def batch_loss(Q):
        return problem.value_and_grad(Q, (idx, weight))[0]

    _, Gb = problem.value_and_grad(P, (idx, weight))
    np.testing.assert_allclose(Gb, finite_difference(batch_loss, P), atol=1e-6)
    # the batch loss is the plain mean over the 7 real examples
    full_idx = np.tile(np.arange(m), (6, 1))
    full_w = np.full((6, m), 1 / m)
    np.testing.assert_allclose(problem.value_and_grad(P, (full_idx, full_w))[0], problem.loss(P), rtol=1e-12)


def test_linreg_knows_its_exact_minimum():
    p = LinearRegression(np.random.default_rng(0), samples=100, noise=0.3)
    X = np.column_stack([p.x, np.ones_like(p.x)])
    theta, *_ = np.linalg.lstsq(X, p.y, rcond=None)
    np.testing.assert_allclose(p.theta, theta, rtol=1e-10)
    assert p.f_star == pytest.approx(np.mean((X @ theta - p.y) ** 2), rel=1e-12)
    # steep in b, flat in w: Hessian 2*diag(E[x^2], 1) with x_std = 0.2
    lo, hi = np.linalg.eigvalsh(p.hessian(np.zeros((1, 2)))[0])
    assert hi == pytest.approx(2.0, rel=0.05) and lo == pytest.approx(2 * 0.04, rel=0.3)


def test_logreg_minimum_from_newton_is_stationary():
    p = LogisticRegression(np.random.default_rng(0), samples=200)
    _, G = p.value_and_grad(np.array([p.theta]))
    assert np.linalg.norm(G) < 1e-12


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_are_balanced_and_reproducible(name):
    X, y = DATASETS[name](101, 0.1, np.random.default_rng(4))
    X2, y2 = DATASETS[name](101, 0.1, np.random.default_rng(4))
    assert X.shape == (101, 2) and set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.sum() - 50.5) <= 25
    np.testing.assert_array_equal(X, X2)
