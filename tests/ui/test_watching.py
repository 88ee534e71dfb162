"""Watching a race (issue #10): each defect a user hit, and the pictures and narration
that make a race readable. Screens are checked as text, as a user would read them."""

import numpy as np
import pytest
from textual.geometry import Region

from gdtui.playback import PlayState
from gdtui.render import overlay
from gdtui.scenario import load
from gdtui.ui.screens.narration_log import NarrationLog
from gdtui.ui.snapshot import screen_text, settle
from gdtui.ui.widgets.runs_table import RunsTable
from gdtui.ui.widgets.surface import MARGIN, SurfaceView

SIZES = [(120, 40), (80, 24)]


def flat(text: str) -> str:
    return " ".join(text.split())


def widget_text(widget) -> str:
    """What a widget shows, as plain text."""
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


def status_line(app) -> str:
    return widget_text(app.screen.query_one("#status"))


async def wait_for(pilot, condition, seconds=10.0):
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


# --- part 2: defects ------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_narration_is_shown_whole(make_app, size):
    """Defect 1: saddle at 120x40, step 80, ended "…so it"; at 80x24 every narration was one line."""
    app = make_app("saddle")
    async with app.run_test(size=size) as pilot:
        for n in app.playback.scene.narrations:
            app.playback.step(n.at - app.playback.cursor)
            await settle(app, pilot)
            assert flat(n.text) in flat(screen_text(app)), (size, n.at)


async def test_the_status_line_shows_the_end_when_playing_reaches_it(make_app):
    """Defect 2: too_big played to its end read "step 120/120 · ▶ playing" until a key was pressed."""
    app = make_app("too_big", frame_rate=60, reading_holds=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.speed = 20
        await pilot.press("space")
        for _ in range(4):  # the lesson pauses itself on the way
            assert await wait_for(pilot, lambda: not app.playback.playing)
            if app.playback.frame().state is PlayState.AT_END:
                break
            await pilot.press("space")
        await pilot.pause(0.1)
        status = status_line(app)
        assert app.playback.cursor == 120 and "step 120/120" in status
        assert "end of the scenario" in status and "playing" not in status


async def test_the_step_counter_agrees_with_the_narration_while_playing(make_app):
    """Defect 2: the counter lagged the narration during play."""
    app = make_app("ravine", reading_holds=False)   # frames by hand: app.on_frame() is the timer's call
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.speed = 3
        await pilot.press("space")
        seen = set()
        while app.playback.cursor < 130:
            app.on_frame()
            narration = app.playback.frame().narration
            if narration is not None and narration.at not in seen and app.playback.cursor == narration.at:
                seen.add(narration.at)
                assert f"step {narration.at}/200" in status_line(app)
            if not app.playback.playing:
                await pilot.press("space")
        assert {8, 40, 120} <= seen


async def test_the_key_bar_stays_after_choosing_a_problem(make_app):
    """Defect 3: after p, a choice and enter, the footer disappeared."""
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p", "down", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.playback.problem.name == "rosenbrock"
        assert "space play/pause" in screen_text(app).splitlines()[-1]


async def test_another_problem_keeps_the_users_settings_and_says_so(make_app):
    """Defect 4: the picker silently reset every run; runs diverged at once with no word why."""
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "l")                 # SGD: 0.3 -> 0.15
        await pilot.press("p", "down", "enter")     # rosenbrock
        await pilot.pause()
        await pilot.pause()
        assert app.playback.frame().runs[1].lr == 0.15
        assert "with your settings" in flat(screen_text(app))
        await pilot.press("n")
        await settle(app, pilot)
        diverged = [r.name for r in app.playback.frame().runs if r.status == "diverged"]
        assert diverged
        text = flat(screen_text(app))
        assert "w sweeps every run's rates" in text and diverged[0] in status_line(app)


