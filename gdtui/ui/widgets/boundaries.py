"""Networks on two-input data: each run's decision boundary, side by side.

Each panel is the run's predicted probability over the data's box as a
half-block heatmap (blue for class 0, red for class 1, a bright line where it
crosses 0.5), with the training points on top. The probabilities come with
the frame (Frame.probabilities): this widget only colours them.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip

from ...render.palette import _hex, _interpolate, dim_color, run_look
from ...render.surface import PLAIN, StyleBook, row_segments
from .base import PanelWidget

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


def panel_title(head: str, row, width: int) -> str:
    """"● GD  acc 65.0%  loss 0.668", shortened to fit: the loss goes first, then the words."""
    accuracy = "" if row.accuracy is None else f"{row.accuracy:.1%}"
    for title in (f"{head} {row.name}  acc {accuracy}  loss {row.loss:.3g}", f"{head} {row.name}  acc {accuracy}",
                  f"{head} {row.name} {accuracy}"):
        if len(title) <= width:
            return title
    return f"{head} {row.name}"[: width - len(accuracy) - 1] + " " + accuracy


def point_cells(points, labels, box, cols: int, rows: int):
    """The data points as glyphs: • coloured by class (the last point in a cell wins)."""
    (x0, x1), (y0, y1) = box
    col = np.floor((points[:, 0] - x0) / (x1 - x0) * cols).astype(int)
    row = np.floor((y1 - points[:, 1]) / (y1 - y0) * rows).astype(int)
    ok = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    glyphs = np.zeros((rows, cols), dtype=np.int32)
    inks = np.zeros((rows, cols), dtype=np.int16)
    glyphs[row[ok], col[ok]] = ord("•")
    inks[row[ok], col[ok]] = labels[ok].astype(int)
    return glyphs, inks


class Boundaries(PanelWidget):
    DEFAULT_CSS = "Boundaries { width: 1fr; height: 1fr; }"
    THROTTLED = True

    class RunClicked(Message):
        def __init__(self, run: int):
            super().__init__()
            self.run = run

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.book = StyleBook(prob_colors())
        self._lines: list[Strip] = []
        self._panels: list[tuple[int, int, int]] = []   # (first column, last column, run)

    def draw(self, why: str):
        frame, view = self.frame, self.view
        width, height = self.size.width, self.size.height
        runs = [r for r in range(len(frame.runs)) if r not in view.hidden]
        if not width or height < 3 or not runs:
            self._lines = [Strip.blank(width, PLAIN)] * height
            self.refresh()
            return
        panel = max((width - GAP * (len(runs) - 1)) // len(runs), 4)
        rows = height - 1
        box = frame.scene.data_box
        prob = frame.probabilities(box, panel, 2 * rows)
        glyphs, inks = point_cells(frame.scene.points, frame.scene.labels, box, panel, rows)
        ink_table = [(POINT_COLORS[0], True), (POINT_COLORS[1], True)]
        titles, bodies = [], []
        self._panels = []
        for k, r in enumerate(runs):
            row = frame.runs[r]
            look = run_look(r)
            title = panel_title(look.head, row, panel)
            color = dim_color(look.color) if view.dimmed(r) else look.color
            style = Style(color=color, bold=True, underline=r == view.selected)
            titles.append([Segment(title[:panel].ljust(panel), style)])
            codes = prob_codes(prob[r])
            bodies.append([row_segments(codes[2 * i], codes[2 * i + 1], glyphs[i], inks[i], self.book, ink_table)
                           for i in range(rows)])
            self._panels.append((k * (panel + GAP), k * (panel + GAP) + panel, r))
        gap = [Segment(" " * GAP, PLAIN)]
        lines = [Strip(_join(titles, gap), width).crop(0, width)]
        for i in range(rows):
            lines.append(Strip(_join([b[i] for b in bodies], gap), width).crop(0, width))
        self._lines = lines
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y].extend_cell_length(self.size.width, PLAIN)
        return Strip.blank(self.size.width, PLAIN)

    def on_click(self, event: events.Click):
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for first, last, run in self._panels:
            if first <= offset.x < last:
                self.post_message(self.RunClicked(run))


def _join(parts, gap):
    out = []
    for k, p in enumerate(parts):
        if k:
            out += gap
        out += p
    return out
