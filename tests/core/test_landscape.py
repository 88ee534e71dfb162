"""core/landscape.py: planes through parameter space, projections, and the loss over a plane."""

import numpy as np
import pytest

from gdtui.core import landscape as L
from gdtui.core.catalog import make_problem


def test_a_trajectory_in_a_plane_is_recovered_exactly_with_zero_residual():
    rng = np.random.default_rng(0)
    D = 30
    origin = rng.standard_normal(D)
    basis = np.linalg.qr(rng.standard_normal((D, 2)))[0].T        # two orthonormal directions
    coords = rng.standard_normal((50, 3, 2)).cumsum(axis=0)        # three runs' paths in the plane
    paths = origin + coords @ basis
    plane = L.pca_plane(paths, origin=origin)
    np.testing.assert_allclose(plane.residuals(paths), 0, atol=1e-12)
    back = plane.points(plane.coordinates(paths))
    np.testing.assert_allclose(back, paths, atol=1e-12)
    assert sum(plane.explained) == pytest.approx(1.0)
    # the plane's coordinates are the same as the generating ones up to a rotation of the plane
    gram = plane.directions @ basis.T
    np.testing.assert_allclose(gram @ gram.T, np.eye(2), atol=1e-12)


def test_explained_variance_matches_numpys_svd_and_sums_to_at_most_one():
    rng = np.random.default_rng(1)
    paths = rng.standard_normal((40, 3, 12)).cumsum(axis=0)
    plane = L.pca_plane(paths)
    origin = np.mean(paths[-1], axis=0)                            # the mean of the final points
    np.testing.assert_allclose(plane.origin, origin)
    X = (paths - origin).reshape(-1, 12)
    s = np.linalg.svd(X, compute_uv=False)
    np.testing.assert_allclose(plane.explained, s[:2] ** 2 / np.sum(s**2), rtol=1e-12)
    assert sum(plane.explained) <= 1
    # a point off the plane: its residual is its distance from its projection
    p = origin + 2.0 * plane.directions[0] + 3.0 * np.linalg.qr(np.c_[plane.directions.T, rng.standard_normal(12)])[0][:, 2]
    assert plane.residuals(p) == pytest.approx(3.0)
    np.testing.assert_allclose(plane.coordinates(p), [2.0, 0.0], atol=1e-12)


def course_net():
    return make_problem("mlp", None, {"layers": [2, 5, 2, 1]}, seed=0)


def test_the_loss_on_the_grid_is_the_networks_loss_at_those_parameters():
    problem = course_net()
    rng = np.random.default_rng(2)
    paths = problem.initial_params() + rng.standard_normal((20, 2, problem.dim)).cumsum(axis=0) * 0.05
    plane = L.pca_plane(paths)
    xs, ys = L.grid(((-1.0, 1.0), (-0.5, 0.5)), 6, 4)
    Z = L.plane_losses(problem, plane, xs, ys)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            theta = plane.origin + x * plane.directions[0] + y * plane.directions[1]
            loss, _ = problem.value_and_grad(theta[None])          # one network, the race's own loss
            assert Z[i, j] == pytest.approx(loss[0], rel=1e-12)
    assert ys[0] > ys[-1] and xs[0] < xs[-1]                        # top row first, left to right


def test_filter_normalised_directions():
    problem = course_net()
    rng = np.random.default_rng(3)
    paths = problem.initial_params() + rng.standard_normal((10, 2, problem.dim)).cumsum(axis=0) * 0.05
    plane = L.random_plane(paths, problem.filters(), np.random.default_rng(4))
    weights = np.concatenate(problem.filters())
    biases = np.setdiff1d(np.arange(problem.dim), weights)
    assert len(weights) == 2 * 5 + 5 * 2 + 2 * 1 and len(biases) == 5 + 2 + 1
    for d in plane.directions:
        assert np.all(d[biases] == 0)
        for idx in problem.filters():   # each neuron's weights: the norm of the origin's
            assert np.linalg.norm(d[idx]) == pytest.approx(np.linalg.norm(plane.origin[idx]))
    assert 0 <= sum(plane.explained) <= 1
    same = L.fit_plane("random", paths, problem, seed=7)
    np.testing.assert_array_equal(same.directions, L.fit_plane("random", paths, problem, seed=7).directions)


def test_the_line_from_start_to_end():
    problem = course_net()
    start = problem.initial_params()
    ends = start + np.random.default_rng(5).standard_normal((2, problem.dim)) * 0.3
    losses = L.line_losses(problem, start, ends)
    k0, k1 = list(L.LINE_ALPHAS).index(0.0), list(L.LINE_ALPHAS).index(1.0)
    np.testing.assert_allclose(losses[:, k0], problem.loss(start[None])[0])
    np.testing.assert_allclose(losses[:, k1], problem.loss(ends))


def test_the_networks_loss_without_the_backward_pass_equals_the_race_loss():
    problem = course_net()
    P = problem.initial_params() + np.random.default_rng(6).standard_normal((700, problem.dim))
    np.testing.assert_allclose(problem.loss(P), problem.value_and_grad(P)[0], rtol=1e-12, atol=1e-15)
