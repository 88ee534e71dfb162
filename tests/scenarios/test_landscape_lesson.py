"""The landscape lesson (scenarios/landscape.toml): every number a narration quotes is checked at
the step where it is said. A number of the plane is the plane fitted to the paths up to that step
(as `gdtui landscape landscape --steps N` fits it, and as the app does when it refits there); the
app refits only as the cursor moves on (playback/landscape.py), so the claims a narration makes
without quoting its fit's exact numbers are also checked for every plane the app can be showing at
that step."""

import math

import numpy as np
import pytest

from gdtui.core import landscape as L
from gdtui.playback.landscape import MIN_REFIT, REFIT_GROWTH
from gdtui.scenario import load

NAME = "landscape"
GD, MOMENTUM, ADAM = 0, 1, 2


def said_at(name, tick):
    return " ".join(e.say for e in load(name).events if e.at == tick and e.say)


def assert_said(tick, *phrases):
    text = said_at(NAME, tick)
    for phrase in phrases:
        assert phrase in text, f"{NAME} at {tick}: {phrase!r} not in {text!r}"


@pytest.fixture(scope="module")
def lesson():
    """The scenario, its problem and every run's path (T, R, D), raced once."""
    sc = load(NAME)
    race = sc.build_race()
    race.step(sc.length)
    assert race.history.params is not None and race.tick == sc.length
    return sc, race.problem, race.history.params


def plane_at(P, n):
    """The app's plane when it refits at step n: PCA of every path up to n."""
    return L.pca_plane(P[: n + 1])


def app_planes(P, n, samples=12):
    """Planes the app can be showing at step n: fitted at some tick F with n < max(F + MIN_REFIT,
    F·(1 + REFIT_GROWTH)) (else it would have refitted by n), sampled with both ends."""
    low = max(0, math.floor(min(n / (1 + REFIT_GROWTH), n - MIN_REFIT)) + 1)
    return [plane_at(P, f) for f in sorted(set(np.linspace(low, n, samples).round().astype(int)))]


def pct(x):
    return f"{x:.1%}"


def dist(a, b):
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


# --- the lesson as a whole ----------------------------------------------------------------------------

def test_the_lesson():
    sc = load(NAME)
    assert sc.title and len(sc.description) > 80
    assert sc.clock == "step" and sc.length == 2000 and sc.problem_type == "mlp"
    assert sc.problem_params["layers"] == [2, 5, 2, 1] and sc.problem_params["activation"] == "relu"
    assert sc.problem_params["dataset"] == "moons" and sc.problem_params["samples"] == 300
    assert [(r.name, r.rule, r.lr) for r in sc.runs] == [("GD", "gd", 0.3), ("Momentum", "momentum", 0.3),
                                                         ("Adam", "adam", 0.01)]
    says = [e for e in sc.events if e.say]
    assert 5 <= len(says) <= 7
    assert all(len(e.say) < 230 for e in says)
    assert len({e.at for e in says}) == len(says)            # one narration per step
    text = " ".join([sc.description] + [e.say for e in says])
    assert "the seed" not in text.lower() and "the course" in text.lower()
    assert_said(0, "Press m to see every run on one plane", "M freezes the plane", "[2, 5, 2, 1]", "30-D")


def test_the_paths_fit_in_one_plane_of_30_parameters(lesson):
    sc, problem, P = lesson
    assert P.shape == (sc.length + 1, 3, 30) and np.all(np.isfinite(P))
    assert np.all(P[0] == P[0, 0])                            # one start for all three


# --- step 20: Adam leaves at once; GD on the plateau -------------------------------------------------

