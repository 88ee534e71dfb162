"""Playback without a terminal: the cursor, events, narration, the frame it produces,
and what the keys change."""

import numpy as np
import pytest

from gdtui.headless import simulate
from gdtui.playback import Playback, PlayState, reading_seconds
from gdtui.scenario import load, parse

LESSON = '''
title = "lesson"
steps = 30
[problem]
type = "surface"
name = "bowl"
start = [-3.0, 1.5]
[[runs]]
name = "GD"
optimizer = "gd"
lr = 0.05
[[runs]]
name = "Adam"
optimizer = "adam"
lr = 0.1
[[events]]
at = 5
say = "five"
[[events]]
at = 10
say = "ten"
pause = true
set = { run = "GD", lr = 0.01 }
speed = 3
focus = "Adam"
spotlight = true
view = { x = [-1.0, 1.0], y = [-0.5, 0.5] }
[[events]]
at = 20
set = { run = "Adam", beta1 = 0.5 }
'''


def lesson(**kwargs):
    return Playback(parse(LESSON, "lesson.toml"), reading_holds=False, **kwargs)


def play(pb, frames):
    for _ in range(frames):
        pb.play_frame()


def test_narration_follows_the_cursor_and_scrubbing():
    pb = lesson()
    assert pb.frame().narration is None
    pb.step(5)
    assert pb.frame().narration.text == "five" and pb.frame().narration.number == 1
    pb.step(7)
    assert pb.frame().narration.text == "ten"
    pb.back(3)
    assert pb.cursor == 9 and pb.frame().narration.text == "five"


def test_a_pause_event_stops_playback_and_applies_its_effects():
    pb = lesson()
    pb.toggle_play()
    play(pb, 40)
    frame = pb.frame()
    assert frame.tick == 10 and frame.state is PlayState.SCENARIO_PAUSE
    assert pb.speed == 3 and pb.view.selected == 1 and pb.view.spotlight
    assert pb.view.box == ((-1.0, 1.0), (-0.5, 0.5))
    pb.toggle_play()
    pb.play_frame()
    assert pb.cursor == 13  # three ticks a frame from now on


def test_set_events_change_the_race_once_and_match_gdtui_run():
    pb = lesson()
    pb.step(30)
    assert pb.race.history.lr[10, 0] == 0.05 and pb.race.history.lr[11, 0] == 0.01
    assert pb.race.get_hyper(1, "beta1") == 0.5
    headless = simulate(parse(LESSON, "lesson.toml"))
    np.testing.assert_array_equal(headless.history.params, pb.race.history.params)
    # scrubbing back and forth replays history: no event is applied twice
    pb.back(25)
    pb.step(25)
    np.testing.assert_array_equal(headless.history.params, pb.race.history.params)


def test_the_frame_shows_settings_as_of_its_tick():
    pb = lesson()
    pb.step(10)
    assert pb.frame().runs[0].lr == 0.01          # the event at 10 applies to the next update
    pb.back(1)
    assert pb.frame().runs[0].lr == 0.05
    pb.step(15)
    assert pb.frame().runs[1].hyper["beta1"] == 0.5
    pb.back(10)
    assert pb.frame().runs[1].hyper["beta1"] == 0.9


def test_playback_stops_at_the_end_of_the_scenario_then_plays_on():
    pb = lesson()
    pb.step(10)
    pb.toggle_play()
    play(pb, 40)
    assert pb.cursor == 30 and pb.frame().state is PlayState.AT_END
    pb.toggle_play()
    pb.play_frame()
    assert pb.cursor > 30 and pb.frame().state is PlayState.PLAYING


def test_reset_restores_the_setup_including_key_changes():
    pb = lesson()
    pb.select(0)
    pb.scale_lr(0.5)  # a key change: part of the setup from now on
    pb.step(15)       # the event at 10 set GD's lr to 0.01
    assert pb.race.lr0[0] == 0.01
    pb.reset()
    assert pb.cursor == 0 and pb.race.lr0[0] == 0.025 and pb.frame().runs[0].lr == 0.025


def test_a_change_after_an_event_that_sets_the_same_thing_stays_at_its_step():
    """The event at 10 sets GD's lr to 0.01; halving at 12 gives 0.005. Moved to the start, the
    change would be undone by the event at 10: a reset keeps it at step 12 (and a save writes it
    there). Speed and zoom made by events are undone by a reset."""
    pb = lesson()
    pb.step(12)
    pb.select(0)
    pb.scale_lr(0.5)
    assert pb.race.lr0[0] == 0.005 and pb.frame().runs[0].lr == 0.005
    pb.reset()
    assert pb.race.lr0[0] == 0.05 and pb.speed == 1 and pb.view.box == pb.view.home
    pb.step(13)
    assert pb.race.history.lr[11:14, 0].tolist() == [0.01, 0.01, 0.005]
    saved = pb.current_scenario()
    assert saved.runs[0].lr == 0.05
    assert [(e.at, e.set) for e in saved.events if e.set and e.at == 12] == [(12, {"run": 0, "lr": 0.005})]
    reloaded = Playback(saved, reading_holds=False)
    reloaded.step(13)
    np.testing.assert_array_equal(reloaded.race.history.params, pb.race.history.params)


