"""Resizing and diverging runs never take the app down."""

from gdtui.ui.widgets.surface import SurfaceView

DIVERGING = '''
title = "diverges"
steps = 1000
tolerance = 0.0
[problem]
type = "surface"
name = "bowl"
condition = 25.0
start = [-3.0, 1.5]
[[runs]]
name = "too big"
optimizer = "gd"
lr = 0.1
[[runs]]
name = "fine"
optimizer = "momentum"
lr = 0.05
'''


async def test_resizing_raises_nothing_and_small_terminals_get_a_message(make_app):
    app = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("n", "n")
        for size in ((80, 24), (40, 12), (120, 40), (30, 8)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            small = size[0] < 80 or size[1] < 24
            assert app.screen.has_class("-too-small") == small
            assert app.screen.query_one("#too-small").display == small
            await pilot.press("n")
        assert app.playback.cursor == 6


async def test_mlp_layout_resizes_too(make_app):
    app = make_app("course_moons")
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("n")
        for size in ((80, 24), (40, 12), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.press("n")
        assert app.playback.cursor == 2


async def test_a_run_that_diverges_mid_play_leaves_the_app_responsive(make_app):
    app = make_app(DIVERGING, frame_rate=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus", "plus", "plus", "space")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.playback.race.status[0] == 2:
                break
        race = app.playback.race
        assert race.status[0] == 2 and race.diverged_at[0] > 0
        assert app.playback.frame().runs[0].status == "diverged"
        await pilot.press("space")
        cursor = app.playback.cursor
        await pilot.press("n", "n", "left", "z", "i", "i", "t", "t", "t", "f")
        assert app.playback.cursor == cursor + 1
        await pilot.press("Z", "Z", "Z", "Z")  # the diverged run's path, far out of the view
        await pilot.pause()


async def test_no_color_draws_each_trail_with_its_own_glyph(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.no_color
        await pilot.press("n", "n", "n", "n", "n")
        surface = app.screen.query_one(SurfaceView)
        glyphs = {chr(g) for g in surface._glyphs.ravel() if g}
        from gdtui.render.palette import run_look
        for r in range(4):
            assert run_look(r).trail in glyphs and run_look(r).head in glyphs
        assert not any(0x2800 <= g < 0x2900 for g in surface._glyphs.ravel())  # no braille in monochrome


async def test_the_app_draws_a_thinned_stretch_of_a_long_history(make_app, monkeypatch):
    from gdtui import limits
    from gdtui.playback.playback import ordinal
    from gdtui.ui.snapshot import screen_text

    monkeypatch.setattr(limits, "HISTORY_BYTES", 1)   # the least history: 64 ticks
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.step(300)
        await pilot.press("left")               # one step back: still in the stretch of every tick
        assert app.playback.cursor == 299
        history = app.playback.race.history
        while app.playback.cursor >= history.full_from:   # back into the thinned stretch
            await pilot.press("left")
        await pilot.pause()
        cursor = app.playback.cursor
        assert cursor % history.stride == 0 and cursor < history.full_from
        text = " ".join(screen_text(app).split())
        assert f"thinned history: every {ordinal(history.stride)} step before {history.full_from}" in text
        assert f"last step ({cursor}):" in text      # a kept tick keeps the numbers of its update
