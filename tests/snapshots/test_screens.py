"""Snapshot tests of the app's screens (pytest-textual-snapshot).

Every source of nondeterminism is off: the frame timer never fires (the
playback is advanced by hand), animations and notifications are off, NO_COLOR
is removed from the environment (tests/conftest.py), and the simulation is
seeded. See tests/README.md for updating the snapshots.
"""

import pytest

from gdtui.scenario import bundled_names, load
from gdtui.ui.app import GdtuiApp
from gdtui.ui.snapshot import settle

SIZE = (120, 40)
# the step (epoch) each bundled scenario is shown at
AT = {"course_moons": 400, "course_moons_decay": 300, "spiral": 60, "batch_size_epochs": 3, "schedules": 10,
      "rosenbrock": 600, "rastrigin": 300, "ravine": 80, "edge_of_stability": 630, "rate_map": 28,
      "rotated_ravine": 100, "noise_scale": 65}


def prepared(name: str, steps: int, select: int | None = None, keys=()):
    app = GdtuiApp(load(name), frame_rate=1e-3)

    async def run_before(pilot):
        app.playback.step(steps)
        if select is not None:
            app.playback.select(select)
        for key in keys:
            await pilot.press(key)
        app.playback.say("")
        await settle(app, pilot)

    return app, run_before


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenario(snap_compare, name):
    app, before = prepared(name, AT.get(name, 40))
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_help_screen(snap_compare):
    app, before = prepared("bowl", 0)
    assert snap_compare(app, run_before=before, press=["question_mark"], terminal_size=SIZE)


def test_inspector_shows_adams_internals(snap_compare):
    app, before = prepared("ravine", 30, select=4)
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_mlp_view_with_layer_norms(snap_compare):
    app, before = prepared("spiral", 120, select=2)
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_small_layout_80x24(snap_compare):
    app, before = prepared("ravine", 30)
    assert snap_compare(app, run_before=before, terminal_size=(80, 24))


def test_small_mlp_layout_80x24(snap_compare):
    app, before = prepared("course_moons", 1000)
    assert snap_compare(app, run_before=before, terminal_size=(80, 24))


def test_spotlight_and_full_trails(snap_compare):
    app, before = prepared("bowl", 60, select=1, keys=("f", "t"))
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_narration_log(snap_compare):
    app, before = prepared("ravine", 120, keys=("e",))
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_too_small_message(snap_compare):
    app, before = prepared("ravine", 0)
    assert snap_compare(app, run_before=before, terminal_size=(60, 18))


def theory_view(name: str, steps: int, tab: str, select: int | None = None):
    """The theory view (y) on tab `tab` ("1".."4"), after the sharpness worker (if any) is done."""
    app, before = prepared(name, steps, select=select)

    async def run_before(pilot):
        await before(pilot)
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(tab)
        await settle(app, pilot)

    return app, run_before


@pytest.mark.parametrize("tab", ["1", "2", "3"])
def test_theory_view_on_the_ravine(snap_compare, tab):
    """Rate map, eigen-directions and gradient noise at the ravine's zig-zag."""
    app, before = theory_view("ravine", 80, tab)
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_theory_sharpness_on_the_course_net(snap_compare):
    app, before = theory_view("course_moons", 200, "1")
    assert snap_compare(app, run_before=before, terminal_size=SIZE)


def test_theory_rate_map_80x24(snap_compare):
    app, before = theory_view("bowl", 60, "1", select=1)
    assert snap_compare(app, run_before=before, terminal_size=(80, 24))


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
def test_landscape_view_of_the_course_net(snap_compare, size):
    """m: the three runs of the course on one PCA plane, with the plane's facts."""
    app, before = prepared("course_moons", 2000, keys=("m",))
    assert snap_compare(app, run_before=before, terminal_size=size)