def test_a_change_before_any_event_on_it_becomes_the_setup():
    pb = lesson()
    pb.step(3)
    pb.select(1)
    pb.nudge_beta(up=True)     # Adam's β1 0.9 -> 0.95; the scenario sets β1 only at 20
    pb.reset()
    assert pb.race.get_hyper(1, "beta1") == 0.95 and pb.setup.edits == []


def test_a_change_in_the_past_drops_the_future_and_recomputes_from_the_cursor():
    """Defect: `l` with the cursor in the past said "lr = 1" while the table showed 2, and `n`
    replayed the old history."""
    pb = Playback(load("ravine"), reading_holds=False)
    pb.step(60)
    old = pb.race.history.params.copy()
    pb.back(20)                                    # at 40, the head at 60
    pb.select(0)
    pb.scale_lr(0.5)
    frame = pb.frame()
    assert frame.tick == 40 and frame.head == 40   # the future after 40 is gone
    assert frame.runs[0].lr == 0.475 and "lr = 0.475" in frame.message and "20 steps" in frame.message
    np.testing.assert_array_equal(pb.race.history.params, old[:41])   # the same past, recomputed
    pb.step(1)
    assert pb.race.history.lr[41, 0] == 0.475
    assert not np.array_equal(pb.race.history.params[41, 0], old[41, 0])
    # and a reset starts from the halved rate
    pb.reset()
    assert pb.frame().runs[0].lr == 0.475


def test_a_runs_own_last_step_and_status_as_of_the_cursor():
    """Defect: the inspector showed "last step (300)" for a run that diverged at 11."""
    sc = parse(LESSON[: LESSON.index("[[events]]")].replace("lr = 0.05", "lr = 0.1"), "t.toml")  # 1.25 x 2/λmax
    pb = Playback(sc, reading_holds=False)
    pb.step(30)
    gd = pb.frame().runs[0]
    k = int(pb.race.diverged_at[0])
    assert 0 < k < 30 and gd.status == "diverged" and gd.status_at == k and gd.last_step == k
    np.testing.assert_array_equal(gd.internals["g"], pb.race.history.internals(k)["g"][0])
    assert pb.frame().runs[1].last_step == 30
    pb.back(30 - (k - 1))
    before = pb.frame().runs[0]
    assert before.status == "running" and before.status_at is None and before.last_step == k - 1


def test_adam_without_bias_correction_shows_its_own_equation():
    pb = Playback(load("adam_bias"), reading_holds=False)
    corrected, plain = pb.frame().runs
    assert any("v̂" in line for line in corrected.equation)
    assert not any("v̂" in line or "ŝ" in line for line in plain.equation)


def test_a_frame_is_immutable_and_stays_true():
    pb = lesson()
    pb.step(5)
    frame = pb.frame()
    assert pb.frame() is frame                     # nothing changed: the same frame
    with pytest.raises(ValueError):
        frame.losses[0, 0] = 1.0
    with pytest.raises(ValueError):
        frame.runs[0].params[0] = 1.0
    kept = frame.path.copy()
    pb.step(10)
    assert pb.frame() is not frame and frame.tick == 5
    np.testing.assert_array_equal(frame.path, kept)
    assert frame.path.shape == (6, 2, 2) and pb.frame().path.shape == (16, 2, 2)


def test_a_narration_is_held_long_enough_to_read():
    """At 10 ticks a frame, "five" (at 5) would be replaced by "ten" (at 10) one frame later;
    playing holds the cursor at 9 until it has been on screen for its reading time."""
    pb = Playback(parse(LESSON.replace("at = 0\n", ""), "l.toml"), frame_rate=10)
    pb.speed = 10
    pb.toggle_play()
    pb.play_frame()
    assert pb.cursor == 5 and pb.frame().narration.text == "five"   # a narration stops the frame at its tick
    frames = 1
    while pb.cursor < 10:
        pb.play_frame()
        frames += 1
        if pb.cursor == 9:
            assert pb.frame().holding
    assert frames >= reading_seconds("five") * 10
    # without the holds, the narration flies past
    quick = lesson()
    quick.speed = 10
    quick.toggle_play()
    play(quick, 2)
    assert quick.cursor == 10


