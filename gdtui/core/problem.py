"""What every problem offers the race: a loss and its exact gradient, batched over runs.

Parameters arrive as P with shape (R, D): one row per run (or per grid point,
when the app draws a surface). A *batch* is a pair (idx, weight) of shape
(R, B): the examples each run sees in this update and their weights (1/k for
a batch of k, 0 for padding when runs' batches differ in size). `None` means
the full data set, or the exact gradient of an analytic surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Param:
    """A problem parameter as a scenario file spells it."""

    name: str
    default: object
    doc: str
    kind: type = float          # float, int, str, list
    minimum: float | None = None  # inclusive lower bound, when there is one
    positive: bool = False        # strictly > 0
    maximum: float | None = None  # inclusive upper bound, when there is one
    choices: tuple = ()


class Problem:
    kind: str = "surface"
    name: str = ""
    dim: int = 2
    param_names: tuple[str, ...] = ("x", "y")
    n_samples: int = 0                 # 0: analytic, no data to batch
    f_star: float | None = None        # the minimum value, where it is known
    minima: tuple[tuple[float, float], ...] = ()
    critical: tuple[tuple[float, float], ...] = ()  # saddle points worth marking
    view: Box | None = None
    start: tuple[float, ...] | None = None
    noise: float = 0.0                 # gradient noise of analytic surfaces
    classification: bool = False

    def loss(self, P: np.ndarray) -> np.ndarray:
        """Full-batch loss of each row of P: shape (R,)."""
        raise NotImplementedError

    def value_and_grad(self, P: np.ndarray, batch=None) -> tuple[np.ndarray, np.ndarray]:
        """(loss on the batch (R,), gradient on the batch (R, D))."""
        raise NotImplementedError

    quadratic: bool = False            # a constant Hessian: the theory holds everywhere, not just locally

    def hessian(self, P: np.ndarray) -> np.ndarray:
        """The exact Hessian of the full-batch loss at each row of P: shape (R, D, D)."""
        raise NotImplementedError

    def default_view(self, start) -> Box:
        if self.view is not None:
            return self.view
        return box_around([*self.minima, tuple(start)])

    def parameter_views(self, P: np.ndarray) -> dict[str, np.ndarray]:
        """Named views into the flat parameters (the MLP's W1, b1, ...)."""
        return {name: P[:, i] for i, name in enumerate(self.param_names)}


def box_around(points, aspect: float = 2.0, margin: float = 0.35, least: float = 0.5) -> Box:
    """A view box holding `points` with a margin, widened to `aspect` (width / height), at
    least `least` from its centre to each side."""
    pts = np.asarray(points, dtype=float)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre = (lo + hi) / 2
    half = np.maximum((hi - lo) / 2 * (1 + margin), least)
    half_w = max(half[0], half[1] * aspect)
    half_h = half_w / aspect
    return ((centre[0] - half_w, centre[0] + half_w), (centre[1] - half_h, centre[1] + half_h))
