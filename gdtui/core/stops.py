"""Which runs of a race have stopped, at which tick, and why.

A run that produces a non-finite loss or parameters, or a loss more than 1e6 times its
initial distance from the reference value (f*, or 0 where it is unknown), is *diverged*.
A run whose full-batch gradient norm falls below the tolerance is *converged*. Either
way it is frozen: it never moves again, and every later tick reports the numbers it
stopped with. A status only ever goes from running to converged or diverged.
"""

from __future__ import annotations

import numpy as np

RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
DIVERGENCE_FACTOR = 1e6


class Stops:
    """The status of each of R runs, and the tick at which each converged or diverged (-1: not)."""

    def __init__(self, initial_loss: np.ndarray, f_star: float | None, tolerance: float):
        R = len(initial_loss)
        self.status = np.zeros(R, dtype=int)
        self.converged_at = np.full(R, -1)
        self.diverged_at = np.full(R, -1)
        self.tolerance = tolerance
        self.f_ref = f_star or 0.0
        # blown up: 1e6 times the start's distance from f* (or from 0), but never a
        # threshold so small that the noise of a run started at the minimum crosses it
        with np.errstate(all="ignore"):
            self.blowup = DIVERGENCE_FACTOR * np.maximum(np.abs(initial_loss - self.f_ref),
                                                         1e-3 * (1 + abs(self.f_ref)))

    def running(self) -> np.ndarray:
        """The indices of the runs still running."""
        return np.flatnonzero(self.status == RUNNING)

    @property
    def done(self) -> bool:
        return bool(np.all(self.status != RUNNING))

    def judge(self, tick: int, loss, grad_norm, P, last_loss, last_grad_norm):
        """The numbers of tick `tick` as the race records them, (loss, grad_norm): the runs
        frozen before it keep their last ones. Runs that blow up or converge in it stop."""
        frozen = self.status != RUNNING
        loss = np.where(frozen, last_loss, loss)
        grad_norm = np.where(frozen, last_grad_norm, grad_norm)
        with np.errstate(all="ignore"):
            blown = ~np.isfinite(loss) | ~np.all(np.isfinite(P), axis=1) | (np.abs(loss - self.f_ref) > self.blowup)
            new_div = ~frozen & blown
            new_conv = ~frozen & ~blown & (grad_norm < self.tolerance)
        self.status[new_div] = DIVERGED
        self.diverged_at[new_div] = tick
        self.status[new_conv] = CONVERGED
        self.converged_at[new_conv] = tick
        return loss, grad_norm