def test_speeds_below_one_tick_per_frame():
    pb = lesson()
    pb.change_speed(faster=False)
    pb.change_speed(faster=False)
    assert pb.speed == 0.25 and "1 step / 4 frames" in pb.frame().message
    pb.toggle_play()
    play(pb, 12)
    assert pb.cursor == 3


def test_jumping_between_events():
    pb = lesson()
    pb.next_event()
    assert pb.cursor == 5 and pb.frame().narration.text == "five"
    pb.next_event()
    assert pb.cursor == 10 and pb.view.selected == 1          # the event's focus applies
    pb.next_event()
    assert pb.cursor == 20
    pb.next_event()
    assert pb.cursor == 30                                     # no more events: the end
    pb.previous_event()
    assert pb.cursor == 20 and pb.race.tick == 30              # back through history
    pb.previous_event()
    pb.previous_event()
    assert pb.cursor == 5
    assert [n.text for n in pb.narrations_so_far()] == ["five"]


def test_another_problem_keeps_the_users_settings_and_says_what_to_try():
    """Defect: the picker silently reset every run, and 4 of 5 runs were "diverged at 1"
    on the new problem with no word why."""
    pb = Playback(load("ravine"), reading_holds=False)
    pb.select(1)
    pb.scale_lr(0.5)
    sc = pb.with_problem("surface", "rosenbrock")
    assert sc.runs[1].lr == 0.15
    pb.load(sc)
    pb.step(1)
    frame = pb.frame()
    diverged = [row.name for row in frame.runs if row.status == "diverged"]
    assert diverged and all(name in frame.message for name in diverged)
    assert "w sweeps" in frame.message


def test_no_stepping_back_without_a_parameter_history():
    sc = load("spiral")
    sc.problem_params = dict(sc.problem_params, layers=[2, 40, 40, 1])  # 3 x 1801 parameters: not kept
    pb = Playback(sc, reading_holds=False)
    pb.step(3)
    assert not pb.back() and pb.cursor == 3 and "no stepping back" in pb.frame().message
    norms = dict(pb.frame().runs[0].layer_norms)
    assert set(norms) == {"W1", "b1", "W2", "b2", "W3", "b3"} and norms["W1"]["g"] > 0


def test_applying_a_sweeps_rate_restarts_with_it():
    pb = lesson()
    pb.step(4)
    pb.apply_settings({0: {"lr": 0.07}})
    frame = pb.frame()
    assert frame.tick == 0 and frame.runs[0].lr == 0.07 and "0.07" in frame.message
    assert pb.current_scenario().runs[0].lr == 0.07


# --- found in review -------------------------------------------------------------------------

def test_stepping_zero_ticks_changes_nothing():
    pb = Playback(load("bowl"), reading_holds=False)
    pb.step(0)
    assert pb.frame().state is PlayState.PAUSED and pb.frame().message == "" and pb.frame().running == 4


def test_a_frame_of_a_race_without_history_keeps_its_parameters():
    sc = load("spiral")
    sc.problem_params = dict(sc.problem_params, layers=[2, 48, 48, 1])   # R·D > 4096: no history kept
    pb = Playback(sc, reading_holds=False)
    pb.step(2)
    frame = pb.frame()
    kept = frame.runs[0].params.copy()
    pb.step(3)
    np.testing.assert_array_equal(frame.runs[0].params, kept)


def test_going_back_before_the_end_stops_there_again():
    pb = lesson()
    pb.step(25)
    pb.toggle_play()
    play(pb, 20)
    assert pb.frame().state is PlayState.AT_END
    pb.back(10)
    pb.toggle_play()
    play(pb, 20)
    assert pb.cursor == 30 and pb.frame().state is PlayState.AT_END


def test_the_early_divergence_hint_names_every_run_that_diverged():
    pb = Playback(load("ravine"), reading_holds=False)
    pb.load(pb.with_problem("surface", "himmelblau"))
    pb.step(6)
    early = [row.name for row in pb.frame().runs if row.status == "diverged" and row.status_at <= 5]
    assert len(early) >= 2 and all(name in pb.frame().message for name in early)


def test_a_stopped_runs_rate_is_the_same_at_the_head_and_in_the_past():
    sc = parse(LESSON[: LESSON.index("[[events]]")].replace(
        'lr = 0.05', 'lr = 0.3\nschedule = { type = "exponential", gamma = 0.95 }'), "t.toml")
    pb = Playback(sc, reading_holds=False)
    pb.step(12)
    assert pb.frame().runs[0].status == "diverged"
    at_head = pb.frame().runs[0].lr
    pb.step(1)
    pb.back(1)
    assert pb.frame().runs[0].lr == at_head


