"""Each update rule against its equation worked by hand, and against the
course's published unit-cell values (../shared/reference/course.md)."""

import math

import numpy as np
import pytest

from gdtui.core.optimizers import RULES


def col(x):
    return np.array([[x]], dtype=float)


def run_rule(name, grads, lr, **hyper):
    """Apply `name` to a one-run, one-coordinate parameter starting at 0,
    feeding the given gradients; return the parameter after each step."""
    rule = RULES[name]
    hp = {k: col(hyper.get(k, v)) for k, v in rule.hyper.items()}
    state = rule.init((1, 1))
    p = np.zeros((1, 1))
    out = []
    for g in grads:
        step, state, internals = rule.update(col(g), state, col(lr), hp, p)
        p = p - step
        out.append(float(p[0, 0]))
    return out, state, internals


def test_gd_by_hand():
    ps, _, internals = run_rule("gd", [0.5, 4.0], lr=0.1)
    assert ps == pytest.approx([-0.05, -0.45], abs=1e-15)
    assert internals["step"][0, 0] == pytest.approx(0.4)


def test_momentum_ema_form_by_hand():
    # v1 = 0.1*1 = 0.1 ; v2 = 0.9*0.1 + 0.1*2 = 0.29 ; v3 = 0.9*0.29 + 0.1*(-1) = 0.161
    ps, state, internals = run_rule("momentum", [1.0, 2.0, -1.0], lr=0.5, beta=0.9)
    assert ps == pytest.approx([-0.05, -0.195, -0.2755], abs=1e-14)
    assert state["v"][0, 0] == pytest.approx(0.161, abs=1e-15)
    assert internals["v"][0, 0] == pytest.approx(0.161, abs=1e-15)


def test_adam_by_hand():
    # t=1: v=0.1, s=0.001, v_hat=1, s_hat=1 -> step 0.1*1/(1+1e-8)
    # t=2: v=0.09-0.2=-0.11, s=0.000999+0.004=0.004999,
    #      v_hat=-0.11/0.19, s_hat=0.004999/0.001999
    ps, state, internals = run_rule("adam", [1.0, -2.0], lr=0.1)
    p1 = -0.1 / (1 + 1e-8)
    p2 = p1 - 0.1 * (-0.11 / 0.19) / (math.sqrt(0.004999 / 0.001999) + 1e-8)
    assert ps == pytest.approx([p1, p2], abs=1e-13)
    assert state["t"][0, 0] == 2
    assert internals["v_hat"][0, 0] == pytest.approx(-0.11 / 0.19, abs=1e-13)
    assert internals["s_hat"][0, 0] == pytest.approx(0.004999 / 0.001999, abs=1e-12)


def test_adam_without_bias_correction():
    # v=0.1, s=0.001 used as they are: step = 0.1*0.1/(sqrt(0.001)+1e-8)
    ps, _, internals = run_rule("adam", [1.0], lr=0.1, bias_correction=0.0)
    assert ps[0] == pytest.approx(-0.01 / (math.sqrt(0.001) + 1e-8), abs=1e-13)
    assert internals["v_hat"][0, 0] == pytest.approx(0.1)


def test_rmsprop_by_hand():
    # s1 = 0.1*4 = 0.4 ; s2 = 0.9*0.4 + 0.1*1 = 0.46
    ps, _, _ = run_rule("rmsprop", [2.0, -1.0], lr=0.01, rho=0.9, epsilon=1e-8)
    p1 = -0.01 * 2 / (math.sqrt(0.4) + 1e-8)
    p2 = p1 + 0.01 * 1 / (math.sqrt(0.46) + 1e-8)
    assert ps == pytest.approx([p1, p2], abs=1e-15)


def test_adagrad_by_hand():
    # s1 = 9, s2 = 9 + 16 = 25
    ps, _, _ = run_rule("adagrad", [3.0, 4.0], lr=0.5, epsilon=0.0)
    assert ps == pytest.approx([-0.5, -0.5 - 0.5 * 4 / 5], abs=1e-15)


def test_adadelta_by_hand():
    # rho=0.5, eps=1e-2: s1 = 0.5*4 = 2 ; dx1 = sqrt(0.01)/sqrt(2.01)*2 ; d1 = 0.5*dx1^2
    ps, state, _ = run_rule("adadelta", [2.0, 1.0], lr=1.0, rho=0.5, epsilon=1e-2)
    dx1 = math.sqrt(0.01) / math.sqrt(2.01) * 2
    d1 = 0.5 * dx1**2
    s2 = 0.5 * 2 + 0.5 * 1
    dx2 = math.sqrt(d1 + 0.01) / math.sqrt(s2 + 0.01) * 1
    assert ps == pytest.approx([-dx1, -dx1 - dx2], abs=1e-15)
    assert state["d"][0, 0] == pytest.approx(0.5 * d1 + 0.5 * dx2**2, abs=1e-15)


