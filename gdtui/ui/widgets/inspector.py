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


def stability_lines(row, compact: bool = False) -> list[Text]:
    """The curvature facts and the theory's verdict on the run's lr (core.theory)."""
    s = row.stability
    if s is None:
        return []
    where = "here: " if s.local else ""
    if s.kappa is not None:
        facts = (f"{where}κ {s.kappa:.3g} · 2/λmax {s.gd_edge:.3g} · best lr {s.best_gd_lr:.3g}" if compact else
                 f"{where}κ {s.kappa:.4g}  λmax {s.lam_max:.4g}  2/λmax {s.gd_edge:.4g}  "
                 f"best GD lr 2/(λmax+λmin) {s.best_gd_lr:.4g}")
    else:
        facts = f"{where}λ {s.lam_min:.3g}, {s.lam_max:.3g}"
    if s.rate is None:   # one line: the panel is full of an adaptive rule's internals already
        return [Text(f"{facts} · adaptive: no fixed lr bound", style=MUTED)]
    lines = [Text(facts, style=MUTED)]
    how = "" if compact else f" ({s.bound_name})"
    rate = "" if s.escape_rate is not None else f", ρ {s.rate:.3g}/{'step' if compact else 'step predicted'}"
    if s.bound == float("inf"):
        lines.append(Text(f"{where}{s.bound_name}", style=MUTED))
    else:
        verdict = "stable" if s.stable else "UNSTABLE"
        lines.append(Text(f"{where}lr {row.lr:.4g} {'<' if s.stable else '≥'} {s.bound:.4g}{how}: {verdict}{rate}",
                          style="green" if s.stable else "bold red"))
    if s.escape_rate is not None:   # a saddle or a hilltop: every lr leaves along it, which is no blow-up
        lines.append(Text(f"{where}λmin {s.lam_min:.3g} < 0: it moves away along that direction, "
                          f"×{s.escape_rate:.6g}/step", style="yellow"))
    return lines


class Inspector(TextPanel):
    THROTTLED = True

    def draw(self, why: str):
        frame, view = self.frame, self.view
        row = frame.runs[view.selected]
        unit = frame.scene.unit
        look = run_look(row.index)
        compact = self.screen.has_class("-compact")
        parts = [Text.assemble((f"{look.head} {row.name}", f"bold {look.color}"),
                               (f"   {row.rule}, batch {row.batch}", "#bcbcbc"))]
        if not compact:  # (the equations are in the help screen too)
            parts += [Text("  " + line, style="#d7d7af") for line in row.equation]
        label = last_step_text(row, unit, frame.tick)
        corner = ""
        if compact:  # no line of its own: the table's corner says which step
            label, corner = None, f"{unit} {row.last_step}"
        if row.last_step == 0:
            parts.append(Text(f"no {unit} yet", style=MUTED))
        elif row.internals is not None:
            parts += [Text(label, style=MUTED)] if label else []
            parts.append(self._internals_table(row, frame.scene.param_names, corner, ".3g" if compact else ".4g"))
        elif row.layer_norms is not None:
            parts += [Text(label, style=MUTED)] if label else []
            parts.append(self._layer_table(row, corner or "layer", ("g", "step") if compact else None))
        elif frame.can_scrub and row.params.size <= 8:   # kept, but the history thinned this far back
            parts.append(Text(f"the numbers of {unit} {row.last_step} are not kept: the history thins its older "
                              f"{unit}s", style=MUTED))
        else:
            parts.append(Text(f"the numbers of past {unit}s are not kept for a race this size", style=MUTED))
        parts += stability_lines(row, compact)
        self.show(Group(*parts))

    @staticmethod
    def _internals_table(row, names, corner: str, digits: str) -> Table:
        table = Table(box=None, padding=(0, 1), header_style=f"bold {MUTED}")
        table.add_column(corner)
        for name in names:
            table.add_column(name, justify="right")
        for key, label in ROWS:
            if key in row.internals:
                table.add_row(label, *(f"{v:+{digits}}" for v in row.internals[key]))
        return table

    @staticmethod
    def _layer_table(row, corner: str, only=None) -> Table:
        """Many parameters (the MLP): the size of each internal, layer by layer (v̂ and ŝ are v
        and s rescaled: for a summary their sizes add nothing). `only`: these internals."""
        keys = [(k, label) for k, label in ROWS if k in row.layer_norms[0][1] and (only is None or k in only)]
        table = Table(box=None, padding=(0, 1), header_style=f"bold {MUTED}")
        table.add_column(corner)
        for _, label in keys:
            table.add_column(f"|{label}|", justify="right")
        for name, norms in row.layer_norms:
            table.add_row(name, *(f"{norms[k]:.2g}" for k, _ in keys))
        return table