def test_going_back_replays_from_the_nearest_checkpoint():
    pb = Playback(load("ravine"), reading_holds=False)
    pb.step(150)
    old = pb.race.history.params.copy()
    pb.back(10)                                   # at 140: the checkpoint at 128 is nearest
    steps = []
    original = pb.race.step
    pb.race.step = lambda ticks=1: (steps.append(ticks), original(ticks))
    pb.select(0)
    pb.scale_lr(0.5)
    assert len(steps) == 140 - 128
    np.testing.assert_array_equal(pb.race.history.params, old[:141])


def test_next_event_while_playing_plays_on():
    pb = lesson()
    pb.toggle_play()
    pb.next_event()
    assert pb.cursor == 5 and pb.frame().state is PlayState.PLAYING


def test_the_landscape_plane_is_refitted_at_each_narration_so_its_sentence_is_on_screen():
    from gdtui.scenario import load
    pb = Playback(load("landscape"), reading_holds=False)
    pb.toggle_landscape()
    said = {n.at for n in pb.scene.narrations}
    pb.toggle_play()
    fitted = {}
    while pb.cursor < pb.length:
        pb.play_frame()
        if pb.cursor in said:
            fitted[pb.cursor] = pb.frame().landscape.fitted_at
            if not pb.playing:
                pb.toggle_play()
    assert set(fitted) == said - {0} and all(at == tick for tick, at in fitted.items()), fitted


def test_the_landscape_never_shows_a_plane_fitted_to_the_future():
    from gdtui.scenario import load
    pb = Playback(load("landscape"), reading_holds=False)
    pb.step(1000)
    pb.toggle_landscape()
    assert pb.frame().landscape.fitted_at == 1000
    pb.back(900)
    assert pb.frame().landscape.fitted_at <= 100
    pb.step(50)                                  # a fit at or before the cursor stays, or a new one is due
    assert pb.frame().landscape.fitted_at <= 150


DIVERGING_NET = """
title = "one run blows up"
steps = 60
[problem]
type = "mlp"
layers = [2, 5, 2, 1]
[[runs]]
name = "GD"
optimizer = "gd"
lr = 0.5
[[runs]]
name = "huge"
optimizer = "gd"
lr = 1e6
"""


def test_a_diverged_run_is_left_out_of_the_plane(tmp_path):
    from gdtui import landscape_report
    from gdtui.scenario import load
    f = tmp_path / "diverging.toml"
    f.write_text(DIVERGING_NET)
    sc = load(str(f))
    result = landscape_report.analyse(sc)
    assert result["runs"][1]["diverged_at"] is not None
    a, b = result["explained_variance"]
    assert a + b <= 1 and a < 0.999                   # not a plane of the blow-up alone
    pb = Playback(sc, reading_holds=False)
    pb.step(60)
    pb.toggle_landscape()
    info = pb.frame().landscape
    (x0, x1), (y0, y1) = info.box
    assert all(np.isfinite([x0, x1, y0, y1])) and x1 - x0 < 1e6    # the box holds the sane run
    head = info.frame.runs[0].params
    assert x0 <= head[0] <= x1 and y0 <= head[1] <= y1


def test_a_long_race_thins_its_history_and_the_cursor_moves_through_what_it_kept(monkeypatch):
    from gdtui import limits

    reference = Playback(load("ravine"))        # 64 MB of history: every tick of this race
    complete = simulate(load("ravine"), 400)
    monkeypatch.setattr(limits, "HISTORY_BYTES", 1)   # the least history: 64 ticks
    bounded = Playback(load("ravine"))
    bounded.step(400)
    h = bounded.race.history
    assert len(h.ticks) <= 64 and h.stride > 1 and bounded.cursor == 400
    bounded.back(390)                            # to tick 10: in the thinned stretch
    assert bounded.cursor == 10 - 10 % h.stride and "thinned history: every" in bounded.message
    frame = bounded.frame()
    assert frame.tick == bounded.cursor and frame.ticks[-1] == frame.tick
    np.testing.assert_array_equal(frame.losses, complete.history.loss[frame.ticks])
    np.testing.assert_array_equal(frame.path, complete.history.params[frame.ticks])
    assert [row.loss for row in frame.runs] == complete.history.loss[frame.tick].tolist()
    before = bounded.cursor
    bounded.step(1)                              # forward to the next tick it kept
    assert bounded.cursor == before + h.stride
    # a change there drops the future and computes a new one: the same as with every tick kept
    reference.step(bounded.cursor)
    for playback in (reference, bounded):
        playback.scale_lr(0.5)
        playback.step(100)
    np.testing.assert_array_equal(bounded.race.P, reference.race.P)
    np.testing.assert_array_equal(bounded.frame().losses, reference.race.history.loss[bounded.frame().ticks])


def test_ordinals():
    from gdtui.playback.playback import ordinal

    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 32, 101, 112, 8192)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "32nd", "101st", "112th", "8192nd"]
