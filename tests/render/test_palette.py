"""Colours and glyphs: log-spaced levels, contour edges, and runs told apart without colour."""

import numpy as np

from gdtui.render.palette import N_LEVELS, RUN_LOOKS, blend, dim_color, loss_levels, old_color, with_edges
from gdtui.render.surface import CHUNK, StyleBook, heat_codes, row_segments
from gdtui.render.palette import heat_colors


def test_levels_are_log_spaced_above_the_floor():
    values = np.array([1e-6, 1e-3, 1.0])       # six decades above f* = 0: sixteen levels
    level = loss_levels(values, floor=0.0)
    assert level.tolist() == [0, N_LEVELS // 2, N_LEVELS - 1]


def test_contour_edges_mark_level_changes():
    level = np.array([[0, 0, 1], [0, 0, 1]])
    codes = with_edges(level, n=4)
    assert codes.tolist() == [[0, 4, 1], [0, 4, 1]]


def test_heat_codes_of_a_field():
    field = np.array([[1.0, 10.0], [100.0, np.inf]])
    codes = heat_codes(field)
    assert codes[1, 1] % N_LEVELS == N_LEVELS - 1     # non-finite: the highest level
    assert codes[0, 0] % N_LEVELS == 0


def test_trail_glyphs_are_distinct_and_unlike_the_marks():
    heads = [look.head for look in RUN_LOOKS]
    trails = [look.trail for look in RUN_LOOKS]
    assert len(set(heads)) == len(heads) and len(set(trails)) == len(trails)
    marks = {"✕", "╳", "○", "x", "X", "o", "O"}    # the minimum, a saddle, the start, and their look-alikes
    assert not marks & set(trails)


def test_faded_and_dimmed_colours():
    assert blend("#000000", "#ffffff", 0.5) == "#808080"
    assert old_color("#ff5f5f") != "#ff5f5f" and dim_color("#ff5f5f") != old_color("#ff5f5f")


def test_row_segments_never_cross_a_chunk_boundary():
    n = 3 * CHUNK + 3
    top = np.zeros(n, dtype=int)
    glyphs = np.zeros(n, dtype=np.int32)
    inks = np.zeros(n, dtype=np.int16)
    segments = row_segments(top, top, glyphs, inks, StyleBook(heat_colors()), [("#ffffff", False)])
    assert [len(s.text) for s in segments] == [CHUNK, CHUNK, CHUNK, 3]
    glyphs[5] = ord("●")
    segments = row_segments(top, top, glyphs, inks, StyleBook(heat_colors()), [("#ffffff", False)])
    assert [s.text for s in segments][:3] == ["▀" * 5, "●", "▀" * 2]
