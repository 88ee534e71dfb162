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
    """One line for a scenario the landscape cannot show."""
    if scenario.problem_type != "mlp":
        raise GdtuiError(f"{scenario.source}: landscape is for networks (problem type \"mlp\"); a "
                         f"{scenario.problem_type} problem's own surface is its landscape: gdtui play shows it")


def analyse(scenario: Scenario, length: int | None = None, plane: str = "pca") -> dict:
    check(scenario)
    race = simulate(scenario, length)
    problem, paths = race.problem, race.history.params
    if paths is None:
        raise GdtuiError(f"{scenario.source}: {race.R} runs × {race.D} parameters are too many to keep their "
                         f"paths (the limit is {MAX_PARAM_HISTORY} numbers per step)")
    fitted = landscape.fit_plane(plane, paths, problem, scenario.seed)
    coords = fitted.coordinates(paths)
    with np.errstate(all="ignore"):
        residuals = fitted.residuals(paths)
    box = landscape.box_around(coords.reshape(-1, 2), margin=0.3, least=1e-3)
    xs, ys = landscape.grid(box, *GRID)
    loss = landscape.plane_losses(problem, fitted, xs, ys)
    ends = np.array([paths[_last_finite(paths[:, r]), r] for r in range(race.R)])
    lines = landscape.line_losses(problem, race.start, ends)
    return {
        "scenario": scenario.title, "plane": plane, "origin": "the mean of the runs' final points",
        "steps": race.tick, "unit": "epoch" if scenario.clock == "epoch" else "step",
        "explained_variance": [float(v) for v in fitted.explained],
        "grid": {"x": [float(v) for v in xs], "y": [float(v) for v in ys],
                 "loss": [[_finite(v) for v in row] for row in loss]},
        "runs": [{"name": run.name, "path": [[_finite(a), _finite(b)] for a, b in coords[:, r]],
                  "residual": [_finite(v) for v in residuals[:, r]]} for r, run in enumerate(race.runs)],
        "line": {"alpha": [float(a) for a in landscape.LINE_ALPHAS],
                 "runs": [{"name": run.name, "loss": [_finite(v) for v in lines[r]]}
                          for r, run in enumerate(race.runs)]},
    }


def _last_finite(path: np.ndarray) -> int:
    finite = np.flatnonzero(np.all(np.isfinite(path), axis=1))
    return int(finite[-1]) if len(finite) else 0


def print_report(result: dict, console=None):
    from .render.tables import Column, fitted_table, output_console

    console = console or output_console()
    a, b = result["explained_variance"]
    alphas = np.array(result["line"]["alpha"])
    inside = (alphas >= 0) & (alphas <= 1)
    rows = []
    for run, line in zip(result["runs"], result["line"]["runs"]):
        res = np.array([np.nan if v is None else v for v in run["residual"]])
        along = np.array([np.nan if v is None else v for v in line["loss"]])[inside]
        rows.append([run["name"], f"{res[-1]:.3g}", f"{np.nanmax(res):.3g}", f"{along[0]:.4g}", f"{np.nanmax(along):.4g}",
                     f"{along[-1]:.4g}"])
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
