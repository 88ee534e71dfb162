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
dropped, the race goes back to the cursor (from the nearest checkpoint, by
replaying: it is deterministic), and the change applies from there. A reset
starts every run again with the settings as they now are.
"""

from __future__ import annotations

import bisect
import dataclasses
import math

import numpy as np

from ..core.optimizers import SYMBOLS
from ..limits import MAX_LR, MIN_LR, history_rows
from ..scenario import Event, Scenario
from ..timeline import apply_changes
from .build import FrameBuilder, frozen, settings_at
from .frame import Frame, Narration, PlayState, Scene
from .landscape import LandscapeState
from .setup import Edit, Setup, beta_name
from .view import TRAIL_TEXT, View

SPEEDS = (0.125, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500)
FRAME_RATE = 30.0
READING_WORDS_PER_SECOND = 4.0   # a careful reader: a lesson is read once
READING_SECONDS = (3.0, 12.0)    # at least, at most
EARLY = 5                        # runs that diverge within this many ticks get a hint what to try
CHECKPOINTS = 64                 # at most; their spacing doubles as the race grows
STOPPED = "every run has stopped: r resets, l/L/b/B change a run first"


def reading_seconds(text: str) -> float:
    """How long a narration stays on screen, at least, while playing."""
    lo, hi = READING_SECONDS
    return min(max(1.0 + len(text.split()) / READING_WORDS_PER_SECOND, lo), hi)


def speed_text(speed: float, unit: str) -> str:
    """"1 step/frame", "5 steps/frame", "1 step / 4 frames"."""
    if speed >= 1:
        return f"{speed:g} {unit}{'s' if speed > 1 else ''}/frame"
    return f"1 {unit} / {round(1 / speed)} frames"


def ordinal(n: int) -> str:
    """2nd, 4th, 32nd, 101st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def names_text(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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
        self.race = scenario.build_race(self.problem, history_rows=history_rows(len(scenario.runs), self.problem.dim))
        self.start = self.race.start.copy()
        self._events: dict[int, list[Event]] = {}
        for event in scenario.events:
            self._events.setdefault(event.at, []).append(event)
        # the ticks at which the scenario sets each (run, setting): a change made after one of
        # them is kept at its tick by a reset, or the event would undo it
        self._set_at: dict[tuple[int, str], list[int]] = {}
        for event in scenario.events:
            for name in (event.set or {}):
                if name != "run":
                    self._set_at.setdefault((event.set["run"], name), []).append(event.at)
        self.scene = self._make_scene()
        self.builder = FrameBuilder(self.problem, self.scene)
        self._say_ticks = [n.at for n in self.scene.narrations]
        two_d = self.problem.dim == 2
        home = scenario.view or (self.problem.default_view(self.start) if two_d else None)
        self.view = View(box=home, home=home, fade_after=max(10, scenario.length // 8))
        self.generation = 0
        self.landscape: LandscapeState | None = None
        self._shown_narration = None
        self._frames_shown = 0
        self._restart(message)

    def _restart(self, message: str = ""):
        """The cursor, the clock and the checkpoints of a race at its tick 0."""
        self.cursor = 0
        self.state = PlayState.PAUSED
        self.message = message
        self.speed = self.scenario.speed
        self._carry = 0.0
        self._holding = False
        self._end_reached = False
        self._early: list[str] = []
        self._checkpoints: dict[int, dict] = {}
        self._spacing = 16
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
            self._frame = self.builder.build(
                self.race, self.setup, self.scenario.events, self.cursor, state=self.state, holding=self._holding,
                speed=self.speed, message=self.message, narration=self.narration(), start=frozen(self.start.copy()),
                generation=self.generation)
            if self.landscape is not None:
                self._frame = self.landscape.attach(self._frame, self.race.history)
        return self._frame

    # --- the landscape view (networks) ------------------------------------------------------

    @property
    def has_landscape(self) -> bool:
        """Networks whose paths are kept: the landscape view can put them on a plane."""
        return hasattr(self.problem, "filters") and self.race.history.params is not None

    def toggle_landscape(self):
        """The runs on a shared PCA plane through parameter space, or back to the decision boundaries."""
        if not self.has_landscape:
            self.say("the landscape view is for networks: here the surface itself is the landscape"
                     if self.scene.two_d else "this race is too large to keep the paths a landscape needs")
            return
        self.landscape = None if self.landscape is not None else LandscapeState(self.problem, seed=self.scenario.seed)
        if self.landscape is not None:
            self.landscape.refit_at(self.cursor)   # the first plane: fitted to what is on screen
        self._changed()

    def freeze_plane(self):
        """Keep the landscape's plane as it is (to compare paths on it), or let it follow the runs."""
        if self.landscape is None:
            self.say("m first: the plane belongs to the landscape view")
            return
        self.landscape.frozen = not self.landscape.frozen
        self.say(f"plane frozen (fitted to {self.unit} {self.landscape.fitted_at})" if self.landscape.frozen
                 else "the plane follows the runs again")

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
                        self.message = self.message or STOPPED
                    break
                self.race.step()
                self._arrive(self.race.tick)
                after = self.race.tick
            else:   # through the history: in a thinned stretch, to the next tick it kept
                after = self.race.history.kept_after(self.cursor)
            before, self.cursor = self.cursor, after
            moved += after - before
            stop = False
            for tick in range(before + 1, after + 1):
                stop = self._fire(tick, playing) or stop
            if playing and before < self.length <= self.cursor and not self._end_reached:
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
        if tick % self._spacing == 0:
            self._keep_checkpoint(tick)
        if 0 < tick <= EARLY:
            new = [self.race.runs[r].name for r in np.flatnonzero(self.race.diverged_at == tick)]
            if new:
                self._early += new
                self.message = (f"{names_text(self._early)} diverged within {tick} {self.unit}s: the rate is too "
                                f"large here. l halves the selected run's lr; w sweeps every run's rates")

    def _keep_checkpoint(self, tick: int):
        self._checkpoints[tick] = self.race.checkpoint()
        if len(self._checkpoints) > CHECKPOINTS:  # twice as far apart from now on
            self._spacing *= 2
            self._checkpoints = {t: c for t, c in self._checkpoints.items() if t % self._spacing == 0}

    def _fire(self, tick: int, playing: bool) -> bool:
        """The cursor arrived at `tick`: the other effects of its events. True if playing
        should stop here (a narration to read, a pause)."""
        stop = False
        for event in self._events.get(tick, []):
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
            if event.say and self.landscape is not None:
                self.landscape.refit_at(tick)   # a lesson's sentence speaks of the plane fitted to its step
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
            self.message = STOPPED
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
        self.state = PlayState.PAUSED
        if n > 0 and not self._advance(n, playing=False):
            self.state = PlayState.ALL_STOPPED
            self.message = STOPPED
        self._note_thinned()

    def _note_thinned(self):
        """At a tick of the history's thinned stretch, the status line says so."""
        history = self.race.history
        if self.cursor < history.full_from:
            self.message = f"thinned history: every {ordinal(history.stride)} {self.unit} before {history.full_from}"

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
        self.cursor = self.race.history.kept_at_or_before(max(0, self.cursor - n))
        self._note_thinned()
        self.state = PlayState.PAUSED
        self._end_reached = self.cursor >= self.length   # playing on stops at the end again
        return True

    def next_event(self):
        """To the next tick where the timeline has something (or to the scenario's end);
        playing goes on from there."""
        playing = self.playing
        later = [t for t in self.scene.event_ticks if t > self.cursor]
        target = later[0] if later else self.length if self.cursor < self.length else None
        if target is None:
            self._pause()
            self.message = "no more events: space plays on"
            return
        self.step(target - self.cursor)
        if self.cursor < target:
            self.message = f"every run stopped at {self.unit} {self.cursor}, before the next event at {target}"
        elif playing and self.cursor < self.length:
            self.state = PlayState.PLAYING

    def previous_event(self):
        """Back to the previous tick where the timeline has something (or to the start)."""
        earlier = [t for t in self.scene.event_ticks if t < self.cursor]
        target = earlier[-1] if earlier else 0
        if self.back(self.cursor - target):
            for tick in range(self.cursor, target + 1):   # (the event's tick may be thinned away: the cursor is before it)
                self._fire(tick, playing=False)

    def reset(self, start=None):
        """Every run back to the start (or a new start), with the settings as they now are."""
        self.setup.fold(keep=self._undone_by_an_event)
        if start is not None:
            self.start = np.array(start, dtype=float).reshape(self.race.D)
        self.race.reset(self.start, runs=list(self.setup.runs))
        self.generation += 1
        if any(e.view for e in self.scenario.events):  # undo the zooms the timeline made
            self.view = self.view.at_home()
        if any(e.spotlight is not None for e in self.scenario.events):  # and its spotlight
            self.view = dataclasses.replace(self.view, spotlight=False)
        self._restart()

    def _undone_by_an_event(self, edit: Edit) -> bool:
        """A change the scenario's own `set` events would undo if it moved to the start: one
        made after an event that sets the same thing. A reset keeps it at its step."""
        return any(at <= edit.tick for at in self._set_at.get((edit.run, edit.name), ()))

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
            self._go_back_to(self.cursor)
        edit = Edit(self.cursor, run, name, **rule)
        self.setup.record(edit)
        # a checkpoint at this tick was taken before the change: a later return must not use it
        self._checkpoints = {t: c for t, c in self._checkpoints.items() if t < self.cursor}
        value = edit.apply(self.race.get_hyper(run, name))
        self.race.set_hyper(run, name, value)
        self._changed()
        return value, dropped

    def _go_back_to(self, tick: int):
        """A new future from `tick`: the race back at `tick` with the events and edits up to it
        (from the latest checkpoint before it, replaying the rest: the race is deterministic,
        so the history up to `tick` is the same)."""
        self.setup.drop_after(tick)
        self._checkpoints = {t: c for t, c in self._checkpoints.items() if t <= tick}
        if self._checkpoints:
            self.race.restore(self._checkpoints[max(self._checkpoints)])
        else:
            self.race.reset(self.start, runs=list(self.setup.runs))
            self._arrive(0)
        while self.race.tick < tick:
            self.race.step()
            self._arrive(self.race.tick)
        self.generation += 1
        self._end_reached = self.cursor >= self.length

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
        if value in (MIN_LR, MAX_LR):
            self.message += f" (the {'least' if value == MIN_LR else 'largest'} rate gdtui takes)"

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

    def apply_settings(self, settings: dict[int, dict[str, float]], source: str = "the sweep's best"):
        """New settings from the start ({run: {"lr": …, "beta": …}}: a sweep's best rate, a
        tuning's best setting): every run restarts."""
        if not settings:
            return
        self.setup.fold(keep=self._undone_by_an_event)
        for run, setting in settings.items():
            for name, value in setting.items():
                self.setup.set_value(run, name, value)
        self.reset()
        if len(settings) == 1:
            (run, setting), = settings.items()
            told = ", ".join(f"{SYMBOLS.get(k, k)} = {v:.3g}" for k, v in setting.items())
            self.message = f"{self.race.runs[run].name}: {told} ({source}); every run restarted"
        else:
            self.message = f"{len(settings)} runs take {source} settings; every run restarted"

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

    def zoom(self, factor: float, centre=None):
        """Zoom the view by `factor` (> 1: in) about `centre` (data coordinates; None: the middle)."""
        if self.landscape is not None:
            self.say("the landscape's view follows its plane: no zoom there")
            return
        self.view = self.view.zoomed(factor, centre)

    def pan(self, fx: float, fy: float):
        self.view = self.view.panned(fx, fy)

    def home_view(self):
        self.view = self.view.at_home()

    # --- the setup as a scenario ----------------------------------------------------------------

    def current_scenario(self) -> Scenario:
        """The setup as it stands (start, view, every run's settings with the user's changes), as
        a scenario that loads back to the same state (the `s` key). A change the scenario's
        `set` events would undo stays at its step, as a `set` event of its own."""
        runs = self.setup.settled(unless=self._undone_by_an_event)
        kept = [e for e in self.setup.edits if self._undone_by_an_event(e)]
        return dataclasses.replace(self.scenario, runs=list(runs), events=self._with_set_events(kept),
                                   speed=max(1, round(self.speed)), start=self._start_to_save(),
                                   view=self.view.box if self.scene.two_d else None)

    def replay_scenario(self) -> Scenario:
        """The race as it has been run: the setup's runs, and every change since as a `set` event
        at its own tick (replayed headless, it gives the race's own numbers: the sharpness view)."""
        return dataclasses.replace(self.scenario, runs=list(self.setup.runs),
                                   events=self._with_set_events(self.setup.edits), start=self._start_to_save())

    def _with_set_events(self, edits) -> list[Event]:
        """The scenario's events and `edits` as `set` events at their ticks, in the order the race
        applies them (at one tick, the scenario's first: a stable sort)."""
        events = list(self.scenario.events)
        for edit in edits:
            value = settings_at(self.setup, self.scenario.events, edit.tick)[edit.run][edit.name]
            events.append(Event(at=edit.tick, set={"run": edit.run, edit.name: value}))
        return sorted(events, key=lambda e: e.at)

    def _start_to_save(self):
        return tuple(float(x) for x in self.start) if self.scene.two_d else None

    def with_problem(self, kind: str, name: str | None, params: dict | None = None) -> Scenario:
        """The current runs on another problem (its `params`: a formula's f) from its default start,
        with the settings they have at the cursor (what the table shows)."""
        what = name or kind
        if params and "f" in params:   # (a title holds 200 characters, a formula 1000)
            what = f"f = {params['f']}" if len(params["f"]) <= 60 else f"f = {params['f'][:59]}…"
        now = settings_at(self.setup, self.scenario.events, self.cursor)
        runs = [dataclasses.replace(run, lr=now[r]["lr"], hyper={k: v for k, v in now[r].items() if k != "lr"})
                for r, run in enumerate(self.setup.runs)]
        return dataclasses.replace(self.scenario, runs=runs, problem_type=kind,
                                   problem_name=name, problem_params=dict(params or {}), start=None, view=None,
                                   events=[],
                                   compat=None, clock="step", length=max(self.scenario.length, 200),
                                   title=f"{what}: the runs of “{self.scenario.title}”",
                                   description=f"The runs of “{self.scenario.title}”, with their settings, "
                                               f"on {what}.")
