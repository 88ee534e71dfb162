"""The caption (the narration, or the scenario's description) and the status line."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ...playback.frame import PlayState
from ...playback.playback import speed_text
from .base import TextPanel

NARRATION_STYLE = "bold #ffd787"
MUTED = "#bcbcbc"
MORE = " … (e: the whole text)"


def narration_text(said) -> Text:
    """A narration as the caption shows it: its words, then its number among the lesson's."""
    text = Text(said.text, style=NARRATION_STYLE)
    if said.total > 1:
        text.append(f"  ({said.number}/{said.total})", style=MUTED)
    return text


def caption_text(frame) -> Text:
    """The narration at the frame's tick, or the description before any."""
    if frame.narration is None:
        return Text(frame.scene.description, style=MUTED)
    return narration_text(frame.narration)


def wrapped(console: Console, text: Text, width: int) -> list[Text]:
    return list(text.wrap(console, max(width, 1)))


def fit(console: Console, text: Text, width: int, lines: int) -> Text:
    """`text` if it fits in `lines` lines of `width`; else its first lines, marked as cut
    (a user's long narration: the log, `e`, shows it whole)."""
    rows = wrapped(console, text, width)
    if len(rows) <= lines:
        return text
    kept = Text("\n").join(rows[:lines])
    kept.truncate(max(kept.cell_len - len(MORE), 0))
    kept.rstrip()
    kept.append(MORE, style=MUTED)
    return kept


class Caption(TextPanel):
    """Its height is set by the screen to hold the scenario's longest narration whole."""

    _shown = None

    def draw(self, why: str):
        frame = self.frame
        key = (frame.narration, frame.scene, self.size)
        if key == self._shown:
            return
        self._shown = key
        width = self.content_region.width or self.size.width
        self.show(fit(self.app.console, caption_text(frame), width, max(self.content_region.height, 1)))


STATE_TEXT = {
    PlayState.PLAYING: "▶ playing",
    PlayState.PAUSED: "❚❚ paused",
    PlayState.SCENARIO_PAUSE: "❚❚ the lesson paused: space goes on",
    PlayState.AT_END: "■ end of the scenario: space plays on",
    PlayState.ALL_STOPPED: "■ every run has stopped: r resets",
}


def status_text(frame) -> Text:
    scene = frame.scene
    state = STATE_TEXT[frame.state]
    if frame.holding:
        state = "▶ holding for the narration (] skips)"
    parts = [f"{scene.unit} {frame.tick}/{scene.length}", state, speed_text(frame.speed, scene.unit),
             f"{frame.running}/{len(frame.runs)} running"]
    if not frame.at_head:
        parts.append(f"history (computed to {frame.head})")
    text = Text(" " + " · ".join(parts), style="bold")
    if frame.message:
        text.append("   " + frame.message, style="#ffd787")
    return text


def told(frame) -> tuple:
    """What the status line says besides the tick: when it changes, the line is redrawn at once."""
    return (frame.state, frame.holding, frame.message, frame.narration, frame.speed, frame.running,
            frame.at_head, frame.generation)


class StatusLine(TextPanel):
    """Throttled while playing like the tables (a line across the whole screen redrawn on every
    frame would make Textual repaint everything between it and the surface), but redrawn at
    once whenever anything but the tick changes: the play state, a message, a new narration
    (so the step it shows is the narration's step)."""

    THROTTLED = True
    _height = 0

    def due(self, last, new) -> bool:
        # (without a surface view there is no such repaint: the counter moves on every frame)
        return last is None or not new.scene.two_d or told(last) != told(new) or super().due(last, new)

    def draw(self, why: str):
        text = status_text(self.frame)
        lines = min(len(wrapped(self.app.console, text, self.size.width or 80)), 3)
        relayout = lines != self._height
        self._height = lines
        if relayout:
            self.styles.height = lines
        self.update(text, layout=relayout)
