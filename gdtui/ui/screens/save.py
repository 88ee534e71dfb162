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
    BINDINGS = [Binding("escape", "dismiss", "cancel")]

    def __init__(self, default: str):
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box"):
            yield Static("Save the current setup (problem, start, runs and their hyperparameters, view) as:")
            yield Input(value=self.default, id="save-path")
            yield Static("enter saves · escape cancels", classes="hint")

    def on_input_submitted(self, event: Input.Submitted):
        self.dismiss(event.value.strip() or None)
