"""Why a run converges, oscillates or blows up: the linear theory of the update rules.

On a quadratic f = ½·eᵀHe (e: the distance to the minimum) every eigen-direction of
H moves on its own. Along one with eigenvalue λ, one step of a rule is a fixed linear
map of its state, so the error shrinks per step by that map's spectral radius ρ:

    GD          e' = (1 − αλ)·e                                   ρ = |1 − αλ|
    momentum    v' = β·v + (1−β)·λe,  e' = e − α·v'                (the course's EMA form)
    nesterov    v' = β·v + (1−β)·λ(e − αβ·v),  e' = e − α·v'       (gdtui's look-ahead form)

With a = α(1−β)λ and u = α·v the momentum map is [[1−a, −β], [a, β]] and Nesterov's is
(1−a)·[[1, −β], [a/(1−a), β]] = [[1−a, −β(1−a)], [a, β(1−a)]]. A run's predicted rate is
the largest ρ over the spectrum (the larger |root| of μ² − trace·μ + det); its stable
edge is the largest α with ρ < 1, which the Jury conditions on trace and determinant give in
closed form:

    GD 2/λmax     momentum 2(1+β)/((1−β)·λmax)     nesterov 2(1+β)/((1+2β)(1−β)·λmax)

GD is momentum with β = 0, so one (lr, β) map holds the whole family. Adaptive rules
(Adam, RMSprop, Adagrad, Adadelta) change their own step with the gradient's history:
they have no fixed linear map, and this module says so rather than guess.

Off quadratics the same numbers, taken at the Hessian of the run's current point, are
*local*: they say what the next steps do while the curvature stays as it is.
"""

from __future__ import annotations

import cmath
from dataclasses import dataclass

import numpy as np

THEORY_RULES = ("gd", "momentum", "nesterov")
NO_THEORY = "an adaptive rule: its step depends on the gradients so far, so no fixed lr bound"


def beta_of(rule: str, hyper: dict) -> float:
    """The momentum coefficient of a rule in the family (GD: 0)."""
    return 0.0 if rule == "gd" else float(hyper["beta"])


def trace_and_determinant(rule: str, lr, beta, lam):
    """Trace and determinant of the per-step map of (e, α·v) along an eigenvalue λ (the
    matrices in the module's docstring), for floats or broadcasting arrays alike."""
    if rule == "gd":
        beta = 0 * beta
    a = lr * (1 - beta) * lam
    if rule == "nesterov":
        return (1 - a) * (1 + beta), beta * (1 - a)
    if rule in ("gd", "momentum"):
        return 1 - a + beta, beta + 0 * a
    raise KeyError(rule)


def rate(rule: str, lr, beta, lam) -> np.ndarray:
    """The spectral radius ρ of the step map: the error's factor per step along λ
    (broadcast over arrays of lr, β and λ)."""
    trace, det = trace_and_determinant(rule, *(np.asarray(v, dtype=float) for v in (lr, beta, lam)))
    root = np.sqrt((trace * trace - 4 * det).astype(complex))
    return np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))


def _rate_of(rule: str, lr: float, beta: float, lam: float) -> float:
    """`rate` for one λ, in plain floats (the inspector asks for a few every frame)."""
    trace, det = trace_and_determinant(rule, lr, beta, lam)
    root = cmath.sqrt(trace * trace - 4 * det)
    return max(abs((trace + root) / 2), abs((trace - root) / 2))


def edge_factor(rule: str, beta: float) -> float:
    """c such that the stable edge is c/λmax (closed forms in the module's docstring)."""
    if rule == "gd":
        return 2.0
    if rule == "momentum":
        return 2 * (1 + beta) / (1 - beta)
    if rule == "nesterov":
        return 2 * (1 + beta) / ((1 + 2 * beta) * (1 - beta))
    raise KeyError(rule)


EDGE_FORMULAS = {"gd": "2/λmax", "momentum": "2(1+β)/((1−β)λmax)", "nesterov": "2(1+β)/((1+2β)(1−β)λmax)"}


@dataclass(frozen=True)
class Verdict:
    """What the theory says about one run at one point."""

    rule: str
    lr: float
    eigenvalues: tuple[float, ...]   # the Hessian's, ascending
    local: bool                      # at the run's current point (not a quadratic's constant H)
    rates: tuple[float, ...] | None  # ρ along each eigen-direction (None: no theory for the rule)
    predicted_rate: float | None     # the largest ρ: above 1 the error grows along some direction
    stable_lr_max: float | None      # the step-size edge, from the curving-up directions (inf: none curve up)
    formula: str                     # how the edge was found, or why there is none

    @property
    def stable(self) -> bool | None:
        """Whether the step size is below the edge (the steep directions do not blow up)."""
        return None if self.stable_lr_max is None else self.lr < self.stable_lr_max

    @property
    def escaping(self) -> bool:
        """Negative curvature: along it any lr moves the run away from this point (a saddle
        or a hilltop), at the factor `escape_rate` per step."""
        return self.eigenvalues[0] < 0

    @property
    def escape_rate(self) -> float | None:
        return None if self.rates is None or not self.escaping else self.rates[0]

    @property
    def converging(self) -> bool | None:
        """Whether the error shrinks along every direction."""
        return None if self.predicted_rate is None else self.predicted_rate < 1

    @property
    def lam_min(self) -> float:
        return self.eigenvalues[0]

    @property
    def lam_max(self) -> float:
        return self.eigenvalues[-1]


