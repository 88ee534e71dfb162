"""The interactive app: thin. The playback (gdtui/playback) holds the state and does
what the keys ask; after each change the app publishes the new frame and view to the
race screen, whose panels draw them."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, SystemCommand

from ..errors import GdtuiError
from ..files import write_atomically
from ..playback import FRAME_RATE, ZOOM_STEP, Playback
from ..playback.theory import build as build_theory
from ..scenario import Scenario, load, resolve
from .keys import KEYS
from .screens.help import HelpScreen
from .screens.narration_log import NarrationLog
from .screens.picker import ProblemPicker
from .screens.race import RaceScreen
from .screens.save import SaveScreen, free_name
from .screens.sweep import SweepScreen
from .screens.theory import TheoryScreen
from .widgets.boundaries import Boundaries
from .widgets.runs_table import RunsTable
from .widgets.surface import SurfaceView


class GdtuiApp(App):
    CSS_PATH = "gdtui.tcss"
    TITLE = "gdtui"

    def __init__(self, scenario: Scenario, *, frame_rate: float = FRAME_RATE, playing: bool = False,
                 reading_holds: bool = True):
        super().__init__()
        self.frame_rate = frame_rate
        self.playback = Playback(scenario, frame_rate=frame_rate, reading_holds=reading_holds)
        if playing:
            self.playback.toggle_play()

    def on_mount(self):
        self.push_screen(self._new_race_screen())
        self.set_interval(1 / self.frame_rate, self.on_frame)

    def _new_race_screen(self) -> RaceScreen:
        return RaceScreen(self.playback.frame(), self.playback.view, monochrome=self.no_color)

    @property
    def race_screen(self) -> RaceScreen | None:
        return next((s for s in reversed(self.screen_stack) if isinstance(s, RaceScreen)), None)

    # --- frames ---------------------------------------------------------------------

    def on_frame(self):
        self.playback.play_frame()
        self.publish()

    def publish(self):
        """Hand the race screen the playback's current view and frame (each redraws only
        the panels that depend on what changed)."""
        screen = self.race_screen
        if screen is not None:
            screen.view = self.playback.view
            screen.frame = self.playback.frame()

    def _do(self, method, *args):
        method(*args)
        self.publish()

    # --- actions (the keys in keys.py) ----------------------------------------------

    def action_toggle_play(self):
        self._do(self.playback.toggle_play)

    def action_step(self):
        self._do(self.playback.step)

    def action_back(self):
        self._do(self.playback.back)

    def action_next_event(self):
        self._do(self.playback.next_event)

    def action_previous_event(self):
        self._do(self.playback.previous_event)

    def action_reset(self):
        self._do(self.playback.reset)

    def action_faster(self):
        self._do(self.playback.change_speed, True)

    def action_slower(self):
        self._do(self.playback.change_speed, False)

    def action_select(self, run: int):
        self._do(self.playback.select, run)

    def action_select_next(self):
        self._do(self.playback.select_next)

    def action_spotlight(self):
        self._do(self.playback.toggle_spotlight)

    def action_trails(self):
        self._do(self.playback.cycle_trails)

    def action_lr(self, factor: float):
        self._do(self.playback.scale_lr, factor)

    def action_beta(self, up: bool):
        self._do(self.playback.nudge_beta, up)

    def action_toggle_visible(self):
        self._do(self.playback.toggle_hidden)

    def action_toggle_inspector(self):
        if self.race_screen is not None:
            self.race_screen.toggle_class("no-inspector")

    def action_zoom(self, zoom_in: bool):
        self._do(self.playback.zoom, ZOOM_STEP if zoom_in else 1 / ZOOM_STEP)

    def action_pan(self, fx: float, fy: float):
        self._do(self.playback.pan, fx, fy)

    def action_home_view(self):
        self._do(self.playback.home_view)

    # (a screen over the race pauses it: nothing should fly past while the student reads)

    def action_help(self):
        self._do(self.playback.pause)
        self.push_screen(HelpScreen())

    def action_narration_log(self):
        pb = self.playback
        self._do(pb.pause)
        self.push_screen(NarrationLog(pb.scene, pb.narrations_so_far(), pb.cursor))

    def action_save(self):
        self._do(self.playback.pause)
        source = self.playback.scenario.source
        if self.is_web:   # gdtui serve: the file goes to the visitor's browser, never the server's disk
            import io

            from ..scenario_writer import dumps

            name = f"{Path(source).stem or 'scenario'}.toml"
            self.deliver_text(io.StringIO(dumps(self.playback.current_scenario())), save_filename=name)
            self._do(self.playback.say, f"sent to your browser as {name}")
            return
        try:
            playing_from = resolve(source)
        except GdtuiError:   # (a scenario made in the app: no file)
            playing_from = None
        self.push_screen(SaveScreen(free_name(Path(source).stem), playing_from), self.save_to)

    def save_to(self, path: str | None):
        if not path:
            return
        from ..scenario_writer import dumps

        text = dumps(self.playback.current_scenario())
        try:
            write_atomically(path, lambda f: f.write(text))   # all or nothing: a failure keeps the old file
            self._do(self.playback.say, f"saved to {path}")
        except OSError as e:
            self._do(self.playback.say, f"cannot save to {path}: {e.strerror}")

    def action_sweep(self):
        """Every run over a grid of learning rates, from the current start."""
        self._do(self.playback.pause)
        self.push_screen(SweepScreen(self.playback.current_scenario(), self.playback.view.selected), self._swept)

    def action_landscape(self):
        self._do(self.playback.toggle_landscape)

    def action_freeze_plane(self):
        self._do(self.playback.freeze_plane)

    def action_theory(self):
        """The theory of the race as of the cursor, for the selected run."""
        pb = self.playback
        self._do(pb.pause)
        self.push_screen(TheoryScreen(build_theory(pb, pb.view.selected), pb.replay_scenario(), pb.cursor))

    def _swept(self, chosen: tuple[str, dict[int, dict[str, float]]] | None):
        if chosen:
            source, settings = chosen
            self._do(self.playback.apply_settings, settings, source)

    def action_pick_problem(self):
        self._do(self.playback.pause)
        self.push_screen(ProblemPicker(), self._picked)

    def _picked(self, choice):
        if not choice:
            return
        if choice[0] == "scenario":
            self.open_scenario(load(choice[1]))
        elif choice[0] == "formula":
            scenario = self.playback.with_problem("formula", None, {"f": choice[1]})
            self.open_scenario(scenario, f"the runs, with your settings, on f = {choice[1]}")
        else:
            kind, name = choice[1], choice[2]
            scenario = self.playback.with_problem(kind, name)
            self.open_scenario(scenario, f"the runs, with your settings, on {name or kind}: rates tuned for "
                                         "one problem can diverge on another (w sweeps them)")

    def open_scenario(self, scenario: Scenario, message: str = ""):
        self.playback.load(scenario, message)
        self.switch_screen(self._new_race_screen())

    # --- messages from the panels -----------------------------------------------------

    def on_surface_view_clicked(self, message: SurfaceView.Clicked):
        self._do(self.playback.restart_from, message.point)

    def on_surface_view_zoomed(self, message: SurfaceView.Zoomed):
        self._do(self.playback.zoom, message.factor, message.centre)

    def on_surface_view_run_clicked(self, message: SurfaceView.RunClicked):
        self.action_select(message.run)

    def on_boundaries_run_clicked(self, message: Boundaries.RunClicked):
        self.action_select(message.run)

    def on_runs_table_selected(self, message: RunsTable.Selected):
        self.action_select(message.run)

    # --- the command palette ----------------------------------------------------------

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for keys, action, label, what, _ in KEYS:
            if action != "quit":
                yield SystemCommand(f"{label} ({keys.split(',')[0]})", what,
                                    lambda a=action: self.run_action(a))
