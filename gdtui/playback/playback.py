"""Playback of a scenario: the app's state and what its keys do, without a terminal.

The race only moves forward; the *cursor* is a tick of its history, so
stepping back and scrubbing show stored ticks and never recompute. Playing
advances the cursor by `speed` ticks per frame (or one tick every 1/speed
frames): the frame rate decides how fast it goes, never what is computed.

Scenario events take effect when the race's clock first reaches their tick
(`set`, exactly as `gdtui run` applies them) and when the cursor arrives at
it (the others: narration, pause, speed, focus, view, spotlight). While
playing, a narration is held on screen long enough to be read before the
next one replaces it.

A key that changes a setting (l, L, b, B) changes it from the cursor on. In
the past, that means a different future: the history after the cursor is
dropped and the race recomputed up to the cursor (it is deterministic), then
the change applies. A reset starts every run again with the settings as
they now are.
"""

from __future__ import annotations

import bisect
import dataclasses
import math

import numpy as np

from ..core.optimizers import RULES
from ..core.race import RUNNING
from ..scenario import Scenario
from ..timeline import apply_changes, events_at
from .frame import Frame, Narration, PlayState, RunRow, Scene, Stability
from .setup import Edit, Setup, beta_name
from .view import TRAIL_TEXT, ZOOM_STEP, View

SPEEDS = (0.125, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500)
FRAME_RATE = 30.0
READING_WORDS_PER_SECOND = 4.0   # a careful reader: a lesson is read once
READING_SECONDS = (3.0, 12.0)    # at least, at most
EARLY = 5                        # a run that diverges within this many ticks gets a hint what to try
INTERNAL_ROWS = ("g", "v", "s", "v_hat", "s_hat", "d", "step")


def reading_seconds(text: str) -> float:
    """How long a narration stays on screen, at least, while playing."""
    lo, hi = READING_SECONDS
    return min(max(1.0 + len(text.split()) / READING_WORDS_PER_SECOND, lo), hi)


def speed_text(speed: float, unit: str) -> str:
    """"1 step/frame", "5 steps/frame", "1 step / 4 frames"."""
    if speed >= 1:
        return f"{speed:g} {unit}{'s' if speed > 1 else ''}/frame"
    return f"1 {unit} / {round(1 / speed)} frames"


