"""Every bundled scenario runs headless, and what its narration claims is
checked against its numbers (the JSON of `gdtui run --json --history`)."""

import math

import numpy as np
import pytest

from gdtui.scenario import bundled_names, load


@pytest.fixture(scope="module")
def runs():
    """name -> {run name -> run JSON}, plus the document, computed once per scenario."""
    import json

    from gdtui.cli import main
    cache = {}

    def get(name, *extra):
        if (name, extra) not in cache:
            import contextlib
            import io
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main(["run", name, "--json", "--history", *extra]) == 0
            doc = json.loads(out.getvalue())
            cache[name, extra] = doc, {r["name"]: r for r in doc["runs"]}
        return cache[name, extra]
    return get


def gaps(run, f_star):
    return np.array([np.inf if v is None else v - f_star for v in run["losses"]])


def path(run):
    return np.array([[np.nan if v is None else v for v in p] for p in run["trajectory"]])


def test_every_bundled_scenario_is_a_lesson():
    names = bundled_names()
    assert {"ravine", "batch_size", "too_big", "momentum_beta", "adam_bias", "saddle", "rosenbrock",
            "rastrigin", "distill", "course_moons", "course_moons_decay", "schedules"} <= set(names)
    for name in names:
        sc = load(name)
        assert sc.title and len(sc.description) > 80, name
        assert any(e.say for e in sc.events), name


def test_ravine(runs):
    doc, r = runs("ravine")
    gd = path(r["GD"])
    # GD's b error flips sign on each of the first steps (zig-zag across b)
    theta = load("ravine").build_problem().theta
    b_err = gd[:9, 1] - theta[1]
    assert np.all(np.sign(b_err[1:]) == -np.sign(b_err[:-1]))
    w_err = lambda name: abs(path(r[name])[40, 0] - theta[0])
    assert w_err("Momentum") < w_err("GD") / 2
    final = {name: gaps(run, doc["f_star"])[-1] for name, run in r.items()}
    assert final["SGD"] > final["Mini-batch"] > final["GD"]
    assert min(final, key=final.get) == "Adam"
    assert all(run["status"] == "running" for run in r.values())


def test_batch_size(runs):
    doc, r = runs("batch_size")
    floor = [np.mean(gaps(r[n], doc["f_star"])[200:]) for n in ("batch 256 (GD)", "batch 64", "batch 8", "batch 1 (SGD)")]
    assert floor == sorted(floor) and floor[0] < 1e-10 and floor[3] > 0.3
    assert r["batch 256 (GD)"]["status"] == "converged"


def test_batch_size_epochs(runs):
    doc, r = runs("batch_size_epochs")
    assert [r[n]["updates"] for n in r] == [5, 20, 160, 1280]
    final = {n: gaps(run, doc["f_star"])[-1] for n, run in r.items()}
    assert final["batch 8"] < final["batch 64"] < final["batch 256 (GD)"]
    assert final["batch 1 (SGD)"] > final["batch 64"]


def test_too_big(runs):
    doc, r = runs("too_big")
    a, b, c = r["0.9 × 2/λmax"], r["1.0 × 2/λmax"], r["1.1 × 2/λmax"]
    assert a["status"] == "converged"
    assert b["status"] == "running" and b["final_loss"] == pytest.approx(5.0)
    y = path(b)[1:, 1]
    assert np.allclose(np.abs(y), 1.0) and np.all(y[1:] == -y[:-1])  # bounces forever
    assert c["status"] == "diverged" and c["diverged_at"] == 40


def test_momentum_beta(runs):
    doc, r = runs("momentum_beta")
    assert r["β = 0 (GD)"]["status"] == "diverged" and r["β = 0 (GD)"]["diverged_at"] <= 12
    for name in ("β = 0.5", "β = 0.9", "β = 0.99"):
        assert r[name]["status"] != "diverged"
    final = {n: gaps(run, doc["f_star"])[-1] for n, run in r.items() if run["status"] != "diverged"}
    assert min(final, key=final.get) == "β = 0.9" and r["β = 0.9"]["converged_at"] <= 250
    g99 = gaps(r["β = 0.99"], doc["f_star"])
    assert np.any(np.diff(g99) > 0)  # it overshoots: the loss goes back up
    assert final["β = 0.99"] > final["β = 0.5"]


def test_adam_bias(runs):
    doc, r = runs("adam_bias")
    corrected, raw = path(r["Adam"]), path(r["no bias correction"])
    np.testing.assert_allclose(np.abs(corrected[1] - corrected[0]), 0.05, rtol=1e-6)
    np.testing.assert_allclose(np.abs(raw[1] - raw[0]), 0.05 * 0.1 / math.sqrt(0.001), rtol=1e-6)
    assert raw[:30, 1].min() < -0.5                     # overshoots the narrow direction
    assert np.all(np.diff(corrected[:25, 1]) < 0)       # walks in
    ratio = np.abs(raw[11] - raw[10]) / 0.05            # about 6.5x too large at t = 10 ...
    assert ratio.max() == pytest.approx((1 - 0.9**11) / math.sqrt(1 - 0.999**11), rel=0.25)


