"""The sweep view (`w`): the current problem and start, every run across learning rates;
`a` gives the highlighted run its best rate, `A` every run (the race restarts with them).

`r` adds the LR range test to the sweep's plot (gdtui sweep --range-test). `t` tunes instead
(gdtui tune): every run gets the same budget of trials over its lr and decay
rates; `a`/`A` then apply the best setting found, rate and β together."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from ... import sweep, tune
from ...scenario import Scenario


class SweepScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,w", "dismiss", "close"),
                Binding("a", "apply(False)", "best rate to this run"),
                Binding("A,shift+a", "apply(True)", "best rates to every run"),
                Binding("t", "tune", "tune every run (equal budgets)"),
                Binding("r", "range_test", "add the LR range test")]

    def __init__(self, scenario: Scenario, selected: int = 0, points: int = sweep.DEFAULT_POINTS):
        super().__init__()
        self.scenario = scenario
        self.selected = selected
        self.points = points
        self.result: dict | None = None
        self.tuned = False   # the result is a tuning's (`t`), not a sweep's
        # one computation at a time (a worker thread cannot be stopped: a second one would
        # overwrite the first's result whenever it ended)
        self.busy = True

    def compose(self) -> ComposeResult:
        unit = "epoch" if self.scenario.clock == "epoch" else "step"
        with Vertical(id="sweep-box"):
            yield Static(f"Sweeping every run over {self.points} learning rates from "
                         f"{sweep.DEFAULT_RANGE[0]:g} to {sweep.DEFAULT_RANGE[1]:g}, "
                         f"{self.scenario.length} {unit}s each…", id="sweep-title")
            yield PlotextPlot(id="sweep-plot")
            yield Static("", id="sweep-legend")
            yield DataTable(id="sweep-table", cursor_type="row", zebra_stripes=False)
            yield Static(HINTS[False], id="sweep-hint")

    def on_mount(self):
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self):
        lrs = sweep.lr_grid(*sweep.DEFAULT_RANGE, self.points)
        _, result = sweep.run_sweep(self.scenario, lrs)
        self.app.call_from_thread(self.show, result)

    def show(self, result: dict):
        self.result, self.busy = result, False
        self.query_one("#sweep-title", Static).update(
            f"{result['scenario']}: {result['points']} rates from {result['lr_min']:g} to {result['lr_max']:g}, "
            f"{sweep.length_text(result)}. " + _sentence(sweep.explanation(result)))
        headers, rows = sweep.RESULT_HEADERS, sweep.result_rows(result)
        if "range_test" in result:   # beside each run's sweep: what the cheap test would suggest
            from ...range_test import rows as range_rows

            headers = (*headers, "range test: min at", "÷10")
            rows = [row + tested[1:3] for row, tested in zip(rows, range_rows(result["range_test"], result))]
        self._fill(sweep.draw, headers, rows, left=(0, 1))

    def action_range_test(self):
        """The LR range test's dots beside the sweep (once the sweep is on screen)."""
        if self.busy or self.tuned or "range_test" in self.result:
            return
        self.busy = True
        self.compute_range_test(self.result)

    @work(thread=True, exclusive=True)
    def compute_range_test(self, result: dict):
        from ...range_test import run_range_test

        test = run_range_test(self.scenario, result["lr_min"], result["lr_max"], result["steps"])
        self.app.call_from_thread(self.show, {**result, "range_test": test})

    def action_tune(self):
        """Every run's own budget of trials over its lr and decay rates, from the current start."""
        if self.busy or self.tuned:
            return   # (a tuning stays on screen)
        self.busy, self.result = True, None
        self.query_one("#sweep-title", Static).update(
            f"Tuning: {tune.DEFAULT_BUDGET} trials per run over lr and its decay rates, "
            f"{self.scenario.length} {'epoch' if self.scenario.clock == 'epoch' else 'step'}s each…")
        self.compute_tuning()

    @work(thread=True, exclusive=True)
    def compute_tuning(self):
        _, result = tune.run_tune(self.scenario)
        self.app.call_from_thread(self.show_tuning, result)

    def show_tuning(self, result: dict):
        self.result, self.tuned, self.busy = result, True, False
        self.query_one("#sweep-title", Static).update(
            f"{result['scenario']}: {result['budget']} trials per run ({result['search']} search), "
            f"{sweep.length_text(result)} each. " + _sentence(tune.explanation(result)))
        self._fill(tune.draw, tune.RESULT_HEADERS, tune.result_rows(result), left=(0, 1, 3))
        self.query_one("#sweep-hint", Static).update(HINTS[True])

    def _fill(self, draw, headers, rows, left):
        """The plot, legend and table of a result; numbers right-aligned, the columns in `left` not."""
        plot = self.query_one(PlotextPlot)
        plot.plt.clear_data()
        plot.plt.clear_figure()
        draw(plot.plt, self.result)
        plot.refresh()
        self.query_one("#sweep-legend", Static).update(sweep.legend(self.result))
        table = self.query_one(DataTable)
        cursor = table.cursor_row if table.row_count else self.selected
        table.clear(columns=True)
        table.add_columns(*headers)
        for row in rows:
            table.add_row(*(cell if c in left else Text(cell, justify="right")
                            for c, cell in enumerate(row)))
        table.move_cursor(row=min(cursor, len(self.result["runs"]) - 1))
        table.focus()

    def action_apply(self, every: bool):
        """Close with (where they come from, {run: its best setting}): {"lr": …}, and its decay rates
        after a tuning, for the highlighted run (or every run)."""
        if self.busy or self.result is None:
            return
        runs = range(len(self.result["runs"])) if every else [self.query_one(DataTable).cursor_row]
        settings = {}
        for r in runs:
            run = self.result["runs"][r]
            if self.tuned and run["best"]:
                settings[r] = {"lr": run["best"]["lr"], **run["best"]["hyper"]}
            elif not self.tuned and run["best_lr"]:
                settings[r] = {"lr": run["best_lr"]}
        if not settings:   # (every trial or rate of it diverged or ended no lower than it started)
            self.query_one("#sweep-hint", Static).update(Text(
                "no stable setting to apply: every trial diverged or ended no lower than it started",
                style="red"))
            return
        self.dismiss(("the tuning's best" if self.tuned else "the sweep's best", settings))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


HINTS = {False: "↑/↓ choose a run · a: its best rate · A: every run's best rate (the runs restart with them) · "
                "r: add the LR range test · t: tune instead (equal budgets over lr and β) · escape closes",
         True: "↑/↓ choose a run · a: its best setting · A: every run's best setting (the runs restart with "
               "them) · escape closes"}
