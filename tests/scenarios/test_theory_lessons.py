"""The theory lessons (rate_map, edge_of_stability, noise_scale, rotated_ravine): every number
a narration quotes is checked at the step where it is said, computed independently where a
closed form exists (quadratic bowls, linear regression) and by the core's theory otherwise."""

import dataclasses
import math

import numpy as np
import pytest

from gdtui.core import theory
from gdtui.core.batches import FULL
from gdtui.scenario import load

LESSONS = ("rate_map", "edge_of_stability", "noise_scale", "rotated_ravine")


def said_at(name, tick):
    return " ".join(e.say for e in load(name).events if e.at == tick and e.say)


def assert_said(name, tick, *phrases):
    text = said_at(name, tick)
    for phrase in phrases:
        assert phrase in text, f"{name} at {tick}: {phrase!r} not in {text!r}"


def raced(name_or_scenario, steps=None):
    sc = load(name_or_scenario) if isinstance(name_or_scenario, str) else name_or_scenario
    race = sc.build_race()
    race.step(steps or sc.length)
    return sc, race


def index(sc, name):
    return sc.run_index(name)


# --- closed forms, from the update equations (not from gdtui.core.theory) ------------------------

def gd_rate(lr, lam):
    """e' = (1 − αλ)e."""
    return abs(1 - lr * lam)


def ema_rate(lr, beta, lam):
    """v' = βv + (1−β)λe, e' = e − αv': the largest |root| of μ² − (1 + β − α(1−β)λ)μ + β."""
    return max(abs(np.roots([1.0, -(1 + beta - lr * (1 - beta) * lam), beta])))


def nesterov_rate(lr, beta, lam):
    """v' = βv + (1−β)λ(e − αβv), e' = e − αv': with a = α(1−β)λ and u = αv the map is
    [[1−a, −β(1−a)], [a, β(1−a)]], trace (1+β)(1−a), determinant β(1−a)."""
    a = lr * (1 - beta) * lam
    return max(abs(np.roots([1.0, -(1 + beta) * (1 - a), beta * (1 - a)])))


def first_below(values, tol=1e-6):
    return int(np.argmax(np.asarray(values) < tol))


# --- every lesson -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LESSONS)
def test_a_theory_lesson_is_a_lesson(name):
    sc = load(name)
    assert sc.title and len(sc.description) > 80
    says = [e for e in sc.events if e.say]
    assert 4 <= len(says) <= 7
    assert all(len(e.say) < 230 for e in says)
    assert len({e.at for e in says}) == len(says)            # one narration per step
    text = " ".join([sc.description] + [e.say for e in says]).lower()
    assert "the seed" not in text


# --- rate_map ----------------------------------------------------------------------------------------

