"""Headless commands: run a scenario, report it as a table, JSON or CSV.

No textual here: these commands start fast and run without a terminal.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np

from .core.optimizers import FLAGS, RULES
from .core.race import DIVERGED, Race
from .scenario import Scenario
from .timeline import play_headless


# what a command that reports only the end keeps of the history: tick 0, the last ticks, and
# each run's best loss (memory does not grow with the length of the race)
SUMMARY = {"keep_history": False, "history_rows": 64}


def simulate(scenario: Scenario, length: int | None = None, *, until_done: bool = False, observe=None,
             problem=None, **history) -> Race:
    """The scenario's race, played to its end (or to `length` ticks) with its events; `until_done`:
    or until every run has stopped. `observe(race, end)` sees every tick; `history` is what the race's
    history keeps (Race's keep_history and history_rows; SUMMARY for the end only); `problem`: the
    scenario's problem, if already built."""
    length = length or scenario.length
    race = scenario.build_race(problem, length=length, **history)
    play_headless(race, scenario.events, length, observe=observe, until_done=until_done)
    return race


def simulate_with_sharpness(scenario: Scenario, length: int | None, every: int = 1, *, until_done: bool = False,
                            observe=None, **history):
    """`simulate`, measuring each run's sharpness (core.theory.sharpness) at tick 0, every
    `every` ticks and at the end, with the bound its rule can sustain at the lr of that tick:
    (race, (ticks, plain (T, R), preconditioned (T, R), bounds (T, R)))."""
    from .core import theory
    from .errors import GdtuiError

    length = length or scenario.length
    race = scenario.build_race(length=length, **history)
    if not theory.has_curvature(race.problem):
        raise GdtuiError(f"{scenario.source}: --sharpness: an exact Hessian of {race.problem.dim} parameters is "
                         f"too big (the limit is {theory.MAX_HESSIAN_DIM})")
    ticks, plain, pre, bounds = [], [], [], []

    def measure(race, end):
        if observe is not None:
            observe(race, end)
        if race.tick % every and not end:
            return
        a, b = theory.sharpness(race.problem, race)
        ticks.append(race.tick)
        plain.append(a)
        pre.append(b)
        lrs = race.rates_at(race.tick)
        bounds.append([theory.sharpness_bound(run.rule, float(lrs[r]),
                                              {k: race.get_hyper(r, k) for k in RULES[run.rule].hyper})
                       for r, run in enumerate(race.runs)])

    play_headless(race, scenario.events, length, observe=measure, until_done=until_done)
    as_array = lambda rows: np.array(rows, dtype=float)   # None (no bound) becomes NaN
    return race, (np.array(ticks), as_array(plain), as_array(pre), as_array(bounds))


def add_sharpness(doc: dict, sharpness):
    """Each run's sharpness per recorded tick into `gdtui run --json`'s document (null where not
    measured or not finite), for the preconditioned rules `preconditioned_sharpness`, and the
    bound the run's rule can sustain at the lr of each of those ticks."""
    ticks, plain, pre, bounds = sharpness
    n = doc["steps"] + 1
    for r, run in enumerate(doc["runs"]):
        values, precond, bound = [None] * n, [None] * n, [None] * n
        for k, t in enumerate(ticks):
            values[t], precond[t], bound[t] = _finite(plain[k, r]), _finite(pre[k, r]), _finite(bounds[k, r])
        run["sharpness"] = values
        if any(v is not None for v in precond):
            run["preconditioned_sharpness"] = precond
        run["sharpness_bound"] = bound
    doc["sharpness_ticks"] = [int(t) for t in ticks]


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def hyper_values(hyper: dict[str, float]) -> dict:
    """Hyperparameters as a scenario file spells them: flags (bias_correction) are booleans."""
    return {k: bool(v) if k in FLAGS else v for k, v in hyper.items()}


def run_summaries(race: Race) -> list[dict]:
    """One dict per run: what `gdtui run --json` reports."""
    problem = race.problem
    accuracy = problem.accuracy(race.P) if problem.classification else None
    out = []
    for i, run in enumerate(race.runs):
        diverged = race.status[i] == DIVERGED
        entry = {
            "name": run.name,
            "optimizer": run.rule,
            "batch": run.batch,
            "lr": float(race.lr0[i]),
            "hyper": hyper_values({k: race.get_hyper(i, k) for k in RULES[run.rule].hyper}),
            "status": race.status_name(i),
            "diverged_at": int(race.diverged_at[i]) if race.diverged_at[i] >= 0 else None,
            "converged_at": int(race.converged_at[i]) if race.converged_at[i] >= 0 else None,
            "final_loss": None if diverged else _finite(race.last_loss[i]),
            "best_loss": _finite(race.history.best_loss[i]),
            "grad_norm": _finite(race.last_grad_norm[i]),
            "updates": int(race.updates[i]),
            "epochs": int(race.epochs()[i]),
            "params": [_finite(v) for v in race.P[i]],
        }
        if accuracy is not None:
            entry["accuracy"] = None if diverged else float(accuracy[i])
        out.append(entry)
    return out


def result_json(scenario: Scenario, race: Race, history: bool = False) -> dict:
    runs = run_summaries(race)
    if history:
        params = race.history.params
        for i, entry in enumerate(runs):
            entry["losses"] = [_finite(v) for v in race.history.loss[:, i]]
            if params is not None and race.D <= 8:  # two-parameter problems: the path itself
                entry["trajectory"] = [[_finite(v) for v in p] for p in params[:, i]]
            if race.course:
                entry["epoch_costs"] = [_finite(v) for v in race.history.epoch_cost[1:, i]]
    problem = race.problem
    return {
        "scenario": scenario.title,
        "problem": problem.kind if problem.kind != "surface" else problem.name,
        "clock": scenario.clock,
        "steps": race.tick,
        "f_star": problem.f_star,
        "param_names": list(problem.param_names),
        "runs": runs,
    }


def csv_recorder(f):
    """`observe` for `simulate` that writes one CSV row per tick and run to the open file `f`:
    step, run, loss, then each parameter by name (nothing of the history is kept for it)."""
    out = csv.writer(f)

    def observe(race, end):
        if race.tick == 0:
            out.writerow(["step", "run", "loss", *race.problem.param_names])
        for i, run in enumerate(race.runs):
            out.writerow([race.tick, run.name, repr(float(race.last_loss[i])), *(repr(float(v)) for v in race.P[i])])

    return observe


def print_table(scenario: Scenario, race: Race, console=None):
    """The runs as a table: whole numbers always; on a narrow terminal the least useful
    columns go first (batch, best loss, lr), never a digit."""
    from .render.tables import Column, fitted_table, output_console

    console = console or output_console()
    runs = run_summaries(race)
    unit = "epoch" if scenario.clock == "epoch" else "step"
    columns = [Column("run"), Column("rule", drop=4), Column("batch", drop=1), Column("lr", "right", drop=3),
               Column("final loss", "right"), Column("best loss", "right", drop=2), Column("status")]
    f_star = race.problem.f_star
    gap = bool(f_star)  # a column of f - f* where it differs from the loss itself
    if gap:
        columns.append(Column("f − f*", "right"))
    classification = race.problem.classification
    if classification:
        columns.append(Column("accuracy", "right"))
    rows, styles = [], []
    for r in runs:
        status = r["status"]
        if r["diverged_at"] is not None:
            status = f"diverged at {r['diverged_at']}"
        elif r["converged_at"] is not None:
            status = f"converged at {r['converged_at']}"
        row = [r["name"], r["optimizer"], str(r["batch"]), f"{r['lr']:g}", _num(r["final_loss"]),
               _num(r["best_loss"]), status]
        if gap:
            row.append("—" if r["final_loss"] is None else f"{r['final_loss'] - f_star:.2e}")
        if classification:
            row.append("" if r["accuracy"] is None else f"{r['accuracy']:.4f}")
        rows.append(row)
        styles.append("red" if r["status"] == "diverged" else None)
    console.print(fitted_table(console, columns, rows, styles, title=f"{scenario.title} — {race.tick} {unit}s"))
    if f_star is not None:
        console.print(f"minimum loss f* = {f_star:.6g}")


def _num(x) -> str:
    return "—" if x is None else f"{x:.4g}"


def dumps(obj) -> str:
    return json.dumps(obj, allow_nan=False)
