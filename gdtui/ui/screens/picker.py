"""Choose another problem (the same runs on it) or a bundled scenario."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
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
            yield Static("Choose a problem (the current runs race on it) or a bundled scenario:", id="picker-title")
            yield OptionList(*[Option(label, id=str(i)) for i, (label, _) in enumerate(self._choices)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected):
        self.dismiss(self._choices[int(event.option.id)][1])