def verdict(rule: str, lr: float, hyper: dict, eigenvalues, local: bool = False) -> Verdict:
    """The theory's verdict for a run with this rule and settings on this spectrum."""
    lam = tuple(float(v) for v in np.sort(np.asarray(eigenvalues, dtype=float)))
    if rule not in THEORY_RULES or not all(np.isfinite(lam)):
        why = NO_THEORY if rule not in THEORY_RULES else "the curvature here is not finite"
        return Verdict(rule, lr, lam, local, None, None, None, why)
    beta = beta_of(rule, hyper)
    rates = tuple(_rate_of(rule, lr, beta, x) for x in lam)
    if lam[-1] <= 0:
        edge, formula = float("inf"), "no direction curves up: no lr makes a step blow up"
    else:
        edge, formula = edge_factor(rule, beta) / lam[-1], EDGE_FORMULAS[rule]
    return Verdict(rule, lr, lam, local, rates, max(rates), edge, formula)


# --- curvature of a problem ---------------------------------------------------------

def spectrum(problem, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (R, D), ascending, and eigenvectors (R, D, D; columns) of the exact
    Hessian at each row of P."""
    with np.errstate(all="ignore"):
        H = problem.hessian(np.asarray(P, dtype=float))
    finite = np.all(np.isfinite(H), axis=(1, 2))
    lam = np.full(H.shape[:2], np.nan)
    vec = np.full(H.shape, np.nan)
    if finite.any():
        lam[finite], vec[finite] = np.linalg.eigh(H[finite])
    return lam, vec


MAX_HESSIAN_DIM = 1000   # beyond this, a D×D Hessian per run per sample costs more than a lesson can wait


def has_curvature(problem) -> bool:
    """Whether the problem can give its exact Hessian, at a size worth computing."""
    from .problem import Problem
    return type(problem).hessian is not Problem.hessian and problem.dim <= MAX_HESSIAN_DIM


# --- measuring the rate from a run's own history ------------------------------------

def error_along(path: np.ndarray, minimum, vectors: np.ndarray) -> np.ndarray:
    """The error e_t = p_t − p* in the eigenbasis: (T, D) coordinates along each eigenvector
    (columns of `vectors`)."""
    return (np.asarray(path, dtype=float) - np.asarray(minimum, dtype=float)) @ vectors


def measured_rates(coordinates: np.ndarray, floor: float = 1e-10, misfit: float = 1e-3) -> list[float | None]:
    """The rate a run's own steps follow along each eigen-direction, from its history alone.

    Along one direction every rule of the family makes the error a two-term recurrence
    c[t+1] = p·c[t] + q·c[t−1]; (p, q) are fitted to the run's steps (least squares, each
    equation scaled to unit size so that late, small steps count as much as early ones) and
    the measured rate is the larger |root| of z² − p·z − q. Unlike the error's size, which
    oscillates when momentum circles, this is steady, so it can be compared with the theory
    digit for digit. Steps where the direction's error is below `floor` times the run's first
    error are rounding noise and left out; a direction with fewer than 6 usable steps, or whose
    steps the recurrence does not fit (relative residual above `misfit`: noise, or a direction
    slaved to another by the curvature of a non-quadratic), gets None.
    (For GD, which needs only one term, the fit's second root is smaller than the first, so the
    larger one is still GD's factor.)"""
    c = np.asarray(coordinates, dtype=float)
    if not c.size:   # no steps at all (a stretch of one tick): nothing to measure
        return [None] * (c.shape[1] if c.ndim == 2 else 0)
    c = c.reshape(len(c), -1)
    scale = np.linalg.norm(c[0]) if len(c) else 0.0
    out: list[float | None] = []
    for k in range(c.shape[1]):
        x = c[:, k]
        rows = np.stack([x[1:-1], x[:-2]], axis=1)
        target = x[2:]
        size = np.linalg.norm(rows, axis=1)
        good = np.isfinite(size) & np.isfinite(target) & (size > floor * scale)
        if scale == 0 or good.sum() < 6:
            out.append(None)
            continue
        A, b = rows[good] / size[good, None], target[good] / size[good]
        (p, q), *_ = np.linalg.lstsq(A, b, rcond=1e-7)
        if np.linalg.norm(A @ [p, q] - b) > misfit * max(np.linalg.norm(b), 1e-300):
            out.append(None)
            continue
        out.append(float(np.abs(np.roots([1.0, -p, -q])).max()))
    return out


def steady_since(rates: np.ndarray) -> int:
    """The index where the last stretch of equal values in `rates` (a run's lr per update)
    begins: a measured rate means something only over updates with one lr."""
    rates = np.asarray(rates, dtype=float)
    changed = np.flatnonzero(~np.isclose(rates[1:], rates[:-1], rtol=1e-12, atol=0))
    return int(changed[-1]) + 1 if len(changed) else 0


def measured_rate(coordinates: np.ndarray, floor: float = 1e-10) -> float | None:
    """The slowest direction's measured rate (see measured_rates), or None. `coordinates` may be
    the errors p_t − p* or, where p* is not known, the steps p_(t+1) − p_t: both follow the
    same recurrence."""
    rates = [r for r in measured_rates(coordinates, floor) if r is not None]
    return max(rates) if rates else None


# --- sharpness and the edge of stability -------------------------------------------------

PRECONDITIONED = ("adam", "adamw", "rmsprop", "adagrad")   # rules that divide by √s + ε


def sharpness_bound(rule: str, lr: float, hyper: dict) -> float | None:
    """The sharpness a rule with this lr can sustain: 2/lr for GD (and the preconditioned
    rules without momentum), 2(1+β)/((1−β)·lr) with EMA momentum, β1 for Adam (Cohen et al.
    2021, 2022); None for Adadelta, whose step has no lr-times-matrix form."""
    if lr <= 0:
        return None
    if rule in ("gd", "rmsprop", "adagrad"):
        return 2 / lr
    if rule in ("momentum", "nesterov"):
        return edge_factor(rule, hyper["beta"]) / lr
    if rule in ("adam", "adamw"):
        return edge_factor("momentum", hyper["beta1"]) / lr
    return None


def sharpness(problem, race) -> tuple[np.ndarray, np.ndarray]:
    """At the race's current point: λmax of each run's full-batch Hessian, and for the
    preconditioned rules λmax(P⁻¹H) with P = diag(√ŝ + ε) from its last update (NaN for the
    others, and before the first update). Both (R,)."""
    P = race.P
    with np.errstate(all="ignore"):
        H = problem.hessian(P)
        plain = _largest_eigenvalue(H)
        pre = np.full(len(P), np.nan)
        internals = race.internals() if any(run.rule in PRECONDITIONED for run in race.runs) else {}
        for r, run in enumerate(race.runs):
            if run.rule not in PRECONDITIONED:
                continue
            s = internals["s_hat" if run.rule in ("adam", "adamw") and race.get_hyper(r, "bias_correction")
                          else "s"][r]
            if not np.all(np.isfinite(s)):
                continue
            d = 1 / np.sqrt(np.sqrt(s) + race.get_hyper(r, "epsilon"))
            pre[r] = _largest_eigenvalue((d[:, None] * H[r] * d[None, :])[None])[0]  # similar to P⁻¹H
    return plain, pre


def _largest_eigenvalue(H: np.ndarray) -> np.ndarray:
    out = np.full(len(H), np.nan)
    ok = np.all(np.isfinite(H), axis=(1, 2))
    if ok.any():
        out[ok] = np.linalg.eigvalsh(H[ok])[:, -1]
    return out


# --- gradient noise ---------------------------------------------------------------------------

def example_gradients(problem, p: np.ndarray) -> np.ndarray:
    """The gradient of each training example's loss at the point p: (n, D)."""
    n = problem.n_samples
    P = np.repeat(np.asarray(p, dtype=float)[None], n, axis=0)
    batch = (np.arange(n)[:, None], np.ones((n, 1)))
    with np.errstate(all="ignore"):
        return problem.value_and_grad(P, batch)[1]


def noise_scale(per_example: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(G, Σ, B_simple) from per-example gradients (n, D): the full-batch gradient G, the
    covariance Σ of one example's gradient, and the simple noise scale tr(Σ)/|G|²
    (McCandlish et al. 2018): roughly the batch size beyond which a bigger batch stops helping.
    A mini-batch of b examples (drawn without replacement from n) has covariance
    Σ·(n − b)/(b·(n − 1))."""
    g = np.asarray(per_example, dtype=float)
    G = g.mean(axis=0)
    centred = g - G
    cov = centred.T @ centred / len(g)
    norm2 = float(G @ G)
    return G, cov, (float(np.trace(cov)) / norm2 if norm2 > 0 else float("inf"))


def batch_gradients(problem, p: np.ndarray, batch: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` mini-batch gradients of `batch` examples each (drawn without replacement) at p:
    the cloud of directions a mini-batch run might step in from here."""
    n = problem.n_samples
    idx = np.stack([rng.choice(n, size=min(batch, n), replace=False) for _ in range(count)])
    P = np.repeat(np.asarray(p, dtype=float)[None], count, axis=0)
    weight = np.full(idx.shape, 1.0 / idx.shape[1])
    with np.errstate(all="ignore"):
        return problem.value_and_grad(P, (idx, weight))[1]
