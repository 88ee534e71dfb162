"""The landscape view of a network race (the `m` key): every run on one plane through
parameter space (core/landscape.py), as a frame the surface panel can draw like a 2-D problem.

The plane is fitted to the paths up to the cursor and refitted as the runs move on, at most
when the cursor has gone REFIT_GROWTH further than the ticks it was fitted to (so a long race
refits a dozen times or so, never per frame), or frozen on demand (`M`) so that paths can be
compared on one fixed plane. A lesson's narration refits it at its own step, so that what the
sentence says of the plane is what is on screen. Each fit has its own view box, around the
projected paths.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..core import landscape
from .build import frozen
from .frame import Frame, Scene

REFIT_GROWTH = 0.5     # refit once the cursor is 50% (and at least MIN_REFIT ticks) past the last fit:
MIN_REFIT = 20         # a refit redraws the loss over the plane (about 50 ms at 120×40), so it stays rare
PLANE_NAMES = {"pca": ("PC1", "PC2"), "random": ("d1", "d2")}


@dataclass(frozen=True, eq=False)
class Landscape:
    """What the landscape panel shows besides its frame: the plane's facts."""

    frame: Frame                    # the race on the plane: 2-D paths, heads, the loss over the plane
    box: tuple                      # the view box of this fit
    kind: str                       # "pca" or "random"
    explained: tuple[float, float]
    residuals: tuple[float, ...]    # each run's distance from the plane now
    max_residuals: tuple[float, ...]  # ... and the largest along its path so far
    fitted_at: int                  # the tick the plane was fitted to
    frozen: bool


class LandscapeState:
    """The playback's landscape mode: which plane, when it was fitted, frozen or not."""

    def __init__(self, problem, kind: str = "pca", seed: int = 0):
        self.problem = problem
        self.kind = kind
        self.seed = seed
        self.frozen = False
        self.plane: landscape.Plane | None = None
        self.fitted_at = -1
        self.version = 0
        self._scene: Scene | None = None
        self._box = None
        self._coords: np.ndarray | None = None   # projected history, extended as the cursor moves
        self._residuals: np.ndarray | None = None  # and each point's distance from the plane
        self._generation = None
        self._asked: int | None = None    # a tick a narration asked for a fit at

    def fit(self, paths: np.ndarray, tick: int):
        """A new plane through the paths (T, R, D) up to `tick`."""
        self.plane = landscape.fit_plane(self.kind, paths, self.problem, self.seed)
        self.fitted_at, self.version = tick, self.version + 1
        self._coords, self._residuals = None, None
        self._box = landscape.box_around(self.projected(paths)[0].reshape(-1, 2), margin=0.3, least=1e-3)
        self._scene = None

    def refit_at(self, tick: int):
        """Fit the plane to the paths up to `tick` when the frame there is built (a lesson's
        narration), unless it is frozen."""
        self._asked = tick

    def due(self, tick: int) -> bool:
        if self.plane is None:
            return True
        if not self.frozen and self._asked == tick and self.fitted_at != tick:
            return True
        if self.frozen:
            return False
        return tick >= max(self.fitted_at + MIN_REFIT, self.fitted_at * (1 + REFIT_GROWTH))

    def projected(self, paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The paths on the plane (T, R, 2) and their distances from it (T, R), extending the
        cached projection when the race has grown."""
        have = 0 if self._coords is None else len(self._coords)
        if have < len(paths):
            more = paths[have:]
            with np.errstate(all="ignore"):
                coords, residuals = self.plane.coordinates(more), self.plane.residuals(more)
            if self._coords is None:
                self._coords, self._residuals = coords, residuals
            else:
                self._coords = np.concatenate([self._coords, coords])
                self._residuals = np.concatenate([self._residuals, residuals])
        return self._coords[: len(paths)], self._residuals[: len(paths)]

    def scene(self, base: Scene) -> Scene:
        """The race's scene on the plane: its loss over (a, b) is the network's at those parameters."""
        if self._scene is None:
            plane, loss = self.plane, self.problem.loss
            self._scene = dataclasses.replace(
                base, two_d=True, param_names=PLANE_NAMES[self.kind], minima=(), critical=(), f_star=None,
                points=None, labels=None, data_box=None, _loss=lambda xy: loss(plane.points(xy)), _fields={})
        return self._scene

    def attach(self, frame: Frame, history) -> Frame:
        """The frame with its landscape (refitting the plane first when it is due)."""
        params = history.params
        if params is None:
            return frame
        if frame.generation != self._generation:   # a new race: its paths are new
            self._generation, self._coords, self._residuals = frame.generation, None, None
            if not self.frozen:
                self.plane = None
        paths = params[: frame.tick + 1]
        if self.due(frame.tick):
            self.fit(paths, frame.tick)
        coords, residual_path = self.projected(paths)
        now = coords[-1]
        runs = tuple(dataclasses.replace(row, params=frozen(now[r].copy())) for r, row in enumerate(frame.runs))
        flat = dataclasses.replace(frame, scene=self.scene(frame.scene), runs=runs,
                                   start=frozen(self.plane.coordinates(frame.start)), path=frozen(coords),
                                   generation=(frame.generation, self.version), _cache={})
        with np.errstate(all="ignore"):
            info = Landscape(frame=flat, box=self._box, kind=self.kind, explained=self.plane.explained,
                             residuals=tuple(float(v) for v in residual_path[-1]),
                             max_residuals=tuple(float(v) for v in np.nanmax(residual_path, axis=0)),
                             fitted_at=self.fitted_at, frozen=self.frozen)
        return dataclasses.replace(frame, landscape=info)
