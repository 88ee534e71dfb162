"""The loss plot as data: axis, order, decimation, ticks."""

import math

import numpy as np
import pytest

from gdtui.render.lossplot import MAX_POINTS, loss_axis, loss_chart


def test_the_gap_to_a_known_minimum_on_a_log_axis():
    losses = np.array([[3.0, 2.0], [2.01, 2.5]])
    y, kind, what = loss_axis(losses, f_star=2.0)
    assert kind == "log" and what == "f − f*"
    assert y[0, 0] == 0 and y[1, 0] == pytest.approx(-2) and y[0, 1] == -16   # exactly f*: the floor 1e-16


def test_a_loss_unbounded_below_gets_a_signed_log_axis():
    losses = np.array([[0.5, 0.5], [-2.6e6, 0.1]])
    y, kind, _ = loss_axis(losses, f_star=None)
    assert kind == "symlog" and y[1, 0] < -6 and y[1, 1] > 0


def test_the_selected_run_is_drawn_last_hidden_runs_not_at_all():
    losses = np.ones((5, 3))
    chart = loss_chart(losses, None, unit="step", length=10, selected=0, hidden={2})
    assert [line.run for line in chart.lines] == [1, 0]


def test_dimmed_runs_are_marked():
    chart = loss_chart(np.ones((5, 3)), None, unit="step", length=10, selected=1, dimmed={0, 2})
    assert {line.run: line.dimmed for line in chart.lines} == {0: True, 2: True, 1: False}


def test_long_histories_are_decimated_but_keep_the_last_tick():
    losses = np.linspace(2, 1, 5001)[:, None]
    chart = loss_chart(losses, None, unit="epoch", length=10000, selected=0)
    line = chart.lines[0]
    assert len(line.x) <= MAX_POINTS + 1 and line.x[-1] == 5000
    assert chart.x_max == 10000 and all(float(label) == p for p, label in chart.x_ticks)


def test_ticks_are_round_values_of_the_loss():
    losses = np.geomspace(3.0, 2e-5, 100)[:, None]
    chart = loss_chart(losses, 0.0, unit="step", length=100, selected=0, y_ticks=6)
    for position, label in chart.y_ticks:
        assert math.log10(float(label)) == position    # a label is the value at its position
    assert chart.title == "f − f* per step (log scale)"
