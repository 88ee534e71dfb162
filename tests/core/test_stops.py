"""Stop detection: a run diverges on a non-finite loss or parameters or a blown-up loss,
converges below the tolerance, and once stopped keeps its status, its tick and its numbers."""

import warnings

import numpy as np

from gdtui.core.stops import CONVERGED, DIVERGED, RUNNING, Stops

P_OK = np.zeros((4, 2))


def judged(stops, tick, loss, grad_norm, P=P_OK, last_loss=None, last_grad_norm=None):
    last_loss = np.full(len(loss), 99.0) if last_loss is None else last_loss
    last_grad_norm = np.full(len(loss), 9.0) if last_grad_norm is None else last_grad_norm
    return stops.judge(tick, np.array(loss), np.array(grad_norm), P, last_loss, last_grad_norm)


def test_every_run_starts_running():
    stops = Stops(np.ones(3), None, 1e-6)
    assert stops.status.tolist() == [RUNNING] * 3 and stops.running().tolist() == [0, 1, 2]
    assert stops.converged_at.tolist() == stops.diverged_at.tolist() == [-1] * 3 and not stops.done


def test_non_finite_loss_or_parameters_diverge():
    stops = Stops(np.ones(4), 0.0, 1e-6)
    P = np.array([[0.0, 0.0], [0.0, 0.0], [np.inf, 0.0], [0.0, 0.0]])
    judged(stops, 7, [np.nan, np.inf, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], P)
    assert stops.status.tolist() == [DIVERGED, DIVERGED, DIVERGED, RUNNING]
    assert stops.diverged_at.tolist() == [7, 7, 7, -1] and stops.running().tolist() == [3]


def test_a_loss_a_million_times_its_start_from_f_star_diverges():
    """Start 3 above f* = 1: the limit is 3e6 above f*. Start at f*: the limit is 1e6 times
    1e-3 * (1 + |f*|), so that noise at the minimum is no divergence."""
    stops = Stops(np.array([4.0, 4.0, 1.0, 1.0]), 1.0, 1e-6)
    judged(stops, 2, [1 + 3.1e6, 1 + 2.9e6, 1 + 2100.0, 1 + 1900.0], [1.0] * 4)
    assert stops.status.tolist() == [DIVERGED, RUNNING, DIVERGED, RUNNING]


def test_without_f_star_the_reference_is_zero():
    stops = Stops(np.array([2.0, 2.0]), None, 1e-6)
    judged(stops, 1, [-2.1e6, 1.9e6], [1.0, 1.0], np.zeros((2, 2)))
    assert stops.status.tolist() == [DIVERGED, RUNNING]


def test_a_gradient_norm_below_the_tolerance_converges():
    stops = Stops(np.ones(4), 0.0, 1e-3)
    judged(stops, 5, [0.5, 0.5, 0.5, np.nan], [9e-4, 1e-3, 2.0, 0.0])
    assert stops.status.tolist() == [CONVERGED, RUNNING, RUNNING, DIVERGED]   # blown up wins
    assert stops.converged_at.tolist() == [5, -1, -1, -1] and stops.diverged_at.tolist() == [-1, -1, -1, 5]


def test_stopped_runs_keep_their_status_tick_and_numbers():
    stops = Stops(np.ones(4), 0.0, 1e-3)
    loss, grad = judged(stops, 1, [np.nan, 0.5, 0.5, 0.5], [1.0, 1e-4, 1.0, 1.0])
    np.testing.assert_array_equal(loss, [np.nan, 0.5, 0.5, 0.5])
    # tick 2: the stopped runs report the numbers they stopped with, whatever comes in
    loss, grad = judged(stops, 2, [0.1, np.inf, 0.25, 0.25], [1e-9, 5.0, 1.0, 1e-5],
                        last_loss=loss, last_grad_norm=grad)
    np.testing.assert_array_equal(loss, [np.nan, 0.5, 0.25, 0.25])
    np.testing.assert_array_equal(grad, [1.0, 1e-4, 1.0, 1e-5])
    assert stops.status.tolist() == [DIVERGED, CONVERGED, RUNNING, CONVERGED]
    assert stops.diverged_at.tolist() == [1, -1, -1, -1] and stops.converged_at.tolist() == [-1, 1, -1, 2]
    judged(stops, 3, [np.nan] * 4, [0.0] * 4, last_loss=loss, last_grad_norm=grad)
    assert stops.status.tolist() == [DIVERGED, CONVERGED, DIVERGED, CONVERGED] and stops.done


def test_no_numpy_warning_escapes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stops = Stops(np.array([np.inf, np.nan, 1e308]), np.float64(1e308), 1e-6)
        judged(stops, 1, [np.inf, -np.inf, np.nan], [np.nan, np.inf, 1e308], np.full((3, 2), np.nan))
        assert stops.done