def test_rate_map():
    sc, race = raced("rate_map")
    lam = (1.0, 25.0)
    assert sc.problem_params["condition"] == 25.0 and sc.problem_params.get("angle", 0.0) == 0.0
    runs = {r.name: r for r in sc.runs}
    best, nest, gd, heavy, over = (runs[n] for n in ("β 4/9", "Nesterov", "GD",
                                                     "β 0.9", "lr 0.22"))
    assert (best.lr, best.hyper["beta"]) == (0.2, pytest.approx(4 / 9, abs=1e-15))
    assert (nest.lr, nest.hyper["beta"]) == (0.12, pytest.approx(2 / 3, abs=1e-15))
    assert gd.lr == pytest.approx(2 / 26, abs=1e-16)
    assert (heavy.lr, heavy.hyper["beta"]) == (0.2, 0.9)
    assert (over.lr, over.hyper["beta"]) == (0.22, best.hyper["beta"])
    kappa = 25.0

    # step 5: the predicted rates, from the closed forms, and as the app's theory computes them
    rho = {
        "β 4/9": max(ema_rate(0.2, 4 / 9, l) for l in lam),
        "Nesterov": max(nesterov_rate(0.12, 2 / 3, l) for l in lam),
        "GD": max(gd_rate(2 / 26, l) for l in lam),
        "β 0.9": max(ema_rate(0.2, 0.9, l) for l in lam),
        "lr 0.22": max(ema_rate(0.22, 4 / 9, l) for l in lam),
    }
    assert rho["β 4/9"] == pytest.approx(2 / 3, abs=1e-6)
    assert rho["β 4/9"] == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), abs=1e-6)
    assert rho["Nesterov"] == pytest.approx(0.8, abs=1e-6) == 1 - 1 / math.sqrt(kappa)
    assert rho["GD"] == pytest.approx(12 / 13) == pytest.approx((kappa - 1) / (kappa + 1))
    assert rho["β 0.9"] == pytest.approx(math.sqrt(0.9)) and round(math.sqrt(0.9), 2) == 0.95
    assert rho["lr 0.22"] == pytest.approx(1.26, abs=0.005)
    for run in sc.runs:
        v = theory.verdict(run.rule, run.lr, run.hyper, lam)
        assert v.predicted_rate == pytest.approx(rho[run.name], abs=1e-6), run.name
    # "the best any (lr, β) can do here": no EMA momentum (GD is β = 0) on a grid beats 2/3
    lrs, betas = np.linspace(0.005, 0.6, 120), np.linspace(0.0, 0.99, 100)
    grid = np.max(theory.rate("momentum", lrs[:, None, None], betas[None, :, None], np.array(lam)), axis=-1)
    assert grid.min() >= 2 / 3 - 1e-3
    assert_said("rate_map", 5, "2/3", "1 − 1/√κ = 0.8", "2/26: 12/13 ≈ 0.92", "√0.9 ≈ 0.95")

    # the paths follow the closed forms: GD x_k = x0(12/13)^k, y_k = y0(−12/13)^k; the best heavy
    # ball's double roots 2/3 and −2/3; Nesterov's double root 0.8 along x and y = 0 after one step
    P = race.history.params
    k = np.arange(race.converged_at[index(sc, "GD")] + 1)
    np.testing.assert_allclose(P[k, index(sc, "GD")],
                               np.stack([-3.5 * (12 / 13) ** k, 1.5 * (-12 / 13) ** k], 1), rtol=1e-9, atol=1e-15)
    k = np.arange(race.converged_at[index(sc, "β 4/9")] + 1)
    np.testing.assert_allclose(P[k, index(sc, "β 4/9")],
                               np.stack([-3.5 * (1 + k / 3) * (2 / 3) ** k, 1.5 * (1 + 5 * k / 3) * (-2 / 3) ** k], 1),
                               rtol=1e-9, atol=1e-15)
    k = np.arange(race.converged_at[index(sc, "Nesterov")] + 1)
    n = index(sc, "Nesterov")
    np.testing.assert_allclose(P[k, n, 0], -3.5 * (1 + 0.2 * k) * 0.8**k, rtol=1e-9)
    assert np.all(np.abs(P[1:k[-1] + 1, n, 1]) < 1e-12)

    # step 28: lr 0.22 has blown up; its edge is 2(1+β)/((1−β)·25) = 0.208, 4% above the best lr
    edge = 2 * (1 + 4 / 9) / ((1 - 4 / 9) * 25)
    assert edge == pytest.approx(0.208)
    assert ema_rate(edge * 0.999, 4 / 9, 25) < 1 < ema_rate(edge * 1.001, 4 / 9, 25)
    assert 0.22 / 0.2 == pytest.approx(1.1) and (edge - 0.2) / edge == pytest.approx(0.04, abs=0.002)
    assert race.diverged_at[index(sc, "lr 0.22")] == 28
    assert race.status_name(index(sc, "lr 0.22")) == "diverged"
    assert_said("rate_map", 28, "blown up", "β = 4/9", "10% more lr", "= 0.208", "ρ ≈ 1.26", "4% below")

    # convergence steps (gradient below 1e-6), in the order of the rates
    conv = {run.name: int(race.converged_at[i]) for i, run in enumerate(sc.runs)}
    assert conv == {"β 4/9": 55, "Nesterov": 81, "GD": 218, "β 0.9": 290,
                    "lr 0.22": -1}
    kk = np.arange(400)
    assert first_below(np.hypot(3.5 * (12 / 13) ** kk, 25 * 1.5 * (12 / 13) ** kk)) == 218

    # step 55: the best run converged; its rate measured from its own path is 2/3
    measured = theory.measured_rates(P[: conv["β 4/9"] + 1, index(sc, "β 4/9")])
    assert measured == [pytest.approx(2 / 3, abs=1e-4)] * 2
    assert_said("rate_map", 55, "step 55", "2/3", "ρ = 0.8", "step 81")

    # step 218: GD converged, four times later; e-folds take 1/ln(1/ρ) steps: 12.5 against 2.5
    assert conv["GD"] / conv["β 4/9"] == pytest.approx(4, abs=0.1)
    assert 1 / math.log(13 / 12) == pytest.approx(12.5, abs=0.05)
    assert 1 / math.log(3 / 2) == pytest.approx(2.5, abs=0.05)
    assert_said("rate_map", 218, "step 218", "four times", "12/13", "2/3", "12.5 steps against 2.5")

    # step 290: β = 0.9 converges last; any lr in [0.03, 1.5] gives it √0.9 (complex roots on both
    # eigenvalues), slower than GD's 12/13; and its path circles (x changes sign again and again)
    assert max(v for v in conv.values()) == conv["β 0.9"] == 290
    for lr in np.linspace(0.03, 1.5, 50):
        assert max(ema_rate(lr, 0.9, l) for l in lam) == pytest.approx(math.sqrt(0.9), abs=1e-9)
    assert ema_rate(0.02, 0.9, 1.0) > math.sqrt(0.9) + 1e-3 and ema_rate(1.55, 0.9, 25.0) > math.sqrt(0.9) + 1e-3
    assert math.sqrt(0.9) > 12 / 13
    x = P[:291, index(sc, "β 0.9"), 0]
    assert np.sum(np.diff(np.sign(x)) != 0) >= 5
    measured = theory.measured_rates(P[:291, index(sc, "β 0.9")])
    assert measured == [pytest.approx(math.sqrt(0.9), abs=1e-4)] * 2
    assert_said("rate_map", 290, "step 290", "0.03 to 1.5", "√0.9 ≈ 0.95", "slower than GD")
    assert "Press y" in said_at("rate_map", 0)


