"""The `s` key writes the current setup as a scenario that loads back to the same state."""

from pathlib import Path

import numpy as np

from gdtui.core.optimizers import RULES
from gdtui.playback import Playback
from gdtui.scenario import load, parse
from gdtui.ui.screens.save import SaveScreen
from gdtui.ui.widgets.surface import MARGIN, TOP, SurfaceView


async def save_via_keys(app, pilot, path):
    await pilot.press("s")
    assert isinstance(app.screen, SaveScreen)
    field = app.screen.query_one("#save-path")
    field.value = str(path)
    await pilot.press("enter")
    await pilot.pause()
    assert "saved to" in app.playback.frame().message


async def test_save_round_trip_on_a_two_parameter_problem(make_app, tmp_path):
    app = make_app("ravine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "l", "4", "b", "5", "L", "z", "shift+right")
        await pilot.click(SurfaceView, offset=(MARGIN + 20, TOP + 7))
        await pilot.press("plus", "n", "n")
        before = app.playback
        path = tmp_path / "mine.toml"
        await save_via_keys(app, pilot, path)
    after = Playback(load(str(path)))
    np.testing.assert_array_equal(after.race.start, before.race.start)
    assert after.view.box == before.view.box
    settled = before.setup.settled()
    np.testing.assert_array_equal(after.race.lr0, [run.lr for run in settled])
    for i, run in enumerate(after.race.runs):
        for name in RULES[run.rule].hyper:
            assert after.race.hyper[name][i, 0] == settled[i].hyper.get(name, RULES[run.rule].hyper[name])
    assert after.race.lr0[1] == 0.15 and after.race.lr0[4] == 0.2
    assert after.race.get_hyper(3, "beta") == 0.95
    assert after.speed == before.speed == 2
    assert [r.name for r in after.race.runs] == [r.name for r in before.race.runs]
    assert after.scenario.problem_params == before.scenario.problem_params
    assert len(after.scenario.events) == len(before.scenario.events)
    assert [e.say for e in after.scenario.events] == [e.say for e in before.scenario.events]
    # the same state steps to the same numbers
    before.reset()
    before.step(25)
    after.step(25)
    np.testing.assert_array_equal(after.race.P, before.race.P)


async def test_save_round_trip_of_an_mlp_course_scenario(make_app, tmp_path):
    app = make_app("course_moons")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3", "l")
        path = tmp_path / "course.toml"
        await save_via_keys(app, pilot, path)
    sc = load(str(path))
    assert sc.compat == "course" and sc.clock == "epoch" and sc.length == 10000
    assert sc.runs[2].lr == 0.00035 and sc.runs[2].hyper["beta2"] == 0.999
    assert sc.runs[0].batch == 64 and sc.problem_params["layers"] == [2, 5, 2, 1]


async def test_escape_cancels_saving(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app("bowl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        assert app.screen.query_one("#save-path").value == "bowl-saved.toml"
        await pilot.press("escape")
        await pilot.pause()
    assert list(tmp_path.iterdir()) == []


async def test_save_asks_before_replacing_and_never_writes_over_the_scenario_playing(make_app, tmp_path):
    from gdtui.scenario import parse
    from gdtui.ui.app import GdtuiApp
    playing = tmp_path / "mine.toml"
    bowl = Path(__file__).parents[2] / "scenarios" / "bowl.toml"
    playing.write_text(bowl.read_text())
    other = tmp_path / "other.toml"
    other.write_text("keep me")
    app = GdtuiApp(load(str(playing)), frame_rate=1e-3)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        field = app.screen.query_one("#save-path")
        field.value = str(playing)
        await pilot.press("enter")
        await pilot.press("enter")                 # not even twice: it is the scenario being played
        assert isinstance(app.screen, SaveScreen) and "being played" in str(app.screen.query_one("#save-hint").render())
        field.value = str(other)
        await pilot.press("enter")                 # exists: asked first
        assert isinstance(app.screen, SaveScreen) and other.read_text() == "keep me"
        await pilot.press("enter")                 # the second enter replaces it
        await pilot.pause()
        assert "saved to" in app.playback.frame().message
    assert parse(other.read_text(), "other.toml").title == "The elongated bowl"
    assert playing.read_text() == bowl.read_text()


def test_a_write_that_fails_half_way_leaves_the_old_file(tmp_path):
    import errno

    import pytest

    from gdtui.files import write_atomically
    old = tmp_path / "out.csv"
    old.write_text("the old file\n")

    def half_then_full(f):
        f.write("a new beginning")
        raise OSError(errno.ENOSPC, "No space left on device")   # as a full disk would

    with pytest.raises(OSError):
        write_atomically(old, half_then_full)
    assert old.read_text() == "the old file\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_l_and_L_keep_the_rate_where_a_scenario_file_may_hold_it(tmp_path):
    """Pressing L 1,100 times used to make lr = inf, and the saved file then failed to load."""
    from gdtui import limits
    from gdtui.playback import Playback
    from gdtui.scenario import load
    from gdtui.scenario_writer import dumps

    for factor, limit in ((2.0, limits.MAX_LR), (0.5, limits.MIN_LR)):
        pb = Playback(load("bowl"))
        for _ in range(1100):
            pb.scale_lr(factor)
        assert pb.race.lr0[0] == limit and "rate gdtui takes" in pb.message
        text = dumps(pb.current_scenario())
        assert parse(text, "saved.toml").runs[0].lr == limit      # what is saved loads again
