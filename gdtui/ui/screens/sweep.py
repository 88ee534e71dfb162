"""The sweep view (`w`): the current problem and start, every run across learning rates."""

from __future__ import annotations

from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ... import sweep
from ...scenario import Scenario


def result_table(result: dict) -> Table:
    table = Table(box=None, padding=(0, 2), header_style="bold #9e9e9e")
    for col in ("run", "rule", "best lr", "loss there", "stable from", "to"):
        table.add_column(col, justify="left" if col in ("run", "rule") else "right", no_wrap=True)
    for run in result["runs"]:
        w = run["window"]
        table.add_row(run["name"], run["optimizer"], sweep._num(run["best_lr"]), sweep._num(run["best_loss"]),
                      sweep._num(w and w[0]), sweep._num(w and w[1]))
    return table


class SweepScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,w", "dismiss", "close")]

    def __init__(self, scenario: Scenario, points: int = sweep.DEFAULT_POINTS):
        super().__init__()
        self.scenario = scenario
        self.points = points
        self.result: dict | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="sweep-box"):
            yield Static(f"Sweeping every run over {self.points} learning rates from "
                         f"{sweep.DEFAULT_RANGE[0]:g} to {sweep.DEFAULT_RANGE[1]:g}, "
                         f"{self.scenario.length} {self.scenario.clock}s each…", id="sweep-title")
            yield PlotextPlot(id="sweep-plot")
            yield Static("", id="sweep-table")

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
            f"{result['steps']} {self.scenario.clock}s (escape closes)")
        plot = self.query_one(PlotextPlot)
        plot.plt.clear_data()
        plot.plt.clear_figure()
        sweep.draw(plot.plt, result)
        plot.refresh()
        self.query_one("#sweep-table", Static).update(result_table(result))
