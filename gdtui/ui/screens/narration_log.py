"""Every narration so far (the `e` key): a lesson can be re-read, whole."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def log_text(scene, said, tick: int) -> Group:
    parts = [Text(scene.title, style="bold underline")]
    if scene.description:
        parts += [Text(scene.description, style="#bcbcbc"), Text("")]
    if not said:
        parts.append(Text(f"no narration yet at {scene.unit} {tick}", style="#9e9e9e"))
    for n in said:
        parts.append(Text.assemble((f"{scene.unit} {n.at}  ", "bold #9e9e9e"), (n.text, "#ffd787")))
        parts.append(Text(""))
    later = len(scene.narrations) - len(said)
    if later:
        parts.append(Text(f"{later} more to come; ] jumps to the next event", style="#9e9e9e"))
    parts.append(Text("escape, q or e closes this screen", style="#9e9e9e"))
    return Group(*parts)


class NarrationLog(ModalScreen):
    BINDINGS = [Binding("escape,q,e", "dismiss", "close")]

    def __init__(self, scene, said, tick: int):
        super().__init__()
        self.text = log_text(scene, said, tick)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="log-box"):
            yield Static(self.text, id="log-text")
