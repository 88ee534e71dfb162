"""`gdtui sweep`: every run of a scenario across a grid of learning rates.

All (run, lr) pairs step together as one race, batched over runs: with 5
runs and 64 rates, one vectorized update per rule family moves all 320. The
copies of a run share its random stream, so every rate sees the same batches
and the same noise, and only the rate differs.

A rate is in a run's *stability window* when the run neither diverges nor
ends above the loss it started from. On a quadratic the theory (core.theory)
predicts each window's upper edge for GD, EMA momentum and Nesterov: 2/λmax
for GD, and the edge of the run's own rule and β beside the measured one.

The scenario's timeline is left out: a `set` event that changed a rate in
mid-run would blur what the sweep measures.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import limits
from .core import theory as linear_theory
from .core.optimizers import RULES
from .core.race import DIVERGED, Race
from .errors import GdtuiError
from .render.palette import rgb, run_look
from .scenario import Scenario

DEFAULT_RANGE = (1e-4, 10.0)
DEFAULT_POINTS = 32


def parse_range(text: str) -> tuple[float, float]:
    """"MIN:MAX" -> (MIN, MAX), both > 0, MIN < MAX."""
    try:
        lo, hi = (float(v) for v in text.split(":"))
    except ValueError:
        raise GdtuiError(f"--lr: expected MIN:MAX such as 1e-4:10, got {text!r}")
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0 or hi <= 0:
        raise GdtuiError(f"--lr: both bounds must be finite and > 0 (got {text})")
    if lo >= hi:
        raise GdtuiError(f"--lr: MIN must be below MAX (got {text})")
    if lo < limits.MIN_LR or hi > limits.MAX_LR:
        raise GdtuiError(f"--lr: rates from {limits.MIN_LR:g} to {limits.MAX_LR:g} (got {text})")
    return lo, hi


def lr_grid(lo: float, hi: float, points: int) -> np.ndarray:
    return np.geomspace(lo, hi, points)


def sweep_race(scenario: Scenario, lrs: np.ndarray, steps: int | None = None) -> Race:
    """One race holding every run of the scenario at every rate in `lrs` (run-major)."""
    runs = [dataclasses.replace(run, name=f"{run.name} @ {lr:.3g}", lr=float(lr), stream=i)
            for i, run in enumerate(scenario.runs) for lr in lrs]
    return batched_race(scenario, runs, steps, f"a sweep of {len(scenario.runs)} runs × {len(lrs)} rates", "fewer --points")


def batched_race(scenario: Scenario, runs: list, steps: int | None, what: str, fewer: str) -> Race:
    """One race of many copies of the scenario's runs (a sweep's rates, a tuning budget's trials),
    with the limits on its size checked first: `what` names the copies, `fewer` the flag that
    makes them fewer. Each copy carries its scenario run's index as its stream: it sees that
    run's batches and noise, so copies differ only in their settings."""
    problem = scenario.build_problem()
    if len(runs) * problem.dim > limits.MAX_NUMBERS:
        raise GdtuiError(f"{scenario.source}: {what} × {problem.dim} parameters: the limit is "
                         f"{limits.MAX_NUMBERS} numbers ({fewer})")
    if hasattr(problem, "layers") and limits.activations(len(runs), problem.layers, problem.n_samples) > \
            limits.MAX_ACTIVATIONS:
        raise GdtuiError(f"{scenario.source}: {what} ({len(runs)} runs) over {problem.n_samples} samples: the limit "
                         f"is {limits.MAX_ACTIVATIONS} numbers in one pass of the network ({fewer})")
    start = scenario.start
    if start is None:
        start = problem.initial_params() if hasattr(problem, "initial_params") else problem.start
    steps = steps or scenario.length
    race = Race(problem, runs, start, seed=scenario.seed, clock=scenario.clock, tolerance=scenario.tolerance,
                length=steps, course=scenario.course, keep_history=False, history_rows=64)   # the first and last losses
    if scenario.start is not None:
        scenario.check_start(race.history.loss[0])   # a start the other commands refuse, these refuse too
    return race


def run_sweep(scenario: Scenario, lrs: np.ndarray, steps: int | None = None) -> tuple[Race, dict]:
    steps = steps or scenario.length
    race = sweep_race(scenario, lrs, steps)
    while race.tick < steps and not race.done:   # (a stopped run never moves again)
        race.step()
    return race, summarize(scenario, race, lrs, steps)


