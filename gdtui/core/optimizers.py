"""Update rules, batched over runs.

Each rule is a pair of pure functions in the style of optax:

    init(shape)                           -> state
    update(g, state, lr, hp, params)      -> (step, state, internals)

`g`, `params` and every state array have shape (R, D): one row per run. `lr`
and each hyperparameter in `hp` have shape (R, 1) so that every run of a race
can carry its own values. The caller applies `params - step`. `internals` are
the numbers of the step just taken (g, v, s, v_hat, s_hat, step, ...), kept as
arrays so that the app's inspector can show them.

Names follow the seed article (v, s, beta1, beta2, epsilon, t). Momentum and
Adam are the seed's forms: momentum is the exponential moving average
v = beta*v + (1-beta)*g, and Adam adds epsilon *after* the square root of the
bias-corrected s.

A rule knows nothing about data: GD, mini-batch GD and SGD are all `gd` fed
with different batches (see batches.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Array = np.ndarray
State = dict[str, Array]
Hyper = dict[str, Array]


def _zeros(shape: tuple[int, int]) -> Array:
    return np.zeros(shape)


# --- gd ---------------------------------------------------------------------

def gd_init(shape):
    return {}


def gd_update(g, state, lr, hp, params):
    """p <- p - lr*g"""
    step = lr * g
    return step, state, {"g": g, "step": step}


# --- momentum (the seed's EMA form) -------------------------------------------

def momentum_init(shape):
    return {"v": _zeros(shape)}


def momentum_update(g, state, lr, hp, params):
    """v = beta*v + (1-beta)*g ;  p <- p - lr*v"""
    beta = hp["beta"]
    v = beta * state["v"] + (1 - beta) * g
    step = lr * v
    return step, {"v": v}, {"g": g, "v": v, "step": step}


# --- nesterov (look-ahead gradient, same EMA form) ----------------------------

def nesterov_lookahead(params, state, lr, hp):
    """The gradient is taken where the known part of the step lands: p - lr*beta*v."""
    return params - lr * hp["beta"] * state["v"]


def nesterov_update(g, state, lr, hp, params):
    """g = grad(p - lr*beta*v) ;  v = beta*v + (1-beta)*g ;  p <- p - lr*v"""
    return momentum_update(g, state, lr, hp, params)


# --- rmsprop -----------------------------------------------------------------

def rmsprop_init(shape):
    return {"s": _zeros(shape)}


def rmsprop_update(g, state, lr, hp, params):
    """s = rho*s + (1-rho)*g^2 ;  p <- p - lr*g/(sqrt(s)+epsilon)"""
    rho = hp["rho"]
    s = rho * state["s"] + (1 - rho) * g**2
    step = lr * g / (np.sqrt(s) + hp["epsilon"])
    return step, {"s": s}, {"g": g, "s": s, "step": step}


# --- adagrad -----------------------------------------------------------------

def adagrad_init(shape):
    return {"s": _zeros(shape)}


def adagrad_update(g, state, lr, hp, params):
    """s = s + g^2 ;  p <- p - lr*g/(sqrt(s)+epsilon)"""
    s = state["s"] + g**2
    step = lr * g / (np.sqrt(s) + hp["epsilon"])
    return step, {"s": s}, {"g": g, "s": s, "step": step}


# --- adadelta (Zeiler 2012; the seed names it) ------------------------------

def adadelta_init(shape):
    return {"s": _zeros(shape), "d": _zeros(shape)}


def adadelta_update(g, state, lr, hp, params):
    """s = rho*s + (1-rho)*g^2 ;  dx = sqrt(d+epsilon)/sqrt(s+epsilon)*g ;
    d = rho*d + (1-rho)*dx^2 ;  p <- p - lr*dx"""
    rho, eps = hp["rho"], hp["epsilon"]
    s = rho * state["s"] + (1 - rho) * g**2
    dx = np.sqrt(state["d"] + eps) / np.sqrt(s + eps) * g
    d = rho * state["d"] + (1 - rho) * dx**2
    step = lr * dx
    return step, {"s": s, "d": d}, {"g": g, "s": s, "d": d, "step": step}


# --- adam (the seed's form) --------------------------------------------------

def adam_init(shape):
    return {"v": _zeros(shape), "s": _zeros(shape), "t": np.zeros((shape[0], 1))}


def _adam_moments(g, state, hp):
    """v, s, their bias-corrected forms and t for one Adam step."""
    beta1, beta2 = hp["beta1"], hp["beta2"]
    t = state["t"] + 1
    v = beta1 * state["v"] + (1 - beta1) * g
    s = beta2 * state["s"] + (1 - beta2) * g**2
    # bias_correction is 1 or 0: with 0 the divisors are 1 and v_hat = v, s_hat = s
    corrected = hp["bias_correction"]
    v_hat = v / (1 - corrected * beta1**t)
    s_hat = s / (1 - corrected * beta2**t)
    return v, s, v_hat, s_hat, t


def adam_update(g, state, lr, hp, params):
    """v = beta1*v + (1-beta1)*g ;  s = beta2*s + (1-beta2)*g^2 ;
    v_hat = v/(1-beta1^t) ;  s_hat = s/(1-beta2^t) ;
    p <- p - lr*v_hat/(sqrt(s_hat)+epsilon)"""
    v, s, v_hat, s_hat, t = _adam_moments(g, state, hp)
    step = lr * v_hat / (np.sqrt(s_hat) + hp["epsilon"])
    internals = {"g": g, "v": v, "s": s, "v_hat": v_hat, "s_hat": s_hat, "step": step}
    return step, {"v": v, "s": s, "t": t}, internals


# --- adamw (decoupled weight decay) -------------------------------------------

def adamw_update(g, state, lr, hp, params):
    """Adam, plus the decay applied to p itself rather than to g:
    p <- p - lr*(v_hat/(sqrt(s_hat)+epsilon) + weight_decay*p)"""
    v, s, v_hat, s_hat, t = _adam_moments(g, state, hp)
    step = lr * (v_hat / (np.sqrt(s_hat) + hp["epsilon"]) + hp["weight_decay"] * params)
    internals = {"g": g, "v": v, "s": s, "v_hat": v_hat, "s_hat": s_hat, "step": step}
    return step, {"v": v, "s": s, "t": t}, internals


# --- the registry --------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """An update rule: its functions, its hyperparameters and the equation the app shows."""

    name: str
    init: Callable
    update: Callable
    equation: tuple[str, ...]
    lr: float  # default learning rate
    hyper: dict[str, float] = field(default_factory=dict)  # defaults, by the seed's names
    lookahead: Callable | None = None
    summary: str = ""
    uncorrected: tuple[str, ...] | None = None  # the equation with bias_correction off

    def with_defaults(self, hyper: dict[str, float]) -> dict[str, float]:
        """Every hyperparameter of the rule: the run's own values over the defaults."""
        return {**self.hyper, **{k: v for k, v in hyper.items() if k in self.hyper}}

    def equation_for(self, hyper: dict[str, float]) -> tuple[str, ...]:
        """The equation as this run's hyperparameters make it (Adam without bias correction
        has no v̂ and ŝ)."""
        if self.uncorrected is not None and not hyper.get("bias_correction", 1.0):
            return self.uncorrected
        return self.equation


RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        Rule("gd", gd_init, gd_update, ("p ← p − α·g",), 0.01,
             summary="plain gradient step (GD, mini-batch GD or SGD by its batch)"),
        Rule("momentum", momentum_init, momentum_update,
             ("v ← β·v + (1−β)·g", "p ← p − α·v"), 0.01, {"beta": 0.9},
             summary="exponential moving average of gradients (the course's form)"),
        Rule("nesterov", momentum_init, nesterov_update,
             ("g ← ∇f(p − α·β·v)", "v ← β·v + (1−β)·g", "p ← p − α·v"), 0.01, {"beta": 0.9},
             lookahead=nesterov_lookahead, summary="momentum with a look-ahead gradient"),
        Rule("rmsprop", rmsprop_init, rmsprop_update,
             ("s ← ρ·s + (1−ρ)·g²", "p ← p − α·g/(√s + ε)"), 0.01, {"rho": 0.9, "epsilon": 1e-8},
             summary="divide by a running RMS of gradients"),
        Rule("adagrad", adagrad_init, adagrad_update,
             ("s ← s + g²", "p ← p − α·g/(√s + ε)"), 0.1, {"epsilon": 1e-8},
             summary="divide by the root of all squared gradients so far"),
        Rule("adadelta", adadelta_init, adadelta_update,
             ("s ← ρ·s + (1−ρ)·g²", "Δ ← √(d+ε)/√(s+ε)·g", "d ← ρ·d + (1−ρ)·Δ²", "p ← p − α·Δ"),
             1.0, {"rho": 0.9, "epsilon": 1e-6},
             summary="RMSprop with units fixed by a running RMS of steps"),
        Rule("adam", adam_init, adam_update,
             ("v ← β1·v + (1−β1)·g", "s ← β2·s + (1−β2)·g²", "v̂ ← v/(1−β1ᵗ)   ŝ ← s/(1−β2ᵗ)",
              "p ← p − α·v̂/(√ŝ + ε)"),
             0.001, {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "bias_correction": 1.0},
             summary="momentum + RMSprop with bias correction (the course's form)",
             uncorrected=("v ← β1·v + (1−β1)·g", "s ← β2·s + (1−β2)·g²", "p ← p − α·v/(√s + ε)")),
        Rule("adamw", adam_init, adamw_update,
             ("v ← β1·v + (1−β1)·g", "s ← β2·s + (1−β2)·g²", "v̂ ← v/(1−β1ᵗ)   ŝ ← s/(1−β2ᵗ)",
              "p ← p − α·(v̂/(√ŝ + ε) + λ·p)"),
             0.001, {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "bias_correction": 1.0,
                     "weight_decay": 0.01},
             summary="Adam with decoupled weight decay",
             uncorrected=("v ← β1·v + (1−β1)·g", "s ← β2·s + (1−β2)·g²", "p ← p − α·(v/(√s + ε) + λ·p)")),
    ]
}

# Every hyperparameter name any rule accepts (the scenario checks runs against these).
ALL_HYPER = sorted({name for rule in RULES.values() for name in rule.hyper})
# How the equations write a hyperparameter (the seed's names are the keys)
SYMBOLS = {"lr": "lr", "beta": "β", "beta1": "β1", "beta2": "β2", "rho": "ρ", "epsilon": "ε", "weight_decay": "λ"}
# Hyperparameters that are switches: stored as 1.0 / 0.0 so that they batch like the others.
FLAGS = frozenset({"bias_correction"})
