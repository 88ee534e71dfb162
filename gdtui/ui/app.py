"""The interactive app: thin. The playback (gdtui/playback.py) holds the state
and does what the keys ask; the widgets draw it; this file wires them."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from ..playback import ZOOM_STEP, Playback
from ..scenario import Scenario, load
from .keys import KEYS, bindings
from .screens.help import HelpScreen
from .screens.picker import ProblemPicker
from .screens.save import SaveScreen, free_name
from .screens.sweep import SweepScreen
from .widgets.boundaries import Boundaries
from .widgets.inspector import Inspector
from .widgets.loss_plot import LossPlot
from .widgets.runs_table import RunsTable
from .widgets.status import Caption, StatusLine
from .widgets.surface import SurfaceView

MIN_SIZE = (80, 24)
COMPACT_BELOW = (110, 34)  # smaller screens get a narrower side panel and a shorter table
FRAME_RATE = 30.0
SLOW_EVERY = 8   # while playing, the plot and the tables redraw every 8th frame (about 4 per second)


class GdtuiApp(App):
    CSS_PATH = "gdtui.tcss"
    TITLE = "gdtui"
    BINDINGS = bindings()

    def __init__(self, scenario: Scenario, *, frame_rate: float = FRAME_RATE, playing: bool = False):
        super().__init__()
        self.playback = Playback(scenario)
        self.playback.playing = playing
        self.frame_rate = frame_rate
        self.frames = 0

    # --- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        pb = self.playback
        yield Static(pb.scenario.title, id="title")
        if pb.two_d:
            with Horizontal(id="main"):
                yield SurfaceView(pb, monochrome=self.no_color, id="surface")
                with Vertical(id="side"):
                    yield LossPlot(pb, id="loss")
                    yield Inspector(pb, id="inspector")
        else:
            with Vertical(id="main"):
                yield Boundaries(pb, id="boundaries")
                with Horizontal(id="mlp-bottom"):
                    yield LossPlot(pb, id="loss")
                    yield Inspector(pb, id="inspector")
        yield RunsTable(pb, id="runs")
        yield Caption(pb, id="caption")
        yield StatusLine(pb, id="status")
        yield Footer()
        yield Static("terminal too small: gdtui needs at least 80 × 24", id="too-small")

    def on_mount(self):
        self._check_size(self.size.width, self.size.height)
        self.set_interval(1 / self.frame_rate, self.on_frame)

    def on_resize(self, event: events.Resize):
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int):
        self.screen.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
        compact = width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1]
        if compact != self.screen.has_class("-compact"):
            self.screen.set_class(compact, "-compact")
            if self.screen.query(RunsTable):
                self.query_one(RunsTable).show()

    # --- frames -------------------------------------------------------------------

    def on_frame(self):
        if self.playback.frame():
            self.frames += 1
            self.redraw(slow=self.frames % SLOW_EVERY == 0 or not self.playback.playing)
        elif self._pending:
            self.redraw(slow=True)

    _pending = False

    def redraw(self, slow: bool = True, full: bool = False):
        """Bring every widget up to the playback; the plot and tables only when `slow`."""
        pb = self.playback
        if pb.two_d:
            surface = self.query_one(SurfaceView)
            if full:
                surface.sync(full=True)
                surface.refresh_frame()
            else:
                surface.sync()
        elif slow:
            self.query_one(Boundaries).sync()
        self.query_one(Caption).show()
        self._pending = not slow
        if slow:
            # the status line too: a repaint of a line across the whole screen widens the area
            # Textual re-renders every frame to include the side panel and the table
            self.query_one(StatusLine).show()
            self.query_one(LossPlot).update_plot()
            self.query_one(RunsTable).show()
            if not self.has_class("no-inspector"):
                self.query_one(Inspector).show()

    def settle(self):
        """Everything drawn for the current state (for snapshots and tests)."""
        self.redraw(slow=True, full=True)

    # --- actions (the keys in keys.py) ----------------------------------------------

    def _changed(self, frame: bool = False):
        if frame and self.playback.two_d:
            self.query_one(SurfaceView).refresh_frame()
        self.redraw(slow=True)

    def action_toggle_play(self):
        self.playback.toggle_play()
        self._changed()

    def action_step(self):
        self.playback.playing = False
        self.playback.advance(1)
        self._changed()

    def action_back(self):
        self.playback.back(1)
        self._changed()

    def action_reset(self):
        self.playback.reset()
        self.redraw(full=True)

    def action_faster(self):
        self.playback.change_speed(True)
        self._changed()

    def action_slower(self):
        self.playback.change_speed(False)
        self._changed()

    def action_select(self, run: int):
        self.playback.select(run)
        self._changed(frame=True)

    def action_select_next(self):
        self.playback.select_next()
        self._changed(frame=True)

    def action_lr(self, factor: float):
        self.playback.scale_lr(factor)
        self._changed()

    def action_beta(self, up: bool):
        self.playback.nudge_beta(up)
        self._changed()

    def action_toggle_visible(self):
        self.playback.toggle_hidden()
        self._changed(frame=True)

    def action_toggle_inspector(self):
        self.toggle_class("no-inspector")
        self._changed()

    def action_zoom(self, zoom_in: bool):
        self.playback.zoom(ZOOM_STEP if zoom_in else 1 / ZOOM_STEP)
        self.redraw(full=True)

    def action_pan(self, fx: float, fy: float):
        self.playback.pan(fx, fy)
        self.redraw(full=True)

    def action_home_view(self):
        self.playback.view = self.playback.home_view
        self.redraw(full=True)

    def action_help(self):
        self.push_screen(HelpScreen())

    def action_save(self):
        self.push_screen(SaveScreen(free_name(Path(self.playback.scenario.source).stem)), self.save_to)

    def save_to(self, path: str | None):
        if not path:
            return
        from ..scenario_writer import dumps

        try:
            Path(path).write_text(dumps(self.playback.current_scenario()), encoding="utf-8")
            self.playback.message = f"saved to {path}"
        except OSError as e:
            self.playback.message = f"cannot save to {path}: {e.strerror}"
        self._changed()

    def action_sweep(self):
        """Every run over a grid of learning rates, from the current start."""
        self.push_screen(SweepScreen(self.playback.current_scenario()))

    def action_pick_problem(self):
        self.push_screen(ProblemPicker(), self._picked)

    def _picked(self, choice):
        if not choice:
            return
        if choice[0] == "scenario":
            scenario = load(choice[1])
        else:
            scenario = self.playback.with_problem(choice[1], choice[2])
        self.open_scenario(scenario)

    def open_scenario(self, scenario: Scenario):
        self.playback.load(scenario)
        self.refresh(recompose=True)
        self.call_after_refresh(self.settle)

    # --- messages from widgets --------------------------------------------------------

    def on_surface_view_clicked(self, message: SurfaceView.Clicked):
        self.playback.restart_from(message.point)
        self.redraw(full=True)

    def on_runs_table_selected(self, message: RunsTable.Selected):
        self.action_select(message.run)

    # --- the command palette ----------------------------------------------------------

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for keys, action, label, what, _ in KEYS:
            if action != "quit":
                yield SystemCommand(f"{label} ({keys.split(',')[0]})", what,
                                    lambda a=action: self.run_action(a))
