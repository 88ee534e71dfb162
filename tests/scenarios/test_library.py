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


def ema_rate(lr, beta, lam):
    """Spectral radius of EMA momentum v = βv + (1−β)g, p -= lr·v on eigenvalue lam: the
    largest |root| of μ² − (1 + β − lr(1−β)lam)μ + β = 0."""
    return max(abs(np.roots([1.0, -(1 + beta - lr * (1 - beta) * lam), beta])))


def first_below(values, tol=1e-6):
    return int(np.argmax(np.asarray(values) < tol))


def said_at(name, tick):
    return " ".join(e.say for e in load(name).events if e.at == tick and e.say)


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
    # step 200: Adam's loss is the lowest, GD's next; in distance in (w, b) momentum is closest
    at200 = {name: gaps(run, doc["f_star"])[200] for name, run in r.items()}
    assert sorted(at200, key=at200.get)[:2] == ["Adam", "GD"]
    dist = {name: np.linalg.norm(path(run)[200] - theta) for name, run in r.items()}
    assert min(dist, key=dist.get) == "Momentum" and dist["Momentum"] < dist["Adam"] / 1.5
    assert "step 200" in said_at("ravine", 200)


def test_batch_size(runs):
    doc, r = runs("batch_size")
    names = ("batch 256 (GD)", "batch 64", "batch 8", "batch 1 (SGD)")
    # step 300: the floors averaged over steps 200–300: about 0.004, 0.07 and 0.6 above f*
    floor = [np.mean(gaps(r[n], doc["f_star"])[200:301]) for n in names]
    assert floor == sorted(floor) and floor[0] < 1e-10
    assert floor[1:] == [pytest.approx(0.004, abs=5e-4), pytest.approx(0.07, abs=5e-3), pytest.approx(0.6, abs=0.05)]
    assert "200–300" in said_at("batch_size", 300)
    # step 150: GD has converged; the floors so far (steps 100–150) already grow as the batch shrinks
    assert r["batch 256 (GD)"]["status"] == "converged" and r["batch 256 (GD)"]["converged_at"] <= 150
    so_far = [np.mean(gaps(r[n], doc["f_star"])[100:151]) for n in names]
    assert so_far == sorted(so_far)


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
    # step 250: β = 0.9 has converged and is the closest to the minimum, by loss and by distance
    theta = load("momentum_beta").build_problem().theta
    alive = [n for n, run in r.items() if run["status"] != "diverged"]
    at250 = {n: gaps(r[n], doc["f_star"])[250] for n in alive}
    dist = {n: np.linalg.norm(path(r[n])[250] - theta) for n in alive}
    assert min(at250, key=at250.get) == min(dist, key=dist.get) == "β = 0.9"
    assert "step 250" in said_at("momentum_beta", 250)
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
    assert r["no bias correction"]["losses"][60] < r["Adam"]["losses"][60]  # step 60: nearer, by luck


