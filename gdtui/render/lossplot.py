"""The loss plot as data: which lines, in which order, on which axis, with which ticks.

The widget only hands this to plotext. The y axis is logarithmic: log10 of
f − f* where the minimum f* is known, else of the loss; a loss that goes to
zero or below (a saddle, unbounded below) gets a signed-log axis that still
shows every run's progress. Ticks are round values (1-2-5, decades), steps
are whole numbers, and the selected run is drawn last, on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .axes import log_ticks, nice_ticks, symlog, symlog_ticks, tick_label

MAX_POINTS = 300   # per run: long histories are decimated
GAP_FLOOR = 1e-16  # f − f* below this is drawn at this (rounding)


@dataclass(frozen=True)
class Line:
    run: int
    x: list[float]
    y: list[float]
    dimmed: bool


@dataclass(frozen=True)
class LossChart:
    lines: tuple[Line, ...]          # drawing order: the selected run last
    title: str
    y_ticks: tuple[tuple[float, str], ...]
    y_range: tuple[float, float] | None
    x_ticks: tuple[tuple[float, str], ...]
    x_max: float


def loss_axis(losses: np.ndarray, f_star: float | None) -> tuple[np.ndarray, str, str]:
    """(positions on the y axis, axis kind "log" or "symlog", what is plotted)."""
    with np.errstate(all="ignore"):
        if f_star is not None:
            return np.log10(np.maximum(losses - f_star, GAP_FLOOR)), "log", "f − f*"
        finite = losses[np.isfinite(losses)]
        if len(finite) and finite.min() > 0:
            return np.log10(losses), "log", "loss"
        return symlog(losses), "symlog", "loss"


def loss_chart(losses: np.ndarray, f_star: float | None, *, unit: str, length: int, selected: int,
               hidden=frozenset(), dimmed=frozenset(), y_ticks: int = 5, x_ticks: int = 5,
               ticks: np.ndarray | None = None) -> LossChart:
    """The chart of `losses` ((kept, R): every tick so far, or the ticks `ticks` where a long
    history has been thinned)."""
    y, kind, what = loss_axis(losses, f_star)
    ticks = np.arange(len(y)) if ticks is None else np.asarray(ticks)
    rows = np.arange(len(y))
    stride = max(1, -(-len(rows) // MAX_POINTS))
    keep = np.unique(np.r_[rows[::stride], rows[-1:]])
    order = [r for r in range(y.shape[1]) if r not in hidden and r != selected]
    if selected not in hidden and selected < y.shape[1]:
        order.append(selected)
    lines = []
    shown = []
    for r in order:
        values = y[keep, r]
        ok = np.isfinite(values)
        if ok.any():
            lines.append(Line(r, ticks[keep][ok].astype(float).tolist(), values[ok].tolist(), r in dimmed))
            shown.append(values[ok])
    y_range = None
    y_tick_list: list[tuple[float, str]] = []
    if shown:
        lo = float(min(v.min() for v in shown))
        hi = float(max(v.max() for v in shown))
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        y_range = (lo, hi)
        y_tick_list = log_ticks(lo, hi, y_ticks) if kind == "log" else symlog_ticks(lo, hi, y_ticks)
    x_max = float(max(length, ticks[-1] if len(ticks) else 0, 1))
    x_tick_list = [(t, tick_label(t)) for t in nice_ticks(0, x_max, x_ticks, integer=True)]
    scale = "log scale" if kind == "log" else "signed log scale"
    return LossChart(tuple(lines), f"{what} per {unit} ({scale})", tuple(y_tick_list), y_range,
                     tuple(x_tick_list), x_max)
