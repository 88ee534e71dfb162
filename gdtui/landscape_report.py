"""`gdtui landscape`: a network race on one plane through parameter space, headless.

The plane (core/landscape.py: PCA of all runs' paths, or filter-normalised random directions)
goes through the mean of the runs' final points; the loss is the real network's full-batch
loss on a 60 × 40 grid over the projected paths; each path comes with its distance from the
plane at every tick; and the 1-D line from the start to each run's end gives the loss along
the straight way there (α = 0 the start, 1 the end).
"""

from __future__ import annotations

import numpy as np

from .core import landscape
from .core.race import MAX_PARAM_HISTORY
from .errors import GdtuiError
from .headless import _finite, simulate
from .scenario import Scenario

GRID = (60, 40)


def check(scenario: Scenario):
    """One line for a scenario the landscape cannot show (before anything is computed)."""
    if scenario.problem_type != "mlp":
        raise GdtuiError(f"{scenario.source}: landscape is for networks (problem type \"mlp\"); a "
                         f"{scenario.problem_type} problem's own surface is its landscape: gdtui play shows it")
    runs, dim = len(scenario.runs), scenario.build_problem().dim
    if runs * dim > MAX_PARAM_HISTORY:
        raise GdtuiError(f"{scenario.source}: {runs} runs × {dim} parameters are too many to keep their paths "
                         f"(the limit is {MAX_PARAM_HISTORY} numbers per step)")


def analyse(scenario: Scenario, length: int | None = None, plane: str = "pca") -> dict:
    check(scenario)
    race = simulate(scenario, length)
    problem, paths = race.problem, race.history.params
    fitted, box = landscape.fit_view(plane, paths, race.diverged_at, problem, scenario.seed)
    with np.errstate(all="ignore"):
        coords = fitted.coordinates(paths)
        residuals = fitted.residuals(paths)
        xs, ys = landscape.grid(box, *GRID)
        loss = landscape.plane_losses(problem, fitted, xs, ys)
        lines = landscape.line_losses(problem, race.start,
                                      landscape.last_points(landscape.before_blowups(paths, race.diverged_at)))
    return {
        "scenario": scenario.title, "plane": plane, "origin": "the mean of the runs' final points",
        "steps": race.tick, "unit": "epoch" if scenario.clock == "epoch" else "step",
        "explained_variance": [_finite(v) for v in fitted.explained],
        "grid": {"x": [float(v) for v in xs], "y": [float(v) for v in ys],
                 "loss": [[_finite(v) for v in row] for row in loss]},
        "runs": [{"name": run.name, "path": [[_finite(a), _finite(b)] for a, b in coords[:, r]],
                  "residual": [_finite(v) for v in residuals[:, r]],
                  "diverged_at": int(race.diverged_at[r]) if race.diverged_at[r] >= 0 else None}
                 for r, run in enumerate(race.runs)],
        "line": {"alpha": [float(a) for a in landscape.LINE_ALPHAS],
                 "runs": [{"name": run.name, "loss": [_finite(v) for v in lines[r]]}
                          for r, run in enumerate(race.runs)]},
    }


def print_report(result: dict, console=None):
    from .render.tables import Column, fitted_table, output_console

    console = console or output_console()
    a, b = (v or 0.0 for v in result["explained_variance"])
    alphas = np.array(result["line"]["alpha"])
    inside = (alphas >= 0) & (alphas <= 1)
    rows = []
    for run, line in zip(result["runs"], result["line"]["runs"]):
        res = np.array([np.nan if v is None else v for v in run["residual"]])
        along = np.array([np.nan if v is None else v for v in line["loss"]])[inside]
        with np.errstate(all="ignore"):
            cells = [f"{res[-1]:.3g}", f"{np.nanmax(res):.3g}", f"{along[0]:.4g}", f"{np.nanmax(along):.4g}",
                     f"{along[-1]:.4g}"]
        if run["diverged_at"] is not None:   # its end is where it was before it blew up
            cells = [f"diverged at {run['diverged_at']}"] + cells[1:]
        rows.append([run["name"], *cells])
    columns = [Column("run"), Column("off the plane now", "right"), Column("at most", "right", drop=1),
               Column("loss at start", "right", drop=2), Column("highest on the line", "right"),
               Column("loss at its end", "right")]
    n, unit = result["steps"], result["unit"]
    what = ("its top two principal directions hold" if result["plane"] == "pca" else
            "two filter-normalised random directions; they hold")
    console.print(fitted_table(console, columns, rows,
                               title=f"{result['scenario']}: after {n} {unit}{'s' if n != 1 else ''}, a plane through the runs' mean end "
                                     f"point: {what} {a:.1%} + {b:.1%} of the runs' motion"))
    console.print("The line: the loss on the straight way from the start to each run's end (a barrier shows as "
                  "a highest point above both ends). --json has the grid, every path and its distance from "
                  "the plane; --out draws the app's landscape view.", style="#9e9e9e")
