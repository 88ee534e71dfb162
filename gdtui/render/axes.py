"""Axis ticks: round numbers at a readable spacing, on linear, log and signed-log axes."""

from __future__ import annotations

import math

import numpy as np


def nice_ticks(lo: float, hi: float, max_ticks: int, integer: bool = False) -> list[float]:
    """Multiples of 1, 2 or 5 x 10^k inside [lo, hi], at most max_ticks of them
    (`integer`: a step of at least 1, for counts such as steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return []
    raw = (hi - lo) / max(max_ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        step = mult * power
        if (hi - lo) / step <= max_ticks:
            break
    if integer:
        step = max(step, 1)
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
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
    return f"{value:g}"


def log_ticks(lo: float, hi: float, max_ticks: int) -> list[tuple[float, str]]:
    """Ticks of a log axis whose positions are log10 of the values, from `lo` to `hi`
    (positions): (position, label of the value). Decades when the axis spans several,
    1-2-5 within a decade or two, round values when it spans less than one."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or max_ticks < 1:
        return []
    if hi - lo < 1e-12:
        return [(lo, tick_label(_round(10 ** lo)))]
    span = hi - lo
    if span > 2.5:
        stride = max(1, math.ceil((math.floor(hi) - math.ceil(lo) + 1) / max_ticks))
        first = math.ceil(lo)
        first += (-first) % stride  # decades on multiples of the stride: 1e-6, 1e-3, 1 ...
        return [(float(k), tick_label(10.0 ** k)) for k in range(first, math.floor(hi) + 1, stride)]
    if span >= 0.6:
        ticks = [(math.log10(m) + k, m, tick_label(m * 10.0 ** k))
                 for k in range(math.floor(lo), math.ceil(hi) + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if lo - 1e-9 <= t[0] <= hi + 1e-9]
        if len(ticks) > max_ticks:  # too crowded: the decades alone
            ticks = [t for t in ticks if t[1] == 1] or ticks[:max_ticks]
        return [(p, label) for p, _, label in ticks]
    values = nice_ticks(10 ** lo, 10 ** hi, max_ticks)
    return [(math.log10(v), tick_label(v)) for v in values if v > 0]


def _round(x: float) -> float:
    return float(f"{x:.2g}")


SYMLOG_LINEAR = 1.0  # below this size, the signed-log axis is (nearly) linear


def symlog(values: np.ndarray, linear: float = SYMLOG_LINEAR) -> np.ndarray:
    """sign(v)·log10(1 + |v|/linear): a log axis that goes through zero and below, so that a
    loss unbounded below (a saddle) and one near zero both show their progress."""
    v = np.asarray(values, dtype=float)
    return np.sign(v) * np.log10(1 + np.abs(v) / linear)


def symlog_ticks(lo: float, hi: float, max_ticks: int, linear: float = SYMLOG_LINEAR) -> list[tuple[float, str]]:
    """Ticks of a signed-log axis spanning positions lo..hi: 0 and ±1, ±10, ±100 ... (times
    `linear`), thinned to at most max_ticks."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    top = max(abs(lo), abs(hi))
    values = [0.0]
    k = 0
    while symlog(np.array([linear * 10.0 ** k]), linear)[0] <= top + 1e-9:
        values += [linear * 10.0 ** k, -linear * 10.0 ** k]
        k += 1
    ticks = sorted((float(symlog(np.array([v]), linear)[0]), v) for v in values)
    ticks = [(p, v) for p, v in ticks if lo - 1e-9 <= p <= hi + 1e-9]
    stride = max(1, math.ceil(len(ticks) / max_ticks))
    zero = next((i for i, (_, v) in enumerate(ticks) if v == 0), 0)
    kept = [t for i, t in enumerate(ticks) if (i - zero) % stride == 0]
    return [(p, tick_label(v)) for p, v in kept]
