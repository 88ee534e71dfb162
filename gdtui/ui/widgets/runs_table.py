"""The runs: rule, batch, hyperparameters, progress and status, one row each."""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text
from textual import events
from textual.message import Message

from ...core.optimizers import RULES
from ...render.palette import run_look
from .base import PlaybackStatic


def hyper_text(race, run: int) -> str:
    rule = RULES[race.runs[run].rule]
    parts = []
    for name, label in (("beta", "β"), ("beta1", "β1"), ("beta2", "β2"), ("rho", "ρ"), ("weight_decay", "λ")):
        if name in rule.hyper:
            parts.append(f"{label}={race.get_hyper(run, name):g}")
    if "bias_correction" in rule.hyper and not race.get_hyper(run, "bias_correction"):
        parts.append("no bias corr.")
    return " ".join(parts)


class RunsTable(PlaybackStatic):
    DEFAULT_CSS = "RunsTable { height: auto; }"

    class Selected(Message):
        def __init__(self, run: int):
            super().__init__()
            self.run = run

    def show(self):
        pb = self.playback
        race = pb.race
        t = pb.cursor
        loss = race.history.loss[t]
        grad = race.history.grad_norm[t]
        lr = race.history.lr[t] if t > 0 else race.lr
        classification = pb.problem.classification
        accuracy = pb.problem.accuracy(pb.params_at()) if classification else None
        compact = self.screen.has_class("-compact")  # small terminals: no β and |g| columns
        table = Table(expand=True, box=None, padding=(0, 1), header_style="bold #9e9e9e")
        columns = [("run", "left"), ("rule", "left"), ("batch", "right"), ("lr", "right"), ("β", "left"),
                   (pb.unit, "right"), ("loss", "right"), ("|g|", "right"), ("status", "left")]
        for col, justify in columns:
            if not (compact and col in ("β", "|g|")):
                table.add_column(col, justify=justify, no_wrap=True)
        if classification:
            table.add_column("accuracy", justify="right", no_wrap=True)
        for r, run in enumerate(race.runs):
            look = run_look(r)
            hidden = r in pb.hidden
            marker = "▶" if r == pb.selected else " "
            name = Text(f"{marker}{r + 1} {look.head} {run.name}", style=f"bold {look.color}" if not hidden else "#6c6c6c")
            status = pb.status_at(r)
            stopped = max(race.diverged_at[r], race.converged_at[r])
            row = [name, run.rule, run.batch_label, f"{lr[r]:.4g}", hyper_text(race, r),
                   str(t if stopped < 0 else min(t, stopped)),
                   _fmt(loss[r]), _fmt(grad[r]), Text(status, style="red" if status.startswith("div")
                                                      else "green" if status.startswith("conv") else "")]
            if compact:
                del row[7], row[4]
            if classification:
                row.append(f"{accuracy[r]:.1%}")
            table.add_row(*row, style="on #262626" if r == pb.selected else None)
        # the table's height only changes with its number of rows (a new scenario)
        rows = len(race.runs)
        self.update(table, layout=rows != getattr(self, "_rows", None))
        self._rows = rows

    def on_click(self, event: events.Click):
        offset = event.get_content_offset(self)
        if offset is not None and 1 <= offset.y <= self.playback.race.R:
            self.post_message(self.Selected(offset.y - 1))


def _fmt(x) -> str:
    x = float(x)
    if not np.isfinite(x):
        return "—"
    return f"{x:.4g}"