# --- edge_of_stability --------------------------------------------------------------------------------

def track_sharpness(race, length, every):
    """Step the race to `length`, λmax of each run (core.theory.sharpness) every `every` ticks."""
    ticks, plain = [], []
    while True:
        ticks.append(race.tick)
        plain.append(theory.sharpness(race.problem, race)[0])
        if race.tick >= length:
            return np.array(ticks), np.array(plain)
        race.step(min(every, length - race.tick))


def test_edge_of_stability():
    sc = load("edge_of_stability")
    assert sc.clock == "step" and sc.length == 3000 and sc.seed == 0 and sc.compat is None
    assert all(r.rule == "gd" and r.batch == FULL for r in sc.runs)
    assert [r.lr for r in sc.runs] == [0.8, 0.667, 0.4]
    assert sc.problem_params == {"layers": [2, 5, 2, 1], "activation": "relu", "init": "he",
                                 "dataset": "moons", "samples": 300}
    race = sc.build_race()
    # λmax every 25 steps, and every step from 625 to 650 (where a narration quotes the flips)
    parts = [track_sharpness(race, 625, 25), track_sharpness(race, 650, 1), track_sharpness(race, 3000, 25)]
    ticks = np.concatenate([p[0] for p in parts])
    lam = np.concatenate([p[1] for p in parts])
    loss = race.history.loss
    assert race.tick == 3000 and np.all(race.status == 0)

    def at(t):
        return lam[np.flatnonzero(ticks == t)[-1]]

    bound = 2 / np.array([0.8, 0.667, 0.4])
    # step 0: the same start, λmax 0.28
    assert at(0) == pytest.approx([0.28] * 3, abs=0.005)
    assert_said("edge_of_stability", 0, "lr 0.8, 0.667 and 0.4", "2/lr", "0.28")

    # step 425: lr 0.8 at 2.26, 90% of 2.5 (first reached there, on the 25-step grid); lr 0.4 at 1.79
    assert at(425)[0] == pytest.approx(2.26, abs=0.005) and at(425)[0] / 2.5 == pytest.approx(0.9, abs=0.005)
    coarse = ticks % 25 == 0
    assert ticks[coarse][np.argmax(lam[coarse, 0] >= 0.9 * 2.5)] == 425
    assert at(425)[2] == pytest.approx(1.79, abs=0.005)
    grid = lam[coarse & (ticks >= 25) & (ticks <= 425)]                  # sharpening, all three
    assert np.all(np.diff(grid, axis=0) > 0) and np.all(at(425) > 6 * at(0))
    assert_said("edge_of_stability", 425, "2.26", "90%", "2.5", "1.79", "5")

    # step 575: lr 0.8 has reached 2.5 (2.52); loss 0.2256
    assert at(575)[0] == pytest.approx(2.52, abs=0.005) and at(550)[0] < 2.5 <= at(575)[0]
    assert loss[575, 0] == pytest.approx(0.2256, abs=5e-5)
    assert_said("edge_of_stability", 575, "2/lr = 2.5", "2.52", "0.2256")

    # step 630: no divergence; λmax flips each step between about 2.3 and 2.7; the loss rose from
    # 0.2254 at step 559 (its lowest so far) to 0.2312
    flips = np.array([at(t)[0] for t in range(625, 651)])
    d = np.diff(flips)
    assert np.all(d[1:] * d[:-1] < 0)                                    # up, down, up, ...
    assert flips.min() == pytest.approx(2.3, abs=0.02) and flips.max() == pytest.approx(2.7, abs=0.03)
    assert np.all(flips[::2] > 2.5) or np.all(flips[1::2] > 2.5)
    assert int(np.argmin(loss[:631, 0])) == 559 and loss[559, 0] == pytest.approx(0.2254, abs=5e-5)
    assert loss[630, 0] == pytest.approx(0.2312, abs=5e-5) and loss[630, 0] == loss[559:800, 0].max()
    assert_said("edge_of_stability", 630, "does not diverge", "2.3 and 2.7", "0.2254 at step 559", "0.2312")

    # after that, for lr 0.8: λmax averages 2/lr within 1% (±5% asked) over steps 800–3000 and
    # never leaves 2.3–2.7; the 25-step grid alternates parity, so it sees both sides of the flips
    late = coarse & (ticks >= 800)
    assert np.mean(lam[late, 0] / bound[0]) == pytest.approx(1, abs=0.01)
    assert 2.3 < lam[late, 0].min() and lam[late, 0].max() < 2.7

    # step 1350: lr 0.667 has reached its 3.0 (3.01); its loss, lowest at 1316 (0.2238), turns up
    assert bound[1] == pytest.approx(3.0, abs=0.002)
    assert at(1350)[1] == pytest.approx(3.01, abs=0.005) and at(1325)[1] < bound[1] <= at(1350)[1]
    assert int(np.argmin(loss[:1351, 1])) == 1316 and loss[1316, 1] == pytest.approx(0.2238, abs=5e-5)
    assert loss[1350, 1] > loss[1316, 1] and loss[1350:1451, 1].max() > loss[1350, 1] + 0.002
    assert at(1350)[2] == pytest.approx(2.57, abs=0.005) and at(3000)[2] > at(1350)[2]
    assert_said("edge_of_stability", 1350, "3.0", "3.01", "step 1316", "0.2238", "2.57")

    # step 3000: 2.40/2.59 (mean 2.5) for lr 0.8, 3.09/2.89 (mean 3.0) for lr 0.667: the 25-step grid
    # sees both sides (2975 is odd); lr 0.4 at 3.23, below its 5; losses still falling, unevenly
    assert at(3000)[0] == pytest.approx(2.40, abs=0.005) and at(2975)[0] == pytest.approx(2.59, abs=0.005)
    assert at(3000)[1] == pytest.approx(3.09, abs=0.005) and at(2975)[1] == pytest.approx(2.89, abs=0.005)
    assert (at(3000)[0] + at(2975)[0]) / 2 == pytest.approx(2.5, abs=0.01)
    assert (at(3000)[1] + at(2975)[1]) / 2 == pytest.approx(3.0, abs=0.015)
    assert at(3000)[2] == pytest.approx(3.23, abs=0.005) and lam[:, 2].max() < 5
    assert np.mean(lam[coarse & (ticks >= 1500), 1] / bound[1]) == pytest.approx(1, abs=0.01)
    assert loss[3000] == pytest.approx([0.2248, 0.2244, 0.2232], abs=5e-5)
    assert np.all(loss[3000] < loss[2500]) and np.all(loss[3000] < loss[2900])
    assert all(np.any(np.diff(loss[:, r]) > 0) for r in range(3))                # unevenly
    assert_said("edge_of_stability", 3000, "2.40/2.59", "3.09/2.89", "3.23", "0.2248, 0.2244 and 0.2232")


