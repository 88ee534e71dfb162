"""The landscape view of a network race (the `m` key): every run on one plane through
parameter space (core/landscape.py), as a frame the surface panel can draw like a 2-D problem.

The plane (PCA) is fitted to the paths up to the cursor and refitted as the runs move on: when
a running head leaves the plane's box, or when the cursor has gone REFIT_GROWTH further than
the ticks it was fitted to (a long race refits a dozen times or so, never per frame); `M`
freezes it so that paths can be compared on one fixed plane. A lesson's narration refits it at its own step, so that what the
sentence says of the plane is what is on screen. Each fit has its own view box, around the
projected paths.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..core import landscape
from .build import frozen
from .frame import Frame, Scene

REFIT_GROWTH = 0.5     # refit once the cursor is 50% (and at least MIN_REFIT ticks) past the last fit:
MIN_REFIT = 20         # a refit redraws the loss over the plane (about 50 ms at 120×40), so it stays rare
PLANE_NAMES = ("PC1", "PC2")


@dataclass(frozen=True, eq=False)
class Landscape:
    """What the landscape panel shows besides its frame: the plane's facts."""

    frame: Frame                    # the race on the plane: 2-D paths, heads, the loss over the plane
    box: tuple                      # the view box of this fit
    explained: tuple[float, float]
    residuals: tuple[float, ...]    # each run's distance from the plane now
    max_residuals: tuple[float, ...]  # ... and the largest along its path so far
    fitted_at: int                  # the tick the plane was fitted to
    frozen: bool


def scheduled(tick: int) -> int:
    """The last tick of the refit schedule at or before `tick`: 0, then each next one
    REFIT_GROWTH further (and at least MIN_REFIT ticks) on."""
    at = 0
    while True:
        nxt = max(at + MIN_REFIT, math.ceil(at * (1 + REFIT_GROWTH)))
        if nxt > tick:
            return at
        at = nxt


@dataclass(frozen=True, eq=False)
class Fit:
    """One fit of the plane: the tick it was fitted to, the plane, its view box."""

    tick: int
    plane: landscape.Plane
    box: tuple
    version: int


