"""The LR range test (issue #13 §2): its curve is a run whose schedule is that exponential."""

import dataclasses
import json

import numpy as np
import pytest

from gdtui.core.race import Race
from gdtui.range_test import growth, run_range_test, schedule
from gdtui.scenario import load


@pytest.mark.parametrize("name, steps", [("bowl", 200), ("spiral", 12)])   # a step clock; an epoch clock
def test_the_range_test_is_a_run_with_that_exponential_schedule_exactly(name, steps):
    sc = load(name)
    lo, hi = 1e-3, 10.0
    test = run_range_test(sc, lo, hi, steps)
    assert test["gamma"] == (hi / lo) ** (1 / (steps - 1))
    for r, run in enumerate(sc.runs):
        own = dataclasses.replace(run, lr=lo, schedule=schedule(lo, hi, steps),
                                  stream=r if run.stream is None else run.stream)   # its batches, alone too
        alone = dataclasses.replace(sc, runs=[own], events=[]).build_race(length=steps)
        alone.step(steps)
        curve = test["runs"][r]
        n = sum(v is not None for v in curve["loss"])                    # (up to a blow-up)
        assert n > 0 and curve["lr"][:n] == alone.history.lr[1:n + 1, 0].tolist()   # the same rates, bit for bit
        assert curve["loss"][:n] == alone.history.loss[1:n + 1, 0].tolist()
        assert curve["loss"][n:] == [None] * (steps - n)                # after a blow-up: no numbers
    first, last = test["runs"][0]["lr"][0], test["runs"][0]["lr"][-1]
    assert first == lo and last == pytest.approx(hi, rel=1e-12)


def test_what_the_range_test_reports_follows_from_its_curve():
    test = run_range_test(load("bowl"), 1e-4, 10.0, 200)
    for run in test["runs"]:
        losses = [v if v is not None else np.inf for v in run["loss"]]
        best = int(np.argmin(losses))
        assert run["lr_at_min_loss"] == run["lr"][best] and run["min_loss"] == losses[best]
        assert run["suggested_lr"] == run["lr"][best] / 10
        if run["diverged_at_lr"] is not None:   # the rate of the step that blew it up
            assert run["loss"][run["lr"].index(run["diverged_at_lr"])] is None
    gd = test["runs"][0]
    # the README's reading: GD's loss is lowest at 0.37, far past its edge 2/λmax = 0.08 (λmax = 25),
    # and a tenth of that rate is inside the edge
    assert gd["lr_at_min_loss"] == pytest.approx(0.37, abs=0.005) and gd["suggested_lr"] < 2 / 25
    assert gd["lr_at_min_loss"] < gd["diverged_at_lr"]


def test_the_steep_direction_is_wiped_out_before_the_edge_so_the_blow_up_lags():
    sc = load("bowl")
    lo, hi, steps = 1e-4, 10.0, 200
    run = dataclasses.replace(sc.runs[0], lr=lo, schedule=schedule(lo, hi, steps))
    race = dataclasses.replace(sc, runs=[run], events=[]).build_race(length=steps)
    race.step(steps)
    lr, y, loss = race.history.lr[1:, 0], race.history.params[1:, 0, 1], race.history.loss[1:, 0]
    past_edge = int(np.argmax(lr > 2 / 25))            # the first step past 2/λmax
    assert abs(y[past_edge]) < 1e-17                     # wiped out as the rate passed 1/λmax = 0.04
    lowest = int(np.argmin(loss))
    assert lowest - past_edge >= 20 and lr[lowest] == pytest.approx(0.37, abs=0.005)   # "some 25 steps" later


def test_sweep_range_test_prints_both_and_reports_json(gdtui):
    r = gdtui("sweep", "bowl", "--range-test", "--steps", "200", "--points", "8", "--json")
    doc = json.loads(r.out)
    assert r.code == 0 and doc["range_test"]["steps"] == 200 and len(doc["range_test"]["runs"]) == 4
    assert doc["range_test"]["gamma"] == growth(1e-4, 10.0, 200)
    r = gdtui("sweep", "bowl", "--range-test", "--steps", "200", "--points", "8")
    assert "LR range test: one run each" in r.out and "dots: the LR range test" in r.out


def test_a_single_run_race_is_what_the_test_compares_against():
    """(The comparison above is not circular: the run alone takes its rates from its schedule,
    the range test sets them tick by tick.)"""
    sc = load("bowl")
    run = dataclasses.replace(sc.runs[0], lr=0.01, schedule=schedule(0.01, 1.0, 3))
    race = Race(sc.build_problem(), [run], sc.start)
    race.step(3)
    assert race.history.lr[1:, 0].tolist() == [0.01, 0.01 * growth(0.01, 1.0, 3), 0.01 * growth(0.01, 1.0, 3) ** 2]


def test_a_run_that_converges_ends_its_curve_there():
    """From 0.01 to 0.3 GD converges on the bowl (at step 252) before its rate can blow it up:
    its curve stops there rather than pair its last loss with rates it never took."""
    sc = load("bowl")
    lo, hi, steps = 0.01, 0.3, 300
    gd = run_range_test(sc, lo, hi, steps)["runs"][0]
    alone = dataclasses.replace(sc, runs=[dataclasses.replace(sc.runs[0], lr=lo, schedule=schedule(lo, hi, steps))],
                                events=[]).build_race(length=steps)
    alone.step(steps)
    stopped = int(alone.converged_at[0])
    assert stopped == 252 and gd["diverged_at_lr"] is None
    assert all(v is not None for v in gd["loss"][:stopped]) and gd["loss"][stopped:] == [None] * (steps - stopped)
