"""The selected run's update rule, and the numbers inside its last step."""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ...core.optimizers import RULES
from ...render.palette import run_look
from .base import PlaybackStatic

ROWS = (("g", "g"), ("v", "v"), ("s", "s"), ("v_hat", "v̂"), ("s_hat", "ŝ"), ("d", "d"), ("step", "step"))


def stability(problem, rule: str, lr: float, beta: float | None) -> tuple[dict, str | None]:
    """On a quadratic bowl: its curvature facts and whether `lr` is stable for `rule`."""
    eig = problem.hessian_eigenvalues()
    if eig is None:
        return {}, None
    lam_min, lam_max = eig
    facts = {"κ": lam_max / lam_min, "λmax": lam_max, "2/λmax": 2 / lam_max, "best GD lr 2/(λmax+λmin)": 2 / (lam_max + lam_min)}
    if rule == "gd":
        bound = 2 / lam_max
    elif rule in ("momentum", "nesterov") and beta is not None:
        # the EMA form is the heavy ball with lr*(1-beta): stable while lr*(1-beta)*lmax < 2(1+beta)
        bound = 2 * (1 + beta) / ((1 - beta) * lam_max) if beta < 1 else float("inf")
    else:
        return facts, "adaptive step: no fixed lr bound"
    verdict = "stable" if lr < bound else "UNSTABLE"
    return facts, f"lr {lr:.4g} {'<' if lr < bound else '≥'} {bound:.4g}: {verdict}"


def _norm(a) -> str:
    value = float(np.sqrt(np.nansum(np.asarray(a) ** 2)))
    return f"{value:.2g}"


class Inspector(PlaybackStatic):

    def show(self):
        pb = self.playback
        race = pb.race
        r = pb.selected
        run = race.runs[r]
        look = run_look(r)
        rule = RULES[run.rule]
        header = Text.assemble((f"{look.head} {run.name}", f"bold {look.color}"),
                               (f"   {run.rule}, batch {run.batch_label}", "#bcbcbc"))
        parts = [header]
        parts += [Text("  " + line, style="#d7d7af") for line in rule.equation]
        internals = race.history.internals(pb.cursor) if pb.cursor > 0 else None
        if internals is not None:
            table = Table(box=None, padding=(0, 1), header_style="bold #9e9e9e")
            table.add_column("")
            names = pb.problem.param_names
            for name in names:
                table.add_column(name, justify="right")
            for key, label in ROWS:
                row = internals[key][r]
                if np.all(np.isnan(row)):
                    continue
                table.add_row(label, *(f"{v:+.4g}" for v in row))
            parts.append(Text(f"last {pb.unit} ({pb.cursor}):", style="#9e9e9e"))
            parts.append(table)
        elif pb.cursor == 0:
            parts.append(Text("no step yet", style="#9e9e9e"))
        elif pb.at_head and hasattr(pb.problem, "parameter_views"):
            parts.append(self._layer_norms(pb, r))
        lr = float(race.history.lr[pb.cursor][r]) if pb.cursor > 0 else float(race.lr[r])
        beta = race.get_hyper(r, "beta") if "beta" in rule.hyper else None
        facts, verdict = stability(pb.problem, run.rule, lr, beta)
        if facts:
            parts.append(Text("  ".join(f"{k} {v:.4g}" for k, v in facts.items()), style="#9e9e9e"))
            parts.append(Text(verdict, style="bold red" if "UNSTABLE" in verdict else "green"))
        self.update(Group(*parts), layout=False)  # a fixed height (gdtui.tcss): no layout pass

    @staticmethod
    def _layer_norms(pb, r):
        """Many parameters (the MLP): the size of g and of the step, layer by layer."""
        internals = pb.race.internals()
        # v-hat and s-hat are v and s rescaled: for a summary, their sizes add nothing
        keys = [(k, label) for k, label in ROWS
                if k not in ("v_hat", "s_hat") and not np.all(np.isnan(internals[k][r]))]
        views = {k: pb.problem.parameter_views(internals[k][r:r + 1]) for k, _ in keys}
        table = Table(box=None, padding=(0, 1), header_style="bold #9e9e9e")
        table.add_column(f"last {pb.unit}")
        for _, label in keys:
            table.add_column(f"|{label}|", justify="right")
        for name in pb.problem.parameter_views(pb.race.P[r:r + 1]):
            table.add_row(name, *(_norm(views[k][name]) for k, _ in keys))
        return table
