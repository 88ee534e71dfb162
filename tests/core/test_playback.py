"""Playback without a terminal: the cursor, events, narration and scrubbing."""

import numpy as np

from gdtui.headless import simulate
from gdtui.playback import Playback
from gdtui.scenario import parse

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
view = { x = [-1.0, 1.0], y = [-0.5, 0.5] }
[[events]]
at = 20
set = { run = "Adam", beta1 = 0.5 }
'''


def lesson():
    return Playback(parse(LESSON, "lesson.toml"))


def test_narration_follows_the_cursor_and_scrubbing():
    pb = lesson()
    assert pb.narration() is None
    pb.advance(5)
    assert pb.narration() == "five"
    pb.advance(7)
    assert pb.narration() == "ten"
    pb.back(3)
    assert pb.cursor == 9 and pb.narration() == "five"


def test_a_pause_event_stops_playback_and_applies_its_effects():
    pb = lesson()
    pb.toggle_play()
    for _ in range(40):
        pb.frame()
    assert pb.cursor == 10 and not pb.playing
    assert pb.speed == 3 and pb.selected == 1 and pb.view == ((-1.0, 1.0), (-0.5, 0.5))
    pb.toggle_play()
    pb.frame()
    assert pb.cursor == 13  # three ticks a frame from now on


def test_set_events_change_the_race_once_and_match_gdtui_run():
    pb = lesson()
    pb.advance(30)
    assert pb.race.history.lr[10, 0] == 0.05 and pb.race.history.lr[11, 0] == 0.01
    assert pb.race.get_hyper(1, "beta1") == 0.5
    headless = simulate(parse(LESSON, "lesson.toml"))
    np.testing.assert_array_equal(headless.history.params, pb.race.history.params)
    # scrubbing back and forth replays history: no event is applied twice
    pb.back(25)
    pb.advance(25)
    np.testing.assert_array_equal(headless.history.params, pb.race.history.params)


def test_playback_stops_at_the_end_of_the_scenario_then_plays_on():
    pb = lesson()
    pb.advance(10)
    pb.playing = True
    while pb.playing:
        pb.frame()
    assert pb.cursor == 30 and "end of the scenario" in pb.message
    pb.toggle_play()
    pb.frame()
    assert pb.cursor > 30


def test_reset_restores_the_setup_including_key_changes():
    pb = lesson()
    pb.select(0)
    pb.scale_lr(0.5)  # a key change: part of the setup from now on
    pb.advance(15)    # the event at 10 set GD's lr to 0.01
    assert pb.race.lr0[0] == 0.01
    pb.reset()
    assert pb.cursor == 0 and pb.race.lr0[0] == 0.025


def test_keys_change_the_setup_by_the_same_rule_whatever_events_did():
    """The event at 10 sets GD's lr to 0.01; halving then gives 0.005 now and 0.025 after a
    reset (the scenario's 0.05, halved); speed and zoom made by events are undone by a reset."""
    pb = lesson()
    pb.advance(12)
    pb.select(0)
    pb.scale_lr(0.5)
    assert pb.race.lr0[0] == 0.005
    pb.reset()
    assert pb.race.lr0[0] == 0.025 and pb.speed == 1 and pb.view == pb.home_view


def test_no_stepping_back_without_a_parameter_history():
    from gdtui.scenario import load
    sc = load("spiral")
    sc.problem_params = dict(sc.problem_params, layers=[2, 40, 40, 1])  # 3 x 1801 parameters: not kept
    pb = Playback(sc)
    pb.advance(3)
    assert not pb.back() and pb.cursor == 3 and "no stepping back" in pb.message
