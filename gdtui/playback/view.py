"""How the race is looked at: the part of the plane shown, the selected run, which
runs are hidden or dimmed, how trails age. Immutable: every change is a new View,
so a widget can tell in one comparison whether the way it looks has changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .frame import Box

ZOOM_STEP = 1.25
TRAILS = ("fade", "full", "heads")   # the `t` key cycles through these
TRAIL_TEXT = {"fade": "trails fade after {fade} {unit}s", "full": "full trails", "heads": "heads only"}


@dataclass(frozen=True)
class View:
    box: Box | None                  # two-parameter problems: the part of the plane shown
    home: Box | None                 # the scenario's view (the `0` key)
    selected: int = 0                # the run the inspector shows; drawn on top everywhere
    hidden: frozenset[int] = frozenset()
    spotlight: bool = False          # the selected run alone in colour, the others dimmed
    trails: str = "fade"             # fade: older parts dimmed; full; heads: no trails but the selected run's
    fade_after: int = 30             # ticks a trail stays bright

    def select(self, run: int) -> View:
        return replace(self, selected=run)

    def toggle_hidden(self, run: int) -> View:
        return replace(self, hidden=self.hidden ^ {run})

    def toggle_spotlight(self) -> View:
        return replace(self, spotlight=not self.spotlight)

    def next_trails(self) -> View:
        return replace(self, trails=TRAILS[(TRAILS.index(self.trails) + 1) % len(TRAILS)])

    def zoomed(self, factor: float, centre=None) -> View:
        """Zoom by `factor` (> 1: in) around `centre` (default: the middle)."""
        if self.box is None:
            return self
        (x0, x1), (y0, y1) = self.box
        cx, cy = centre if centre is not None else ((x0 + x1) / 2, (y0 + y1) / 2)
        return replace(self, box=((cx - (cx - x0) / factor, cx + (x1 - cx) / factor),
                                  (cy - (cy - y0) / factor, cy + (y1 - cy) / factor)))

    def panned(self, fx: float, fy: float) -> View:
        """Move the box by fractions of its width and height."""
        if self.box is None:
            return self
        (x0, x1), (y0, y1) = self.box
        dx, dy = fx * (x1 - x0), fy * (y1 - y0)
        return replace(self, box=((x0 + dx, x1 + dx), (y0 + dy, y1 + dy)))

    def at_home(self) -> View:
        return replace(self, box=self.home)

    def dimmed(self, run: int) -> bool:
        """Drawn in grey: another run has the spotlight."""
        return self.spotlight and run != self.selected