def summarize(scenario: Scenario, race: Race, lrs: np.ndarray, steps: int | None = None) -> dict:
    """Per run: final loss at each rate, the best rate, and the stability window, after `steps`
    (the race's own tick if not given: a race whose runs had all stopped sooner ends there)."""
    n = len(lrs)
    quadratic = getattr(race.problem, "quadratic", False)
    lam = linear_theory.spectrum(race.problem, np.zeros((1, race.problem.dim)))[0][0] if quadratic else None
    out = []
    for k, run in enumerate(scenario.runs):
        rows = slice(k * n, (k + 1) * n)
        status = [race.status_name(i) for i in range(k * n, (k + 1) * n)]
        loss, stable = outcomes(race, rows)
        best = int(np.argmin(np.where(stable, loss, np.inf))) if stable.any() else None
        window = None
        if stable.any():
            inside = np.flatnonzero(stable)
            window = [float(lrs[inside[0]]), float(lrs[inside[-1]])]
        out.append({
            "name": run.name, "optimizer": run.rule, "batch": run.batch,
            "best_lr": None if best is None else float(lrs[best]),
            "best_loss": None if best is None else float(loss[best]),
            "window": window,
            "theory_edge": None if lam is None else _finite(linear_theory.verdict(
                run.rule, 0.0, RULES[run.rule].with_defaults(run.hyper), lam).stable_lr_max),
            "points": [{"lr": float(lr), "final_loss": None if not np.isfinite(v) else float(v), "status": s}
                       for lr, v, s in zip(lrs, loss, status)],
        })
    theory = {}
    if lam is not None:
        theory = {"lambda_min": float(lam[0]), "lambda_max": float(lam[-1]),
                  "gd_edge": 2 / float(lam[-1]) if lam[-1] > 0 else None}
    return {"scenario": scenario.title, "clock": scenario.clock, "steps": steps or race.tick, "lr_min": float(lrs[0]),
            "lr_max": float(lrs[-1]), "points": n, "f_star": race.problem.f_star, "theory": theory, "runs": out}


def outcomes(race: Race, rows: slice) -> tuple[np.ndarray, np.ndarray]:
    """For the runs `rows` of a finished race: each one's final loss (+∞ where it diverged) and
    whether it is *stable*, ending below the loss it started from. A sweep's window and best
    rate and a tuning's best setting are read from these alike."""
    final, initial = race.history.loss[-1, rows], race.history.loss[0, rows]
    loss = np.where((race.status[rows] == DIVERGED) | ~np.isfinite(final), np.inf, final)
    return loss, np.isfinite(loss) & (loss < initial)


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def length_text(result: dict) -> str:
    """"200 steps" or "40 epochs": the sweep's length in the scenario's own unit."""
    unit = "epoch" if result.get("clock") == "epoch" else "step"
    return f"{result['steps']} {unit}{'s' if result['steps'] != 1 else ''}"


def explanation(result: dict) -> str:
    """What the plot shows, as a sentence (printed beside the plot, wrapped, never cut)."""
    what = "log10 of the final f − f*" if result["f_star"] is not None else "log10 of the final loss"
    text = (f"{what} after {length_text(result)} against the learning rate; "
            "vertical lines: each run's largest stable lr")
    if result["theory"].get("gd_edge"):
        text += ", white: GD's theoretical edge 2/λmax"
    if "range_test" in result:
        text += "; dots: the LR range test, each run's loss after each step against the rate of that step"
    return text + "."


def run_color(k: int) -> tuple[int, int, int]:
    return rgb(run_look(k).color)


def run_glyph(k: int) -> str:
    return run_look(k).head