async def test_a_setting_changed_in_the_past_is_the_one_shown_and_used(make_app):
    """Defect 5: `l` in the past said "lr = 1" while the table showed 2, and `n` replayed old history."""
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(12):
            await pilot.press("n")
        await pilot.press("left", "left", "left", "left")   # at 8, computed to 12
        await pilot.press("4", "L")                          # momentum: 2 -> 4 from step 8 on
        await settle(app, pilot)
        assert "lr = 4 from step 8 on" in status_line(app)
        table = widget_text(app.screen.query_one(RunsTable))
        momentum = next(line for line in table.splitlines() if "Momentum" in line)
        assert " 4 " in momentum and app.playback.race.tick == 8
        await pilot.press("n")
        assert app.playback.race.history.lr[9, 3] == 4.0


async def test_the_inspector_shows_a_stopped_runs_own_last_step(make_app):
    """Defect 6: "last step (300)" with g = 3122 for a run that diverged at 11."""
    app = make_app("too_big")
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.step(120)
        await pilot.press("3")      # 1.1 x 2/λmax: diverged
        await settle(app, pilot)
        row = app.playback.frame().runs[2]
        assert row.status == "diverged" and row.last_step == row.status_at < 120
        inspector = flat(widget_text(app.screen.query_one("#inspector")))
        assert f"its last step, {row.status_at} (diverged there)" in inspector
        assert f"{row.internals['g'][0]:+.4g}" in inspector


async def test_adam_without_bias_correction_shows_its_own_equations(make_app):
    """Defect 7: adam_bias's "no bias correction" run displayed the bias-corrected equations."""
    app = make_app("adam_bias")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        inspector = widget_text(app.screen.query_one("#inspector"))
        assert "v/(√s + ε)" in inspector and "v̂" not in inspector


def test_headless_play_counts_bytes_on_a_network(tmp_path):
    """Defect 13: `play --headless --frames 60` reported 0 bytes per frame on spiral."""
    from gdtui.ui.frames import play_frames

    stats = play_frames(load("spiral"), 24)
    assert stats.median_bytes() > 0 and stats.mean_bytes() > stats.median_bytes() / 2


# --- part 3: pictures you can read ----------------------------------------------------------------

