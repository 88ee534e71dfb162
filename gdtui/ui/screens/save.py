"""Save the current setup as a scenario file (the `s` key)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


def free_name(stem: str, folder: Path = Path(".")) -> str:
    """<stem>-saved.toml, or -saved-2, -saved-3 ... if taken."""
    name, n = f"{stem}-saved.toml", 1
    while (folder / name).exists():
        n += 1
        name = f"{stem}-saved-{n}.toml"
    return name


class SaveScreen(ModalScreen):
    """Asks for a file name; never writes over the scenario that is playing, and asks before
    replacing any other file (enter a second time)."""

    BINDINGS = [Binding("escape", "dismiss", "cancel")]

    def __init__(self, default: str, playing_from: Path | None = None):
        super().__init__()
        self.default = default
        self.playing_from = playing_from
        self._replace: str | None = None   # the existing file a second enter replaces

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box"):
            yield Static("Save the current setup (problem, start, runs and their hyperparameters, view) as:")
            yield Input(value=self.default, id="save-path")
            yield Static("enter saves · escape cancels", classes="hint", id="save-hint")

    def on_input_submitted(self, event: Input.Submitted):
        from ...files import same_file

        path = event.value.strip()
        hint = self.query_one("#save-hint", Static)
        if not path:
            self.dismiss(None)
        elif self.playing_from is not None and same_file(path, self.playing_from):
            hint.update(f"{path} is the scenario being played: choose another name · escape cancels")
        elif Path(path).exists() and self._replace != path:
            self._replace = path
            hint.update(f"{path} exists: enter again replaces it, or change the name · escape cancels")
        else:
            self.dismiss(path)
