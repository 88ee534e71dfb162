"""MLP problems: each run's decision boundary, side by side.

Each panel is the predicted probability over the data's box as a half-block
heatmap (blue for class 0, red for class 1, a bright line where it crosses
0.5), with the training points on top.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from ...playback import Playback
from ...render.palette import _hex, _interpolate, run_look
from ...render.surface import PLAIN, StyleBook, pixel_centres, row_segments

LEVELS = 10
PROB_STOPS = ((0.0, (22, 52, 110)), (0.5, (58, 58, 72)), (1.0, (118, 36, 42)))
POINT_COLORS = ("#8fd7ff", "#ffab91")  # class 0, class 1
GAP = 2


def prob_colors() -> list[str]:
    base = [_interpolate(PROB_STOPS, (i + 0.5) / LEVELS) for i in range(LEVELS)]
    return [_hex(c) for c in base] + ["#b4b4b4"] * LEVELS  # edge pixels: the 0.5 boundary


def prob_codes(prob: np.ndarray) -> np.ndarray:
    """Level of each probability, plus LEVELS where the prediction flips (the boundary)."""
    level = np.clip((prob * LEVELS).astype(int), 0, LEVELS - 1)
    side = prob > 0.5
    edge = np.zeros(prob.shape, dtype=bool)
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    edge[:-1, :] |= side[:-1, :] != side[1:, :]
    return level + LEVELS * edge


class Boundaries(Widget):
    DEFAULT_CSS = "Boundaries { width: 1fr; height: 1fr; }"

    def __init__(self, playback: Playback, **kwargs):
        super().__init__(**kwargs)
        self.playback = playback
        self.book = StyleBook(prob_colors())
        self._lines: list[Strip] = []

    def on_resize(self):
        self.sync()

    def sync(self):
        width, height = self.size.width, self.size.height
        pb = self.playback
        runs = [r for r in range(pb.race.R) if r not in pb.hidden]
        if not width or height < 3 or not runs:
            self._lines = [Strip.blank(width, PLAIN)] * height
            self.refresh()
            return
        panel = max((width - GAP * (len(runs) - 1)) // len(runs), 4)
        rows = height - 1
        view = pb.problem.view
        pts = pixel_centres(view, panel, 2 * rows)
        params = pb.params_at()[runs]
        with np.errstate(all="ignore"):
            prob = pb.problem.predict(params, pts).reshape(len(runs), 2 * rows, panel)
            prob = np.nan_to_num(prob, nan=0.5)
        glyphs, inks = self._points(view, panel, rows)
        accuracy = pb.problem.accuracy(params)
        loss = pb.race.history.loss[pb.cursor][runs]
        ink_table = [(POINT_COLORS[0], True), (POINT_COLORS[1], True)]
        titles, bodies = [], []
        for k, r in enumerate(runs):
            look = run_look(r)
            title = f"{look.head} {pb.race.runs[r].name}  acc {accuracy[k]:.1%}  loss {loss[k]:.3g}"
            style = Style(color=look.color, bold=True, underline=r == pb.selected)
            titles.append([Segment(title[:panel].ljust(panel), style)])
            codes = prob_codes(prob[k])
            bodies.append([row_segments(codes[2 * i], codes[2 * i + 1], glyphs[i], inks[i], self.book, ink_table)
                           for i in range(rows)])
        gap = [Segment(" " * GAP, PLAIN)]
        lines = [Strip(_join(titles, gap), width).crop(0, width)]
        for i in range(rows):
            lines.append(Strip(_join([b[i] for b in bodies], gap), width).crop(0, width))
        self._lines = lines
        self.refresh()

    def _points(self, view, cols, rows):
        """The data points as glyphs: ● coloured by class (the last point in a cell wins)."""
        (x0, x1), (y0, y1) = view
        X, y = self.playback.problem.X, self.playback.problem.y
        col = np.floor((X[:, 0] - x0) / (x1 - x0) * cols).astype(int)
        row = np.floor((y1 - X[:, 1]) / (y1 - y0) * rows).astype(int)
        ok = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        glyphs = np.zeros((rows, cols), dtype=np.int32)
        inks = np.zeros((rows, cols), dtype=np.int16)
        glyphs[row[ok], col[ok]] = ord("•")
        inks[row[ok], col[ok]] = y[ok].astype(int)
        return glyphs, inks

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y].extend_cell_length(self.size.width, PLAIN)
        return Strip.blank(self.size.width, PLAIN)


def _join(parts, gap):
    out = []
    for k, p in enumerate(parts):
        if k:
            out += gap
        out += p
    return out
