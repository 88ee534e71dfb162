"""`gdtui theory`: what the linear theory predicts for each run, against what the run did.

For each run: the Hessian eigenvalues the theory uses (a quadratic's, or the Hessian at the
run's end point, then labelled local), the predicted factor per step ρ, the largest stable
lr for its rule and β, and the rate measured from its own path (core.theory.measured_rates:
relative to the minimum on a quadratic; elsewhere only for a run that converged, relative to
the point it converged to, over the second half of its path). Rules with no fixed linear map
get null, not a guess.
"""

from __future__ import annotations

import numpy as np

from .core import theory
from .headless import hyper_values, simulate
from .scenario import Scenario

def _num(x):
    return None if x is None or not np.isfinite(x) else float(x)


def analyse(scenario: Scenario, length: int | None = None) -> dict:
    race = simulate(scenario, length)
    problem = race.problem
    quadratic = getattr(problem, "quadratic", False)
    curved = theory.has_curvature(problem)
    lam = vec = None
    if curved:
        lam, vec = theory.spectrum(problem, np.zeros((1, problem.dim)) if quadratic else race.P)
    shared = lam[0] if curved and quadratic else None
    params = race.history.params
    runs = []
    for r, run in enumerate(race.runs):
        lr, hyper = float(race.lr[r]), {k: race.get_hyper(r, k) for k in run.hyper}
        entry = {"name": run.name, "optimizer": run.rule, "lr": lr, "hyper": hyper_values(hyper),
                 "eigenvalues": None, "predicted_rate": None, "stable_lr_max": None, "edge_formula": None,
                 "measured_rate": None, "local": not quadratic}
        if curved and np.all(np.isfinite(lam[r if shared is None else 0])):
            eig = lam[0] if shared is not None else lam[r]
            v = theory.verdict(run.rule, lr, hyper, eig, local=not quadratic)
            entry.update(eigenvalues=[float(x) for x in eig], predicted_rate=_num(v.predicted_rate),
                         stable_lr_max=_num(v.stable_lr_max), edge_formula=v.formula)
            status = race.status_name(r)
            if v.predicted_rate is not None and params is not None and status != "diverged" \
                    and (quadratic or status == "converged"):
                stop = int(race.converged_at[r]) if status == "converged" else race.tick
                path = params[: stop + 1, r]   # a converged run is frozen after this
                if quadratic and problem.minima:
                    reference = np.asarray(problem.minima[0])
                else:   # local: how the run settled into the point it converged to
                    reference, path = path[-1], path[len(path) // 2:]
                basis = vec[0] if shared is not None else vec[r]
                entry["measured_rate"] = _num(theory.measured_rate(theory.error_along(path, reference, basis)))
        runs.append(entry)
    return {"scenario": scenario.title, "problem": problem.kind if problem.kind != "surface" else problem.name,
            "steps": race.tick, "quadratic": bool(quadratic),
            "eigenvalues": None if shared is None else [float(x) for x in shared], "runs": runs}


def rows(result: dict) -> list[list[str]]:
    out = []
    for run in result["runs"]:
        eig = run["eigenvalues"]
        out.append([run["name"], run["optimizer"], f"{run['lr']:.4g}",
                    next((f"{v:.3g}" for k, v in run["hyper"].items() if k in ("beta", "beta1")), "—"),
                    "—" if eig is None else f"{eig[0]:.3g} … {eig[-1]:.3g}",
                    _fmt(run["predicted_rate"]), _fmt(run["measured_rate"]),
                    "none (λ < 0)" if run["stable_lr_max"] == 0 else _fmt(run["stable_lr_max"]),
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
    title = f"{result['scenario']}: the linear theory after {result['steps']} steps ({where})"
    console.print(fitted_table(console, columns, rows(result), title=title))
    console.print("ρ: the error's factor per step (below 1 converges). Measured from the run's own path. "
                  "— : no fixed linear map (adaptive rules), or no exact Hessian.", style="#9e9e9e")