def test_step_20_adam_leaves_gd_on_the_plateau(lesson):
    sc, problem, P = lesson
    start = P[0, 0]
    # Adam's first step: lr = 0.01 for each parameter with a gradient (to 0.2%), whatever its size
    moved = np.abs(P[1, ADAM] - start)
    _, g = problem.value_and_grad(start[None])
    g = np.abs(g[0])
    assert np.sum(g == 0) == 1 and moved[g == 0] == 0
    assert np.sum(np.abs(moved - 0.01) < 2e-5) == 29
    assert f"{g[g > 0].min():.0e}" == "9e-06" and round(g.max(), 2) == 0.06
    # at step 20: Adam 0.86 from the start, GD 0.07, its loss still within 0.002 of ln 2
    assert round(dist(P[20, ADAM], start), 2) == 0.86 and round(dist(P[20, GD], start), 2) == 0.07
    gd_loss = problem.loss(P[:21, GD])
    assert np.all(np.abs(gd_loss - math.log(2)) < 0.002)
    # on the plane fitted at 20 their paths are as far apart as in 30-D (to 1%)
    plane = plane_at(P, 20)
    a, b = plane.coordinates(P[20, [GD, ADAM]])
    assert dist(a, b) == pytest.approx(dist(P[20, GD], P[20, ADAM]), rel=0.01)
    assert_said(20, "29 of the 30 parameters by lr = 0.01", "9e-6 to 0.06", "0.86 from the start, GD 0.07",
                "loss ≈ ln 2")


# --- step 100: the plane holds 97%; momentum lags -------------------------------------------------------

def test_step_100_the_plane_and_momentums_lag(lesson):
    sc, problem, P = lesson
    plane = plane_at(P, 100)
    a, b = plane.explained
    assert (pct(a), pct(b)) == ("86.4%", "10.9%") and a + b > 0.97
    for shown in app_planes(P, 100):                          # "over 97%" on any plane the app shows
        assert sum(shown.explained) > 0.97
    start = P[0, 0]
    assert round(dist(P[100, MOMENTUM], start), 1) == 1.5 and round(dist(P[100, GD], start), 1) == 2.4
    loss = problem.loss(P[100])
    assert (round(loss[MOMENTUM], 3), round(loss[GD], 3)) == (0.486, 0.327)
    assert_said(100, "over 97%", "86.4% + 10.9% fitted at step 100", "Momentum lags GD",
                "1.5 from the start to GD's 2.4", "loss 0.486 to 0.327")


# --- step 500: GD and momentum together; Adam apart, lower, no wall between -----------------------------

def test_step_500_gd_and_momentum_meet_adam_apart(lesson):
    sc, problem, P = lesson
    gd, mom, adam = P[500]
    assert round(dist(gd, mom), 2) == 0.06
    for shown in app_planes(P, 500):                          # one path on the plane: still 0.06 apart or less
        c = shown.coordinates(P[500])
        assert dist(c[GD], c[MOMENTUM]) <= dist(gd, mom)
    assert round(dist(adam, gd), 1) == 4.5 and round(dist(adam, mom), 1) == 4.5
    loss = problem.loss(P[500])
    assert (round(loss[ADAM], 3), round(loss[GD], 3)) == (0.231, 0.234) and loss[ADAM] < loss[MOMENTUM]
    along = L.line_losses(problem, gd, adam[None], np.linspace(0, 1, 201))[0]
    assert along[0] == pytest.approx(loss[GD]) and along.max() <= loss[GD] + 1e-12
    assert_said(500, "GD and momentum have met: 0.06 apart", "Adam is 4.5 from them",
                "loss 0.231 to 0.234", "never rises above GD's loss")


# --- step 1000: the picture is a slice ------------------------------------------------------------------

def test_step_1000_the_picture_is_a_slice(lesson):
    sc, problem, P = lesson
    for shown in [plane_at(P, 1000)] + app_planes(P, 1000):
        off = shown.residuals(P[:1001])
        assert shown.residuals(P[0, 0]) > 1.2                  # the start is over 1.2 off the plane
        assert np.argmax(off[:, GD]) == 0                      # GD's farthest point from the plane: the start
        under = problem.loss(shown.points(shown.coordinates(P[1000])))
        assert np.all(under > problem.loss(P[1000]))           # the plane's loss under each head is higher
    # the plane fitted at 1000: every run's max off the plane is the start (1.5 in the facts line)
    off = plane_at(P, 1000).residuals(P[:1001])
    assert np.all(np.argmax(off, axis=0) == 0) and {f"{v:.2g}" for v in off.max(axis=0)} == {"1.5"}
    assert_said(1000, "the picture is a slice (Li et al. 2018)", "mean end point",
                "the start is over 1.2 off it, GD's farthest point", "Under every head the plane's loss is above")
    assert next(e for e in sc.events if e.at == 1000).pause


