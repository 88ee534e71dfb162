"""Every binding, driven through Textual's pilot."""

import numpy as np
import pytest
from textual import events

from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.snapshot import screen_text
from gdtui.ui.screens.picker import ProblemPicker
from gdtui.ui.widgets.surface import MARGIN, TOP, SurfaceView

SIZE = (120, 40)


def status_line(app) -> str:
    return str(app.screen.query_one("#status").render())


async def test_space_plays_and_pauses(make_app):
    app = make_app("bowl", frame_rate=60)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.playback.playing
        await pilot.pause(0.3)
        assert app.playback.playing
        moved = app.playback.cursor
        assert moved > 0
        await pilot.press("space")
        assert not app.playback.playing
        at = app.playback.cursor
        await pilot.pause(0.2)
        assert app.playback.cursor == at


async def test_step_forward_and_back_without_recomputing(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "right", "n")
        assert app.playback.cursor == 3 and app.playback.race.tick == 3
        params = app.playback.race.P.copy()
        await pilot.press("left", "left")
        assert app.playback.cursor == 1 and app.playback.race.tick == 3  # history, not recomputed
        np.testing.assert_array_equal(app.playback.race.P, params)
        np.testing.assert_array_equal(app.playback.frame().runs[0].params, app.playback.race.history.params[1, 0])
        await pilot.press("n")
        assert app.playback.cursor == 2 and app.playback.race.tick == 3


async def test_reset(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "r")
        assert app.playback.cursor == 0 and app.playback.race.tick == 0
        np.testing.assert_array_equal(app.playback.race.P[0], app.playback.race.start)


async def test_speed_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.playback.speed == 1
        await pilot.press("plus", "plus")
        assert app.playback.speed == 3
        await pilot.press("minus")
        assert app.playback.speed == 2
        await pilot.press("minus", "minus", "minus", "minus", "minus")   # below a step per frame
        assert app.playback.speed == 0.125 and "1 step / 8 frames" in status_line(app)


async def test_selecting_runs(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        assert app.playback.view.selected == 2
        await pilot.press("tab", "tab", "tab")
        assert app.playback.view.selected == 0  # five runs: wraps around
        await pilot.press("9")  # no ninth run: nothing happens
        assert app.playback.view.selected == 0


async def test_lr_keys_change_the_selected_run_from_the_next_step(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "n")
        lr = app.playback.race.lr0[1]
        await pilot.press("l")
        assert app.playback.race.lr0[1] == lr / 2
        await pilot.press("n")
        assert app.playback.race.history.lr[1:, 1].tolist() == [lr, lr / 2]
        await pilot.press("L", "L")
        assert app.playback.race.lr0[1] == 2 * lr
        assert app.playback.race.lr0[0] == 0.95  # the others are untouched


async def test_beta_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "b")  # momentum, beta 0.9 -> 0.95
        assert app.playback.race.get_hyper(3, "beta") == pytest.approx(0.95)
        await pilot.press("B", "B")
        assert app.playback.race.get_hyper(3, "beta") == pytest.approx(0.8)
        await pilot.press("1", "b")  # GD has no beta: a message, no change
        assert "no β" in app.playback.message


async def test_hide_and_show(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "v")
        assert app.playback.view.hidden == {1}
        await pilot.press("v")
        assert app.playback.view.hidden == set()


