"""The caption (narration or description) and the status line."""

from __future__ import annotations

from rich.text import Text

from .base import PlaybackStatic


class Caption(PlaybackStatic):
    _shown = None

    def show(self):
        pb = self.playback
        said = pb.narration()
        text = said or " ".join(pb.scenario.description.split())
        if text != self._shown:
            self._shown = text
            # a fixed height (gdtui.tcss): no layout pass, which would repaint the whole screen
            self.update(Text(text, style="bold #ffd787" if said else "#bcbcbc"), layout=False)


class StatusLine(PlaybackStatic):
    def show(self):
        pb = self.playback
        state = "▶ playing" if pb.playing else "❚❚ paused"
        parts = [f" {pb.unit} {pb.cursor}/{pb.length}", f"{pb.speed} {pb.unit}{'s' if pb.speed > 1 else ''}/frame",
                 state, f"{pb.running_count()}/{pb.race.R} running"]
        if not pb.at_head:
            parts.append(f"history (head at {pb.race.tick})")
        text = Text("  ·  ".join(parts), style="bold")
        if pb.message:
            text.append("   " + pb.message, style="#ffd787")
        self.update(text, layout=False)  # one line, always: no layout pass each frame
