"""`gdtui theory`: what the linear theory predicts for each run, against what the run did.

For each run: the Hessian eigenvalues the theory uses (a quadratic's, or the Hessian at the
run's end point, then labelled local), the predicted factor per update ρ, the largest stable
lr for its rule and β, and the rate measured from its own path: a two-term recurrence fitted
to its steps along each eigenvector (core.theory.measured_rates; steps need no minimum), over
its whole path on a quadratic, and elsewhere only for a run that converged, over the second
half of its path (the linear model holds only near the point it settles at); per update (an
epoch's factor is taken to the 1/updates power). Rules with no fixed linear map get null, not a guess.
"""

from __future__ import annotations

import numpy as np

from .core import theory
from .core.optimizers import RULES
from .headless import _finite, hyper_values, simulate
from .limits import history_rows
from .scenario import Scenario


def analyse(scenario: Scenario, length: int | None = None) -> dict:
    problem = scenario.build_problem()
    # the history the app would keep: bounded, with every tick of the latest stretch
    race = simulate(scenario, length, problem=problem, history_rows=history_rows(len(scenario.runs), problem.dim))
    history = race.history
    quadratic = getattr(problem, "quadratic", False)
    curved = theory.has_curvature(problem)
    lam = vec = None
    if curved:
        lam, vec = theory.spectrum(problem, np.zeros((1, problem.dim)) if quadratic else race.P)
    shared = lam[0] if curved and quadratic else None
    params = race.history.params
    per_tick = race.updates_per_tick()
    lrs = race.rates_at(race.tick)
    runs = []
    for r, run in enumerate(race.runs):
        lr, hyper = float(lrs[r]), {k: race.get_hyper(r, k) for k in RULES[run.rule].hyper}
        entry = {"name": run.name, "optimizer": run.rule, "lr": lr, "hyper": hyper_values(hyper),
                 "noisy": run.batch_label != "full", "eigenvalues": None,
                 "predicted_rate": None, "stable_lr_max": None, "edge_formula": None, "negative_curvature": None,
                 "measured_rate": None, "local": not quadratic}
        eig = shared if shared is not None else None if lam is None else lam[r]
        if eig is not None and np.all(np.isfinite(eig)):
            v = theory.verdict(run.rule, lr, hyper, eig, local=not quadratic)
            entry.update(eigenvalues=[float(x) for x in eig], predicted_rate=_num(v.predicted_rate),
                         stable_lr_max=_num(v.stable_lr_max), edge_formula=v.formula,
                         negative_curvature=v.escaping)
            status = race.status_name(r)
            # off quadratics the linear model holds only near a point the run settles at
            if v.predicted_rate is not None and params is not None and (status == "converged" or
                                                                        quadratic and status == "running"):
                stop = history.kept_at_or_before(int(race.converged_at[r]) if status == "converged" else race.tick)
                first = history.every_tick_since(stop)
                start = first + theory.steady_since(history.lr[history.rows_between(first + 1, stop), r])
                if not quadratic:                     # local: how the run moves near where it ended
                    start = max(start, stop // 2)
                path = params[history.rows_between(start, stop), r]   # a converged run is frozen after `stop`
                basis = vec[0] if shared is not None else vec[r]
                rate = theory.measured_rate(np.diff(path @ basis, axis=0))
                entry["measured_rate"] = None if rate is None else _num(rate ** (1 / int(per_tick[r])))
        runs.append(entry)
    unit = "epoch" if scenario.clock == "epoch" else "step"
    return {"scenario": scenario.title, "problem": problem.kind if problem.kind != "surface" else problem.name,
            "clock": scenario.clock, "steps": race.tick, "unit": unit, "quadratic": bool(quadratic),
            "eigenvalues": None if shared is None else [float(x) for x in shared], "runs": runs}


def _num(x):
    """A JSON number, or null for None, NaN and ±∞ (an edge of ∞ has the formula to explain it)."""
    return None if x is None else _finite(x)


def rows(result: dict) -> list[list[str]]:
    out = []
    for run in result["runs"]:
        eig = run["eigenvalues"]
        edge = run["stable_lr_max"]
        out.append([run["name"], run["optimizer"], f"{run['lr']:.4g}",
                    next((f"{v:.3g}" for k, v in run["hyper"].items() if k in ("beta", "beta1")), "—"),
                    "—" if eig is None else f"{eig[0]:.3g} … {eig[-1]:.3g}",
                    _fmt(run["predicted_rate"]), _fmt(run["measured_rate"]),
                    "any" if edge is None and run["predicted_rate"] is not None else _fmt(edge),
                    "local" if run["local"] else "exact"])
    return out


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.4g}"


def print_report(result: dict, console=None):
    from .render.tables import Column, fitted_table, output_console

    console = console or output_console()
    columns = [Column("run"), Column("rule", drop=2), Column("lr", "right"), Column("β", "right", drop=3),
               Column("λmin … λmax", "right", drop=4), Column("ρ predicted", "right"),
               Column("ρ measured", "right"), Column("stable lr <", "right"), Column("where", drop=1)]
    where = "a quadratic: exact everywhere" if result["quadratic"] else "local: the Hessian at each run's end point"
    n, unit = result["steps"], result["unit"]
    title = f"{result['scenario']}: the linear theory after {n} {unit}{'s' if n != 1 else ''} ({where})"
    console.print(fitted_table(console, columns, rows(result), title=title))
    notes = ["ρ: the error's factor per update (below 1 converges), predicted at the lr of the next update and "
             "measured from the run's own steps since its lr last changed. — : no fixed linear map (adaptive "
             "rules), no exact Hessian, too few steps at one lr (schedules), steps no linear recurrence fits "
             "(mini-batch noise), or, off quadratics, a run that has not settled."]
    if any(r["negative_curvature"] for r in result["runs"]):
        notes.append("λmin < 0: negative curvature; along it any lr moves the run away from that point, "
                     "so ρ > 1 there says it is leaving, not blowing up.")
    console.print(" ".join(notes), style="#9e9e9e")