def test_saddle(runs):
    doc, r = runs("saddle")
    exact = r["GD (exact)"]
    assert exact["status"] == "converged" and np.all(path(exact)[:, 1] == 0.0)
    escape = {n: int(np.argmax(np.abs(path(run)[:, 1]) > 1)) for n, run in r.items() if n != "GD (exact)"}
    assert all(step > 0 for step in escape.values())
    assert escape["Adam"] < escape["Momentum"] < escape["SGD"] < escape["Mini-batch GD"]
    assert escape["Adam"] <= 25 < escape["Momentum"] and escape["Mini-batch GD"] <= 80


def test_rosenbrock(runs):
    doc, r = runs("rosenbrock")
    assert r["GD"]["final_loss"] > 1
    for name in ("Momentum", "Nesterov", "Adam"):
        assert r[name]["final_loss"] < 0.003
    at_1000 = {n: run["losses"][1000] for n, run in r.items()}
    assert min(at_1000, key=at_1000.get) == "Momentum"


def test_rastrigin(runs):
    doc, r = runs("rastrigin")
    gd, adam, sgd = r["GD"], r["Adam"], r["SGD, cosine decay"]
    assert gd["status"] == "converged" and gd["converged_at"] <= 40 and gd["final_loss"] == pytest.approx(17.91, abs=0.01)
    assert r["Momentum"]["final_loss"] == pytest.approx(17.91, abs=0.01)
    assert adam["final_loss"] == pytest.approx(12.93, abs=0.01)
    assert sgd["final_loss"] < adam["final_loss"] < gd["final_loss"]
    assert np.hypot(*sgd["params"]) < np.hypot(*adam["params"]) < np.hypot(*gd["params"])


def test_distill(runs):
    doc, r = runs("distill")
    err = {n: np.linalg.norm(path(run), axis=1) for n, run in r.items()}
    gd, hb = err["GD α = 0.018"], err["Momentum optimal"]
    assert (gd[300] / gd[200]) ** (1 / 100) == pytest.approx(0.982, abs=1e-6)
    rho = (math.sqrt(100) - 1) / (math.sqrt(100) + 1)
    assert (hb[300] / hb[150]) ** (1 / 150) == pytest.approx(rho * 2 ** (1 / 150), rel=2e-3)
    assert hb[150] < 1e-10 and gd[150] == pytest.approx(0.23, abs=0.01)


def test_schedules(runs):
    doc, r = runs("schedules")
    final = {n: gaps(run, doc["f_star"])[-1] for n, run in r.items()}
    for name in ("inverse time", "step", "exponential", "cosine"):
        assert final[name] < final["constant"] / 4, name
    assert final["exponential"] < final["cosine"] < final["inverse time"] < final["step"]


def test_spiral(runs):
    doc, r = runs("spiral")
    acc = {n: run["accuracy"] for n, run in r.items()}
    assert acc["Adam"] == 1.0 and acc["Adam"] > acc["Momentum"] > acc["GD"]
    early, r100 = runs("spiral", "--epochs", "100")
    assert r100["Adam"]["accuracy"] > 0.9 and r100["GD"]["accuracy"] < 0.7 and r100["Momentum"]["accuracy"] < 0.7


def test_course_moons_decay_narration(runs):
    doc, r = runs("course_moons_decay", "--epochs", "1000")
    assert all(run["accuracy"] >= 0.94 for run in r.values())


# --- what a lesson shows, at the step it shows it -------------------------------------------------

def played_to(name: str, tick: int):
    from gdtui.playback import Playback

    pb = Playback(load(name), reading_holds=False)
    pb.step(tick)
    return pb


@pytest.mark.parametrize("name", bundled_names())
def test_a_lessons_focus_and_view_apply_at_their_step(name):
    from gdtui.playback import Playback

    pb = Playback(load(name), reading_holds=False)
    for event in pb.scenario.events:
        pb.step(event.at - pb.cursor)
        if event.focus is not None:
            assert pb.view.selected == event.focus and pb.frame().runs[event.focus].name == pb.scenario.runs[event.focus].name
        if event.spotlight is not None:
            assert pb.view.spotlight == event.spotlight
        if event.view:
            assert pb.view.box == event.view
        if event.say:
            assert pb.frame().narration.text == event.say


def test_ravine_zooms_in_on_gds_zig_zag_at_8():
    pb = played_to("ravine", 8)
    view = pb.view
    assert view.selected == 0 and view.spotlight and view.box == ((-2.15, -0.75), (-0.6, 2.7))
    path = pb.frame().path[:, 0]
    (x0, x1), (y0, y1) = view.box
    inside = (path[:, 0] > x0) & (path[:, 0] < x1) & (path[:, 1] > y0) & (path[:, 1] < y1)
    assert inside.all()                                  # all eight steps of the zig-zag in view
    assert np.all(np.sign(np.diff(path[:, 1]))[1:] == -np.sign(np.diff(path[:, 1]))[:-1])  # it zig-zags
    assert pb.view.spotlight and played_to("ravine", 120).view.spotlight is False


def test_adam_bias_inspector_at_1_shows_v_and_s_used_as_they_are():
    row = played_to("adam_bias", 1).frame().runs[1]
    assert row.name == "no bias correction" and set(row.internals) == {"g", "v", "s", "step"}
    step = 0.05 * row.internals["v"] / (np.sqrt(row.internals["s"]) + 1e-8)
    np.testing.assert_allclose(row.internals["step"], step, rtol=1e-12)
    np.testing.assert_allclose(np.abs(row.internals["step"]), 0.05 * 0.1 / math.sqrt(0.001), rtol=1e-6)
