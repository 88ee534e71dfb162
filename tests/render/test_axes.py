"""Axis ticks: round values at readable spacings (issue #10: no "0.4, −0.8, −1.9, −4.2")."""

import math

import numpy as np
import pytest

from gdtui.render.axes import log_ticks, nice_ticks, symlog, symlog_ticks, tick_label


def test_nice_ticks_are_multiples_of_1_2_5():
    assert nice_ticks(0, 10, 5) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(-2.3, 2.9, 4) == [-2, 0, 2]
    assert nice_ticks(0.1, 0.35, 5) == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]


def test_step_ticks_are_whole_numbers():
    assert nice_ticks(0, 3, 10, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0, 200, 5, integer=True) == [0, 50, 100, 150, 200]
    assert all(t == int(t) for t in nice_ticks(0, 7, 20, integer=True))


def test_no_ticks_for_empty_or_broken_ranges():
    assert nice_ticks(1, 1, 5) == [] and nice_ticks(0, math.inf, 5) == [] and nice_ticks(0, 1, 0) == []


def test_tick_labels():
    assert [tick_label(v) for v in (0, 1, 0.5, 250, 1e-4, 3e5, -1e6)] == ["0", "1", "0.5", "250", "1e-4", "3e5",
                                                                          "-1e6"]


def test_log_ticks_span_decades_with_round_labels():
    ticks = log_ticks(-5.3, 0.4, 6)
    assert [label for _, label in ticks] == ["1e-5", "1e-4", "0.001", "0.01", "0.1", "1"]
    assert [p for p, _ in ticks] == [-5, -4, -3, -2, -1, 0]


def test_log_ticks_thin_out_many_decades():
    ticks = log_ticks(-16, 1, 5)
    assert len(ticks) <= 5 and [p for p, _ in ticks] == [-16, -12, -8, -4, 0]


def test_log_ticks_within_a_decade_or_two_are_1_2_5():
    ticks = log_ticks(-1.2, 0.3, 6)
    assert [label for _, label in ticks] == ["0.1", "0.2", "0.5", "1"]
    assert ticks[1][0] == pytest.approx(math.log10(0.2))


def test_log_ticks_of_a_narrow_range_are_round_values():
    ticks = log_ticks(math.log10(0.24), math.log10(0.256), 5)
    values = [float(label) for _, label in ticks]
    assert values == [0.24, 0.245, 0.25, 0.255]
    for p, v in zip((p for p, _ in ticks), values):
        assert p == pytest.approx(math.log10(v))


def test_symlog_goes_through_zero_and_keeps_order():
    v = np.array([-1e6, -10, -1, 0, 1, 10, 1e6])
    y = symlog(v)
    assert np.all(np.diff(y) > 0) and y[3] == 0
    assert y[-1] == pytest.approx(-y[0]) and y[-1] == pytest.approx(math.log10(1 + 1e6))


def test_symlog_ticks_label_values_not_positions():
    lo, hi = symlog(np.array([-2.6e6, 2.2]))
    ticks = symlog_ticks(lo, hi, 7)
    labels = [label for _, label in ticks]
    assert "0" in labels and len(ticks) <= 7
    for p, label in ticks:
        assert p == pytest.approx(symlog(np.array([float(label)]))[0])
