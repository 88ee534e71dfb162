"""Theory on the quadratic bowl f = (x^2 + kappa*y^2)/2 (lambda_min = 1, lambda_max = kappa)."""

import math
import warnings

import numpy as np
import pytest

from gdtui.core.race import CONVERGED, DIVERGED, RUNNING, Race, RunConfig
from gdtui.core.surfaces import Surface


def bowl_race(runs, kappa=25.0, start=(-3.0, 1.5), tolerance=0.0):
    return Race(Surface("bowl", condition=kappa), runs, start, tolerance=tolerance)


def test_gd_at_two_over_kappa_plus_one_contracts_by_kappa_minus_one_over_kappa_plus_one():
    kappa = 25.0
    race = bowl_race([RunConfig("GD", "gd", 2 / (kappa + 1))], kappa)
    race.step(60)
    err = np.linalg.norm(race.history.params[:, 0], axis=1)
    np.testing.assert_allclose(err[1:] / err[:-1], (kappa - 1) / (kappa + 1), rtol=1e-12)


def test_gd_above_two_over_kappa_diverges_while_the_others_finish():
    kappa, lr = 25.0, 2.1 / 25.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning may escape
        race = bowl_race([RunConfig("GD", "gd", lr), RunConfig("Momentum", "momentum", 0.05, hyper={"beta": 0.9}),
                          RunConfig("Adam", "adam", 0.05)], kappa)
        race.step(400)
    # worked independently: x shrinks by (1 - lr), y grows by |1 - lr*kappa| = 1.1
    f0 = 0.5 * (9 + kappa * 2.25)
    n = 0
    while True:
        n += 1
        x, y = -3 * (1 - lr) ** n, 1.5 * (1 - lr * kappa) ** n
        if 0.5 * (x * x + kappa * y * y) > 1e6 * f0:
            break
    assert race.status[0] == DIVERGED and race.diverged_at[0] == n
    assert race.history.params[n:, 0].tolist() == [race.history.params[n, 0].tolist()] * (401 - n)  # frozen
    assert race.tick == 400 and race.updates[1] == 400 and race.updates[2] == 400
    assert race.status[1] != DIVERGED and race.status[2] != DIVERGED
    assert np.all(np.isfinite(race.loss()[1:]))


def test_heavy_ball_optimum_contracts_at_sqrt_kappa_rate():
    """The seed's momentum with beta = ((sqrt k - 1)/(sqrt k + 1))^2 and lr = 1/sqrt(L*mu)
    is Polyak's optimal heavy ball: error ~ n*rho^n with rho = (sqrt k - 1)/(sqrt k + 1)."""
    kappa = 100.0
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    beta = rho**2
    race = bowl_race([RunConfig("M", "momentum", 1 / math.sqrt(kappa), hyper={"beta": beta}),
                      RunConfig("GD", "gd", 2 / (kappa + 1))], kappa)
    race.step(800)
    err = np.linalg.norm(race.history.params[:, 0], axis=1)
    n = np.arange(len(err))
    c = err[1:] / (n[1:] * rho ** n[1:])
    assert c[399] == pytest.approx(c[799], rel=0.01)  # the double root: error/(n rho^n) settles
    rate = (err[800] / err[400]) ** (1 / 400)
    assert rate == pytest.approx(rho * 2 ** (1 / 400), rel=1e-4)
    gd_err = np.linalg.norm(race.history.params[:, 1], axis=1)
    assert err[800] < 1e-30 * gd_err[800]  # far ahead of the best GD


def test_convergence_is_reported_at_the_step_the_gradient_gets_small():
    race = bowl_race([RunConfig("GD", "gd", 0.075)], tolerance=1e-6)
    race.step(300)
    n = 0
    while True:
        n += 1
        x, y = -3 * (1 - 0.075) ** n, 1.5 * (1 - 0.075 * 25) ** n
        if math.hypot(x, 25 * y) < 1e-6:
            break
    assert race.status[0] == CONVERGED and race.converged_at[0] == n
    assert race.updates[0] == n  # frozen after converging
