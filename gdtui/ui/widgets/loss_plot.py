"""log10 of the loss (of f - f* where f* is known) against step, one line per run."""

from __future__ import annotations

import numpy as np
from textual_plotext import PlotextPlot

from ...playback import Playback
from ...render.palette import run_look

MAX_POINTS = 300  # per run: long histories are decimated


def loss_curve(playback: Playback) -> tuple[np.ndarray, str]:
    """What the plot shows for every tick up to the cursor: (values (ticks, R), y label)."""
    loss = playback.race.history.loss[: playback.cursor + 1]
    f_star = playback.problem.f_star
    with np.errstate(all="ignore"):
        if f_star is not None:
            return np.log10(np.maximum(loss - f_star, 1e-16)), "log10(f − f*)"
        finite = loss[np.isfinite(loss)]
        if len(finite) and finite.min() > 0:
            return np.log10(loss), "log10 loss"
    return loss, "loss"


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


class LossPlot(PlotextPlot):
    DEFAULT_CSS = "LossPlot { height: 1fr; }"

    def __init__(self, playback: Playback, **kwargs):
        super().__init__(**kwargs)
        self.playback = playback

    def on_mount(self):  # (PlotextPlot's own on_mount runs too)
        self.update_plot()

    def update_plot(self):
        pb = self.playback
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        values, label = loss_curve(pb)
        ticks = np.arange(len(values))
        step = max(1, len(ticks) // MAX_POINTS)
        keep = np.unique(np.r_[ticks[::step], ticks[-1:]])
        for r in range(pb.race.R):
            if r in pb.hidden:
                continue
            y = values[keep, r]
            ok = np.isfinite(y)
            if ok.any():
                plt.plot(ticks[keep][ok].tolist(), y[ok].tolist(), marker="braille",
                         color=_hex_rgb(run_look(r).color))
        plt.xlim(0, max(pb.length, pb.cursor, 1))
        plt.title(f"{label} per {pb.unit}")
        plt.xlabel(pb.unit)
        self.refresh()
