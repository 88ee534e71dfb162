"""The landscape panel (networks, the `m` key): the race on a plane through parameter space,
drawn by the surface panel like a 2-D problem, and a line of the plane's facts.

It draws the frame's `landscape` (playback/landscape.py), never computes one. A click on the
plane does not restart the runs there (a point of the plane is a whole network, which `r` and
the scenario own); the legend still selects runs.
"""

from __future__ import annotations

import dataclasses

from rich.text import Text

from ...render.palette import run_look
from .base import TextPanel
from .surface import SurfaceView

MUTED = "#9e9e9e"


class LandscapeView(SurfaceView):
    def draw(self, why: str):
        info = self.frame.landscape
        if info is not None:
            self.paint(info.frame, dataclasses.replace(self.view, box=info.box))

    def on_click(self, event):
        local = self._local(event)
        if local is not None and local[1] == 0:   # the legend: select a run
            super().on_click(event)

    def _wheel(self, event, factor):
        event.stop()   # the plane's box follows its fit; no zoom here


class LandscapeFacts(TextPanel):
    """What the plane holds and how far each run is off it."""

    THROTTLED = True

    def draw(self, why: str):
        info = self.frame.landscape
        if info is None:
            return
        a, b = info.explained
        text = Text()
        if self.screen.has_class("-compact"):   # one line: the plane needs the rows
            text.append(f"{'PCA' if info.kind == 'pca' else 'random'} plane holds {a:.0%} + {b:.0%} · off it: ",
                        style=MUTED)
            for r, row in enumerate(self.frame.runs):
                text.append(f"{run_look(r).head} {info.residuals[r]:.2g} ", style=run_look(r).color)
            text.append("· M freeze", style=MUTED)
            self.show(text)
            return
        if info.kind == "pca":
            text.append(f"PCA plane through the runs' mean end point: it holds {a:.1%} + {b:.1%} of their motion",
                        style=MUTED)
        else:
            text.append(f"random filter-normalised plane through the runs' mean end point: {a + b:.1%} of "
                        "their motion", style=MUTED)
        text.append(f" ({'frozen at' if info.frozen else 'fitted to'} {self.frame.scene.unit} {info.fitted_at})",
                    style=MUTED)
        text.append(" · off the plane now (max): ", style=MUTED)
        for r, row in enumerate(self.frame.runs):
            look = run_look(r)
            text.append(f"{look.head} {info.residuals[r]:.2g} ({info.max_residuals[r]:.2g})  ", style=look.color)
        text.append("· M freezes the plane, m: boundaries", style=MUTED)
        self.show(text)