async def test_inspector_toggle(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.screen.query_one("#inspector")
        assert inspector.display
        await pilot.press("i")
        assert not inspector.display
        await pilot.press("i")
        assert inspector.display


async def test_zoom_and_pan(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        (x0, x1), (y0, y1) = app.playback.view.box
        await pilot.press("z")
        (a0, a1), (b0, b1) = app.playback.view.box
        assert a1 - a0 == pytest.approx((x1 - x0) / 1.25)
        assert (a0 + a1) / 2 == pytest.approx((x0 + x1) / 2)
        await pilot.press("Z")
        assert app.playback.view.box[0] == pytest.approx((x0, x1))
        await pilot.press("shift+right")
        assert app.playback.view.box[0][0] == pytest.approx(x0 + 0.1 * (x1 - x0))
        await pilot.press("shift+up")
        assert app.playback.view.box[1][0] == pytest.approx(y0 + 0.1 * (y1 - y0))
        await pilot.press("0")
        assert app.playback.view.box == app.playback.view.home


async def test_mouse_wheel_zooms_around_the_pointer(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        surface = app.screen.query_one(SurfaceView)
        region = surface.content_region
        col, row = 10, 5
        sx, sy = region.x + MARGIN + col, region.y + TOP + row
        point = surface.cell_to_data(col, row)
        width = app.playback.view.box[0][1] - app.playback.view.box[0][0]
        surface.post_message(events.MouseScrollUp(surface, MARGIN + col, TOP + row, 0, -1, 0, False, False, False,
                                                  screen_x=sx, screen_y=sy))
        await pilot.pause()
        (a0, a1), _ = app.playback.view.box
        assert a1 - a0 == pytest.approx(width / 1.25)
        # the point under the pointer stays put
        assert (point[0] - a0) / (a1 - a0) == pytest.approx((col + 0.5) / surface.plot_size[0])


async def test_click_restarts_every_run_from_the_clicked_point(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        surface = app.screen.query_one(SurfaceView)
        cols, rows = surface.plot_size
        col, row = 17, 9
        await pilot.click(SurfaceView, offset=(MARGIN + col, TOP + row))
        (x0, x1), (y0, y1) = app.playback.view.box
        cell_w, cell_h = (x1 - x0) / cols, (y1 - y0) / rows
        # the clicked cell spans these data coordinates
        left, top = x0 + col * cell_w, y1 - row * cell_h
        start = app.playback.race.start
        assert left <= start[0] <= left + cell_w and top - cell_h <= start[1] <= top
        assert app.playback.cursor == 0 and app.playback.race.tick == 0
        assert np.all(app.playback.race.P == start)


async def test_help_screen(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_problem_picker_switches_problem_and_keeps_the_runs(make_app):
    app = make_app("bowl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, ProblemPicker)
        await pilot.press("down", "enter")  # the second entry: rosenbrock
        await pilot.pause()
        assert app.playback.problem.name == "rosenbrock"
        assert [r.name for r in app.playback.race.runs] == ["GD", "Momentum tuned", "Momentum 0.9", "Adam"]
        await pilot.press("n")
        assert app.playback.cursor == 1
        assert "play/pause" in screen_text(app)  # the key bar is still there


async def test_picker_opens_a_bundled_scenario_with_the_mlp_layout(make_app):
    app = make_app("bowl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        picker = app.screen
        index = next(i for i, (_, c) in enumerate(picker._choices) if c == ("scenario", "spiral"))
        picker.dismiss(picker._choices[index][1])
        await pilot.pause()
        await pilot.pause()
        assert app.playback.problem.kind == "mlp"
        assert app.screen.query("#boundaries")
        await pilot.press("n")
        assert app.playback.cursor == 1


async def test_quit(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None
    assert not app.is_running


async def test_every_action_is_in_the_command_palette(make_app):
    from gdtui.ui.keys import KEYS
    app = make_app()
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for _, action, label, _, _ in KEYS:
            if action != "quit":
                assert any(t.startswith(label) for t in titles), label


async def test_the_ravine_lesson_pauses_itself_and_narrates(make_app):
    app = make_app("ravine", frame_rate=60, reading_holds=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        for _ in range(40):
            await pilot.pause(0.05)
            if not app.playback.playing:
                break
        assert app.playback.cursor == 8 and "the lesson paused" in status_line(app)
        caption = app.screen.query_one("#caption")
        assert "zig-zags" in str(caption.render())
        await pilot.press("left", "left")
        assert "Five runs leave one start" in str(caption.render())


async def test_w_opens_the_sweep_view(make_app):
    from gdtui.ui.screens.sweep import SweepScreen
    app = make_app("bowl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        assert isinstance(app.screen, SweepScreen)
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.result is not None:
                break
        result = app.screen.result
        assert result["theory"]["gd_edge"] == pytest.approx(0.08) and len(result["runs"]) == 4
        await pilot.press("escape")
        assert not isinstance(app.screen, SweepScreen)


async def test_y_opens_the_theory_view_paused_at_the_cursor(make_app):
    from gdtui.playback import PlayState
    from gdtui.ui.screens.theory import TheoryScreen
    app = make_app("bowl")
    async with app.run_test(size=SIZE) as pilot:
        app.playback.step(30)
        await pilot.press("space")                   # playing
        await pilot.press("y")
        assert isinstance(app.screen, TheoryScreen)
        cursor = app.playback.cursor
        assert app.playback.state is PlayState.PAUSED and app.screen.theory.tick == cursor
        rates = {r.name: r.predicted for r in app.screen.theory.rate_map.racers}
        assert rates["GD"] == pytest.approx(0.925)
        await pilot.press("2")
        assert app.screen.query_one("TabbedContent").active == "tab-eigen"
        await pilot.pause(0.2)
        assert app.playback.cursor == cursor          # nothing moves behind the view
        await pilot.press("escape")
        assert not isinstance(app.screen, TheoryScreen)


async def test_theory_view_of_a_network_computes_the_sharpness(make_app):
    from gdtui.ui.screens.theory import TheoryScreen
    app = make_app("course_moons")
    async with app.run_test(size=(80, 24)) as pilot:
        app.playback.step(10)
        await pilot.press("y")
        assert isinstance(app.screen, TheoryScreen) and app.screen.theory.rate_map is None
        await app.workers.wait_for_complete()
        await pilot.pause()
        caption = str(app.screen.query_one("#sharpness-caption").render())
        assert "λmax" in caption and "bound" in caption


async def test_m_puts_a_network_race_on_one_plane_and_M_freezes_it(make_app):
    app = make_app("course_moons")
    async with app.run_test(size=SIZE) as pilot:
        app.playback.step(200)
        await pilot.press("m")
        await pilot.pause()
        frame = app.playback.frame()
        assert frame.landscape is not None and app.screen.has_class("-landscape")
        assert frame.landscape.fitted_at == 200 and frame.landscape.frame.path.shape == (201, 3, 2)
        await pilot.press("M")                                   # frozen: no refit as the runs move on
        app.playback.step(300)
        assert app.playback.frame().landscape.fitted_at == 200 and app.playback.frame().landscape.frozen
        await pilot.press("M")                                   # following again: the schedule's fit at 458
        assert app.playback.frame().landscape.fitted_at == 458   # (0, 20, 40, 60, 90, 135, 203, 305, 458, 687…)
        await pilot.press("m")
        await pilot.pause()
        assert app.playback.frame().landscape is None and not app.screen.has_class("-landscape")


async def test_m_on_a_two_parameter_problem_says_why_not(make_app):
    app = make_app("bowl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert app.playback.frame().landscape is None and "surface itself is the landscape" in app.playback.message


async def test_a_click_on_the_landscape_plane_restarts_nothing(make_app):
    app = make_app("course_moons")
    async with app.run_test(size=SIZE) as pilot:
        app.playback.step(100)
        await pilot.press("m")                       # (the landscape's own test steps 200 and checks the fit)
        await pilot.pause()
        generation = app.playback.generation
        view = app.screen.query_one("#landscape-view")
        await pilot.click(view, offset=(view.size.width // 2, view.size.height // 2))
        await pilot.pause()
        assert app.playback.generation == generation and app.playback.cursor == 100
        await pilot.press("z")                       # no zoom on the plane: said, not silent
        assert "no zoom" in app.playback.message


async def test_the_picker_checks_a_formula_as_it_is_typed_and_races_on_it(make_app):
    app = make_app("bowl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "tab")
        check = app.screen.query_one("#formula-check")
        await pilot.press(*"x**2 + foo(y)")
        assert "column 8: 'foo' is not a function here" in str(check.render())
        await pilot.press("enter")
        assert isinstance(app.screen, ProblemPicker)          # a wrong formula goes nowhere
        for _ in "foo(y)":
            await pilot.press("backspace")
        await pilot.press(*"10*y**2")
        assert "enter: the runs race on this surface" in str(check.render())
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ProblemPicker)
        assert app.playback.problem.name == "f = x**2 + 10*y**2"
        assert [r.name for r in app.playback.race.runs] == ["GD", "Momentum tuned", "Momentum 0.9", "Adam"]
        app.playback.step(5)
        np.testing.assert_allclose(app.playback.race.history.loss[0], 4.0 + 10 * 4.0)   # from (-2, 2)
        assert "f = x**2 + 10*y**2" in screen_text(app)