async def test_focus_dims_every_other_run_and_again_shows_all(make_app):
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):       # (before the lesson turns the spotlight on itself, at 8)
            await pilot.press("n")
        await pilot.press("f")
        surface = app.screen.query_one(SurfaceView)

        def inks():  # (run, kind) of every cell drawn over the heatmap (the marks' ink excluded)
            used = np.unique(surface._inks[surface._glyphs != 0])
            return {(int(i) // overlay.KINDS, int(i) % overlay.KINDS) for i in used if i < 5 * overlay.KINDS}

        assert app.playback.view.spotlight and {run for run, _ in inks()} == {0, 1, 2, 3, 4}
        assert {kind for run, kind in inks() if run != 0} <= {overlay.DIM, overlay.HEAD_DIM}   # all but GD dimmed
        assert {kind for run, kind in inks() if run == 0} <= {overlay.BRIGHT, overlay.OLD, overlay.HEAD}
        await pilot.press("f")
        assert not {kind for _, kind in inks()} & {overlay.DIM, overlay.HEAD_DIM}


async def test_the_selected_run_is_on_top(make_app):
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(30):
            await pilot.press("n")
        surface = app.screen.query_one(SurfaceView)
        for run in (0, 2):
            await pilot.press(str(run + 1))
            mine = surface._bits[run] > 0
            owners = surface._inks[mine] // overlay.KINDS
            heads = np.isin(surface._glyphs[mine], [ord(g) for g in "○✕●▲■◆★←→↑↓"])
            assert np.all(owners[~heads] == run)


async def test_trails_fade_then_full_then_heads_only(make_app):
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.step(80)
        await pilot.press("2")      # the tuned heavy ball selected: GD's early zig-zag is older than the fade
        surface = app.screen.query_one(SurfaceView)
        gd_cells = surface._inks // overlay.KINDS == 0
        assert np.any(surface._inks[gd_cells & (surface._glyphs != 0)] % overlay.KINDS == overlay.OLD)
        await pilot.press("t")
        assert "full trails" in status_line(app)
        assert not np.any(surface._inks[surface._glyphs != 0] % overlay.KINDS == overlay.OLD)
        await pilot.press("t")
        braille = (surface._glyphs >= 0x2800) & (surface._glyphs < 0x2900)
        assert set(np.unique(surface._inks[braille] // overlay.KINDS)) == {1}   # only the selected run's trail


async def test_clicking_a_legend_name_or_a_table_row_selects_the_run(make_app):
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        surface = app.screen.query_one(SurfaceView)
        first, last, run = surface._legend_spans[3]
        await pilot.click(SurfaceView, offset=(first + 1, 0))
        assert run == 3 and app.playback.view.selected == 3
        await pilot.click(RunsTable, offset=(3, 3))     # the header, then runs 1, 2: the third row
        assert app.playback.view.selected == 1


async def test_no_color_legend_shows_the_trail_glyphs(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        legend = screen_text(app).splitlines()[1]
        from gdtui.render.palette import run_look
        for r, name in enumerate(["GD", "Momentum tuned", "Momentum 0.9", "Adam"]):
            assert f"{run_look(r).head}{run_look(r).trail} {name}" in legend


@pytest.mark.parametrize("name", ["ravine", "rosenbrock", "course_moons", "spiral"])
async def test_80x24_shows_every_name_the_narration_and_the_selected_runs_numbers(make_app, name):
    app = make_app(name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("]")
        await settle(app, pilot)
        text = screen_text(app)
        frame = app.playback.frame()
        for row in frame.runs:
            assert row.name in text
        assert flat(frame.narration.text) in flat(text)
        for run in range(len(frame.runs)):       # whichever run is selected: its numbers, none cut
            await pilot.press(str(run + 1))
            await settle(app, pilot)
            inspector = widget_text(app.screen.query_one("#inspector"))
            row = app.playback.frame().runs[run]
            assert "…" not in inspector and row.name in inspector
            if row.internals:
                assert f"{row.internals['g'][0]:+.3g}" in inspector
            else:
                assert "W1" in inspector and "b3" in inspector
                assert f"{row.layer_norms[0][1]['g']:.2g}" in inspector


# --- part 4: narration you can follow --------------------------------------------------------------

async def test_next_and_previous_event_keys(make_app):
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        assert app.playback.cursor == 8
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.playback.cursor == 120
        await pilot.press("left_square_bracket")
        assert app.playback.cursor == 40 and app.playback.race.tick == 120


async def test_the_narration_log_has_every_narration_so_far(make_app):
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket", "e")
        assert isinstance(app.screen, NarrationLog)
        text = flat(widget_text(app.screen.query_one("#log-text")))
        said = [n for n in app.playback.scene.narrations if n.at <= 40]
        assert len(said) == 3 and all(flat(n.text) in text for n in said)
        assert "2 more to come" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, NarrationLog)


async def test_a_screen_over_the_race_pauses_it(make_app):
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("e", "question_mark", "p"):
            await pilot.press("space")
            assert app.playback.playing
            await pilot.press(key)
            assert not app.playback.playing
            await pilot.press("escape")


async def test_a_narration_holds_playback_until_it_can_be_read(make_app):
    app = make_app("ravine", frame_rate=100)
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.speed = 50
        await pilot.press("space")
        assert await wait_for(pilot, lambda: app.playback.frame().holding)
        assert app.playback.cursor == 7   # the narration at 8 waits until step 0's has been read
        assert "holding for the narration" in status_line(app)


async def test_the_sweep_applies_a_runs_best_rate(make_app):
    from gdtui.ui.screens.sweep import SweepScreen

    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("w")
        assert isinstance(app.screen, SweepScreen)
        assert await wait_for(pilot, lambda: app.screen.result is not None, 20)
        best = app.screen.result["runs"][0]["best_lr"]
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, SweepScreen)
        frame = app.playback.frame()
        assert frame.runs[0].lr == best and frame.tick == 0 and "sweep's best" in status_line(app)
        assert frame.runs[1].lr == load("bowl").runs[1].lr      # the others keep theirs


async def test_the_ravines_zig_zag_is_in_plain_sight_at_step_80(make_app):
    """Issue #10, part 3: GD's zig-zag must be visible at step 80 of the default scenario
    without a key press: the lesson selects GD and puts it in the spotlight at 8, so every cell
    of its path is drawn by GD itself, in full colour, on top of the dimmed others."""
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        app.playback.step(80)
        await settle(app, pilot)
        surface = app.screen.query_one(SurfaceView)
        gd = surface._bits[0] > 0
        trail = gd & (surface._glyphs >= 0x2800) & (surface._glyphs < 0x2900)
        assert trail.sum() > 100
        assert np.all(surface._inks[trail] == overlay.ink(0, overlay.BRIGHT))
        others = (surface._glyphs != 0) & ~gd & (surface._inks < 5 * overlay.KINDS)
        assert np.all(np.isin(surface._inks[others] % overlay.KINDS, [overlay.DIM, overlay.HEAD_DIM]))


async def open_the_sweep_view(app, pilot):
    """w, and wait until the sweep is on screen."""
    await pilot.press("w")
    assert await wait_for(pilot, lambda: app.screen.result is not None, 20)


async def test_t_in_the_sweep_view_tunes_and_applies_each_runs_best_setting(make_app):
    from gdtui.ui.screens.sweep import SweepScreen
    from gdtui.tune import run_tune

    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_the_sweep_view(app, pilot)
        await pilot.press("t")
        assert await wait_for(pilot, lambda: app.screen.tuned, 20)
        _, expected = run_tune(load("bowl"))          # the same tuning, headless
        assert app.screen.result == expected
        assert "trials per run" in str(app.screen.query_one("#sweep-title").render())
        await pilot.press("down", "A")
        await pilot.pause()
        assert not isinstance(app.screen, SweepScreen)
        frame = app.playback.frame()
        for k, run in enumerate(expected["runs"]):
            assert frame.runs[k].lr == run["best"]["lr"]
            for name, value in run["best"]["hyper"].items():
                assert app.playback.current_scenario().runs[k].hyper[name] == value
        assert frame.tick == 0 and "4 runs take the tuning's best settings" in status_line(app)


async def test_r_in_the_sweep_view_adds_the_range_test(make_app):
    from gdtui.range_test import run_range_test

    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_the_sweep_view(app, pilot)
        await pilot.press("r")
        assert await wait_for(pilot, lambda: "range_test" in app.screen.result, 20)
        assert app.screen.result["range_test"] == run_range_test(load("bowl"), 1e-4, 10.0, 200)
        table = app.screen.query_one("#sweep-table")
        assert str(table.get_row_at(0)[-2]) == "0.37"      # GD's lowest range-test loss, as gdtui sweep --range-test
        assert "dots: the LR range test" in str(app.screen.query_one("#sweep-title").render())


async def test_the_sweep_view_runs_one_computation_at_a_time(make_app, monkeypatch):
    """t while the range test runs is ignored (a second worker would overwrite the first's
    result when it ended: the tuning's table with the sweep's numbers)."""
    import threading

    from gdtui import range_test

    release, real = threading.Event(), range_test.run_range_test
    monkeypatch.setattr(range_test, "run_range_test", lambda *a: (release.wait(10), real(*a))[1])
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_the_sweep_view(app, pilot)
        await pilot.press("r", "t")                 # t while the range test is held
        assert app.screen.busy and not app.screen.tuned
        release.set()
        assert await wait_for(pilot, lambda: not app.screen.busy, 20)
        assert "range_test" in app.screen.result and not app.screen.tuned
        await pilot.press("t")
        assert await wait_for(pilot, lambda: app.screen.tuned and not app.screen.busy, 20)
        await pilot.press("r")                      # (a tuning stays on screen)
        await pilot.pause()
        assert app.screen.tuned and not app.screen.busy and "best" in app.screen.result["runs"][0]
