"""`gdtui list`: what there is to race, and on what."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .core.catalog import problem_params
from .core.optimizers import FLAGS, RULES
from .core.schedules import SCHEDULES
from .core.surfaces import SURFACES


def _params(params) -> str:
    return ", ".join(f"{p.name}={p.default if p.default is not None else '-'}" for p in params)


def print_listing(console: Console):
    problems = Table(title=escape("Problems  ([problem] type / name and parameters)"), title_justify="left")
    problems.add_column("type")
    problems.add_column("name")
    problems.add_column("parameters (defaults)")
    problems.add_column("what")
    for name, d in SURFACES.items():
        problems.add_row("surface", name, _params(problem_params("surface", name)), d.doc)
    problems.add_row("formula", "", _params(problem_params("formula")),
                     "your own surface: f in x, y, pi, e, + - * / ** and sin cos tan exp log sqrt tanh sinh "
                     "cosh arctan abs")
    problems.add_row("linreg", "", _params(problem_params("linreg")), "mean squared error of y ≈ w·x + b")
    problems.add_row("logreg", "", _params(problem_params("logreg")), "logistic loss in (w, b)")
    try:
        problems.add_row("mlp", "", _params(problem_params("mlp")), "a small network, binary cross-entropy")
    except ImportError:
        pass
    console.print(problems)

    rules = Table(title=escape("Optimizers  ([[runs]] optimizer and hyperparameters)"), title_justify="left")
    rules.add_column("optimizer")
    rules.add_column("lr")
    rules.add_column("hyperparameters (defaults)")
    rules.add_column("update")
    for rule in RULES.values():
        hyper = ", ".join(f"{k}=true" if k in FLAGS else f"{k}={v:g}" for k, v in rule.hyper.items())
        rules.add_row(rule.name, f"{rule.lr:g}", hyper, " ; ".join(rule.equation))
    console.print(rules)

    sched = Table(title=escape("Learning-rate schedules  (schedule = { type = ... })"), title_justify="left")
    sched.add_column("type")
    sched.add_column("parameters (defaults)")
    for name, params in SCHEDULES.items():
        sched.add_row(name, ", ".join(f"{k}={v:g}" for k, v in params.items()))
    console.print(sched)

    from .scenario import bundled_names, load
    scen = Table(title=escape("Bundled scenarios  (gdtui play NAME, gdtui run NAME)"), title_justify="left")
    scen.add_column("name")
    scen.add_column("title")
    for name in bundled_names():
        scen.add_row(name, load(name).title)
    console.print(scen)
