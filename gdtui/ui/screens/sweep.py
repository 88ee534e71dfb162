"""The sweep view (`w`): the current problem and start, every run across learning rates;
`a` gives the highlighted run its best rate, `A` every run (the race restarts with them)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from ... import sweep
from ...scenario import Scenario


class SweepScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,w", "dismiss", "close"),
                Binding("a", "apply(False)", "best rate to this run"),
                Binding("A,shift+a", "apply(True)", "best rates to every run")]

    def __init__(self, scenario: Scenario, selected: int = 0, points: int = sweep.DEFAULT_POINTS):
        super().__init__()
        self.scenario = scenario
        self.selected = selected
        self.points = points
        self.result: dict | None = None

    def compose(self) -> ComposeResult:
        unit = "epoch" if self.scenario.clock == "epoch" else "step"
        with Vertical(id="sweep-box"):
            yield Static(f"Sweeping every run over {self.points} learning rates from "
                         f"{sweep.DEFAULT_RANGE[0]:g} to {sweep.DEFAULT_RANGE[1]:g}, "
                         f"{self.scenario.length} {unit}s each…", id="sweep-title")
            yield PlotextPlot(id="sweep-plot")
            yield Static("", id="sweep-legend")
            yield DataTable(id="sweep-table", cursor_type="row", zebra_stripes=False)
            yield Static("↑/↓ choose a run · a: its best rate · A: every run's best rate "
                         "(the runs restart with them) · escape closes", id="sweep-hint")

    def on_mount(self):
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self):
        lrs = sweep.lr_grid(*sweep.DEFAULT_RANGE, self.points)
        _, result = sweep.run_sweep(self.scenario, lrs)
        self.app.call_from_thread(self.show, result)

    def show(self, result: dict):
        self.result = result
        self.query_one("#sweep-title", Static).update(
            f"{result['scenario']}: {result['points']} rates from {result['lr_min']:g} to {result['lr_max']:g}, "
            f"{sweep.length_text(result)}. " + sweep.explanation(result))
        plot = self.query_one(PlotextPlot)
        plot.plt.clear_data()
        plot.plt.clear_figure()
        sweep.draw(plot.plt, result)
        plot.refresh()
        self.query_one("#sweep-legend", Static).update(sweep.legend(result))
        table = self.query_one(DataTable)
        table.add_columns(*sweep.RESULT_HEADERS)
        for row in sweep.result_rows(result):
            table.add_row(*row[:2], *(Text(cell, justify="right") for cell in row[2:]))
        table.move_cursor(row=min(self.selected, len(result["runs"]) - 1))
        table.focus()

    def action_apply(self, every: bool):
        """Close with {run: its best rate} for the highlighted run (or every run)."""
        if self.result is None:
            return
        runs = range(len(self.result["runs"])) if every else [self.query_one(DataTable).cursor_row]
        rates = {r: self.result["runs"][r]["best_lr"] for r in runs if self.result["runs"][r]["best_lr"]}
        self.dismiss(rates)
