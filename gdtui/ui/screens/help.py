"""The help screen: every key, and each update rule's equations."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.optimizers import RULES
from ..keys import KEYS, key_label


def help_text() -> Group:
    keys = Table(box=None, padding=(0, 2), show_header=False)
    keys.add_column(style="bold #ffd787", no_wrap=True)
    keys.add_column()
    for k, _, _, what, _ in KEYS:
        keys.add_row(key_label(k), what)
    keys.add_row("1 … 9", "select a run (or click its row, its name in the legend, or its panel)")
    keys.add_row("click", "on the surface: every run restarts from the clicked point")
    keys.add_row("ctrl+p", "command palette: every action by name")
    keys.add_row("", Text("A change of a setting (l, L, b, B) with the cursor in the past drops the steps "
                          "computed after it: the runs go on from there with the new setting.", style="#9e9e9e"))
    rules = Table(box=None, padding=(0, 2), show_header=False)
    rules.add_column(style="bold", no_wrap=True)
    rules.add_column(style="#d7d7af")
    for rule in RULES.values():
        rules.add_row(rule.name, "   ".join(rule.equation))
        rules.add_row("", Text(rule.summary, style="#9e9e9e"))
    return Group(
        Text("gdtui — keys", style="bold underline"), keys, Text(""),
        Text("Update rules (α = lr; g the gradient of the run's batch; batch full = GD, k = mini-batch, 1 = SGD)",
             style="bold underline"),
        rules, Text(""), Text("escape, q or ? closes this screen", style="#9e9e9e"),
    )


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text())
