"""The your_data lesson: a network on points read from a CSV; every number its narration quotes
holds at the epoch where it is said, and the points are the file's."""

import csv

import numpy as np
import pytest

from gdtui.scenario import bundled_dir, load


def said_at(tick):
    return " ".join(e.say for e in load("your_data").events if e.at == tick and e.say)


@pytest.fixture(scope="module")
def played():
    """{epoch: (points classified, loss) by run name}."""
    sc = load("your_data")
    race = sc.build_race()
    out = {}
    for epoch in (10, 50, 300):
        race.step(epoch - race.tick)
        right = np.round(race.problem.accuracy(race.P) * race.problem.n_samples).astype(int)
        out[epoch] = {run.name: (int(right[i]), float(race.last_loss[i])) for i, run in enumerate(sc.runs)}
    return out


def test_the_points_are_the_files():
    with open(bundled_dir() / "islands.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    problem = load("your_data").build_problem()
    np.testing.assert_array_equal(problem.X, [[float(r["x1"]), float(r["x2"])] for r in rows])
    np.testing.assert_array_equal(problem.y, [float(r["label"]) for r in rows])
    assert problem.n_samples == 200 == len(rows) and "200 points read from islands.csv" in said_at(0)
    assert sorted(set(problem.y)) == [0.0, 1.0]


def test_epoch_10(played):
    assert "Adam already classifies 195 of the 200 points; GD 140, momentum 121" in said_at(10)
    assert (played[10]["Adam"][0], played[10]["GD"][0], played[10]["Momentum"][0]) == (195, 140, 121)


def test_epoch_50(played):
    assert "GD and momentum classify 197 points, Adam 198" in said_at(50)
    assert (played[50]["GD"][0], played[50]["Momentum"][0], played[50]["Adam"][0]) == (197, 197, 198)


def test_epoch_300(played):
    text = said_at(300)
    assert "GD and Adam classify every point, momentum all but one" in text
    assert "Adam's loss, 0.002, is the lowest; GD's is 0.015, momentum's 0.014" in text
    e = played[300]
    assert e["GD"][0] == e["Adam"][0] == 200 and e["Momentum"][0] == 199
    assert (round(e["Adam"][1], 3), round(e["GD"][1], 3), round(e["Momentum"][1], 3)) == (0.002, 0.015, 0.014)
    assert e["Adam"][1] == min(v[1] for v in e.values())
