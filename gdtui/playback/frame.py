"""What is on screen at one tick: an immutable frame, and the scene it belongs to.

`Playback` turns the race at the cursor into a `Frame`; a widget draws a frame
and the view (view.py) and nothing else: it never reads the race or the
problem. Arrays in a frame are read-only views of the race's history, which
only ever appends, so a frame stays true after the race moves on.

The `Scene` is what does not change while a scenario is loaded: the problem's
fixed facts (names, minima, data), the narration, and the loss over the plane,
which the surface view asks for at the size it draws.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

Box = tuple[tuple[float, float], tuple[float, float]]


class PlayState(enum.Enum):
    PLAYING = "playing"
    PAUSED = "paused"                                # by the user
    SCENARIO_PAUSE = "paused by the scenario"        # a `pause` event: the lesson asks the student to look
    AT_END = "end of the scenario"                   # the scenario's length reached: space plays on
    ALL_STOPPED = "every run has stopped"            # converged or diverged, all of them: nothing to compute


@dataclass(frozen=True, eq=False)
class Narration:
    text: str
    at: int          # the tick it is said at
    number: int      # 1 .. total, in the order of the timeline
    total: int


@dataclass(frozen=True, eq=False)
class Stability:
    """What the curvature says about a run's learning rate (core.theory's verdict): on a
    quadratic for good, elsewhere `local`ly, at the run's current point."""

    local: bool
    lam_min: float
    lam_max: float
    rate: float | None             # the predicted factor ρ per step; None: no theory for the rule
    bound: float | None            # the largest stable lr for this run's rule and β (inf: nothing curves up);
                                   # None: no fixed bound
    bound_name: str                # how the bound was obtained, or why there is none
    stable: bool | None            # lr below the bound: the step does not blow up along the steep directions
    escape_rate: float | None      # negative curvature: the factor per step it moves away along it

    @property
    def kappa(self) -> float | None:
        return self.lam_max / self.lam_min if self.lam_min > 0 else None

    @property
    def gd_edge(self) -> float | None:
        """2/λmax: plain GD's edge."""
        return 2 / self.lam_max if self.lam_max > 0 else None

    @property
    def best_gd_lr(self) -> float | None:
        """2/(λmax + λmin): the GD rate that contracts both ends of the spectrum equally."""
        return 2 / (self.lam_max + self.lam_min) if self.lam_min > 0 else None


@dataclass(frozen=True, eq=False)
class RunRow:
    """One run as of the frame's tick."""

    index: int
    name: str
    rule: str
    batch: str                     # "full", or the examples per batch
    lr: float                      # the rate of its next update from this tick (schedules and changes applied)
    hyper: Mapping[str, float]     # its other hyperparameters now, by the seed's names
    equation: tuple[str, ...]      # its update rule as its hyperparameters make it
    loss: float                    # full-batch loss
    gap: float | None              # f − f*, where f* is known
    grad_norm: float               # |g| of the full batch
    status: str                    # "running", "converged" or "diverged", as of this tick
    status_at: int | None          # the tick it converged or diverged at
    last_step: int                 # the tick its last update ended at (0: none yet)
    params: np.ndarray             # (D,)
    internals: Mapping[str, np.ndarray] | None  # the numbers of the update that ended at last_step
    accuracy: float | None         # classification problems
    stability: Stability | None    # problems with an exact Hessian of size 2
    layer_norms: tuple[tuple[str, Mapping[str, float]], ...] | None = None
    # many parameters (the MLP): per layer (W1, b1, ...) the size of each internal of the last update

    @property
    def stopped(self) -> bool:
        return self.status != "running"


@dataclass(frozen=True, eq=False)
class Scene:
    """The loaded scenario's fixed facts: everything a widget needs that no tick changes."""

    title: str
    description: str
    unit: str                          # "step" or "epoch"
    length: int                        # the scenario's length in ticks
    problem: str                       # its name, for titles
    two_d: bool                        # a plane the surface view can draw
    param_names: tuple[str, ...]
    minima: tuple[tuple[float, float], ...]
    critical: tuple[tuple[float, float], ...]
    f_star: float | None
    classification: bool
    points: np.ndarray | None          # (m, 2) data of 2-input classification problems (the MLP)
    labels: np.ndarray | None          # (m,) their classes
    data_box: Box | None               # where the data lies
    narrations: tuple[Narration, ...]
    event_ticks: tuple[int, ...]       # every tick something happens at
    _loss: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    _fields: dict = field(default_factory=dict, repr=False)

    def loss_field(self, box: Box, cols: int, pixel_rows: int) -> np.ndarray:
        """The full-batch loss at the centre of every pixel of `box`, (pixel_rows, cols),
        row 0 at the top. Cached per (box, size): it is drawn again and again."""
        key = (box, cols, pixel_rows)
        values = self._fields.get(key)
        if values is None:
            (x0, x1), (y0, y1) = box
            xs = x0 + (np.arange(cols) + 0.5) / cols * (x1 - x0)
            ys = y1 - (np.arange(pixel_rows) + 0.5) / pixel_rows * (y1 - y0)
            gx, gy = np.meshgrid(xs, ys)
            with np.errstate(all="ignore"):
                values = self._loss(np.stack([gx.ravel(), gy.ravel()], axis=1)).reshape(pixel_rows, cols)
            values.flags.writeable = False
            if len(self._fields) >= 4:
                self._fields.pop(next(iter(self._fields)))
            self._fields[key] = values
        return values


@dataclass(frozen=True, eq=False)
class Frame:
    """Everything on screen at one tick of the cursor."""

    scene: Scene
    tick: int                          # the cursor
    head: int                          # the last tick computed
    state: PlayState
    holding: bool                      # playing, but holding still until the narration has been read
    speed: float                       # ticks per frame (below 1: a tick every 1/speed frames)
    message: str                       # what the last action did, or what to try
    narration: Narration | None
    runs: tuple[RunRow, ...]
    start: np.ndarray                  # (D,) where every run started
    losses: np.ndarray                 # (kept, R) full-batch loss at every tick so far that the history kept
    ticks: np.ndarray                  # (kept,) which tick each of those rows is (0, 1, ... unless thinned)
    path: np.ndarray | None            # (kept, R, D) parameters at those ticks, for two-parameter problems
    generation: int                    # a new race (reset, restart, recomputed future) has a new number
    can_scrub: bool                    # the history holds the parameters of the ticks it keeps
    landscape: object | None = None    # networks in the landscape view: playback.landscape.Landscape
    _probabilities: Callable | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def at_head(self) -> bool:
        return self.tick == self.head

    @property
    def running(self) -> int:
        return sum(not row.stopped for row in self.runs)

    @property
    def playing(self) -> bool:
        return self.state is PlayState.PLAYING

    def probabilities(self, box: Box, cols: int, pixel_rows: int) -> np.ndarray:
        """Classification with two inputs: each run's predicted probability of class 1 at the
        centre of every pixel of `box`, (R, pixel_rows, cols). Computed once per frame and size."""
        key = (box, cols, pixel_rows)
        if key not in self._cache:
            self._cache[key] = self._probabilities(box, cols, pixel_rows)
        return self._cache[key]
