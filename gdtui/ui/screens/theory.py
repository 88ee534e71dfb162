"""The theory view (`y`): why the runs behave as they do, as of the cursor.

Tabs, each shown where it applies (playback/theory.py computes the numbers; this only draws):
the α–β rate map with the racers on it, the selected run's error along each eigen-direction
against the theory's line, the sharpness against each rule's bound (networks; computed in a
worker, replaying the setup to the cursor), and the gradient noise at the selected run's point.
"""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console, Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from ...playback import theory as data
from ...render.axes import log_ticks, nice_ticks
from ...render.palette import rgb, run_look
from ...render.ratemap import legend_text, rate_map_text, steps_per_efold
from ...render.tables import Column, fitted_table

MUTED = "#9e9e9e"
DIRECTION_COLORS = ("#ffaf5f", "#5fafff", "#d787ff", "#87d787")
FLOOR = 1e-16


def _fmt(x, digits: str = ".4g") -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:{digits}}"


class RateMapPart(Static):
    """A part of the rate-map tab, drawn again at whatever size the layout gives it."""

    def __init__(self, rate_map: data.RateMap, **kw):
        super().__init__(**kw)
        self.rate_map = rate_map

    def on_resize(self):
        self.redraw()

    def on_mount(self):
        self.redraw()

    def redraw(self):
        raise NotImplementedError


class RateMapView(RateMapPart):
    """The map itself."""

    def __init__(self, rate_map: data.RateMap, selected: int, **kw):
        super().__init__(rate_map, **kw)
        self.selected = selected

    def redraw(self):
        m = self.rate_map
        width, height = self.size
        if width < 20 or height < 6:
            return
        cols, rows = width - 6, height - 3
        rho = m.grid(cols, 2 * rows)
        x_range = (math.log10(m.lr_range[0]), math.log10(m.lr_range[1]))
        marks = [(math.log10(r.lr), r.beta, run_look(r.index).head, run_look(r.index).color)
                 for r in sorted(m.racers, key=lambda r: r.index == self.selected) if r.on_map]  # selected on top
        self.update(rate_map_text(rho, x_range, (0.0, data.BETA_MAX), marks))


class RacersTable(RateMapPart):
    """Predicted against measured, per racer: fitted to the width by dropping whole columns,
    never by cutting a number."""

    def __init__(self, rate_map: data.RateMap, unit: str, **kw):
        super().__init__(rate_map, **kw)
        self.unit = unit

    def redraw(self):
        m = self.rate_map
        columns = [Column("run"), Column("rule", drop=2), Column("lr", "right"), Column("β", "right"),
                   Column("ρ theory", "right"), Column("ρ measured", "right"),
                   Column("updates/e-fold" if self.unit == "epoch" else "steps/e-fold", "right", drop=1),
                   Column("stable lr <", "right", drop=3)]
        rows = []
        for r in m.racers:
            look = run_look(r.index)
            rows.append([Text(f"{look.head} {r.name}", style=look.color), r.rule, _fmt(r.lr), _fmt(r.beta, ".3g"),
                         Text(_fmt(r.predicted), style="bold red" if (r.predicted or 0) >= 1 else ""),
                         _fmt(r.measured),
                         steps_per_efold(r.predicted), "none (λ < 0)" if r.edge == 0 else _fmt(r.edge)])
        console = Console(width=max(20, self.size.width))
        parts = [fitted_table(console, columns, rows)]
        if any(r.measured is None and r.predicted is not None and not r.diverged for r in m.racers):
            parts.append(Text("measured —: too few steps at one lr, steps no linear recurrence fits (mini-batch "
                              "noise), or off quadratics a run that has not settled", style=MUTED))
        others = sorted({r.rule for r in m.racers if not r.on_map})
        if others:
            parts.append(Text(f"{', '.join(others)} runs have a map of their own: select one (tab) and press y",
                              style=MUTED))
        self.update(Group(*parts))


def log_axis(plt, values: np.ndarray, ticks: int = 5):
    """y ticks for log10 positions, with a margin so that no line runs along the frame."""
    finite = values[np.isfinite(values)]
    if len(finite):
        lo, hi = float(finite.min()), float(finite.max())
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        margin = 0.04 * (hi - lo)
        lo, hi = lo - margin, hi + margin
        marks = log_ticks(lo, hi, ticks)
        if marks:
            plt.yticks([p for p, _ in marks], [label for _, label in marks])
        plt.ylim(lo, hi)


def x_axis(plt, last: int, ticks: int = 5):
    marks = nice_ticks(0, max(last, 1), ticks, integer=True)
    plt.xticks(marks, [f"{int(m)}" for m in marks])
    plt.xlim(0, max(last, 1))


class TheoryScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,y", "dismiss", "close"),
                *(Binding(str(k), f"show_tab({k - 1})", f"tab {k}", show=False) for k in range(1, 5))]

    def __init__(self, theory: data.TheoryData, scenario, upto: int):
        super().__init__()
        self.theory = theory
        self.scenario = scenario   # the setup as it stands: replayed for the sharpness
        self.upto = upto

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        t = self.theory
        look = run_look(t.selected)
        with Vertical(id="theory-box"):
            yield Static(Text.assemble(("Why: the theory beside the race", "bold"),
                                       (f"   {t.unit} {t.tick} · selected ", MUTED), (f"{look.head} {t.run_name}", look.color)),
                         id="theory-title")
            with TabbedContent(id="theory-tabs"):
                if t.rate_map is not None:
                    with TabPane("rate map", id="tab-rates"), VerticalScroll():
                        yield RateMapView(t.rate_map, t.selected, id="rate-map")
                        yield RacersTable(t.rate_map, t.unit, id="racers")
                        yield Static(self._rate_caption(), id="rate-caption")
                if t.eigen is not None:
                    with TabPane("eigen-directions", id="tab-eigen"):
                        yield PlotextPlot(id="eigen-plot")
                        yield Static(self._eigen_caption(), id="eigen-caption")
                if t.sharpness:
                    with TabPane("sharpness", id="tab-sharpness"):
                        yield PlotextPlot(id="sharpness-plot")
                        yield Static(f"measuring the sharpness along every run's path to {t.unit} {t.tick}…",
                                     id="sharpness-caption")
                if t.noise is not None:
                    with TabPane("gradient noise", id="tab-noise"):
                        with Horizontal(id="noise-plots"):
                            if t.noise.cloud is not None:
                                yield PlotextPlot(id="noise-cloud")
                            yield PlotextPlot(id="noise-scale")
                        yield Static(self._noise_caption(), id="noise-caption")
            notes = "   ".join(t.notes)
            yield Static(("1–4 or click: the tabs · escape closes" + (f"   ({notes})" if notes else "")),
                         id="theory-hint")

    def on_mount(self):
        if self.theory.eigen is not None:
            self._draw_eigen()
        if self.theory.noise is not None:
            self._draw_noise()
        if self.theory.sharpness:
            self.compute_sharpness()

    def action_show_tab(self, index: int):
        panes = [pane.id for pane in self.query(TabPane)]
        if index < len(panes):
            self.query_one(TabbedContent).active = panes[index]

    # --- rate map ---------------------------------------------------------------------

    def _rate_caption(self) -> Group:
        m, t = self.theory.rate_map, self.theory
        lam = ", ".join(f"{x:.3g}" for x in m.eigenvalues)
        where = (f"local: the Hessian at {t.run_name}'s point now (λ {lam})" if m.local
                 else f"a quadratic: λ {lam}, the same everywhere")
        family = ("EMA momentum v ← βv + (1−β)g, p ← p − αv (GD is its row β = 0)" if m.family == "momentum"
                  else "Nesterov, gdtui's look-ahead form (GD is its row β = 0)")
        parts = [legend_text(), Text(f"ρ: the error's factor per step for {family}; {where}.", style=MUTED)]
        if m.note:
            parts.append(Text(m.note, style=MUTED))
        return Group(*parts)

    # --- eigen-directions ---------------------------------------------------------------

    def _eigen_caption(self) -> Text:
        e = self.theory.eigen
        out = Text()
        for i, label in enumerate(e.labels):
            rate = e.rates[i]
            out.append("━ ", style=DIRECTION_COLORS[i % 4])
            out.append(f"{label}" + ("" if rate is None else f", ρ {rate:.4g}") + "   ", style="")
        if e.theory is not None:
            out.append("dim: the theory |c₀|·ρᵗ (under the run's line where it follows it exactly)", style=MUTED)
        else:
            out.append("(no linear theory for this rule)", style=MUTED)
        where = "local Hessian at the run's point now" if e.local else "the quadratic's Hessian"
        out.append(f"\n|error| along each eigenvector of {where} (log scale): the steep direction converges or "
                   "oscillates, the flat one crawls.", style=MUTED)
        return out

    def _draw_eigen(self):
        e = self.theory.eigen
        plot = self.query_one("#eigen-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        with np.errstate(all="ignore"):
            ys = np.log10(np.maximum(e.errors, FLOOR))
            theory = None if e.theory is None else np.log10(np.maximum(e.theory, FLOOR))
        x = e.ticks.tolist()
        for i in range(ys.shape[1]):
            color = rgb(DIRECTION_COLORS[i % 4])
            if theory is not None:
                plt.plot(x, theory[:, i].tolist(), marker="braille", color=tuple(c // 2 for c in color))
            plt.plot(x, ys[:, i].tolist(), marker="braille", color=color)
        log_axis(plt, ys.ravel() if theory is None else np.concatenate([ys.ravel(), theory.ravel()]))
        x_axis(plt, int(e.ticks[-1]))
        plt.xlabel(self.theory.unit)
        plt.theme("clear")
        plot.refresh()

    # --- sharpness ----------------------------------------------------------------------

    @work(thread=True, exclusive=True)
    def compute_sharpness(self):
        series = data.sharpness_series(self.scenario, self.upto)
        self.app.call_from_thread(self._draw_sharpness, series)

    def _draw_sharpness(self, series):
        """Each run's sharpness over its own bound (log scale): 1 is the edge, for every run alike,
        so runs with bounds decades apart share one picture; the selected run is drawn last."""
        ticks, plain, pre, bounds, rules, names = series
        plot = self.query_one("#sharpness-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        shown = [np.array([0.0])]
        caption = Text()
        order = sorted(range(len(rules)), key=lambda r: r == self.theory.selected)
        for r in order:
            preconditioned = rules[r] in data.PRECONDITIONED
            values = pre[:, r] if preconditioned else plain[:, r]
            look = run_look(r)
            with np.errstate(all="ignore"):
                ratio = values / bounds[:, r]          # each tick against the bound at that tick's lr
            ok = np.isfinite(ratio) & (ratio > 0)
            if ok.any():
                y = np.log10(ratio[ok])
                plt.plot(ticks[ok].tolist(), y.tolist(), marker="braille", color=rgb(look.color))
                shown.append(y)
        plt.hline(0.0, color=(200, 200, 200))
        for r in range(len(rules)):
            values = pre[:, r] if rules[r] in data.PRECONDITIONED else plain[:, r]
            last = values[np.isfinite(values)][-1] if np.isfinite(values).any() else np.nan
            what = "λmax(P⁻¹H)" if rules[r] in data.PRECONDITIONED else "λmax"
            look = run_look(r)
            caption.append(f"{look.head} {names[r]}: {what} {_fmt(last, '.3g')}", style=look.color)
            caption.append(f" / bound {_fmt(bounds[-1, r], '.3g')}   ", style=MUTED)
        log_axis(plt, np.concatenate(shown))
        x_axis(plt, int(ticks[-1]) if len(ticks) else 1)
        plt.title("sharpness / its bound (log scale; 1: the edge of stability)")
        plt.xlabel(self.theory.unit)
        plt.theme("clear")
        plot.refresh()
        caption.append("\nSharpness: the largest eigenvalue of the full-batch Hessian; for adaptive rules the "
                       "preconditioned λmax(P⁻¹H), P = diag(√ŝ + ε). Bound: 2/lr for GD, 2(1+β)/((1−β)·lr) with "
                       "momentum or Adam's β1. With full batches and a large enough lr, GD's sharpness climbs to "
                       "its bound and hovers there: the edge of stability (Cohen et al. 2021; the edge_of_stability "
                       "lesson).", style=MUTED)
        self.query_one("#sharpness-caption", Static).update(caption)

    # --- gradient noise -----------------------------------------------------------------

    def _noise_caption(self) -> Text:
        n = self.theory.noise
        look = run_look(self.theory.selected)
        out = Text()
        out.append(f"at {look.head} {self.theory.run_name}'s point: ", style=look.color)
        out.append(f"|G| = {np.linalg.norm(n.full):.3g}, tr(Σ) = {n.trace:.3g} per example, "
                   f"B_simple = tr(Σ)/|G|² = {_fmt(n.b_simple, '.3g')}. ")
        if n.cloud is not None:
            out.append(f"Left: {len(n.cloud)} gradients of batches of {n.batch} (dots) around the full-batch "
                       "gradient (✕) and 0 (+); right: ", style=MUTED)
        out.append(f"B_simple along the run's path, and its batch size, {n.run_batch} (dim line). A batch much "
                   "smaller than B_simple is mostly noise; much larger buys little per example "
                   "(McCandlish et al. 2018).", style=MUTED)
        return out

    def _draw_noise(self):
        n = self.theory.noise
        look = run_look(self.theory.selected)
        color = rgb(look.color)
        if n.cloud is not None:
            plot = self.query_one("#noise-cloud", PlotextPlot)
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            plt.scatter(n.cloud[:, 0].tolist(), n.cloud[:, 1].tolist(), marker="dot", color=color)
            plt.scatter([float(n.full[0])], [float(n.full[1])], marker="✕", color=(255, 255, 255))
            plt.scatter([0.0], [0.0], marker="+", color=(158, 158, 158))
            plt.title("batch gradients")
            plt.theme("clear")
            plot.refresh()
        plot = self.query_one("#noise-scale", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        with np.errstate(all="ignore"):
            y = np.log10(np.where(n.b_path > 0, n.b_path, np.nan))
        ok = np.isfinite(y)
        shown = [y[ok], np.array([math.log10(max(n.run_batch, 1))])]
        if ok.any():
            plt.plot(n.ticks[ok].tolist(), y[ok].tolist(), marker="braille", color=color)
        plt.hline(math.log10(max(n.run_batch, 1)), color=tuple(c // 2 for c in color))
        log_axis(plt, np.concatenate(shown))
        x_axis(plt, int(n.ticks[-1]) if len(n.ticks) else 1)
        plt.title("B_simple along the path")
        plt.xlabel(self.theory.unit)
        plt.theme("clear")
        plot.refresh()