class LandscapeState:
    """The playback's landscape mode: the plane's fits so far, frozen or not.

    Fits are kept: with the cursor moved back, the plane shown is the last one fitted at or
    before the cursor, so no plane ever holds the race's future."""

    def __init__(self, problem, seed: int = 0):
        self.problem = problem
        self.seed = seed
        self.frozen = False
        self.fits: list[Fit] = []
        self.shown: Fit | None = None
        self._scene: Scene | None = None
        self._coords: np.ndarray | None = None     # the shown plane's projection of the history,
        self._residuals: np.ndarray | None = None  # and each point's distance from it
        self._generation = None
        self._layout = None               # the history's layout the projection's rows belong to
        self._asked: int | None = None    # a tick a narration asked for a fit at
        self._versions = 0                # each fit's number (the panels redraw a new plane)

    @property
    def fitted_at(self) -> int:
        return -1 if self.shown is None else self.shown.tick

    def refit_at(self, tick: int):
        """Fit the plane to the paths up to `tick` when the frame there is built (a lesson's
        narration), unless it is frozen."""
        self._asked = tick

    def _show(self, fit: Fit):
        if fit is not self.shown:
            self.shown, self._coords, self._residuals, self._scene = fit, None, None, None

    def _fit(self, paths: np.ndarray, tick: int, diverged: list):
        """A new plane through the paths (T, R, D) up to `tick`; a diverged run's points from
        its divergence on are left out of the fit (huge, they would be all the plane holds)."""
        plane, box = landscape.fit_view("pca", paths, diverged, self.problem, self.seed)
        self._versions += 1
        fit = Fit(tick, plane, box, self._versions)
        self.fits = sorted([f for f in self.fits if f.tick != tick] + [fit], key=lambda f: f.tick)
        self._show(fit)

    def _choose(self, tick: int, paths: np.ndarray, diverged: list, ticks: np.ndarray):
        """The plane for the frame at `tick`, frozen or else the last fit at or before it, never
        a fit to later ticks. Fits are made, once each, at the ticks of a fixed schedule (0, 20,
        40, 60, 90, 135, …: each half as far again as the last), at a narration's tick, and at
        the frontier when a running head has left the box (at least MIN_REFIT ticks after the
        last fit; till then it is an arrow at the edge); so moving back and forth reuses them.
        Row k of `paths` is tick ticks[k]; a diverged run's entry in `diverged` is a row."""
        if self.frozen and self.shown is not None:
            return
        due = scheduled(tick)
        if self._asked == tick:
            due = tick
        if not any(f.tick == due for f in self.fits):
            self._fit(paths[: int(np.searchsorted(ticks, due, side="right"))], due, diverged)
        earlier = [f for f in self.fits if f.tick <= tick]
        self._show(earlier[-1])
        if earlier[-1] is self.fits[-1] and tick >= earlier[-1].tick + MIN_REFIT:   # at the frontier: in the box?
            heads = self.projected(paths)[0][-1]
            (x0, x1), (y0, y1) = earlier[-1].box
            if any(not (x0 <= heads[r, 0] <= x1 and y0 <= heads[r, 1] <= y1)
                   for r in range(len(heads)) if diverged[r] is None):
                self._fit(paths, tick, diverged)

    def projected(self, paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The paths on the shown plane (T, R, 2) and their distances from it (T, R), extending
        the cached projection when the race has grown."""
        plane = self.shown.plane
        have = 0 if self._coords is None else len(self._coords)
        if have < len(paths):
            more = paths[have:]
            with np.errstate(all="ignore"):
                coords, residuals = plane.coordinates(more), plane.residuals(more)
            if self._coords is None:
                self._coords, self._residuals = coords, residuals
            else:
                self._coords = np.concatenate([self._coords, coords])
                self._residuals = np.concatenate([self._residuals, residuals])
        return self._coords[: len(paths)], self._residuals[: len(paths)]

    def scene(self, base: Scene) -> Scene:
        """The race's scene on the plane: its loss over (a, b) is the network's at those parameters."""
        if self._scene is None:
            plane, loss = self.shown.plane, self.problem.loss
            self._scene = dataclasses.replace(
                base, two_d=True, param_names=PLANE_NAMES, minima=(), critical=(), f_star=None,
                points=None, labels=None, data_box=None, _loss=lambda xy: loss(plane.points(xy)), _fields={})
        return self._scene

    def attach(self, frame: Frame, history) -> Frame:
        """The frame with its landscape (fitting the plane first when it is due)."""
        params = history.params
        if params is None:
            return frame
        if frame.generation != self._generation:   # a new race: its paths are new
            self._generation, self._coords, self._residuals = frame.generation, None, None
            if not self.frozen:
                self.fits, self.shown = [], None
        if history.layout != self._layout:         # rows thinned or cut: the projection's rows are other ticks
            self._layout, self._coords, self._residuals = history.layout, None, None
        paths, ticks = params[history.rows_to(frame.tick)], frame.ticks
        diverged = [int(np.searchsorted(ticks, row.status_at)) if row.status == "diverged" else None
                    for row in frame.runs]
        self._choose(frame.tick, paths, diverged, ticks)
        coords, residual_path = self.projected(paths)
        now = coords[-1]
        runs = tuple(dataclasses.replace(row, params=frozen(now[r].copy())) for r, row in enumerate(frame.runs))
        fit = self.shown
        flat = dataclasses.replace(frame, scene=self.scene(frame.scene), runs=runs,
                                   start=frozen(fit.plane.coordinates(frame.start)), path=frozen(coords),
                                   generation=(frame.generation, fit.version), _cache={})
        with np.errstate(all="ignore"):
            info = Landscape(frame=flat, box=fit.box, explained=fit.plane.explained,
                             residuals=tuple(float(v) for v in residual_path[-1]),
                             max_residuals=tuple(float(v) for v in np.nanmax(residual_path, axis=0)),
                             fitted_at=fit.tick, frozen=self.frozen)
        return dataclasses.replace(frame, landscape=info)
