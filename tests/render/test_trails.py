"""Trails in braille: sub-pixels, line drawing, clipping and the stamps that let trails fade."""

import numpy as np

from gdtui.render.trails import BRAILLE_BITS, NEVER, draw_path, draw_paths, rasterize, to_subpixels


def test_data_to_subpixels():
    box = ((0.0, 4.0), (0.0, 2.0))
    sub = to_subpixels(np.array([[0.0, 2.0], [4.0, 0.0], [1.0, 1.0]]), box, cols=4, rows=2)
    # 2 sub-pixels per column across, 4 per row down; y grows downwards
    np.testing.assert_allclose(sub, [[0, 0], [8, 8], [2, 4]])


def test_a_single_point_sets_one_dot():
    bits = np.zeros((2, 2), dtype=np.uint8)
    draw_path(bits, np.array([[1.5, 3.5]]))  # sub-pixel column 1, row 3 of cell (0, 0)
    assert bits[0, 0] == BRAILLE_BITS[3, 1] == 0x80 and bits.sum() == 0x80


def test_a_horizontal_line_has_no_gaps():
    x, y, seg = rasterize(np.array([[0.2, 1.5], [7.8, 1.5]]), cols=4, rows=1)
    assert sorted(set(x.tolist())) == list(range(8)) and set(y.tolist()) == {1} and set(seg.tolist()) == {0}


def test_a_steep_line_has_no_gaps():
    x, y, _ = rasterize(np.array([[0.5, 0.5], [1.5, 15.5]]), cols=1, rows=4)
    assert sorted(set(y.tolist())) == list(range(16))


def test_segments_far_outside_are_clipped_not_sampled():
    far = np.array([[-1e12, 2.0], [1e12, 2.0], [1e12, 1e12]])
    x, y, seg = rasterize(far, cols=10, rows=3)
    assert len(x) < 1000   # only the part inside the grid was sampled
    assert set(x.tolist()) == set(range(20)) and set(seg.tolist()) == {0}


def test_non_finite_points_break_the_line():
    sub = np.array([[0.5, 0.5], [3.5, 0.5], [np.inf, np.nan], [7.5, 0.5]])
    x, _, _ = rasterize(sub, cols=4, rows=1)
    assert set(x.tolist()) == {0, 1, 2, 3}    # the segments touching inf are skipped


def test_stamps_record_the_tick_each_cell_was_last_drawn():
    bits = np.zeros((1, 4), dtype=np.uint8)
    stamps = np.full((1, 4), NEVER, dtype=np.int32)
    # points at ticks 10, 11, 12: the segment 10->11 covers cells 0-1, 11->12 cells 1-3
    draw_path(bits, np.array([[0.5, 1.0], [3.5, 1.0], [7.5, 1.0]]), stamps, first_tick=10)
    assert stamps.tolist() == [[11, 12, 12, 12]]   # cell 1 holds the point of tick 11: 11->12 drew it last
    draw_path(bits, np.array([[7.5, 1.0], [0.5, 1.0]]), stamps, first_tick=12)  # back again at tick 13
    assert stamps.tolist() == [[13, 13, 13, 13]]


def test_many_paths_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(1)
    subs = rng.uniform(-3, 20, size=(3, 6, 2))
    together = np.zeros((3, 4, 8), dtype=np.uint8)
    stamps = np.full((3, 4, 8), NEVER, dtype=np.int32)
    draw_paths(together, subs, stamps, first_tick=5)
    for p in range(3):
        alone = np.zeros((4, 8), dtype=np.uint8)
        alone_stamps = np.full((4, 8), NEVER, dtype=np.int32)
        draw_path(alone, subs[p], alone_stamps, first_tick=5)
        np.testing.assert_array_equal(together[p], alone)
        np.testing.assert_array_equal(stamps[p], alone_stamps)


def test_a_long_path_drawn_in_pieces_equals_one_drawn_whole(monkeypatch):
    """A long history is rasterized PIECE points at a time (bounded memory): the pieces share
    their end points, so the dots and stamps are the same as in one pass."""
    from gdtui.render import trails

    rng = np.random.default_rng(2)
    subs = np.cumsum(rng.normal(0, 3, size=(2, 50, 2)), axis=1) + 20
    ticks = np.arange(50) * 4 + 7        # (a thinned history: every 4th tick)
    whole_bits = np.zeros((2, 10, 20), dtype=np.uint8)
    whole_stamps = np.full((2, 10, 20), NEVER, dtype=np.int32)
    draw_paths(whole_bits, subs, whole_stamps, ticks=ticks)
    monkeypatch.setattr(trails, "PIECE", 7)
    bits = np.zeros_like(whole_bits)
    stamps = np.full_like(whole_stamps, NEVER)
    draw_paths(bits, subs, stamps, ticks=ticks)
    assert whole_bits.any() and (whole_stamps > 7).any()
    np.testing.assert_array_equal(bits, whole_bits)
    np.testing.assert_array_equal(stamps, whole_stamps)
