"""Choose another problem (the same runs on it) or a bundled scenario, or type a surface as a
formula (checked as you type: what is wrong, and at which column)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...core.surfaces import SURFACES
from ...scenario import bundled_names, load


def choices() -> list[tuple[str, tuple]]:
    """(label, choice); a choice is ("problem", kind, name) or ("scenario", name)."""
    out = [(f"surface  {name:<11} {d.doc}", ("problem", "surface", name)) for name, d in SURFACES.items()]
    out.append(("data     linreg      mean squared error of y ≈ w·x + b", ("problem", "linreg", None)))
    out.append(("data     logreg      logistic loss in (w, b)", ("problem", "logreg", None)))
    for name in bundled_names():
        out.append((f"scenario {name:<19} {load(name).title}", ("scenario", name)))
    return out


class ProblemPicker(ModalScreen):
    BINDINGS = [Binding("escape,q", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        self._choices = choices()
        with Vertical(id="picker-box"):
            yield Static("Choose a problem (the current runs race on it) or a bundled scenario; "
                         "or tab to the box below and type a surface as a formula:", id="picker-title")
            yield OptionList(*[Option(label, id=str(i)) for i, (label, _) in enumerate(self._choices)])
            yield Input(placeholder="f(x, y) = …   e.g. (1 - x)**2 + 100*(y - x**2)**2", id="formula")
            yield Static(FORMULA_HINT, id="formula-check")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected):
        self.dismiss(self._choices[int(event.option.id)][1])

    def on_input_changed(self, event: Input.Changed):
        self.query_one("#formula-check", Static).update(formula_check(event.value))

    def on_input_submitted(self, event: Input.Submitted):
        if formula_error(event.value) is None:
            self.dismiss(("formula", event.value.strip()))


FORMULA_HINT = "x, y, pi, e, + - * / **, sin cos tan exp log sqrt tanh sinh cosh arctan abs"


def formula_error(text: str) -> str | None:
    from ...core.formula import Formula, FormulaError

    try:
        Formula(text)
    except FormulaError as e:
        return str(e)
    return None


def formula_check(text: str):
    """What the box under the formula says: what is wrong with it, or that enter races on it."""
    from rich.text import Text

    if not text.strip():
        return FORMULA_HINT
    error = formula_error(text)
    if error is not None:
        return Text(error, style="red")
    return Text("enter: the runs race on this surface", style="green")
