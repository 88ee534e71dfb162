"""The α–β rate map (Goh 2017, "Why Momentum Really Works") as terminal text.

Each cell holds two pixels (the upper half block ▀: foreground on top, background below).
A pixel's colour says how fast the error shrinks there: the steps per e-fold, −1/ln ρ, on a
log scale from 1 (deep blue) to 1000 (pale yellow); where ρ ≥ 1 the run diverges (red,
darker the faster it blows up). Pixels on the ρ = 1 boundary are white: the stable edge.
Racers sit on the map as their glyphs, in their colours.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from .axes import log_ticks, nice_ticks, tick_label
from .palette import _hex, _interpolate

FAST_TO_SLOW = ((0.0, (20, 40, 120)), (0.45, (40, 120, 150)), (0.8, (170, 190, 110)), (1.0, (250, 240, 180)))
DIVERGING = ((0.0, (150, 40, 40)), (1.0, (70, 10, 10)))
EDGE = "#ffffff"
LEVELS = 24
AXIS = "#9e9e9e"


def rho_codes(rho: np.ndarray) -> np.ndarray:
    """Colour code per pixel: 0..LEVELS-1 converging (fast to slow), LEVELS..2·LEVELS-1
    diverging (barely to wildly), 2·LEVELS the ρ = 1 edge."""
    rho = np.asarray(rho, dtype=float)
    stable = rho < 1
    with np.errstate(all="ignore"):
        efold = np.where(stable & (rho > 0), -1 / np.log(np.where(stable & (rho > 0), rho, 0.5)), 1.0)
        slow = np.clip(np.log10(np.maximum(efold, 1)) / 3, 0, 1)
        wild = np.clip(np.log10(np.where(stable, 1, np.nan_to_num(rho, nan=10.0, posinf=10.0))), 0, 1)
    codes = np.where(stable, np.minimum((slow * LEVELS).astype(int), LEVELS - 1),
                     LEVELS + np.minimum((wild * LEVELS).astype(int), LEVELS - 1))
    edge = np.zeros(rho.shape, dtype=bool)
    edge[:, :-1] |= stable[:, :-1] != stable[:, 1:]
    edge[:-1, :] |= stable[:-1, :] != stable[1:, :]
    return np.where(edge, 2 * LEVELS, codes)


def code_colors() -> list[str]:
    fast = [_hex(_interpolate(FAST_TO_SLOW, i / (LEVELS - 1))) for i in range(LEVELS)]
    wild = [_hex(_interpolate(DIVERGING, i / (LEVELS - 1))) for i in range(LEVELS)]
    return fast + wild + [EDGE]


COLORS = code_colors()


def rate_map_text(rho: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float],
                  marks: list[tuple[float, float, str, str]], x_label: str = "learning rate α",
                  y_label: str = "β") -> Text:
    """The map of `rho` (pixel_rows × cols, row 0 at the top; pixel rows = 2 × text rows) with
    a β axis on the left and a log lr axis below. x_range: log10 of the first and last column's
    lr; y_range: β of the bottom and top pixel. marks: (log10 lr, β, glyph, colour)."""
    pixel_rows, cols = rho.shape
    rows = pixel_rows // 2
    codes = rho_codes(rho[: 2 * rows])
    (x0, x1), (y0, y1) = x_range, y_range
    cells: dict[tuple[int, int], tuple[str, str]] = {}
    for x, y, glyph, color in marks:
        col = round((x - x0) / (x1 - x0) * (cols - 1)) if x1 > x0 else 0
        row = round((y1 - y) / (y1 - y0) * (rows - 1)) if y1 > y0 else 0
        if 0 <= col < cols and 0 <= row < rows:
            cells[row, col] = (glyph, color)
    y_ticks = {round((y1 - v) / (y1 - y0) * (rows - 1)): tick_label(v) for v in nice_ticks(y0, y1, max(2, rows // 4))}
    if y1 >= 0.98:
        y_ticks[0] = f"{y1:g}"
    margin = max(len(t) for t in y_ticks.values()) + 1
    out = Text()
    for row in range(rows):
        label = y_ticks.get(row, "")
        out.append(label.rjust(margin - 1) + ("┤" if label else "│"), style=AXIS)
        top, bottom = codes[2 * row], codes[2 * row + 1]
        for col in range(cols):
            if (row, col) in cells:
                glyph, color = cells[row, col]
                out.append(glyph, style=f"bold {color} on {COLORS[bottom[col]]}")
            else:
                out.append("▀", style=f"{COLORS[top[col]]} on {COLORS[bottom[col]]}")
        out.append("\n")
    axis = [" "] * cols
    labels = [" "] * (cols + 8)
    for pos, text in log_ticks(x0, x1, max(2, cols // 10)):
        col = round((pos - x0) / (x1 - x0) * (cols - 1))
        axis[col] = "┬"
        start = max(0, min(col - len(text) // 2, cols - len(text)))
        if all(c == " " for c in labels[max(0, start - 1): start + len(text) + 1]):
            labels[start: start + len(text)] = list(text)
    out.append(" " * (margin - 1) + "└" + "".join(axis).replace(" ", "─") + "\n", style=AXIS)
    out.append(" " * margin + "".join(labels).rstrip() + "\n", style=AXIS)
    out.append(" " * margin + x_label + f"   ({y_label} upwards)", style=AXIS)
    return out


def legend_text() -> Text:
    """What the colours mean."""
    out = Text()
    out.append("fast ", style=AXIS)
    for i in range(0, LEVELS, 3):
        out.append("█", style=COLORS[i])
    out.append(" slow (1 to 1000 steps per e-fold)   ", style=AXIS)
    out.append("█", style=COLORS[LEVELS + 4])
    out.append("█", style=COLORS[2 * LEVELS - 1])
    out.append(" diverges   ", style=AXIS)
    out.append("█", style=EDGE)
    out.append(" ρ = 1: the stable edge", style=AXIS)
    return out


def steps_per_efold(rho: float | None) -> str:
    if rho is None:
        return "—"
    if rho >= 1:
        return "never"
    if rho <= 0:
        return "1"
    return f"{-1 / math.log(rho):.3g}"
