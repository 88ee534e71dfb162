"""gdtui theory and gdtui run --sharpness: the JSON the issue specifies, numbers from the math."""

import math

import numpy as np
import pytest

from .conftest import BASE


def test_theory_json_on_the_bowl(gdtui):
    doc = gdtui("theory", "bowl", "--json").json()
    assert doc["eigenvalues"] == pytest.approx([1.0, 25.0]) and doc["quadratic"] is True
    runs = {r["name"]: r for r in doc["runs"]}
    gd = runs["GD"]
    assert gd["predicted_rate"] == pytest.approx(1 - 0.075) and gd["stable_lr_max"] == pytest.approx(2 / 25)
    assert gd["measured_rate"] == pytest.approx(0.925, abs=1e-6) and gd["local"] is False
    m = runs["Momentum 0.9"]   # EMA momentum circling: |μ| = √β
    assert m["predicted_rate"] == pytest.approx(math.sqrt(0.9)) and m["measured_rate"] == pytest.approx(math.sqrt(0.9), abs=1e-3)
    assert m["stable_lr_max"] == pytest.approx(2 * 1.9 / (0.1 * 25))
    adam = runs["Adam"]
    assert adam["predicted_rate"] is None and adam["stable_lr_max"] is None and adam["measured_rate"] is None
    assert set(gd) >= {"name", "optimizer", "lr", "hyper", "predicted_rate", "stable_lr_max", "measured_rate", "local"}


def test_theory_of_nesterov_and_a_local_surface(gdtui, tmp_path):
    text = BASE.replace('name = "GD"\noptimizer = "gd"\nlr = 0.05',
                        'name = "N"\noptimizer = "nesterov"\nlr = 0.6\nbeta = 0.9')
    f = tmp_path / "n.toml"
    f.write_text(text)
    run = gdtui("theory", str(f), "--json").json()["runs"][0]
    assert run["stable_lr_max"] == pytest.approx(2 * 1.9 / (2.8 * 0.1 * 25)) and run["predicted_rate"] > 1
    doc = gdtui("theory", "rosenbrock", "--json").json()
    assert doc["eigenvalues"] is None and all(r["local"] for r in doc["runs"])
    for r in doc["runs"]:
        assert len(r["eigenvalues"]) == 2


def test_theory_table_and_bad_input(gdtui):
    out = gdtui("theory", "bowl").out
    assert "ρ predicted" in out and "0.925" in out and "1.52" in out
    bad = gdtui("theory", "nope.toml")
    assert bad.code == 2 and bad.err.count("\n") == 1
    assert gdtui("theory", "bowl", "--epochs", "3").code == 2


def test_run_sharpness_json(gdtui):
    doc = gdtui("run", "bowl", "--json", "--sharpness", "--sharpness-every", "50").json()
    assert doc["sharpness_ticks"] == [0, 50, 100, 150, 200]
    gd = doc["runs"][0]
    assert len(gd["sharpness"]) == 201 and gd["sharpness"][1] is None
    assert gd["sharpness"][50] == pytest.approx(25.0) and gd["sharpness_bound"][50] == pytest.approx(2 / 0.075)
    assert gd["sharpness_bound"][51] is None
    adam = doc["runs"][3]
    # Adam's preconditioned sharpness: λmax(D H D), D = diag(1/√(√ŝ + ε)), ŝ its own second moment
    assert adam["preconditioned_sharpness"][0] is None and adam["preconditioned_sharpness"][50] > 0
    assert adam["sharpness_bound"][200] == pytest.approx(2 * 1.9 / (0.1 * 0.1))
    assert gdtui("run", "bowl", "--sharpness").code == 2
    assert gdtui("run", "bowl", "--json", "--sharpness-every", "5").code == 2


def test_preconditioned_sharpness_is_the_eigenvalue_of_p_inverse_h():
    from gdtui.core import theory
    from gdtui.scenario import load
    race = load("bowl").build_race()
    race.step(30)
    plain, pre = theory.sharpness(race.problem, race)
    s_hat = race.internals()["s_hat"][3]
    P_inv = np.diag(1 / (np.sqrt(s_hat) + 1e-8))
    expected = max(np.linalg.eigvals(P_inv @ np.diag([1.0, 25.0])).real)
    assert pre[3] == pytest.approx(expected, rel=1e-10) and plain[0] == pytest.approx(25.0)
    assert np.isnan(pre[:3]).all()


def test_a_converged_run_on_a_curved_surface_is_measured_against_its_local_theory(gdtui, tmp_path):
    """Himmelblau from (0, 0): GD settles at (3, 2), where the Hessian is exact; the rate its
    last steps follow is the local theory's |1 − lr·λ| for the flatter direction."""
    f = tmp_path / "h.toml"
    f.write_text('title = "h"\nsteps = 400\n[problem]\ntype = "surface"\nname = "himmelblau"\nstart = [0.0, 0.0]\n'
                 '[[runs]]\nname = "GD"\noptimizer = "gd"\nlr = 0.01\n')
    run = gdtui("theory", str(f), "--json").json()["runs"][0]
    # the Hessian of Himmelblau at its minimum (3, 2), worked by hand: [[74, 20], [20, 34]]
    lam = np.linalg.eigvalsh(np.array([[74.0, 20.0], [20.0, 34.0]]))
    assert run["local"] and run["eigenvalues"] == pytest.approx(lam, rel=1e-5)
    assert run["predicted_rate"] == pytest.approx(1 - 0.01 * lam[0], rel=1e-5)
    assert run["measured_rate"] == pytest.approx(run["predicted_rate"], abs=2e-3)
