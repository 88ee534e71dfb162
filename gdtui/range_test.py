"""The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
Networks"): one race in which every run's rate rises exponentially, from MIN at the first step
to MAX at the last, and the loss after each step is read against the rate that made it.

It is the cheap answer to "which rate?": one run per rule instead of a sweep's N. `gdtui sweep
--range-test` draws it beside the sweep, so a student can see where the cheap test agrees with
the full one and where it does not (the range test sees each rate for one step only, from a
point the smaller rates have already moved).

The rate of step t is MIN·γ^t with γ = (MAX/MIN)^(1/(steps−1)), computed by gdtui's exponential
schedule itself, so where a run's epoch is its step (full batch, or an epoch clock) a run whose
schedule is that exponential is exactly the range test's curve (tested). A run's own schedule is
replaced; the scenario's timeline is left out, as in a sweep.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .core.race import DIVERGED
from .core.schedules import Schedules
from .headless import _finite
from .scenario import Scenario

SUGGESTION_FACTOR = 10   # the usual reading: a tenth of the rate at the lowest loss


def growth(lo: float, hi: float, steps: int) -> float:
    """γ: the factor the rate grows by each step, from lo at step 0 to hi at step steps − 1."""
    return (hi / lo) ** (1 / max(steps - 1, 1))


def schedule(lo: float, hi: float, steps: int) -> dict:
    """The range test as a schedule of a run whose lr is `lo` (gdtui's exponential schedule)."""
    return {"type": "exponential", "gamma": growth(lo, hi, steps), "interval": 1}


def run_range_test(scenario: Scenario, lo: float, hi: float, steps: int | None = None) -> dict:
    """Each run of the scenario with its rate rising from lo to hi over `steps` (one rate per
    tick: per epoch on an epoch clock): its loss after each step, the rate at its lowest loss,
    the suggested rate (a tenth of that), and the rate at which it diverged, if it did."""
    steps = steps or scenario.length
    runs = [dataclasses.replace(run, lr=lo, schedule={"type": "constant"}) for run in scenario.runs]
    race = dataclasses.replace(scenario, runs=runs, events=[]).build_race(length=steps, keep_history=False)
    rising = Schedules.from_specs([schedule(lo, hi, steps)] * race.R, steps)
    start = np.full(race.R, lo)
    while race.tick < steps:   # the rate of each tick, set before it (an epoch's updates share one)
        for r, lr in enumerate(rising.rates(start, np.full(race.R, race.tick))):
            race.set_lr(r, float(lr))
        race.step()
    rates = race.history.lr[1:]                     # the rate of each step
    losses = race.history.loss[1:]                  # the full-batch loss after it
    f_star = race.problem.f_star
    out = []
    for r, run in enumerate(scenario.runs):
        diverged = race.status[r] == DIVERGED
        # the steps before it blew up, or up to where it converged (a stopped run's later points
        # would pair its last loss with rates it never took)
        upto = int(race.diverged_at[r]) - 1 if diverged else \
            int(race.converged_at[r]) if race.converged_at[r] >= 0 else steps
        curve = losses[:upto, r]
        best = int(np.nanargmin(curve)) if upto > 0 and np.isfinite(curve).any() else None
        out.append({
            "name": run.name, "optimizer": run.rule,
            "lr": [float(x) for x in rates[:, r]],
            "loss": [_finite(x) if t < upto else None for t, x in enumerate(losses[:, r])],
            "lr_at_min_loss": None if best is None else float(rates[best, r]),
            "min_loss": None if best is None else float(curve[best]),
            "suggested_lr": None if best is None else float(rates[best, r]) / SUGGESTION_FACTOR,
            "diverged_at_lr": float(rates[int(race.diverged_at[r]) - 1, r]) if diverged else None,
        })
    return {"lr_min": lo, "lr_max": hi, "steps": steps, "gamma": growth(lo, hi, steps), "f_star": f_star,
            "runs": out}


def draw(plt, test: dict, glyphs: bool = False):
    """Each run's range-test curve (log10 of the loss, of f − f* where f* is known, against
    log10 of the rate) onto the sweep's axes, as dots in the run's colour."""
    from .sweep import run_color

    f_star = test["f_star"] or 0.0
    for k, run in enumerate(test["runs"]):
        pts = [(math.log10(lr), math.log10(max(loss - f_star, 1e-16)))
               for lr, loss in zip(run["lr"], run["loss"]) if loss is not None]
        if pts:
            plt.scatter([p[0] for p in pts], [p[1] for p in pts], marker="." if glyphs else "dot", color=run_color(k))


def rows(test: dict, sweep_result: dict) -> list[list[str]]:
    """Per run: the range test's rate at its lowest loss, its suggestion, where it diverged, and
    the sweep's best rate and the top of its stability window, side by side."""
    num = lambda x: "—" if x is None else f"{x:.3g}"   # noqa: E731
    out = []
    for run, swept in zip(test["runs"], sweep_result["runs"]):
        window = swept["window"]
        out.append([run["name"], num(run["lr_at_min_loss"]), num(run["suggested_lr"]), num(run["diverged_at_lr"]),
                    num(swept["best_lr"]), num(window and window[1])])
    return out
