"""The selected run's update rule, and the numbers inside its last step."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ...render.palette import run_look
from .base import TextPanel

ROWS = (("g", "g"), ("v", "v"), ("s", "s"), ("v_hat", "v̂"), ("s_hat", "ŝ"), ("d", "Δ"), ("step", "step"))
MUTED = "#9e9e9e"


def last_step_text(row, unit: str, tick: int) -> str:
    if row.stopped and row.last_step < tick:
        return f"its last {unit}, {row.last_step} ({row.status} there):"
    return f"last {unit} ({row.last_step}):"


def stability_lines(row) -> list[Text]:
    s = row.stability
    if s is None:
        return []
    facts = Text(f"κ {s.kappa:.4g}  λmax {s.lam_max:.4g}  2/λmax {s.gd_edge:.4g}  "
                 f"best GD lr 2/(λmax+λmin) {s.best_gd_lr:.4g}", style=MUTED)
    if s.bound is None:
        return [facts, Text(s.bound_name, style=MUTED)]
    verdict = "stable" if s.stable else "UNSTABLE"
    text = Text(f"lr {row.lr:.4g} {'<' if s.stable else '≥'} {s.bound:.4g} ({s.bound_name}): {verdict}",
                style="green" if s.stable else "bold red")
    return [facts, text]


class Inspector(TextPanel):

    def draw(self, why: str):
        frame, view = self.frame, self.view
        row = frame.runs[view.selected]
        unit = frame.scene.unit
        look = run_look(row.index)
        compact = self.screen.has_class("-compact")
        parts = [Text.assemble((f"{look.head} {row.name}", f"bold {look.color}"),
                               (f"   {row.rule}, batch {row.batch}, lr {row.lr:.4g}", "#bcbcbc"))]
        if not compact:  # (the equations are in the help screen too)
            parts += [Text("  " + line, style="#d7d7af") for line in row.equation]
        if row.last_step == 0:
            parts.append(Text(f"no {unit} yet", style=MUTED))
        elif row.internals is not None:
            parts.append(Text(last_step_text(row, unit, frame.tick), style=MUTED))
            parts.append(self._internals_table(row, frame.scene.param_names))
        elif row.layer_norms is not None:
            parts.append(Text(last_step_text(row, unit, frame.tick), style=MUTED))
            parts.append(self._layer_table(row))
        else:
            parts.append(Text(f"the numbers of past {unit}s are not kept for a network this size", style=MUTED))
        parts += stability_lines(row)
        self.show(Group(*parts))

    @staticmethod
    def _internals_table(row, names) -> Table:
        table = Table(box=None, padding=(0, 1), header_style=f"bold {MUTED}")
        table.add_column("")
        for name in names:
            table.add_column(name, justify="right")
        for key, label in ROWS:
            if key in row.internals:
                table.add_row(label, *(f"{v:+.4g}" for v in row.internals[key]))
        return table

    @staticmethod
    def _layer_table(row) -> Table:
        """Many parameters (the MLP): the size of each internal, layer by layer (v̂ and ŝ are v
        and s rescaled: for a summary their sizes add nothing)."""
        keys = [(k, label) for k, label in ROWS if k in row.layer_norms[0][1]]
        table = Table(box=None, padding=(0, 1), header_style=f"bold {MUTED}")
        table.add_column("layer")
        for _, label in keys:
            table.add_column(f"|{label}|", justify="right")
        for name, norms in row.layer_norms:
            table.add_row(name, *(f"{norms[k]:.2g}" for k, _ in keys))
        return table
