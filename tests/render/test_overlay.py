"""What is drawn over the heatmap: one run per cell, the selected run on top, fading and dimming."""

import numpy as np

from gdtui.render import overlay
from gdtui.render.overlay import BRIGHT, DIM, KINDS, OLD, ink, put, trail_layer
from gdtui.render.trails import BRAILLE_BASE, NEVER


def grids():
    bits = np.zeros((3, 2, 3), dtype=np.uint8)
    stamps = np.full((3, 2, 3), NEVER, dtype=np.int32)
    bits[0, 0, :] = 0x01; stamps[0, 0, :] = [1, 5, 9]      # run 0 across the top row
    bits[1, 0, 1] = 0x40; stamps[1, 0, 1] = 9               # run 1 in the middle of it
    bits[2, 1, 2] = 0x80; stamps[2, 1, 2] = 2               # run 2 alone, old
    return bits, stamps


def test_the_last_run_in_the_order_owns_a_cell_with_only_its_own_dots():
    bits, stamps = grids()
    glyphs, inks = trail_layer(bits, stamps, [1, 2, 0], tick=9, fade_after=None, dimmed=set())
    assert glyphs[0, 1] == BRAILLE_BASE + 0x01 and inks[0, 1] == ink(0, BRIGHT)   # run 0 on top
    glyphs, inks = trail_layer(bits, stamps, [0, 2, 1], tick=9, fade_after=None, dimmed=set())
    assert glyphs[0, 1] == BRAILLE_BASE + 0x40 and inks[0, 1] == ink(1, BRIGHT)   # now run 1
    assert glyphs[1, 0] == 0 and inks[1, 0] == 0                                   # nobody drew here


def test_older_cells_fade_and_dimmed_runs_are_dim():
    bits, stamps = grids()
    glyphs, inks = trail_layer(bits, stamps, [0, 1, 2], tick=9, fade_after=5, dimmed={1})
    assert inks[0, 0] == ink(0, OLD)       # drawn at 1: 8 ticks ago
    assert inks[0, 2] == ink(0, BRIGHT)    # drawn at 9
    assert inks[0, 1] == ink(1, DIM)       # run 1 is out of the spotlight
    assert inks[1, 2] == ink(2, OLD)


def test_monochrome_trails_use_each_runs_glyph():
    bits, stamps = grids()
    glyphs, _ = trail_layer(bits, stamps, [0, 1, 2], tick=9, fade_after=None, dimmed=set(),
                            trail_glyphs=["·", "+", "="])
    assert chr(glyphs[0, 0]) == "·" and chr(glyphs[0, 1]) == "+" and chr(glyphs[1, 2]) == "="


def test_a_mark_lands_in_its_cell_and_a_lost_head_becomes_an_edge_arrow():
    box = ((0.0, 4.0), (0.0, 2.0))
    glyphs = np.zeros((2, 4), dtype=np.int32)
    inks = np.zeros((2, 4), dtype=np.int16)
    put(glyphs, inks, (2.5, 0.5), box, "✕", 7)
    assert chr(glyphs[1, 2]) == "✕" and inks[1, 2] == 7
    put(glyphs, inks, (100.0, 1.5), box, "●", 3)               # off the view, not a head: nothing
    assert (glyphs != 0).sum() == 1
    put(glyphs, inks, (100.0, 1.5), box, "●", 3, clamp=True)   # a head: an arrow at the right edge
    assert chr(glyphs[0, 3]) == "→"
    put(glyphs, inks, (1.0, np.nan), box, "●", 3, clamp=True)  # diverged to NaN: nothing
    assert (glyphs != 0).sum() == 2


def test_ink_indices_per_run():
    assert ink(0, BRIGHT) == 0 and ink(2, DIM) == 2 * KINDS + DIM and overlay.HEAD_DIM == KINDS - 1


def test_the_legend_shortens_names_then_numbers_the_runs():
    from gdtui.render.legend import legend_texts

    entries = [("●", "GD", ""), ("▲", "Mini-batch GD", " ✗"), ("■", "Momentum", "")]
    assert legend_texts(entries, 80) == ["● GD", "▲ Mini-batch GD ✗", "■ Momentum"]
    short = legend_texts(entries, 34)
    assert short[0] == "● GD" and short[1].endswith("… ✗") and sum(len(t) + 2 for t in short) <= 34
    assert legend_texts(entries, 20) == ["● 1", "▲ 2 ✗", "■ 3"]
