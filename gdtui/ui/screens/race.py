"""The race screen: the panels of one loaded scenario, bound to its frame and view.

The app sets `frame` and `view` (reactives); every panel is data-bound to
both and redraws itself (widgets/base.py). The screen's own job is layout:
which size class applies, and how tall the caption must be to hold the
scenario's longest narration whole at the current width.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...playback.frame import Frame
from ...playback.view import View
from ..keys import bindings
from ..widgets.boundaries import Boundaries
from ..widgets.inspector import Inspector
from ..widgets.landscape import LandscapeFacts, LandscapeView
from ..widgets.loss_plot import LossPlot
from ..widgets.runs_table import RunsTable
from ..widgets.status import Caption, StatusLine, narration_text, wrapped
from ..widgets.surface import SurfaceView

MIN_SIZE = (80, 24)
COMPACT_BELOW = (110, 34)       # smaller screens get a narrower side panel and a shorter table
CAPTION_MAX = {False: 6, True: 5}   # caption lines, at most (normal, compact)
DESCRIPTION_LINES = {False: 4, True: 3}  # of the description shown before the first narration


class RaceScreen(Screen):
    BINDINGS = bindings()

    # (no repaint of their own: the panels bound to them redraw what changed)
    frame: reactive[Frame | None] = reactive(None, init=False, repaint=False)
    view: reactive[View | None] = reactive(None, init=False, repaint=False)

    def __init__(self, frame: Frame, view: View, monochrome: bool = False):
        super().__init__()
        self.scene = frame.scene
        self.monochrome = monochrome
        self.set_reactive(RaceScreen.frame, frame)
        self.set_reactive(RaceScreen.view, view)

    def compose(self) -> ComposeResult:
        bound = (RaceScreen.frame, RaceScreen.view)
        yield Static(self.scene.title, id="title")
        if self.scene.two_d:
            with Horizontal(id="main"):
                yield SurfaceView(monochrome=self.monochrome, id="surface").data_bind(*bound)
                with Vertical(id="side"):
                    yield LossPlot(id="loss").data_bind(*bound)
                    yield Inspector(id="inspector").data_bind(*bound)
        else:
            with Vertical(id="main"):
                yield Boundaries(id="boundaries").data_bind(*bound)
                with Vertical(id="landscape"):   # `m`: the runs on one plane, instead of the boundaries
                    yield LandscapeView(monochrome=self.monochrome, id="landscape-view").data_bind(*bound)
                    yield LandscapeFacts(id="landscape-facts").data_bind(*bound)
                with Horizontal(id="mlp-bottom"):
                    yield LossPlot(id="loss").data_bind(*bound)
                    yield Inspector(id="inspector").data_bind(*bound)
        yield RunsTable(id="runs").data_bind(*bound)
        yield Caption(id="caption").data_bind(*bound)
        yield StatusLine(id="status").data_bind(*bound)
        yield Footer()
        yield Static("terminal too small: gdtui needs at least 80 × 24", id="too-small")

    def on_mount(self):
        self._fit(self.app.size.width, self.app.size.height)

    def watch_frame(self, frame: Frame | None):
        if frame is not None:
            self.set_class(frame.landscape is not None, "-landscape")

    def on_resize(self, event: events.Resize):
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int):
        """The size class, and a caption tall enough for every narration of the scenario."""
        self.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
        compact = width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1]
        self.set_class(compact, "-compact")
        border = 0 if compact else 1   # (compact: no border above the caption)
        self.query_one(Caption).styles.height = caption_lines(self.app.console, self.scene, width - 2, compact) + border


def caption_lines(console, scene, width: int, compact: bool) -> int:
    """Lines for the caption: the longest narration wrapped at `width` (the description gets a
    few lines at most), between 2 and CAPTION_MAX."""
    from rich.text import Text

    need = [len(wrapped(console, narration_text(n), width)) for n in scene.narrations]
    if scene.description and not any(n.at == 0 for n in scene.narrations):  # shown before the first one
        need.append(min(len(wrapped(console, Text(scene.description), width)), DESCRIPTION_LINES[compact]))
    return min(max([2, *need]), CAPTION_MAX[compact])
