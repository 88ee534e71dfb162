"""Problem types by name: their parameters (for scenario files and `gdtui list`)
and how to build them."""

from __future__ import annotations

import numpy as np

from .models import LinearRegression, LogisticRegression
from .problem import Param, Problem
from .surfaces import NOISE, SURFACES, Surface

PROBLEM_TYPES = ("surface", "formula", "linreg", "logreg", "mlp")
FORMULA_PARAMS = (Param("f", None, "the surface as a formula in x and y, e.g. \"(1 - x)**2 + 100*(y - x**2)**2\"", str),
                  Param("minimum", None, "[x, y] of its minimum, if known (marked, and f* = f there)", list))
DATA_SEED = Param("seed", None, "seed of the generated data (default: the scenario's seed)", int)
LINE_DATA = Param("data", None, "a CSV file of your own points (columns x, label) instead of generated ones", str)


def problem_params(kind: str, name: str | None = None) -> tuple[Param, ...]:
    """The parameters a [problem] table of this type (and surface name) accepts."""
    if kind == "surface":
        return SURFACES[name].params + (NOISE,)
    if kind == "formula":
        return FORMULA_PARAMS + (NOISE,)
    if kind == "linreg":
        return LinearRegression.PARAMS + (DATA_SEED,)
    if kind == "logreg":
        return LogisticRegression.PARAMS + (DATA_SEED, LINE_DATA)
    if kind == "mlp":
        from .mlp import MLP_PARAMS
        return MLP_PARAMS + (DATA_SEED,)
    raise KeyError(kind)


def make_problem(kind: str, name: str | None, params: dict, seed: int, course: bool = False) -> Problem:
    """Build a problem; `params` are already validated. Data come from a Generator
    derived from the data seed, or in course mode as the course draws them."""
    params = dict(params)
    data_seed = params.pop("seed", None)
    rng = np.random.default_rng([seed if data_seed is None else data_seed, 0])
    if kind == "surface":
        return Surface(name, **params)
    if kind == "formula":
        from .formula import FormulaSurface
        return FormulaSurface(**params)
    if kind == "linreg":
        return LinearRegression(rng, **params)
    if kind == "logreg":
        return LogisticRegression(rng, **params)
    if kind == "mlp":
        from .mlp import MLP
        return MLP(rng, course=course, data_seed=data_seed, **params)
    raise KeyError(kind)