def test_adam_bias_factor_over_a_long_run():
    """The description: the uncorrected step is (1−β1^t)/√(1−β2^t) times too large: 3.16 at
    t = 1, about 6.5 at t = 10, still 1.26 at t = 1000, within 1% of 1 only after about 3900."""
    from gdtui.core.optimizers import RULES

    factor = lambda t: (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    t = np.arange(1, 6001)
    assert factor(1) == pytest.approx(3.16, abs=0.005) and factor(10) == pytest.approx(6.5, abs=0.05)
    assert factor(1000) == pytest.approx(1.26, abs=0.005)
    assert 3850 <= t[np.argmax(factor(t) < 1.01)] <= 3950 and np.all(factor(t[t >= 3950]) < 1.01)
    # and that is what Adam's rule does with a constant gradient, with and without correction
    adam = RULES["adam"]
    state = adam.init((2, 1))
    hp = {k: np.full((2, 1), v) for k, v in adam.hyper.items()}
    hp["bias_correction"] = np.array([[1.0], [0.0]])
    g, ratios = np.full((2, 1), 10.0), []  # large enough that ε = 1e-8 does not show
    for _ in range(1000):
        step, state, _ = adam.update(g, state, np.full((2, 1), 0.05), hp, np.zeros((2, 1)))
        ratios.append(step[1, 0] / step[0, 0])
    np.testing.assert_allclose(ratios, factor(t[:1000]), rtol=1e-6)


def test_saddle(runs):
    doc, r = runs("saddle")
    exact = r["GD (exact)"]
    assert exact["status"] == "converged" and np.all(path(exact)[:, 1] == 0.0)
    escape = {n: int(np.argmax(np.abs(path(run)[:, 1]) > 1)) for n, run in r.items() if n != "GD (exact)"}
    assert all(step > 0 for step in escape.values())
    assert escape["Adam"] < escape["Momentum"] < escape["SGD"] < escape["Mini-batch GD"]
    assert escape["Adam"] <= 25 < escape["Momentum"] and escape["Mini-batch GD"] <= 80
    # step 80: exact GD is x_k = 1.5·0.9^k (x ← x − 0.05·2x), so |∇f| = 3·0.9^k: 6.6e-4, not zero
    k = np.arange(len(exact["trajectory"]))
    np.testing.assert_allclose(path(exact)[:, 0], 1.5 * 0.9**np.minimum(k, 142), rtol=1e-9)
    grad80 = np.hypot(*(2 * path(exact)[80]))
    assert grad80 == pytest.approx(3 * 0.9**80) and grad80 == pytest.approx(6.6e-4, abs=0.05e-4)
    # ... it reports itself converged when 3·0.9^k < 1e-6: at step 142, where an event says so
    assert exact["converged_at"] == first_below(3 * 0.9 ** np.arange(1000)) == 142
    assert "converged" in said_at("saddle", 142)
    # step 80: mini-batch GD's y grows ×(1 + 2·0.05) = ×1.1 per step
    y = np.abs(path(r["Mini-batch GD"])[:, 1])
    assert (y[80] / y[60]) ** (1 / 20) == pytest.approx(1.1, rel=2e-3)


def test_bowl(runs):
    doc, r = runs("bowl")
    gd, tuned, m9, adam = (r[n] for n in ("GD", "Momentum tuned", "Momentum 0.9", "Adam"))
    # the tuned heavy ball: β = 4/9 and lr = (1/9)/(1 − 4/9) = 0.2 (heavy-ball step 4/(1+5)² = 1/9)
    assert tuned["hyper"]["beta"] == pytest.approx(4 / 9, abs=1e-15) and tuned["lr"] == 0.2
    for lam in (1.0, 25.0):
        assert ema_rate(0.2, 4 / 9, lam) == pytest.approx(2 / 3, abs=1e-6)      # (√κ−1)/(√κ+1)
        assert ema_rate(0.075, 0.9, lam) == pytest.approx(math.sqrt(0.9))      # β = 0.9 circles
    # double roots 2/3 (x, λ = 1) and −2/3 (y, λ = 25): x_k = x0(1 + k/3)(2/3)^k, y_k = y0(1 + 5k/3)(−2/3)^k
    k = np.arange(tuned["converged_at"] + 1)
    closed = np.stack([-3.5 * (1 + k / 3) * (2 / 3) ** k, 1.5 * (1 + 5 * k / 3) * (-2 / 3) ** k], 1)
    np.testing.assert_allclose(path(tuned)[k], closed, rtol=1e-9)
    # GD: x_k = x0·0.925^k, y_k = y0·(−0.875)^k
    kg = np.arange(gd["converged_at"] + 1)
    gd_closed = np.stack([-3.5 * 0.925**kg, 1.5 * (-0.875) ** kg], 1)
    np.testing.assert_allclose(path(gd)[kg], gd_closed, rtol=1e-9, atol=1e-15)
    # step 0: GD's lr is under 2/λmax = 0.08
    assert 0.075 < 2 / 25 == pytest.approx(0.08) and gd["status"] != "diverged"
    # step 20: the tuned run's error has shrunk ×0.76 per step so far; the rate tends to 2/3
    e = np.linalg.norm(path(tuned), axis=1)
    assert (e[20] / e[0]) ** (1 / 20) == pytest.approx(0.76, abs=0.005)
    assert 2 / 3 < e[51] / e[50] < 2 / 3 + 0.02
    # step 60: converged at 55 (|∇f| = |(x, 25y)| < 1e-6); GD needs until 194
    kk = np.arange(1000)
    assert tuned["converged_at"] == first_below(np.hypot(-3.5 * (1 + kk / 3) * (2 / 3) ** kk,
                                                          25 * 1.5 * (1 + 5 * kk / 3) * (2 / 3) ** kk)) == 55
    assert gd["converged_at"] == first_below(np.hypot(3.5 * 0.925**kk, 25 * 1.5 * 0.875**kk)) == 194
    said = said_at("bowl", 60)
    assert "step 55" in said and "step 194" in said
    # step 150: β = 0.9's error shrinks ×√0.9 ≈ 0.95 per step, slower than GD's ×0.925, and it
    # still circles (y changes sign)
    e9, eg = np.linalg.norm(path(m9), axis=1), np.linalg.norm(path(gd), axis=1)
    assert (e9[150] / e9[0]) ** (1 / 150) == pytest.approx(math.sqrt(0.9), abs=0.002)
    assert (eg[150] / eg[0]) ** (1 / 150) == pytest.approx(0.925, abs=0.001) and eg[150] < e9[150]
    assert m9["status"] == "running" and len(set(np.sign(path(m9)[130:151, 1]))) == 2
    # Adam's first step is lr = 0.1 long in every coordinate
    np.testing.assert_allclose(np.abs(path(adam)[1] - path(adam)[0]), 0.1, rtol=1e-6)


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
    # the optimal heavy ball: a double root ±9/11 on both eigenvalues (lr 0.1 = 1/√(1·100),
    # β = (9/11)²), so each coordinate's error is (1 + c·k)·(9/11)^k: c = 2/11 in x, 20/11 in y
    run = r["Momentum optimal"]
    assert run["hyper"]["beta"] == pytest.approx(81 / 121, abs=1e-15) and run["lr"] == 0.1
    for lam in (1.0, 100.0):
        assert ema_rate(0.1, 81 / 121, lam) == pytest.approx(9 / 11, abs=1e-6)
    k = np.arange(151)
    closed = np.stack([-3.5 * (1 + 2 * k / 11) * (9 / 11) ** k, 0.35 * (1 + 20 * k / 11) * (-9 / 11) ** k], 1)
    np.testing.assert_allclose(path(run)[:151], closed, rtol=1e-6, atol=1e-14)
    # step 30: GD's y is settled, its x shrinks ×0.982; momentum's error has shrunk ×0.88 per step
    assert err["GD α = 0.018"][30] == pytest.approx(3.5 * 0.982**30, rel=1e-3)
    assert (hb[30] / hb[0]) ** (1 / 30) == pytest.approx(0.88, abs=0.005)


def test_schedules(runs):
    doc, r = runs("schedules")
    final = {n: gaps(run, doc["f_star"])[-1] for n, run in r.items()}
    for name in ("inverse time", "step", "exponential", "cosine"):
        assert final[name] < final["constant"] / 4, name
    assert final["exponential"] < final["cosine"] < final["inverse time"] < final["step"]


def test_spiral(runs):
    doc, r = runs("spiral")
    acc = {n: run["accuracy"] for n, run in r.items()}
    best = "GD, best lr"
    # epoch 600: Adam and GD at lr 1.5 fit the spiral, at loss 0.001 and 0.0003; at lr 0.05
    # momentum gets further than GD, both far behind
    assert r[best]["optimizer"] == "gd" and r[best]["lr"] == 1.5 and r["GD"]["lr"] == 0.05
    assert acc["Adam"] == acc[best] == 1.0 and acc["Adam"] > acc["Momentum"] > acc["GD"]
    assert r["Adam"]["final_loss"] == pytest.approx(0.001, abs=1e-4)
    assert r[best]["final_loss"] == pytest.approx(0.0003, abs=5e-5)
    assert min(r["GD"]["final_loss"], r["Momentum"]["final_loss"]) > 100 * r["Adam"]["final_loss"]
    # epoch 100: Adam 94%, GD and momentum at lr 0.05 near 65%, GD at lr 1.5 at 76%
    early, r100 = runs("spiral", "--epochs", "100")
    assert r100["Adam"]["accuracy"] == pytest.approx(0.94, abs=0.01)
    assert r100["GD"]["accuracy"] == pytest.approx(0.65, abs=0.025)
    assert r100["Momentum"]["accuracy"] == pytest.approx(0.65, abs=0.025)
    assert r100[best]["accuracy"] == pytest.approx(0.76, abs=0.01)
    assert r100["Adam"]["final_loss"] < r100[best]["final_loss"]            # Adam was faster at first
    # epoch 200: GD at lr 1.5 has overtaken Adam: every point, loss 0.006 against 0.06
    mid, r200 = runs("spiral", "--epochs", "200")
    assert r200[best]["accuracy"] == 1.0 > r200["Adam"]["accuracy"]
    assert r200[best]["final_loss"] == pytest.approx(0.006, abs=5e-4)
    assert r200["Adam"]["final_loss"] == pytest.approx(0.06, abs=5e-3)


def test_spiral_gd_lr_is_near_its_best():
    """lr 1.5 for GD: on a sweep's grid (`gdtui sweep spiral`), both GD runs' streams end within
    a factor 2 of their best loss at 1.5, and 6 is past the edge for both."""
    from gdtui import sweep

    result = sweep.run_sweep(load("spiral"), np.array([0.75, 1.5, 3.0, 6.0]))[1]
    for row in result["runs"]:
        if row["optimizer"] == "gd":
            loss = {p["lr"]: p["final_loss"] for p in row["points"]}
            assert loss[1.5] < 2 * min(loss.values()) and loss[1.5] < loss[0.75] and loss[6.0] > 0.1, row["name"]


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
