"""The loss of every run against its step, on a log axis (render/lossplot.py decides
what is drawn; plotext draws it)."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from ...render.lossplot import loss_chart
from ...render.palette import dim_color, rgb, run_look
from .base import FramePanel


class LossPlot(FramePanel, PlotextPlot):
    DEFAULT_CSS = "LossPlot { height: 1fr; }"
    THROTTLED = True

    def draw(self, why: str):
        frame, view = self.frame, self.view
        height = max(self.size.height, 1)
        chart = loss_chart(frame.losses, frame.scene.f_star, unit=frame.scene.unit, length=frame.scene.length,
                           selected=view.selected, hidden=view.hidden,
                           dimmed={r for r in range(len(frame.runs)) if view.dimmed(r)},
                           y_ticks=max(2, (height - 4) // 2), x_ticks=max(2, self.size.width // 12),
                           ticks=frame.ticks)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        monochrome = self.app.no_color  # without colour, each run's line is drawn with its trail glyph
        for line in chart.lines:
            look = run_look(line.run)
            plt.plot(line.x, line.y, marker=look.trail if monochrome else "braille",
                     color=rgb(dim_color(look.color) if line.dimmed else look.color))
        if chart.y_ticks:
            plt.yticks([p for p, _ in chart.y_ticks], [label for _, label in chart.y_ticks])
        if chart.y_range:
            plt.ylim(*chart.y_range)
        plt.xticks([p for p, _ in chart.x_ticks], [label for _, label in chart.x_ticks])
        plt.xlim(0, chart.x_max)
        plt.title(chart.title)
        self.refresh()