def draw(plt, result: dict, glyphs: bool = False):
    """log10 of the final loss (of f - f* where f* is known) against log10 of lr on
    `plt` (plotext, or a PlotextPlot's plt), one line per run, each run's largest stable
    rate and the theoretical GD edge marked. `glyphs`: draw each run with its own glyph
    (for output without colour), else in its own colour."""
    f_star = result["f_star"] or 0.0
    for k, run in enumerate(result["runs"]):
        color = run_color(k)
        pts = [(math.log10(p["lr"]), math.log10(max(p["final_loss"] - f_star, 1e-16)))
               for p in run["points"] if p["final_loss"] is not None]
        if pts:
            plt.plot([p[0] for p in pts], [p[1] for p in pts], marker=run_glyph(k) if glyphs else "braille",
                     color=color)
        if run["window"]:
            plt.vline(math.log10(run["window"][1]), color=color)
    if "range_test" in result:
        from .range_test import draw as draw_range_test

        draw_range_test(plt, result["range_test"], glyphs)
    edge = result["theory"].get("gd_edge")
    lo, hi = math.log10(result["lr_min"]), math.log10(result["lr_max"])
    if edge and lo <= math.log10(edge) <= hi:
        plt.vline(math.log10(edge), color="white")
    rate_axis(plt, lo, hi)


def rate_axis(plt, lo: float, hi: float):
    """The x axis of a plot against the learning rate, from 10^lo to 10^hi, a tick per decade."""
    decades = list(range(math.ceil(lo), math.floor(hi) + 1))
    plt.xticks(decades, [f"1e{d}" if d else "1" for d in decades])
    plt.xlim(lo, hi)
    plt.xlabel("learning rate")


def plot(result: dict, width: int = 100, height: int = 24, glyphs: bool = False, draw=draw) -> str:
    """The sweep plot (or another `draw` of a result) as text (with ANSI colours unless `glyphs`)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    draw(plt, result, glyphs)
    plt.theme("clear")
    text = plt.build()
    return plt.uncolorize(text) if glyphs else text


def legend(result: dict):
    """Each run's glyph and name, in its colour."""
    from rich.text import Text

    line = Text()
    for k, run in enumerate(result["runs"]):
        if k:
            line.append("   ")
        line.append(f"{run_glyph(k)} {run['name']}", style=run_look(k).color)
    return line


def result_rows(result: dict) -> list[list[str]]:
    """One row per run: name, rule, best lr, loss there, stable from, to, and the theory's edge."""
    rows = []
    for run in result["runs"]:
        w = run["window"]
        rows.append([run["name"], run["optimizer"], _num(run["best_lr"]), _num(run["best_loss"]),
                     _num(w and w[0]), _num(w and w[1]), _num(run.get("theory_edge"))])
    return rows


RESULT_HEADERS = ("run", "rule", "best lr", "loss there", "stable from", "to", "theory: to")


def print_report(result: dict, console=None):
    from rich.text import Text

    from .render.tables import Column, fitted_table, output_console

    console = console or output_console()
    colour = console.is_terminal and console.color_system is not None
    width = min(console.width, 120)
    console.print(Text.from_ansi(plot(result, width=width, height=22, glyphs=not colour)), no_wrap=True, crop=True)
    console.print(legend(result))
    console.print(explanation(result), style="#9e9e9e")
    console.print()
    columns = [Column("run"), Column("rule", drop=1), Column("best lr", "right"), Column("loss there", "right"),
               Column("stable from", "right", drop=2), Column("to", "right"), Column("theory: to", "right", drop=3)]
    title = (f"{result['scenario']}: {result['points']} rates from {result['lr_min']:g} to "
             f"{result['lr_max']:g}, {length_text(result)}")
    console.print(fitted_table(console, columns, result_rows(result), title=title))
    if "range_test" in result:
        from .range_test import rows as range_rows

        test = result["range_test"]
        columns = [Column("run"), Column("range test: lowest loss at", "right"), Column("suggests (÷10)", "right"),
                   Column("diverged at", "right", drop=1), Column("sweep: best lr", "right"),
                   Column("stable to", "right", drop=2)]
        console.print(fitted_table(console, columns, range_rows(test, result),
                                   title=f"LR range test: one run each, lr × {test['gamma']:.4g} per "
                                         f"{result['clock']}, dots on the plot"))
    t = result["theory"]
    if t.get("gd_edge"):
        console.print(f"quadratic: λmax = {t['lambda_max']:.4g}, GD is stable below 2/λmax = {t['gd_edge']:.4g}; "
                      "'theory: to' is each rule's edge (— for adaptive rules: no fixed bound)", style="#9e9e9e")


def _num(x) -> str:
    return "—" if x is None else f"{x:.3g}"
