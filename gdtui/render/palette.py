"""Colours and glyphs: the heatmap's levels and each run's identity.

A run has a colour *and* glyphs (a head and a trail mark), so the picture
still tells runs apart in monochrome (NO_COLOR). No trail mark looks like a
mark of the surface (the minimum ✕, a saddle ╳, the start ○).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RunLook:
    color: str      # hex
    head: str       # the run's current position
    trail: str      # its path, when trails are drawn with glyphs (monochrome)


RUN_LOOKS = (
    RunLook("#ff5f5f", "●", "·"),
    RunLook("#ffaf00", "▲", "+"),
    RunLook("#5fff87", "■", "="),
    RunLook("#ff87ff", "◆", "#"),
    RunLook("#ffffff", "★", "*"),
    RunLook("#00d7ff", "▼", ":"),
    RunLook("#d7ff5f", "✚", "~"),
    RunLook("#af87ff", "◉", "^"),
    RunLook("#ff875f", "✖", "%"),
)


def run_look(i: int) -> RunLook:
    return RUN_LOOKS[i % len(RUN_LOOKS)]


# The heatmap: dark for low loss, brighter for high; muted, so that the runs' colours stand out.
HEAT_STOPS = ((0.0, (8, 18, 40)), (0.35, (22, 62, 104)), (0.7, (58, 118, 128)), (1.0, (150, 160, 120)))
N_LEVELS = 16
MAX_DECADES = 6.0     # levels span at most this many powers of ten


def _interpolate(stops, t: float) -> tuple[int, int, int]:
    for (t0, c0), (t1, c1) in zip(stops, stops[1:]):
        if t <= t1:
            u = (t - t0) / (t1 - t0)
            return tuple(int(round(a + (b - a) * u)) for a, b in zip(c0, c1))
    return stops[-1][1]


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def blend(color: str, toward: str, t: float) -> str:
    """`color` moved a fraction t of the way to `toward` (hex colours)."""
    return _hex(round(a + (b - a) * t) for a, b in zip(rgb(color), rgb(toward)))


DIM_GREY = "#4e4e4e"   # what dimmed runs (another has the spotlight) fade towards
OLD_GREY = "#3a3a3a"   # what the older parts of a trail fade towards


def old_color(color: str) -> str:
    """The older part of a trail: still the run's hue, much darker."""
    return blend(color, OLD_GREY, 0.55)


def dim_color(color: str) -> str:
    """A run out of the spotlight: nearly grey."""
    return blend(color, DIM_GREY, 0.75)


def heat_colors(n: int = N_LEVELS) -> list[str]:
    """n level colours, then the same n lightened: the colour of a level's edge pixels."""
    base = [_interpolate(HEAT_STOPS, i / (n - 1)) for i in range(n)]
    edge = [tuple(min(255, int(c + (255 - c) * 0.10)) for c in rgb) for rgb in base]
    return [_hex(c) for c in base + edge]


def loss_levels(values: np.ndarray, floor: float, n: int = N_LEVELS) -> np.ndarray:
    """Log-spaced level index (0 .. n-1) of each loss value, measured above `floor`
    (f* where known, else the smallest value shown)."""
    gap = np.asarray(values, dtype=float) - floor
    finite = np.isfinite(gap)
    positive = gap[finite & (gap > 0)]
    if not len(positive):
        return np.zeros(gap.shape, dtype=int)
    logs = np.log10(np.where(finite & (gap > 0), gap, positive.min()))
    hi = float(np.log10(positive.max()))
    lo = max(float(np.log10(positive.min())), hi - MAX_DECADES)
    if hi - lo < 1e-12:
        return np.zeros(gap.shape, dtype=int)
    level = np.floor((logs - lo) / (hi - lo) * n).astype(int)
    level = np.clip(level, 0, n - 1)
    level[~finite] = n - 1
    return level


def with_edges(level: np.ndarray, n: int = N_LEVELS) -> np.ndarray:
    """Colour codes: a pixel whose level differs from its right or lower neighbour
    is an edge pixel (code level + n), which draws the contour lines."""
    edge = np.zeros(level.shape, dtype=bool)
    edge[:, :-1] |= level[:, :-1] != level[:, 1:]
    edge[:-1, :] |= level[:-1, :] != level[1:, :]
    return level + n * edge