# --- step 1500: the line from the start ---------------------------------------------------------------

def test_step_1500_the_line_from_the_start(lesson):
    sc, problem, P = lesson
    alphas = L.LINE_ALPHAS
    inside = np.flatnonzero((alphas >= -1e-12) & (alphas <= 1 + 1e-12))
    start_loss = float(problem.loss(P[0, :1])[0])
    line = L.line_losses(problem, P[0, 0], P[1500])
    for r in range(3):
        along = line[r, inside]
        top = int(np.argmax(along))
        assert 0 < top < len(along) - 1 and along[top] > start_loss              # it rises first ...
        assert np.all(np.diff(along[: top + 1]) > 0) and np.all(np.diff(along[top:]) < 0)  # ... then only falls
        assert along[top] - start_loss < 0.01                                     # a little
        assert int(np.argmin(line[r])) == int(np.flatnonzero(np.isclose(alphas, 1))[0])  # its end: the lowest
    top = {r: int(np.argmax(line[r, inside])) for r in (GD, ADAM)}
    assert round(line[GD, inside][top[GD]], 3) == 0.696 and alphas[inside][top[GD]] == pytest.approx(0.125)
    assert f"{line[ADAM, inside][top[ADAM]]:.3f}" == "0.700" and alphas[inside][top[ADAM]] == pytest.approx(0.15)
    # at step 500 the same lines fell from the start
    early = L.line_losses(problem, P[0, 0], P[500])[:, inside]
    assert np.all(np.diff(early, axis=1) < 0)
    assert_said(1500, "rises a little first", "GD's to 0.696 at α = 0.125", "Adam's to 0.700 at 0.15",
                "falls to its end, its lowest point: no barrier", "At step 500 it fell from the start")


# --- step 2000: PCA plane against a random plane -----------------------------------------------------

def test_step_2000_pca_against_random(lesson):
    sc, problem, P = lesson
    pca = plane_at(P, 2000)
    assert pct(sum(pca.explained)) == "94.3%"
    for shown in app_planes(P, 2000, samples=6):               # the app's plane, fitted a little earlier
        assert abs(sum(shown.explained) - sum(pca.explained)) < 0.015
    random = L.fit_plane("random", P, problem, sc.seed)        # as `gdtui landscape --plane random` fits it
    assert random.kind == "random" and pct(sum(random.explained)) == "4.0%"
    assert sum(random.explained) < 2 / 30                      # less than two random directions of 30 hold on average
    assert_said(2000, "94.3% of the motion (gdtui landscape landscape)", "(--plane random) holds 4.0%",
                "Li et al. draw paths on PCA planes")


# --- the headless report quotes the same numbers -----------------------------------------------------

def test_gdtui_landscape_reports_the_plane_fitted_up_to_its_step(lesson):
    from gdtui import landscape_report

    sc, problem, P = lesson
    result = landscape_report.analyse(sc, 100)
    assert result["steps"] == 100 and result["unit"] == "step" and result["plane"] == "pca"
    plane = plane_at(P, 100)
    np.testing.assert_allclose(result["explained_variance"], plane.explained, rtol=1e-9)
    run = {r["name"]: r for r in result["runs"]}
    np.testing.assert_allclose(np.array(run["Adam"]["path"]), plane.coordinates(P[:101, ADAM]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run["GD"]["residual"], plane.residuals(P[:101, GD]), rtol=1e-9, atol=1e-12)
    line = {r["name"]: r["loss"] for r in result["line"]["runs"]}
    np.testing.assert_allclose(line["Momentum"], L.line_losses(problem, P[0, 0], P[100, MOMENTUM][None])[0], rtol=1e-9)
