"""Playback of a scenario: what the app shows and what its keys do, without a terminal.

The race only moves forward; the playback keeps a *cursor* into its history,
so stepping back and scrubbing replay stored ticks and never recompute.
Playing advances the cursor by `speed` ticks per frame: the number of frames
per second decides how fast it goes, never what is computed. Scenario events
fire as the cursor reaches them; `set` events change the race once, at its
head, just as `gdtui run` applies them.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .core.optimizers import RULES
from .core.race import RUNNING, Race
from .scenario import Scenario
from .timeline import apply_changes, events_at, narration_at

SPEEDS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500)
ZOOM_STEP = 1.25


class Playback:
    def __init__(self, scenario: Scenario):
        self.load(scenario)

    def load(self, scenario: Scenario):
        self.scenario = scenario
        self.problem = scenario.build_problem()
        self.race: Race = scenario.build_race(self.problem)
        self.two_d = self.problem.dim == 2
        self.home_view = scenario.view or (self.problem.default_view(self.race.start) if self.two_d
                                           else self.problem.view)
        self.view = self.home_view
        self.speed = scenario.speed
        self.selected = 0
        self.hidden: set[int] = set()
        self.playing = False
        self.cursor = 0
        self.message = ""
        # the hyperparameters every reset starts from (the keys l/L/b/B change them too)
        self.base_lr = self.race.lr0.copy()
        self.base_hyper = {k: v.copy() for k, v in self.race.hyper.items()}
        self._applied: set[int] = set()      # ticks whose `set` events are applied
        self._stopped_at_end = False
        self._fire(0)

    # --- what is shown ------------------------------------------------------------

    @property
    def length(self) -> int:
        return self.scenario.length

    @property
    def unit(self) -> str:
        return "epoch" if self.scenario.clock == "epoch" else "step"

    @property
    def at_head(self) -> bool:
        return self.cursor == self.race.tick

    def narration(self) -> str | None:
        event = narration_at(self.scenario.events, self.cursor)
        return event.say if event else None

    def params_at(self, tick: int | None = None) -> np.ndarray:
        """Every run's parameters at `tick` (default: the cursor)."""
        tick = self.cursor if tick is None else tick
        if self.race.history.params is not None:
            return self.race.history.params[tick]
        return self.race.P

    def status_at(self, run: int, tick: int | None = None) -> str:
        """"running", "converged at k" or "diverged at k", as of `tick`."""
        tick = self.cursor if tick is None else tick
        for label, at in (("diverged", self.race.diverged_at[run]), ("converged", self.race.converged_at[run])):
            if 0 <= at <= tick:
                return f"{label} at {at}"
        return "running"

    # --- playing ----------------------------------------------------------------------

    def toggle_play(self):
        if not self.playing and self.at_head and self.race.done:
            self.message = "every run has stopped: press r to reset"
            return
        self.playing = not self.playing
        self.message = ""

    def frame(self) -> bool:
        """One frame of playback: advance `speed` ticks if playing. True if the cursor moved."""
        if not self.playing:
            return False
        return self.advance(self.speed)

    def advance(self, n: int = 1) -> bool:
        """Move the cursor forward n ticks, computing new ones at the head."""
        moved = False
        for _ in range(n):
            if self.at_head:
                if self.race.done:
                    self.playing = False
                    self.message = "every run has stopped"
                    break
                if self.cursor == self.length and self.playing and not self._stopped_at_end:
                    self._stopped_at_end = True
                    self.playing = False
                    self.message = f"end of the scenario ({self.length} {self.unit}s): space plays on"
                    break
                self._apply_sets(self.race.tick)
                self.race.step()
            self.cursor += 1
            moved = True
            if self._fire(self.cursor):
                break
        return moved

    @property
    def can_scrub(self) -> bool:
        """Stepping back needs every tick's parameters, which very large races do not keep."""
        return self.race.history.params is not None

    def back(self, n: int = 1) -> bool:
        """Scrub back through history (nothing is recomputed)."""
        if self.cursor == 0:
            return False
        if not self.can_scrub:
            self.message = "this race is too large to keep every step's parameters: no stepping back"
            return False
        self.playing = False
        self.cursor = max(0, self.cursor - n)
        return True

    def _apply_sets(self, tick: int):
        if tick not in self._applied:
            self._applied.add(tick)
            apply_changes(self.race, events_at(self.scenario.events, tick))

    def _fire(self, tick: int) -> bool:
        """Effects of the events at `tick` other than `set`; True if one paused playback."""
        paused = False
        for event in events_at(self.scenario.events, tick):
            if event.speed:
                self.speed = event.speed
            if event.focus is not None:
                self.selected = event.focus
            if event.view:
                self.view = event.view
            if event.pause and self.playing:
                self.playing = False
                paused = True
                self.message = "paused by the scenario: space to continue"
        return paused

    def reset(self, start=None):
        """Every run back to the start (or a new start point), history cleared."""
        self.race.lr0[:] = self.base_lr
        for k, v in self.base_hyper.items():
            self.race.hyper[k][:] = v
        self.race.reset(start)  # takes up lr0 and hyper afresh
        self.speed = self.scenario.speed
        if any(e.view for e in self.scenario.events):  # undo the zooms the timeline made
            self.view = self.home_view
        self.cursor = 0
        self.playing = False
        self.message = ""
        self._applied = set()
        self._stopped_at_end = False
        self._fire(0)

    # --- the keys -----------------------------------------------------------------------

    def change_speed(self, faster: bool):
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.speed = SPEEDS[min(i + 1, len(SPEEDS) - 1)] if faster else SPEEDS[max(i - 1, 0)]

    def select(self, run: int):
        if 0 <= run < self.race.R:
            self.selected = run

    def select_next(self):
        self.selected = (self.selected + 1) % self.race.R

    def scale_lr(self, factor: float):
        """The selected run's lr times factor, from the next update on, and in the setup a
        reset starts from (whose lr is scaled likewise, whatever events did since)."""
        run = self.selected
        lr = self.race.get_hyper(run, "lr") * factor
        self.race.set_lr(run, lr)
        self.base_lr[run] *= factor
        self.message = f"{self.race.runs[run].name}: lr = {lr:.4g}"

    def beta_name(self, run: int) -> str | None:
        hyper = RULES[self.race.runs[run].rule].hyper
        return next((k for k in ("beta", "beta1", "rho") if k in hyper), None)

    def nudge_beta(self, up: bool):
        """The selected run's beta towards 1 (up) or 0 (down): 1 - beta halves or doubles."""
        run = self.selected
        name = self.beta_name(run)
        if name is None:
            self.message = f"{self.race.runs[run].name} ({self.race.runs[run].rule}) has no β"
            return
        def nudged(beta):
            beta = 1 - (1 - beta) / 2 if up else max(0.0, 1 - (1 - beta) * 2)
            return round(min(beta, 0.999), 6)

        new = nudged(self.race.get_hyper(run, name))
        self.race.set_hyper(run, name, new)
        self.base_hyper[name][run, 0] = nudged(self.base_hyper[name][run, 0])  # the setup, likewise
        self.message = f"{self.race.runs[run].name}: {name} = {new:g}"

    def toggle_hidden(self):
        self.hidden ^= {self.selected}

    def restart_from(self, point):
        """A click on the surface: every run restarts from there."""
        self.reset(np.asarray(point, dtype=float))
        self.message = "restarted from ({:.3g}, {:.3g})".format(*point)

    def zoom(self, factor: float, centre=None):
        """Zoom the view by `factor` (> 1: in) around `centre` (default: the middle)."""
        (x0, x1), (y0, y1) = self.view
        cx, cy = centre if centre is not None else ((x0 + x1) / 2, (y0 + y1) / 2)
        self.view = ((cx - (cx - x0) / factor, cx + (x1 - cx) / factor),
                     (cy - (cy - y0) / factor, cy + (y1 - cy) / factor))

    def pan(self, fx: float, fy: float):
        (x0, x1), (y0, y1) = self.view
        dx, dy = fx * (x1 - x0), fy * (y1 - y0)
        self.view = ((x0 + dx, x1 + dx), (y0 + dy, y1 + dy))

    def current_scenario(self) -> Scenario:
        """The setup as it stands (start, view, every run's current hyperparameters),
        as a scenario that loads back to the same state (the `s` key)."""
        runs = [dataclasses.replace(run, lr=float(self.base_lr[i]),
                                    hyper={k: float(self.base_hyper[k][i, 0]) for k in RULES[run.rule].hyper})
                for i, run in enumerate(self.race.runs)]
        return dataclasses.replace(self.scenario, runs=runs, speed=self.speed,
                                   start=tuple(float(x) for x in self.race.start) if self.two_d else None,
                                   view=self.view if self.two_d else None)

    def running_count(self) -> int:
        return int(np.sum(self.race.status == RUNNING))

    def with_problem(self, kind: str, name: str | None) -> Scenario:
        """The current runs on another problem, from its default start and view."""
        return dataclasses.replace(self.scenario, problem_type=kind, problem_name=name, problem_params={},
                                   start=None, view=None, events=[], compat=None, clock="step",
                                   length=max(self.scenario.length, 200), title=f"{name or kind}",
                                   description=f"The runs of “{self.scenario.title}” on another problem.")
