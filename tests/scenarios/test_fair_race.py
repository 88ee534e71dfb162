"""The fair_race lesson: the tuned settings are what `gdtui tune` finds, and every number its
narration quotes holds at the epoch where it is said."""

import numpy as np
import pytest

from gdtui.scenario import load
from gdtui.tune import run_tune

COURSE, TUNED = ("GD", "Momentum", "Adam"), ("GD, tuned", "Momentum, tuned", "Adam, tuned")


def said_at(tick):
    return " ".join(e.say for e in load("fair_race").events if e.at == tick and e.say)


@pytest.fixture(scope="module")
def played():
    """{epoch: (percent separated, full-batch loss, length of the last update) by run name}."""
    sc = load("fair_race")
    race = sc.build_race()
    names = [r.name for r in sc.runs]
    out = {}
    for epoch in (100, 300, 1000):
        race.step(epoch - race.tick)
        accuracy = race.problem.accuracy(race.P)
        step = np.linalg.norm(race.internals()["step"], axis=1)
        out[epoch] = {name: (round(100 * accuracy[i]), race.last_loss[i], step[i]) for i, name in enumerate(names)}
        assert not race.status.any()   # every run still running: nothing stopped or diverged
    return out


@pytest.fixture(scope="module")
def tuned():
    """`gdtui tune course_moons --epochs 1000 --budget 16`, as the description says."""
    return run_tune(load("course_moons"), 16, 1000)[1]


def test_the_tuned_runs_are_the_best_of_16_trials_each(tuned, played):
    """Each tuned run holds its rule's best setting exactly, and ends at exactly the loss the
    tuning found for it (the course's batches are the same in both races)."""
    lesson = load("fair_race")
    for run, tuned_name in zip(tuned["runs"], TUNED):
        mine = lesson.runs[lesson.run_index(tuned_name)]
        assert mine.rule == run["optimizer"] and mine.batch == 64
        assert mine.lr == run["best"]["lr"] and mine.hyper == run["best"]["hyper"]
        assert played[1000][tuned_name][1] == run["best"]["final_loss"]
    for name in COURSE:   # the course's race: one rate for all
        assert lesson.runs[lesson.run_index(name)].lr == 0.0007
    assert "16 trials" in said_at(0) and "0.0007" in said_at(0)


def test_epoch_100(played):
    assert "GD and momentum separate 62% of the points and Adam 70%" in said_at(100)
    assert "Tuned GD is at 94% already, tuned Adam at 93%, tuned momentum at 88%" in said_at(100)
    e = played[100]
    assert e["GD"][0] == e["Momentum"][0] == 62 and e["Adam"][0] == 70
    assert (e["GD, tuned"][0], e["Adam, tuned"][0], e["Momentum, tuned"][0]) == (94, 93, 88)


def test_epoch_300(played):
    assert "89% against GD's 63%" in said_at(300) and "18 times as far as GD's" in said_at(300)
    assert "The tuned three are all at 93 to 94%" in said_at(300)
    e = played[300]
    assert e["Adam"][0] == 89 and e["GD"][0] == 63
    assert e["Adam"][2] / e["GD"][2] == pytest.approx(18, abs=0.5)   # both at lr 0.0007
    assert all(93 <= e[name][0] <= 94 for name in TUNED)


def test_epoch_1000(played):
    text = said_at(1000)
    assert "Adam 93% against GD's 65%" in text
    assert "GD reaches 95% at loss 0.118, momentum 95% at 0.118, Adam 94% at 0.130" in text
    e = played[1000]
    assert e["Adam"][0] == 93 and e["GD"][0] == 65
    for name, percent, loss in (("GD, tuned", 95, 0.118), ("Momentum, tuned", 95, 0.118), ("Adam, tuned", 94, 0.130)):
        assert e[name][0] == percent and round(e[name][1], 3) == loss, name
    # the tie: the tuned runs end within 0.012 of each other in loss, 1 point in accuracy,
    # and each beats the best of the course's race
    tuned = [e[name] for name in TUNED]
    assert max(t[1] for t in tuned) - min(t[1] for t in tuned) < 0.012
    assert max(t[1] for t in tuned) < min(e[name][1] for name in COURSE)
