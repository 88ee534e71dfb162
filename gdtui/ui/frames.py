"""Playing frames through the real app with no terminal: `gdtui play --headless
--frames N`, and the rendering budget that `gdtui bench` reports.

The app runs with a driver that Textual does not treat as headless, so every
frame is rendered and written exactly as to a terminal, but into a byte
counter. Frames come from the app's own frame timer, as in use: a frame's
cost is the CPU time and the bytes from one frame callback to the next,
which covers the simulation step, the widgets' updates and Textual's
repaint. Playback keeps going through scenario pauses and past the end.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

from textual.drivers.headless_driver import HeadlessDriver

from ..scenario import Scenario
from ..playback import FRAME_RATE
from .app import GdtuiApp


class CountingDriver(HeadlessDriver):
    """Renders like a terminal, writes nowhere, counts the bytes it was given."""

    written = 0

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        CountingDriver.written += len(data.encode("utf-8"))


@dataclass
class FrameStats:
    cpu_ms: list[float] = field(default_factory=list)   # per frame: simulation + widgets + repaint
    bytes: list[int] = field(default_factory=list)      # per frame: written to the "terminal"
    first_frame_s: float = 0.0                          # from creating the app to its first frame

    def median_cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else 0.0

    def median_bytes(self) -> float:
        return statistics.median(self.bytes) if self.bytes else 0.0

    def mean_bytes(self) -> float:
        return statistics.fmean(self.bytes) if self.bytes else 0.0


class _MeasuredApp(GdtuiApp):
    def __init__(self, scenario: Scenario, frames: int, warmup: int, speed: int | None, frame_rate: float):
        # no reading holds: every frame measured moves the race
        super().__init__(scenario, frame_rate=frame_rate, playing=True, reading_holds=False)
        self.driver_class = CountingDriver
        self.stats = FrameStats()
        self._want = frames
        self._warmup = warmup
        self._speed = speed
        self._seen = 0
        self._last = None
        self._created = time.perf_counter()

    def on_mount(self):  # (Textual runs GdtuiApp.on_mount too: handlers of base classes run as well)
        if self._speed:
            self.playback.speed = self._speed
        self.call_after_refresh(self._first_frame)

    def _first_frame(self):
        self.stats.first_frame_s = time.perf_counter() - self._created

    def on_frame(self):
        now = (time.process_time(), CountingDriver.written)
        if self._last is not None and self._seen > self._warmup:
            self.stats.cpu_ms.append((now[0] - self._last[0]) * 1000)
            self.stats.bytes.append(now[1] - self._last[1])
        self._last = now
        if len(self.stats.cpu_ms) >= self._want:
            self.exit()
            return
        if not self.playback.playing:  # a scenario pause, or its end: play on
            self.playback.toggle_play()
        super().on_frame()
        self._seen += 1


def play_frames(scenario: Scenario, frames: int, size=(120, 40), warmup: int = 0,
                speed: int | None = None, frame_rate: float = FRAME_RATE) -> FrameStats:
    """Play `frames` frames (after `warmup` more) through the real app, measuring each."""
    CountingDriver.written = 0
    app = _MeasuredApp(scenario, frames, warmup, speed, frame_rate)
    asyncio.run(app.run_async(headless=False, size=size))
    return app.stats
