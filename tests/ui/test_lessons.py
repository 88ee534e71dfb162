"""Every bundled lesson played to its end through the app, at the two sizes the README
names: each narration is on screen whole at the step it is said, the status line shows
the end, and nothing raised on the way (issue #10, "done when")."""

import pytest

from gdtui.playback import PlayState
from gdtui.scenario import bundled_names, load
from gdtui.ui.app import GdtuiApp
from gdtui.ui.snapshot import screen_text, settle

FRAMES_PER_LESSON = 60


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("name", bundled_names())
async def test_a_lesson_plays_to_its_end(name, size):
    sc = load(name)
    app = GdtuiApp(sc, frame_rate=1e-3)  # no timer: the test calls the frame clock itself
    async with app.run_test(size=size) as pilot:
        pb = app.playback
        pb.speed = max(1, sc.length // FRAMES_PER_LESSON)
        shown = set()
        for k in range(20 * FRAMES_PER_LESSON):
            if k == 1:
                await pilot.press("space")   # (frame 0: the lesson as it opens)
            if k:
                app.on_frame()
            frame = pb.frame()
            said = frame.narration
            if said is not None and frame.tick == said.at and said.at not in shown:
                shown.add(said.at)
                await settle(app, pilot)
                assert flat(said.text) in flat(screen_text(app)), f"{name} at {said.at}"
            if frame.state in (PlayState.AT_END, PlayState.ALL_STOPPED):
                break
            if not frame.playing:        # a pause the lesson asked for: the student presses space
                await pilot.press("space")
        await settle(app, pilot)
        frame = pb.frame()
        assert frame.tick == sc.length and frame.state is PlayState.AT_END
        assert shown == {n.at for n in pb.scene.narrations}
        status = flat(str(app.screen.query_one("#status").render()))
        assert f"{frame.scene.unit} {sc.length}/{sc.length}" in status and "end of the scenario" in status
        assert status in flat(screen_text(app))    # and all of it is on screen
