"""The runs: rule, batch, settings, progress and status as of the frame's tick, one row each."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.message import Message

from ...render.palette import dim_color, run_look
from .base import TextPanel

HYPER_LABELS = (("beta", "β"), ("beta1", "β1"), ("beta2", "β2"), ("rho", "ρ"), ("weight_decay", "λ"))


def hyper_text(hyper) -> str:
    parts = [f"{label}={hyper[name]:g}" for name, label in HYPER_LABELS if name in hyper]
    if "bias_correction" in hyper and not hyper["bias_correction"]:
        parts.append("no bias corr.")
    return " ".join(parts)


def number(x: float) -> str:
    return f"{x:.4g}"


def status_text(row) -> Text:
    if row.status == "running":
        return Text("running")
    return Text(f"{row.status} at {row.status_at}", style="red" if row.status == "diverged" else "green")


class RunsTable(TextPanel):
    DEFAULT_CSS = "RunsTable { height: auto; }"
    THROTTLED = True

    class Selected(Message):
        def __init__(self, run: int):
            super().__init__()
            self.run = run

    def draw(self, why: str):
        frame, view = self.frame, self.view
        compact = self.screen.has_class("-compact")  # small terminals: no β, |g| and rule columns
        unit = frame.scene.unit
        table = Table(box=None, padding=(0, 1), header_style="bold #9e9e9e")
        columns = [("run", "left"), ("rule", "left"), ("batch", "right"), ("lr", "right"), ("β", "left"),
                   (unit, "right"), ("loss", "right"), ("|g|", "right"), ("status", "left")]
        if frame.scene.classification:
            columns.append(("accuracy", "right"))
        dropped = {"β", "|g|", "rule"} if compact else set()
        for col, justify in columns:
            if col not in dropped:
                table.add_column(col, justify=justify, no_wrap=True)
        for row in frame.runs:
            r = row.index
            look = run_look(r)
            out_of_view = r in view.hidden or view.dimmed(r)
            marker = "▶" if r == view.selected else " "
            name_style = "#6c6c6c" if r in view.hidden else f"bold {dim_color(look.color) if out_of_view else look.color}"
            cells = {"run": Text(f"{marker}{r + 1} {look.head} {row.name}", style=name_style),
                     "rule": row.rule, "batch": row.batch, "lr": number(row.lr), "β": hyper_text(row.hyper),
                     unit: str(row.last_step), "loss": number(row.loss), "|g|": number(row.grad_norm),
                     "status": status_text(row),
                     "accuracy": "" if row.accuracy is None else f"{row.accuracy:.1%}"}
            table.add_row(*(cells[col] for col, _ in columns if col not in dropped),
                          style="on #262626" if r == view.selected else None)
        self.show(table)

    def on_click(self, event: events.Click):
        offset = event.get_content_offset(self)
        if offset is not None and self.frame is not None and 1 <= offset.y <= len(self.frame.runs):
            self.post_message(self.Selected(offset.y - 1))
