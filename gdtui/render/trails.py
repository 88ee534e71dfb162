"""Trajectories rasterized into braille dots: 2 x 4 dots per terminal cell.

A run's trail is a (rows, cols) grid of braille bit patterns; drawing a path
ORs the dots of its line segments into the grid, so a zig-zag stays visible
as the lines it is made of.
"""

from __future__ import annotations

import numpy as np

# dot bit of braille sub-pixel (row 0..3, column 0..1) inside a cell
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
BRAILLE_BASE = 0x2800


def to_subpixels(points: np.ndarray, view, cols: int, rows: int) -> np.ndarray:
    """Data coordinates -> sub-pixel coordinates (x right, y down), 2*cols by 4*rows."""
    (x0, x1), (y0, y1) = view
    sx = (points[:, 0] - x0) / (x1 - x0) * (2 * cols)
    sy = (y1 - points[:, 1]) / (y1 - y0) * (4 * rows)
    return np.stack([sx, sy], axis=1)


def _clip(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray):
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


def draw_path(grid: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """OR the dots of the polyline `sub` (sub-pixel coordinates, (N, 2)) into `grid`.
    Returns the rows of `grid` that were touched."""
    rows, cols = grid.shape
    finite = np.all(np.isfinite(sub), axis=1)
    if len(sub) == 1 or (len(sub) > 1 and not finite[1:].any()):
        pts = sub[finite]
    else:
        a, b = sub[:-1], sub[1:]
        ok = finite[:-1] & finite[1:]
        a, b, keep = _clip(a[ok], b[ok], np.array([-1.0, -1.0]), np.array([2.0 * cols + 1, 4.0 * rows + 1]))
        a, b = a[keep], b[keep]
        if not len(a):
            return np.zeros(0, dtype=int)
        n = np.ceil(np.max(np.abs(b - a), axis=1) * 1.5).astype(int) + 1
        seg = np.repeat(np.arange(len(a)), n)
        first = np.repeat(np.cumsum(n) - n, n)
        t = (np.arange(n.sum()) - first) / np.maximum(n - 1, 1)[seg]
        pts = a[seg] + t[:, None] * (b - a)[seg]
    ix = np.floor(pts[:, 0]).astype(np.int64)
    iy = np.floor(pts[:, 1]).astype(np.int64)
    inside = (ix >= 0) & (ix < 2 * cols) & (iy >= 0) & (iy < 4 * rows)
    ix, iy = ix[inside], iy[inside]
    np.bitwise_or.at(grid, (iy // 4, ix // 2), BRAILLE_BITS[iy % 4, ix % 2])
    return np.unique(iy // 4)
