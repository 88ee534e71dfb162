"""What is drawn over the heatmap, cell by cell: trails, marks and each run's head.

The result is two (rows, cols) grids: `glyphs` (a code point, 0 where the
heatmap shows) and `inks` (an index into the ink table the widget builds:
per run, the kinds below, then the marks' ink). One run owns a cell: the
last one drawn, and the selected run is drawn last, so it is on top
everywhere; its dots are the only dots in that cell.
"""

from __future__ import annotations

import numpy as np

from .trails import BRAILLE_BASE

# the inks of a run, in this order in the ink table
BRIGHT, OLD, DIM, HEAD, HEAD_DIM = range(5)
KINDS = 5


def ink(run: int, kind: int) -> int:
    return run * KINDS + kind


def trail_layer(bits: np.ndarray, stamps: np.ndarray, order, tick: int, fade_after: int | None, dimmed,
                trail_glyphs=None) -> tuple[np.ndarray, np.ndarray]:
    """Trails of the runs in `order` (later ones on top): bits and stamps are (R, rows, cols).
    A cell last drawn more than `fade_after` ticks before `tick` gets the OLD ink (None:
    trails never fade); runs in `dimmed` get the DIM ink. With `trail_glyphs` (monochrome),
    a run's cells show its glyph instead of its braille dots."""
    shape = bits.shape[1:]
    glyphs = np.zeros(shape, dtype=np.int32)
    inks = np.zeros(shape, dtype=np.int16)
    if not len(order):
        return glyphs, inks
    order = np.asarray(order)
    drawn = bits[order] > 0                                   # (k, rows, cols)
    covered = drawn.any(axis=0)
    # the owner of each cell: the last run in `order` that drew into it
    top = len(order) - 1 - np.argmax(drawn[::-1], axis=0)
    owner = order[top][covered]
    rows, cols = np.nonzero(covered)
    if trail_glyphs is not None:
        glyphs[covered] = np.array([ord(g) for g in trail_glyphs])[owner]
    else:
        glyphs[covered] = BRAILLE_BASE + bits[owner, rows, cols].astype(np.int32)
    kind = np.full(len(owner), BRIGHT)
    if fade_after is not None:
        kind[stamps[owner, rows, cols] < tick - fade_after] = OLD
    kind[np.isin(owner, list(dimmed))] = DIM
    inks[covered] = owner * KINDS + kind
    return glyphs, inks


def data_to_cell(point, box, cols: int, rows: int) -> tuple[int, int]:
    """The (col, row) of the cell holding data point (x, y); may lie outside the grid."""
    (x0, x1), (y0, y1) = box
    return int(np.floor((point[0] - x0) / (x1 - x0) * cols)), int(np.floor((y1 - point[1]) / (y1 - y0) * rows))


def put(glyphs: np.ndarray, inks: np.ndarray, point, box, glyph: str, ink_index: int, clamp: bool = False):
    """A glyph at a data point. Off the grid: nothing, or with `clamp` an arrow at the edge
    pointing where the point went (a run that left the view)."""
    x, y = float(point[0]), float(point[1])
    if not (np.isfinite(x) and np.isfinite(y)):
        return
    rows, cols = glyphs.shape
    col, row = data_to_cell((x, y), box, cols, rows)
    if not (0 <= col < cols and 0 <= row < rows):
        if not clamp:
            return
        glyph = "←" if col < 0 else "→" if col >= cols else "↑" if row < 0 else "↓"
        col, row = min(max(col, 0), cols - 1), min(max(row, 0), rows - 1)
    glyphs[row, col] = ord(glyph)
    inks[row, col] = ink_index
