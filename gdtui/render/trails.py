"""Trajectories rasterized into braille dots: 2 x 4 dots per terminal cell.

A run's trail is a (rows, cols) grid of braille bit patterns; drawing a path
ORs the dots of its line segments into the grid, so a zig-zag stays visible
as the lines it is made of. Beside the bits, a grid of *stamps* keeps the
latest tick that drew into each cell, so older parts of a trail can fade.
"""

from __future__ import annotations

import numpy as np

# dot bit of braille sub-pixel (row 0..3, column 0..1) inside a cell
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
BRAILLE_BASE = 0x2800
NEVER = -1  # the stamp of a cell no tick drew into


def to_subpixels(points: np.ndarray, box, cols: int, rows: int) -> np.ndarray:
    """Data coordinates -> sub-pixel coordinates (x right, y down), 2*cols by 4*rows."""
    (x0, x1), (y0, y1) = box
    sx = (points[:, 0] - x0) / (x1 - x0) * (2 * cols)
    sy = (y1 - points[:, 1]) / (y1 - y0) * (4 * rows)
    return np.stack([sx, sy], axis=1)


def clip_segments(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Liang-Barsky: the part of each segment a->b inside the box [lo, hi]; `keep` marks the
    segments that touch it (so a diverging run never asks for millions of samples)."""
    d = b - a
    t0 = np.zeros(len(a))
    t1 = np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            for p, q in ((-d[:, axis], a[:, axis] - lo[axis]), (d[:, axis], hi[axis] - a[:, axis])):
                parallel = p == 0
                keep &= ~(parallel & (q < 0))
                r = q / p
                entering = ~parallel & (p < 0)
                leaving = ~parallel & (p > 0)
                t0 = np.where(entering, np.maximum(t0, r), t0)
                t1 = np.where(leaving, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return a + t0[:, None] * d, a + t1[:, None] * d, keep


def rasterize(sub: np.ndarray, cols: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The dots of the polyline `sub` ((N, 2) sub-pixel coordinates) inside a grid of
    cols x rows cells: (x, y, segment) with x in 0..2*cols-1, y in 0..4*rows-1 and the index
    of the segment (point k to k+1) each dot lies on; a single point is segment 0."""
    x, y, seg, _ = rasterize_many(sub[None], cols, rows)
    return x, y, seg


def rasterize_many(subs: np.ndarray, cols: int, rows: int):
    """`rasterize` for P polylines of the same length at once ((P, N, 2)): (x, y, segment,
    polyline) of every dot, in one vectorized pass (a frame draws every run's new steps)."""
    P, N = subs.shape[:2]
    finite = np.all(np.isfinite(subs), axis=2)                       # (P, N)
    if N == 1:
        line, seg = np.nonzero(finite)
        pts = subs[line, seg]
    else:
        ok = finite[:, :-1] & finite[:, 1:]                          # (P, N-1) segments with both ends
        line, index = np.nonzero(ok)
        a, b, keep = clip_segments(subs[line, index], subs[line, index + 1], np.array([-1.0, -1.0]),
                                   np.array([2.0 * cols + 1, 4.0 * rows + 1]))
        a, b, line, index = a[keep], b[keep], line[keep], index[keep]
        # a polyline whose later points are all non-finite (a run that blew up at once): its start
        alone = finite[:, 0] & ~finite[:, 1:].any(axis=1)
        if not len(a) and not alone.any():
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        # samples 2/3 of a sub-pixel apart: no gaps in a line at any slope
        n = np.ceil(np.max(np.abs(b - a), axis=1) * 1.5).astype(int) + 1
        owner = np.repeat(np.arange(len(a)), n)
        first = np.repeat(np.cumsum(n) - n, n)
        t = (np.arange(n.sum()) - first) / np.maximum(n - 1, 1)[owner]
        pts = a[owner] + t[:, None] * (b - a)[owner]
        seg, line = index[owner], line[owner]
        if alone.any():
            starts = np.flatnonzero(alone)
            pts = np.concatenate([pts, subs[starts, 0]])
            seg = np.concatenate([seg, np.zeros(len(starts), dtype=seg.dtype)])
            line = np.concatenate([line, starts])
    x = np.floor(pts[:, 0]).astype(np.int64)
    y = np.floor(pts[:, 1]).astype(np.int64)
    inside = (x >= 0) & (x < 2 * cols) & (y >= 0) & (y < 4 * rows)
    return x[inside], y[inside], seg[inside], line[inside]


def draw_path(bits: np.ndarray, sub: np.ndarray, stamps: np.ndarray | None = None, first_tick: int = 0):
    """OR the dots of the polyline `sub` into `bits` ((rows, cols) braille patterns). With
    `stamps`, each cell a dot falls in records the tick its segment ends at: point k of
    `sub` is tick first_tick + k. Returns the (row, col) arrays of the cells drawn into."""
    return draw_paths(bits[None], sub[None], None if stamps is None else stamps[None], first_tick)[1:]


PIECE = 2048   # points of a polyline rasterized at once: a long history is drawn in pieces, in bounded memory


def draw_paths(bits: np.ndarray, subs: np.ndarray, stamps: np.ndarray | None = None, first_tick: int = 0,
               ticks: np.ndarray | None = None):
    """`draw_path` for P polylines into P grids at once: bits (P, rows, cols), subs (P, N, 2),
    stamps (P, rows, cols); `ticks` (N,), if given, is the tick of each point (a thinned history),
    else point k is tick first_tick + k. Returns the (polyline, row, col) arrays of the cells drawn into."""
    N = subs.shape[1]
    ticks = first_tick + np.arange(N) if ticks is None else np.asarray(ticks)
    drawn = [_draw_piece(bits, subs[:, lo: lo + PIECE + 1], stamps, ticks[lo: lo + PIECE + 1])
             for lo in range(0, max(N - 1, 1), PIECE)]   # pieces share their end points: no gap
    return tuple(np.concatenate(parts) for parts in zip(*drawn))


def _draw_piece(bits, subs, stamps, ticks):
    _, rows, cols = bits.shape
    x, y, seg, line = rasterize_many(subs, cols, rows)
    cell_row, cell_col = y // 4, x // 2
    np.bitwise_or.at(bits, (line, cell_row, cell_col), BRAILLE_BITS[y % 4, x % 2])
    if stamps is not None:
        end = seg + (1 if subs.shape[1] > 1 else 0)   # the point each segment ends at
        np.maximum.at(stamps, (line, cell_row, cell_col), ticks[end])
    return line, cell_row, cell_col
