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
        event.prevent_default()   # not the surface's handler: no restart from a point of the plane
        local = self._local(event)
        if local is not None and local[1] == 0:   # the legend: select a run
            for first, last, run in self._legend_spans:
                if first <= local[0] < last:
                    self.post_message(self.RunClicked(run))

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
        compact = self.screen.has_class("-compact")   # one line: the plane needs the rows
        text = Text()
        if not a + b > 1e-9:
            text.append("no motion yet: the plane follows once the runs move", style=MUTED)
        elif compact:
            text.append(f"PCA plane holds {a:.0%} + {b:.0%} · off it: ", style=MUTED)
        else:
            text.append(f"PCA plane through the runs' mean end point: it holds {a:.1%} + {b:.1%} of their "
                        f"motion ({'frozen at' if info.frozen else 'fitted to'} {self.frame.scene.unit} "
                        f"{info.fitted_at}) · off the plane now (max): ", style=MUTED)
        if a + b > 1e-9:
            for r in range(len(self.frame.runs)):
                look = run_look(r)
                now, most = info.residuals[r], info.max_residuals[r]
                text.append(f"{look.head} {now:.2g} " if compact else f"{look.head} {now:.2g} ({most:.2g})  ",
                            style=look.color)
        text.append(" · M freeze" if compact else " · M freezes the plane, m: boundaries", style=MUTED)
        self.show(text)