# --- noise_scale --------------------------------------------------------------------------------------------

def b_simple(problem, p):
    """tr(Σ)/|G|² from the per-example gradients 2·r_i·(x_i, 1) of r_i² (independent of the core)."""
    r = p[0] * problem.x + p[1] - problem.y
    g = 2 * r[:, None] * np.stack([problem.x, np.ones_like(problem.x)], 1)
    G = g.mean(0)
    return float(np.sum(g.var(0)) / (G @ G)), G


def test_noise_scale():
    sc, race = raced("noise_scale")
    problem = race.problem
    names = ("batch 1", "batch 8", "batch 64", "full batch")
    sizes = (1, 8, 64, 256)
    assert [r.name for r in sc.runs] == list(names) and all(r.lr == 0.1 and r.rule == "gd" for r in sc.runs)
    assert [r.batch for r in sc.runs] == [1, 8, 64, FULL] and problem.n_samples == 256
    full = names.index("full batch")
    gap = race.history.loss - problem.f_star

    def B(t):
        p = race.history.params[t, full]
        mine, _ = b_simple(problem, p)
        assert theory.noise_scale(theory.example_gradients(problem, p))[2] == pytest.approx(mine, rel=1e-9)
        return mine

    # step 0: 1.6
    assert B(0) == pytest.approx(1.6, abs=0.05)
    assert_said("noise_scale", 0, "1, 8, 64 and 256", "1.6")
    # step 10: 8.0; gaps 1.63, 1.68, 1.50, 1.54 after 10, 80, 640, 2560 examples
    assert B(10) == pytest.approx(8.0, abs=0.05)
    assert gap[10] == pytest.approx([1.63, 1.68, 1.50, 1.54], abs=0.005)
    assert [10 * b for b in sizes] == [10, 80, 640, 2560]
    assert_said("noise_scale", 10, "8.0", "1.63, 1.68, 1.50 and 1.54", "10, 80, 640 and 2560")
    # B_simple grows along the full batch's path as |G| shrinks
    Bs = [B(t) for t in range(0, 101, 5)]
    assert np.all(np.diff(Bs) > 0)
    # step 50: 231; batches 1 and 8 noise-dominated (squared noise B·(n−b)/(b(n−1)) ≫ |G|²), 0.15 and
    # 0.045 above f*, the full batch 0.022
    assert B(50) == pytest.approx(231, abs=0.5)
    assert gap[50, 0] == pytest.approx(0.15, abs=0.005) and gap[50, 1] == pytest.approx(0.045, abs=0.0005)
    assert gap[50, full] == pytest.approx(0.022, abs=0.0005) and gap[50, 1] > 2 * gap[50, full] * 0.99
    assert B(50) * (256 - 8) / (8 * 255) > 25
    assert_said("noise_scale", 50, "231", "0.15 and 0.045", "0.022")
    # step 65: past 1000 (1101, first past it here); batch 64's squared error 13 × |G|² (3.6 × the length),
    # measured on 4000 mini-batches too
    assert B(65) == pytest.approx(1101, abs=1) and B(64) < 1000
    ratio = B(65) * (256 - 64) / (64 * 255)
    assert ratio == pytest.approx(13, abs=0.1) and math.sqrt(ratio) == pytest.approx(3.6, abs=0.01)
    p = race.history.params[65, full]
    _, G = b_simple(problem, p)
    rng = np.random.default_rng(0)
    for b in (1, 8, 64):
        g = theory.batch_gradients(problem, p, b, 4000, rng)
        measured = np.mean(np.sum((g - G) ** 2, axis=1)) / (G @ G)
        assert measured == pytest.approx(B(65) * (256 - b) / (b * 255), rel=0.08) and measured > 1
    assert_said("noise_scale", 65, "1000", "1101", "√13 ≈ 3.6")
    # step 300: floors over 150–300, and the full batch converged at 277
    floors = gap[150:301].mean(axis=0)
    assert floors[:3] == pytest.approx([0.18, 0.012, 0.00055], rel=0.04)
    assert floors[full] < 1e-6
    assert race.converged_at[full] == 277 and race.status_name(full) == "converged"
    assert_said("noise_scale", 300, "150–300", "0.18", "0.012", "0.00055", "step 277")


