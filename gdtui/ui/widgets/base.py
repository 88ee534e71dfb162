"""What every panel shares: it draws a frame and a view, and nothing else.

The race screen holds the current `frame` and `view` as reactives; each
panel is bound to both (`data_bind`). A panel redraws for three reasons
only: the frame changed, the view changed, the layout changed (its size).
`draw(why)` is told which.

Panels whose drawing is costly (plots, tables) are *throttled*: while
playing they redraw about every SLOW_EVERY frames, counted from the frame's
own tick and speed, so it is the same on every machine; any frame that is
not playing is drawn at once, so nothing shown is ever stale at rest.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from ...playback.frame import Frame
from ...playback.view import View

FRAME, VIEW, LAYOUT = "frame", "view", "layout"
SLOW_EVERY = 8


def due(last: Frame | None, new: Frame) -> bool:
    """Whether a throttled panel should draw `new`, having drawn `last`."""
    if last is None or not new.playing or not last.playing or new.holding != last.holding:
        return True
    if new.generation != last.generation or new.tick < last.tick or new.scene is not last.scene:
        return True
    return (new.tick - last.tick) / new.speed >= SLOW_EVERY


class FramePanel:
    """Mixin: the frame and view reactives, and the redraw rule. A panel implements
    `draw(why)`; `frame` and `view` are its only inputs."""

    frame: reactive[Frame | None] = reactive(None, repaint=False, layout=False, init=False, always_update=True)
    view: reactive[View | None] = reactive(None, repaint=False, layout=False, init=False, always_update=True)
    THROTTLED = False
    _drawn: Frame | None = None

    def watch_frame(self, frame: Frame | None):
        if frame is None or self.view is None:
            return
        if self.THROTTLED and not self.due(self._drawn, frame):
            return
        self._draw(FRAME)

    def due(self, last: Frame | None, new: Frame) -> bool:
        return due(last, new)

    def watch_view(self, view: View | None):
        if view is not None and self.frame is not None:
            self._draw(VIEW)

    def on_resize(self):
        if self.frame is not None and self.view is not None:
            self._draw(LAYOUT)

    def _draw(self, why: str):
        self._drawn = self.frame
        self.draw(why)

    def draw(self, why: str):
        raise NotImplementedError


class PanelWidget(FramePanel, Widget):
    """A Line-API panel."""


class TextPanel(FramePanel, Static):
    """A panel of rich text (tables, equations): after its first drawing, redrawn without a
    layout pass, which would repaint the whole screen (its height does not change while a
    scenario is shown)."""

    _laid_out = False

    def show(self, renderable):
        self.update(renderable, layout=not self._laid_out)
        self._laid_out = True
