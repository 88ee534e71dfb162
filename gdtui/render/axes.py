"""Axis ticks: round numbers at a readable spacing."""

from __future__ import annotations

import math


def nice_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Multiples of 1, 2 or 5 x 10^k inside [lo, hi], at most max_ticks of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return []
    raw = (hi - lo) / max(max_ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        step = mult * power
        if (hi - lo) / step <= max_ticks:
            break
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + 1e-9 * step:
        ticks.append(round(k * step, 12))
        k += 1
    return ticks


def tick_label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.0e}"
    return f"{value:g}"