# --- rotated_ravine -------------------------------------------------------------------------------------------

def test_rotated_ravine():
    sc = load("rotated_ravine")
    assert sc.problem_name == "bowl" and sc.problem_params == {"condition": 100.0, "angle": 45.0}
    aligned = dataclasses.replace(sc, problem_params={**sc.problem_params, "angle": 0.0})
    sc, rot = raced(sc)
    _, ali = raced(aligned)
    names = [r.name for r in sc.runs]
    assert names == ["GD", "Momentum", "Adam", "RMSprop"]
    g, m, a, r = range(4)
    L, La = rot.history.loss, ali.history.loss

    # step 0: the valley floor is y = x; the start is as far along (3.5) and across (1.45) as on the
    # aligned bowl: x' = (x + y)/√2, y' = (y − x)/√2 rotated, (x, y) aligned
    x0, y0 = sc.start
    c = 1 / math.sqrt(2)
    assert abs((x0 + y0) * c) == pytest.approx(abs(x0)) and abs((y0 - x0) * c) == pytest.approx(abs(y0))
    H = rot.problem.hessian(np.array([[0.0, 0.0]]))[0]
    lam, vec = np.linalg.eigh(H)
    assert lam == pytest.approx([1, 100]) and abs(vec[:, 0] @ [c, c]) == pytest.approx(1)
    assert_said("rotated_ravine", 0, "κ = 100", "45°", "y = x")

    # GD and momentum do not see the rotation: identical losses at every step
    np.testing.assert_allclose(L[:, [g, m]], La[:, [g, m]], rtol=1e-9, atol=1e-15)

    # step 10: Adam's √ŝ is 67 and 63 here, 3.1 and 104 aligned
    def sqrt_s_hat(sc_, steps):
        race = sc_.build_race()
        race.step(steps)
        return np.sqrt(race.internals()["s_hat"][a])
    assert sqrt_s_hat(sc, 10) == pytest.approx([67, 63], abs=0.5)
    assert sqrt_s_hat(aligned, 10) == pytest.approx([3.1, 104], abs=0.5)
    assert_said("rotated_ravine", 10, "67 and 63", "3.1 and 104")

    # step 50: Adam 5.0 against 0.34; GD 14.8, momentum 0.28 on both
    assert L[50, a] == pytest.approx(5.0, abs=0.05) and La[50, a] == pytest.approx(0.34, abs=0.005)
    assert L[50, g] == pytest.approx(14.8, abs=0.05) and L[50, m] == pytest.approx(0.28, abs=0.005)
    assert_said("rotated_ravine", 50, "5.0", "0.34", "14.8", "0.28", "exactly")

    # step 100: Adam 3.4 against 0.0011; GD (1.96) below Adam since step 83; momentum 0.00023
    assert L[100, a] == pytest.approx(3.4, abs=0.05) and La[100, a] == pytest.approx(0.0011, abs=0.00005)
    assert L[100, g] == pytest.approx(1.96, abs=0.005) and L[100, m] == pytest.approx(0.00023, abs=0.000005)
    below = L[:, g] < L[:, a]
    assert int(np.argmax(below)) == 83 and below[83:].all()
    assert_said("rotated_ravine", 100, "3.4", "0.0011", "1.96", "step 83", "0.00023")

    # step 300: Adam 0.21 against 2e-12; RMSprop converged at 70 aligned, hovers 0.24–0.29 here
    assert L[300, a] == pytest.approx(0.21, abs=0.005) and La[300, a] == pytest.approx(2e-12, rel=0.1)
    assert ali.converged_at[r] == 70 and rot.status_name(r) == "running"
    assert 0.235 < L[150:301, r].min() and L[150:301, r].max() < 0.295
    assert np.all(rot.status == 0)
    assert_said("rotated_ravine", 300, "0.21", "2e-12", "step 70", "0.24 and 0.29")
