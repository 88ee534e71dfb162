"""Learning-rate schedules, evaluated for all runs at once.

Each run has lr0 and a schedule; the rate used in epoch e is

    constant       lr0
    inverse_time   lr0 / (1 + decay_rate*e)                         (the course)
    step           lr0 / (1 + decay_rate*floor(e/interval))         (the course)
    exponential    lr0 * gamma^floor(e/interval)                    (the lecture's 0.95^epoch)
    cosine         lr_min + (lr0-lr_min)*(1 + cos(pi*min(e, period)/period))/2

For problems without data (analytic surfaces) an epoch is one step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# name -> its parameters and their defaults ("period" 0 means: the scenario's length)
SCHEDULES: dict[str, dict[str, float]] = {
    "constant": {},
    "inverse_time": {"decay_rate": 1.0},
    "step": {"decay_rate": 1.0, "interval": 1000},
    "exponential": {"gamma": 0.95, "interval": 1},
    "cosine": {"lr_min": 0.0, "period": 0},
}
KINDS = list(SCHEDULES)


@dataclass
class Schedules:
    """The schedules of R runs as parallel arrays (one entry per run)."""

    kind: np.ndarray        # index into KINDS
    decay_rate: np.ndarray
    interval: np.ndarray
    gamma: np.ndarray
    lr_min: np.ndarray
    period: np.ndarray

    @classmethod
    def from_specs(cls, specs: list[dict], lengths) -> "Schedules":
        """specs: one dict per run, {"type": name, **parameters}; lengths: each run's
        training length in epochs, the cosine period where none is given."""
        def column(key):
            vals = []
            for spec in specs:
                kind = spec.get("type", "constant")
                defaults = SCHEDULES[kind]
                vals.append(float(spec.get(key, defaults.get(key, 1.0))))
            return np.array(vals, dtype=float)

        period = column("period")
        lengths = np.broadcast_to(np.maximum(np.asarray(lengths, dtype=float), 1), period.shape)
        period = np.where(period <= 0, lengths, period)
        return cls(
            kind=np.array([KINDS.index(s.get("type", "constant")) for s in specs]),
            decay_rate=column("decay_rate"),
            interval=np.maximum(column("interval"), 1),
            gamma=column("gamma"),
            lr_min=column("lr_min"),
            period=period,
        )

    def __post_init__(self):
        self.all_constant = bool(np.all(self.kind == 0))  # the common case skips the arithmetic

    def rates(self, lr0: np.ndarray, epoch: np.ndarray, rows=slice(None)) -> np.ndarray:
        """The learning rate of the runs `rows`, each in its own epoch `epoch`."""
        e = np.asarray(epoch, dtype=float)
        interval, period, lr_min = self.interval[rows], self.period[rows], self.lr_min[rows]
        blocks = np.floor(e / interval)
        cosine = lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * np.minimum(e, period) / period)) / 2
        return np.choose(self.kind[rows], [
            lr0,
            lr0 / (1 + self.decay_rate[rows] * e),
            lr0 / (1 + self.decay_rate[rows] * blocks),
            lr0 * self.gamma[rows] ** blocks,
            cosine,
        ])