def test_adamw_decays_the_parameter_not_the_gradient():
    rule = RULES["adamw"]
    hp = {k: col(v) for k, v in rule.hyper.items()} | {"weight_decay": col(0.1)}
    p = col(2.0)
    step, _, _ = rule.update(col(1.0), rule.init((1, 1)), col(0.01), hp, p)
    # t=1: v_hat = 1, s_hat = 1 -> 0.01*(1/(1+1e-8) + 0.1*2)
    assert step[0, 0] == pytest.approx(0.01 * (1 / (1 + 1e-8) + 0.2), abs=1e-15)


def test_nesterov_takes_the_gradient_at_the_look_ahead_point():
    rule = RULES["nesterov"]
    hp = {"beta": col(0.9)}
    state = {"v": col(0.5)}
    look = rule.lookahead(col(1.0), state, col(0.2), hp)
    assert look[0, 0] == pytest.approx(1.0 - 0.2 * 0.9 * 0.5)
    step, state, _ = rule.update(col(3.0), state, col(0.2), hp, col(1.0))
    assert state["v"][0, 0] == pytest.approx(0.9 * 0.5 + 0.1 * 3.0)
    assert step[0, 0] == pytest.approx(0.2 * 0.75)


def test_runs_are_independent_rows():
    """Two runs with different hyperparameters in one call equal two separate calls."""
    rule = RULES["adam"]
    g = np.array([[1.0, -2.0], [0.5, 3.0]])
    lr = np.array([[0.1], [0.01]])
    hp = {k: np.array([[v], [v]]) for k, v in rule.hyper.items()}
    hp["beta1"] = np.array([[0.9], [0.5]])
    step, _, _ = rule.update(g, rule.init((2, 2)), lr, hp, np.zeros((2, 2)))
    for r in range(2):
        one = {k: v[r:r + 1] for k, v in hp.items()}
        s1, _, _ = rule.update(g[r:r + 1], rule.init((1, 2)), lr[r:r + 1], one, np.zeros((1, 2)))
        np.testing.assert_array_equal(step[r], s1[0])


# --- the course's unit cells ------------------------------------------------------

SHAPES = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1))]


def course_case():
    """np.random.seed(1); parameters then gradients, as the notebook draws them."""
    rs = np.random.RandomState(1)
    params = {k: rs.randn(*s) for k, s in SHAPES}
    grads = {k: rs.randn(*s) for k, s in SHAPES}
    flat = lambda d: np.concatenate([d[k].ravel() for k, _ in SHAPES])[None, :]
    return flat(params), flat(grads)


def unflat(row):
    out, i = {}, 0
    for k, s in SHAPES:
        n = int(np.prod(s))
        out[k] = row[i:i + n].reshape(s)
        i += n
    return out


def course_update(name, t=None, **hyper):
    p, g = course_case()
    rule = RULES[name]
    hp = {k: col(hyper.get(k, v)) for k, v in rule.hyper.items()}
    state = rule.init(p.shape)
    if t is not None:
        state["t"] = col(t - 1)
    step, state, _ = rule.update(g, state, col(0.01), hp, p)
    return unflat((p - step)[0]), {k: unflat(v[0]) for k, v in state.items() if k != "t"}


def test_course_gd_unit_cell():
    params, _ = course_update("gd")
    np.testing.assert_allclose(params["W1"], [[1.63535156, -0.62320365, -0.53718766],
                                              [-1.07799357, 0.85639907, -2.29470142]], atol=1e-8)
    np.testing.assert_allclose(params["b2"], [[-0.88020257], [0.02561572], [0.57539477]], atol=1e-8)


def test_course_momentum_unit_cell():
    params, state = course_update("momentum", beta=0.9)
    np.testing.assert_allclose(params["W1"], [[1.62544598, -0.61290114, -0.52907334],
                                              [-1.07347112, 0.86450677, -2.30085497]], atol=1e-8)
    np.testing.assert_allclose(state["v"]["W1"], [[-0.11006192, 0.11447237, 0.09015907],
                                                  [0.05024943, 0.09008559, -0.06837279]], atol=1e-8)


def test_course_adam_unit_cell():
    params, state = course_update("adam", t=2)
    np.testing.assert_allclose(params["W1"], [[1.63178673, -0.61919778, -0.53561312],
                                              [-1.08040999, 0.85796626, -2.29409733]], atol=1e-8)
    np.testing.assert_allclose(state["s"]["b1"], [[1.51020075e-05], [8.75664434e-04]], atol=1e-8)
    # epsilon after the square root (the formula), not the notebook's -1.09245036
    assert params["W2"][2][1] == pytest.approx(-1.09244991, abs=1e-8)


def test_adam_without_bias_correction_shows_its_own_equations():
    from gdtui.core.optimizers import RULES

    corrected = RULES["adam"].equation_for({"bias_correction": 1.0})
    plain = RULES["adam"].equation_for({"bias_correction": 0.0})
    assert corrected == RULES["adam"].equation and any("v̂" in line for line in corrected)
    assert not any("v̂" in line or "ŝ" in line for line in plain)
    assert plain[-1] == "p ← p − α·v/(√s + ε)"
    assert RULES["adamw"].equation_for({"bias_correction": 0.0})[-1] == "p ← p − α·(v/(√s + ε) + λ·p)"
    assert RULES["momentum"].equation_for({"beta": 0.5}) == RULES["momentum"].equation
