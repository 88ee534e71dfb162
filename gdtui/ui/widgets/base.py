"""What the text panels share: they show a part of the playback."""

from __future__ import annotations

from textual.widgets import Static

from ...playback import Playback


class PlaybackStatic(Static):
    """A Static that draws some part of the playback; `show()` brings it up to date."""

    def __init__(self, playback: Playback, **kwargs):
        super().__init__(**kwargs)
        self.playback = playback

    def on_mount(self):
        self.show()

    def show(self):
        raise NotImplementedError
