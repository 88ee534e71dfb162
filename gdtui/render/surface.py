"""The surface view as terminal cells.

The loss is sampled at two pixels per cell (upper and lower half of "▀"),
mapped to log-spaced levels, and each cell becomes a Segment whose
foreground is the upper pixel and background the lower one. Marks (minima,
trails, run heads) replace a cell's glyph and keep its heatmap background.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style

from .palette import loss_levels, with_edges

HALF_BLOCK = "▀"
# Every segment carries a Style, never None: Textual's monochrome filter (NO_COLOR) fails on None.
PLAIN = Style()


def heat_codes(values: np.ndarray, floor: float | None = None) -> np.ndarray:
    """Colour code of every pixel of a loss field ((2*rows, cols), row 0 at the top): its
    log-spaced level above `floor` (f* where known, else the smallest value shown), plus
    N_LEVELS on the edges between levels, which draws the contour lines."""
    if floor is None:
        finite = values[np.isfinite(values)]
        floor = float(finite.min()) if len(finite) else 0.0
    return with_edges(loss_levels(values, floor))


class StyleBook:
    """Every Style the surface uses, made once and reused (never one per cell per frame)."""

    def __init__(self, heat_colors: list[str]):
        self.heat_colors = heat_colors
        self._heat: dict[tuple[int, int], Style] = {}
        self._marks: dict[tuple[str, int, bool], Style] = {}

    def heat(self, top: int, bottom: int) -> Style:
        key = (top, bottom)
        style = self._heat.get(key)
        if style is None:
            style = self._heat[key] = Style(color=self.heat_colors[top], bgcolor=self.heat_colors[bottom])
        return style

    def mark(self, color: str, background: int, bold: bool = False) -> Style:
        key = (color, background, bold)
        style = self._marks.get(key)
        if style is None:
            style = self._marks[key] = Style(color=color, bgcolor=self.heat_colors[background], bold=bold)
        return style


CHUNK = 8  # no segment crosses a multiple of 8 columns (see row_segments)


def row_segments(top, bottom, glyphs, inks, book: StyleBook, ink_table) -> list[Segment]:
    """One row of cells. glyphs: code points (0: show the heatmap); inks: index into
    ink_table, a list of (colour, bold).

    Cells of one style are joined into a segment, but never across a multiple
    of CHUNK columns: Textual repaints a changed cell by rewriting the
    segments it touches, so short segments keep a moving head from resending
    much of a row."""
    n = len(top)
    marked = glyphs != 0
    # one number per distinct style: heat cells by their two pixel codes, marks by ink and background
    style_id = np.where(marked, 1_000_000 + inks.astype(np.int64) * 1024 + top, top.astype(np.int64) * 1024 + bottom)
    cut = np.ones(n, dtype=bool)
    cut[1:] = (style_id[1:] != style_id[:-1]) | (np.arange(1, n) % CHUNK == 0)
    starts = np.flatnonzero(cut).tolist()
    segments: list[Segment] = []
    for a, b in zip(starts, starts[1:] + [n]):
        if marked[a]:
            color, bold = ink_table[inks[a]]
            segments.append(Segment("".join(map(chr, glyphs[a:b])), book.mark(color, int(top[a]), bold)))
        else:
            segments.append(Segment(HALF_BLOCK * (b - a), book.heat(int(top[a]), int(bottom[a]))))
    return segments