class Playback:
    def __init__(self, scenario: Scenario, *, frame_rate: float = FRAME_RATE, reading_holds: bool = True):
        self.frame_rate = frame_rate
        self.reading_holds = reading_holds
        self.load(scenario)

    # --- loading ----------------------------------------------------------------------

    def load(self, scenario: Scenario, message: str = ""):
        self.scenario = scenario
        self.problem = scenario.build_problem()
        self.setup = Setup(scenario.runs)
        self.race = scenario.build_race(self.problem)
        self.start = self.race.start.copy()
        two_d = self.problem.dim == 2
        home = scenario.view or (self.problem.default_view(self.start) if two_d else None)
        self.view = View(box=home, home=home, fade_after=max(10, scenario.length // 8))
        self.speed = scenario.speed
        self.cursor = 0
        self.state = PlayState.PAUSED
        self.message = message
        self.generation = 0
        self._events = {}
        for event in scenario.events:
            self._events.setdefault(event.at, []).append(event)
        self._eigen = self.problem.hessian_eigenvalues()
        self.scene = self._make_scene()
        self._say_ticks = [n.at for n in self.scene.narrations]
        self._carry = 0.0
        self._holding = False
        self._end_reached = False
        self._shown_narration = None
        self._frames_shown = 0
        self._accuracy: dict[int, np.ndarray] = {}
        self._frame: Frame | None = None
        self._arrive(0)
        self._fire(0, playing=False)

    def _make_scene(self) -> Scene:
        sc, problem = self.scenario, self.problem
        said = [e for e in sc.events if e.say]
        narrations = tuple(Narration(e.say, e.at, i + 1, len(said)) for i, e in enumerate(said))
        data = problem.dim != 2 and hasattr(problem, "X") and hasattr(problem, "predict")
        return Scene(
            title=sc.title, description=" ".join(sc.description.split()), unit=self.unit, length=sc.length,
            problem=problem.name or problem.kind, two_d=problem.dim == 2,
            param_names=tuple(problem.param_names), minima=tuple(problem.minima),
            critical=tuple(problem.critical), f_star=problem.f_star, classification=problem.classification,
            points=problem.X if data else None, labels=problem.y if data else None,
            data_box=problem.view if data else None, narrations=narrations,
            event_ticks=tuple(sorted(self._events)), _loss=problem.loss if problem.dim == 2 else None)

    # --- what is shown ------------------------------------------------------------------

    @property
    def length(self) -> int:
        return self.scenario.length

    @property
    def unit(self) -> str:
        return "epoch" if self.scenario.clock == "epoch" else "step"

    @property
    def at_head(self) -> bool:
        return self.cursor == self.race.tick

    @property
    def can_scrub(self) -> bool:
        """Stepping back needs every tick's parameters, which very large races do not keep."""
        return self.race.history.params is not None

    @property
    def playing(self) -> bool:
        return self.state is PlayState.PLAYING

    def narration(self, tick: int | None = None) -> Narration | None:
        """The narration on screen at `tick` (default: the cursor): the last one said by then."""
        tick = self.cursor if tick is None else tick
        k = bisect.bisect_right(self._say_ticks, tick)
        return self.scene.narrations[k - 1] if k else None

    def narrations_so_far(self) -> tuple[Narration, ...]:
        return self.scene.narrations[: bisect.bisect_right(self._say_ticks, self.cursor)]

    def frame(self) -> Frame:
        """The frame at the cursor: the same object until something on screen changes."""
        if self._frame is None:
            self._frame = self._build_frame()
        return self._frame

    def _changed(self):
        self._frame = None

    # --- the clock ------------------------------------------------------------------------

    def play_frame(self):
        """One tick of the app's frame clock: advance if playing."""
        shown = self.narration()
        if shown is not self._shown_narration:
            self._shown_narration, self._frames_shown = shown, 0
        else:
            self._frames_shown += 1
        if not self.playing:
            return
        self._carry += self.speed
        n = int(self._carry)
        if n == 0:
            return
        self._carry -= n
        was_holding, self._holding = self._holding, False
        moved = self._advance(n, playing=True)
        if moved or self._holding != was_holding or not self.playing:
            self._changed()

    def _must_hold(self) -> bool:
        """Playing, the next tick brings a new narration, and the one on screen has not been
        on screen long enough to be read."""
        if not self.reading_holds or self.cursor + 1 not in self._say_ticks:
            return False
        shown = self.narration()
        return shown is not None and self._frames_shown < reading_seconds(shown.text) * self.frame_rate

    def _advance(self, n: int, playing: bool) -> int:
        """Move the cursor up to n ticks forward, computing new ticks at the head. Playing,
        it stops at a narration, a pause, the scenario's end, or when every run has stopped."""
        moved = 0
        while moved < n:
            if playing and self._must_hold():
                self._holding = True
                break
            if self.at_head:
                # every run stopped: the lesson still plays to its end (the ticks record the runs
                # frozen), and only past the end is there nothing more to see
                if self.race.done and self.cursor >= self.length:
                    if playing:
                        self.state = PlayState.ALL_STOPPED
                        self.message = self.message or "every run has stopped: r resets, l/L/b/B change a run first"
                    break
                self.race.step()
                self._arrive(self.race.tick)
            self.cursor += 1
            moved += 1
            stop = self._fire(self.cursor, playing)
            if playing and self.cursor == self.length and not self._end_reached:
                self._end_reached = True
                self.state = PlayState.AT_END
                break
            if stop:
                break
        return moved

    def _arrive(self, tick: int):
        """The race's clock has reached `tick` for the first time: the scenario's `set` events
        and the user's edits at this tick change the race before its next update."""
        apply_changes(self.race, self._events.get(tick, []))
        for edit in self.setup.edits_at(tick):
            self.race.set_hyper(edit.run, edit.name, edit.apply(self.race.get_hyper(edit.run, edit.name)))
        if 0 < tick <= EARLY:
            early = [self.race.runs[r].name for r in np.flatnonzero(self.race.diverged_at == tick)]
            if early:
                names = early[0] if len(early) == 1 else f"{', '.join(early[:-1])} and {early[-1]}"
                self.message = (f"{names} diverged at {self.unit} {tick}: the rate is too large here."
                                f" l halves the selected run's lr; w sweeps every run's rates")

    def _fire(self, tick: int, playing: bool) -> bool:
        """The cursor arrived at `tick`: the other effects of its events. True if playing
        should stop here (a narration to read, a pause)."""
        stop = False
        for event in events_at(self.scenario.events, tick):
            if event.speed:
                self.speed = event.speed
            if event.focus is not None:
                self.view = self.view.select(event.focus)
            if event.view:
                self.view = dataclasses.replace(self.view, box=event.view)
            if event.spotlight is not None:
                self.view = dataclasses.replace(self.view, spotlight=event.spotlight)
            if event.say and playing:
                stop = True
            if event.pause and playing:
                self.state = PlayState.SCENARIO_PAUSE
                self.message = ""
                stop = True
        return stop

    # --- moving the cursor (keys) ----------------------------------------------------------

    def toggle_play(self):
        self._changed()
        if self.playing:
            self.state = PlayState.PAUSED
            self._holding = False
            return
        if self.at_head and self.race.done and self.cursor >= self.length:
            self.state = PlayState.ALL_STOPPED
            self.message = "every run has stopped: r resets, l/L/b/B change a run first"
            return
        self.state = PlayState.PLAYING
        self.message = ""

    def _pause(self):
        if self.playing:
            self.state = PlayState.PAUSED
        self._holding = False
        self._changed()

    def pause(self):
        """Stop playing (before a screen that computes, such as the sweep)."""
        self._pause()

    def say(self, message: str):
        """A message for the status line (what an action of the app did)."""
        self.message = message
        self._changed()

    def step(self, n: int = 1):
        """n ticks forward (the `n` key), computing at the head."""
        self._pause()
        self.message = ""
        if not self._advance(n, playing=False):
            self.state = PlayState.ALL_STOPPED
            self.message = "every run has stopped: r resets, l/L/b/B change a run first"
        elif self.state is not PlayState.PAUSED:
            self.state = PlayState.PAUSED

    def back(self, n: int = 1) -> bool:
        """n ticks back through the history (nothing is recomputed)."""
        self._pause()
        self.message = ""
        if self.cursor == 0:
            self.message = "at the start"
            return False
        if not self.can_scrub:
            self.message = "this race is too large to keep every tick's parameters: no stepping back"
            return False
        self.cursor = max(0, self.cursor - n)
        self.state = PlayState.PAUSED
        return True

    def next_event(self):
        """To the next tick where the timeline has something (or to the scenario's end)."""
        later = [t for t in self.scene.event_ticks if t > self.cursor]
        target = later[0] if later else self.length if self.cursor < self.length else None
        if target is None:
            self._pause()
            self.message = "no more events: space plays on"
            return
        self.step(target - self.cursor)
        if self.cursor < target:
            self.message = f"every run stopped at {self.unit} {self.cursor}, before the next event at {target}"

    def previous_event(self):
        """Back to the previous tick where the timeline has something (or to the start)."""
        earlier = [t for t in self.scene.event_ticks if t < self.cursor]
        target = earlier[-1] if earlier else 0
        if self.back(self.cursor - target):
            self._fire(target, playing=False)

    def reset(self, start=None):
        """Every run back to the start (or a new start), with the settings as they now are."""
        self.setup.fold()
        if start is not None:
            self.start = np.array(start, dtype=float).reshape(self.race.D)
        self.race.reset(self.start, runs=list(self.setup.runs))
        self.generation += 1
        self.cursor = 0
        self.state = PlayState.PAUSED
        self.message = ""
        self.speed = self.scenario.speed
        self._carry = 0.0
        self._holding = False
        self._end_reached = False
        self._accuracy = {}
        if any(e.view for e in self.scenario.events):  # undo the zooms the timeline made
            self.view = self.view.at_home()
        if any(e.spotlight is not None for e in self.scenario.events):  # and its spotlight
            self.view = dataclasses.replace(self.view, spotlight=False)
        self._arrive(0)
        self._fire(0, playing=False)
        self._changed()

    def restart_from(self, point):
        """A click on the surface: every run restarts from there."""
        self.reset(point)
        self.message = "every run restarts from ({:.3g}, {:.3g})".format(*point)

    def change_speed(self, faster: bool):
        i = min(range(len(SPEEDS)), key=lambda k: abs(math.log(SPEEDS[k] / self.speed)))
        self.speed = SPEEDS[min(i + 1, len(SPEEDS) - 1)] if faster else SPEEDS[max(i - 1, 0)]
        self._carry = 0.0
        self.message = speed_text(self.speed, self.unit)
        self._changed()

    # --- changing a run's settings (keys) ----------------------------------------------------

    def _edit(self, run: int, name: str, **rule) -> tuple[float, int]:
        """Change a setting of `run` from the cursor on; (its new value, ticks of the old future
        dropped)."""
        dropped = self.race.tick - self.cursor
        if dropped:
            self._recompute_to(self.cursor)
        edit = Edit(self.cursor, run, name, **rule)
        self.setup.record(edit)
        value = edit.apply(self.race.get_hyper(run, name))
        self.race.set_hyper(run, name, value)
        self._changed()
        return value, dropped

    def _recompute_to(self, tick: int):
        """A new future from `tick`: the race again from its start, with the events and the
        edits up to `tick` (deterministic: the same history up to `tick`)."""
        self.setup.drop_after(tick)
        self.race.reset(self.start, runs=list(self.setup.runs))
        self.generation += 1
        self._accuracy = {}
        self._end_reached = self.cursor >= self.length
        self._arrive(0)
        while self.race.tick < tick:
            self.race.step()
            self._arrive(self.race.tick)

    def _change_text(self, run: int, name: str, value: float, dropped: int) -> str:
        text = f"{self.race.runs[run].name}: {name} = {value:.4g} from {self.unit} {self.cursor} on"
        if dropped:
            text += f" (the {dropped} {self.unit}s computed after it were dropped)"
        return text

    def scale_lr(self, factor: float):
        run = self.view.selected
        self._pause()
        value, dropped = self._edit(run, "lr", factor=factor)
        self.message = self._change_text(run, "lr", value, dropped)

    def nudge_beta(self, up: bool):
        """The selected run's β towards 1 (up: 1 − β halves) or 0 (1 − β doubles)."""
        run = self.view.selected
        name = beta_name(self.race.runs[run].rule)
        self._pause()
        if name is None:
            self.message = f"{self.race.runs[run].name} ({self.race.runs[run].rule}) has no β"
            return
        value, dropped = self._edit(run, name, toward_one=up)
        self.message = self._change_text(run, name, value, dropped)

    def apply_rates(self, rates: dict[int, float]):
        """New learning rates from the start (the sweep's best): every run restarts."""
        if not rates:
            return
        for run, lr in rates.items():
            self.setup.set_lr(run, lr)
        self.reset()
        told = ", ".join(f"{self.race.runs[r].name} lr = {lr:.3g}" for r, lr in rates.items())
        self.message = f"{told} (the sweep's best): every run restarted"

    # --- the view (keys) -------------------------------------------------------------------------

    def select(self, run: int):
        if 0 <= run < self.race.R:
            self.view = self.view.select(run)

    def select_next(self):
        self.view = self.view.select((self.view.selected + 1) % self.race.R)

    def toggle_hidden(self):
        self.view = self.view.toggle_hidden(self.view.selected)

    def toggle_spotlight(self):
        self.view = self.view.toggle_spotlight()

    def cycle_trails(self):
        self.view = self.view.next_trails()
        self.message = TRAIL_TEXT[self.view.trails].format(fade=self.view.fade_after, unit=self.unit)
        self._changed()

    def zoom(self, zoom_in: bool, centre=None):
        self.view = self.view.zoomed(ZOOM_STEP if zoom_in else 1 / ZOOM_STEP, centre)

    def pan(self, fx: float, fy: float):
        self.view = self.view.panned(fx, fy)

    def home_view(self):
        self.view = self.view.at_home()

    # --- the setup as a scenario ----------------------------------------------------------------

    def current_scenario(self) -> Scenario:
        """The setup as it stands (start, view, every run's settings with the user's changes), as
        a scenario that loads back to the same state (the `s` key)."""
        return dataclasses.replace(self.scenario, runs=list(self.setup.settled()), speed=max(1, round(self.speed)),
                                   start=tuple(float(x) for x in self.start) if self.scene.two_d else None,
                                   view=self.view.box if self.scene.two_d else None)

    def with_problem(self, kind: str, name: str | None) -> Scenario:
        """The current runs, with the user's settings, on another problem from its default start."""
        return dataclasses.replace(self.scenario, runs=list(self.setup.settled()), problem_type=kind,
                                   problem_name=name, problem_params={}, start=None, view=None, events=[],
                                   compat=None, clock="step", length=max(self.scenario.length, 200),
                                   title=f"{name or kind}: the runs of “{self.scenario.title}”",
                                   description=f"The runs of “{self.scenario.title}”, with their settings, "
                                               f"on {name or kind}.")

    # --- building a frame ------------------------------------------------------------------------

    def _settings_at(self, tick: int) -> list[dict[str, float]]:
        """Each run's hyperparameters (not lr) in force after `tick`: the setup, then the
        scenario's `set` events and the edits up to `tick`, in order."""
        runs = self.setup.runs
        values = [{k: float(r.hyper.get(k, v)) for k, v in RULES[r.rule].hyper.items()} for r in runs]
        changes = [(e.at, 0, e.set) for e in self.scenario.events if e.set and e.at <= tick]
        changes += [(e.tick, 1, e) for e in self.setup.edits if e.tick <= tick and e.name != "lr"]
        for _, kind, change in sorted(changes, key=lambda c: (c[0], c[1])):
            if kind == 0:
                for name, value in change.items():
                    if name not in ("run", "lr"):
                        values[change["run"]][name] = float(value)
            else:
                values[change.run][change.name] = change.apply(values[change.run][change.name])
        return values

    def _status(self, run: int, tick: int) -> tuple[str, int | None]:
        for label, at in (("diverged", self.race.diverged_at[run]), ("converged", self.race.converged_at[run])):
            if 0 <= at <= tick:
                return label, int(at)
        return "running", None

    def _stability(self, rule: str, lr: float, hyper: dict) -> Stability | None:
        if self._eigen is None:
            return None
        lam_min, lam_max = self._eigen
        if rule == "gd":
            bound, how = 2 / lam_max, "GD: 2/λmax"
        elif rule in ("momentum", "nesterov"):
            beta = hyper["beta"]
            # the EMA form is the heavy ball with lr·(1−β): stable while lr·(1−β)·λmax < 2(1+β)
            bound, how = 2 * (1 + beta) / ((1 - beta) * lam_max), "EMA momentum: 2(1+β)/((1−β)λmax)"
        else:
            bound, how = None, "adaptive step: no fixed lr bound"
        return Stability(kappa=lam_max / lam_min, lam_min=lam_min, lam_max=lam_max, gd_edge=2 / lam_max,
                         best_gd_lr=2 / (lam_max + lam_min), bound=bound, bound_name=how,
                         stable=None if bound is None else lr < bound)

    def _accuracy_at(self, tick: int, params: np.ndarray) -> np.ndarray | None:
        if not self.problem.classification:
            return None
        if tick not in self._accuracy:
            if len(self._accuracy) > 64:
                self._accuracy.clear()
            with np.errstate(all="ignore"):
                self._accuracy[tick] = self.problem.accuracy(params)
        return self._accuracy[tick]

    def _build_frame(self) -> Frame:
        race, history, t = self.race, self.race.history, self.cursor
        params = history.params[t] if history.params is not None else race.P
        next_lr = history.lr[t + 1] if t < race.tick else race.next_rates()
        settings = self._settings_at(t)
        accuracy = self._accuracy_at(t, params)
        f_star = self.problem.f_star
        head_internals = race.internals() if t == race.tick and not history.keep_internals else None
        kept = {}  # tick -> (the internals of the update ending there, which of them each run has)

        def internals_at(tick, r):
            if tick not in kept:
                values = history.internals(tick)
                kept[tick] = values, {k: ~np.all(np.isnan(v), axis=1) for k, v in values.items()}
            values, has = kept[tick]
            return {k: _frozen(v[r]) for k, v in values.items() if has[k][r]}

        rows = []
        for r, run in enumerate(race.runs):
            status, status_at = self._status(r, t)
            last_step = min(t, status_at) if status_at is not None else t
            internals = layer_norms = None
            equation = RULES[run.rule].equation_for(settings[r])
            if last_step > 0 and history.keep_internals:
                internals = internals_at(last_step, r)
                if equation is RULES[run.rule].uncorrected:   # no v̂, ŝ: v and s are used as they are
                    internals = {k: v for k, v in internals.items() if k not in ("v_hat", "s_hat")}
            elif last_step > 0 and head_internals is not None:
                layer_norms = self._layer_norms(head_internals, r)
            loss = float(history.loss[t, r])
            rows.append(RunRow(
                index=r, name=run.name, rule=run.rule, batch=run.batch_label, lr=float(next_lr[r]),
                hyper=settings[r], equation=equation, loss=loss,
                gap=None if f_star is None else loss - f_star, grad_norm=float(history.grad_norm[t, r]),
                status=status, status_at=status_at, last_step=last_step, params=_frozen(params[r]),
                internals=internals, accuracy=None if accuracy is None else float(accuracy[r]),
                stability=self._stability(run.rule, float(next_lr[r]), settings[r]), layer_norms=layer_norms))
        path = None
        if self.scene.two_d and history.params is not None:
            path = _frozen(history.params[: t + 1])
        probabilities = None
        if self.scene.points is not None:
            probabilities = self._probability_maker(params.copy())
        return Frame(scene=self.scene, tick=t, head=race.tick, state=self.state, holding=self._holding,
                     speed=self.speed, message=self.message, narration=self.narration(), runs=tuple(rows),
                     start=_frozen(self.start.copy()), losses=_frozen(history.loss[: t + 1]), path=path,
                     generation=self.generation, can_scrub=self.can_scrub, _probabilities=probabilities)

    def _layer_norms(self, internals: dict, r: int):
        """Per layer of a network, the size of each internal of run r's last update."""
        if not hasattr(self.problem, "parameter_views"):
            return None
        keys = [k for k in INTERNAL_ROWS if k not in ("v_hat", "s_hat") and not np.all(np.isnan(internals[k][r]))]
        views = {k: self.problem.parameter_views(internals[k][r:r + 1]) for k in keys}
        names = list(self.problem.parameter_views(self.race.P[r:r + 1]))
        return tuple((name, {k: float(np.sqrt(np.nansum(views[k][name] ** 2))) for k in keys}) for name in names)

    def _probability_maker(self, params: np.ndarray):
        predict = self.problem.predict

        def probabilities(box, cols, pixel_rows):
            (x0, x1), (y0, y1) = box
            xs = x0 + (np.arange(cols) + 0.5) / cols * (x1 - x0)
            ys = y1 - (np.arange(pixel_rows) + 0.5) / pixel_rows * (y1 - y0)
            gx, gy = np.meshgrid(xs, ys)
            prob = predict(params, np.stack([gx.ravel(), gy.ravel()], axis=1))
            prob = np.nan_to_num(prob, nan=0.5).reshape(len(params), pixel_rows, cols)
            return _frozen(prob)

        return probabilities

    def running_count(self) -> int:
        return int(np.sum(self.race.status == RUNNING))


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only view: a frame's arrays cannot be written through."""
    v = a.view()
    v.flags.writeable = False
    return v
