"""The theory view's numbers (the `y` key), as of the cursor: immutable data that the
theory screen only draws. Everything is computed by core.theory; this module picks what
applies to the loaded problem and reads the race's history up to the cursor.

    rate map          2-D problems: ρ over log lr × β for the selected run's family, the
                      racers of that family at their (lr, β), predicted against measured
    eigen-directions  2-D problems: the selected run's error along each Hessian eigenvector
                      over the ticks so far, and the theory's line |c₀|·ρᵢᵗ
    sharpness         problems with an exact Hessian beyond 2-D (the MLP): λmax per tick
                      against each rule's bound (computed by `sharpness_series`, slow: the
                      screen runs it in a worker)
    gradient noise    problems with data: the mini-batch gradients at the selected run's
                      point and the simple noise scale B_simple along its path
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import theory
from ..core.race import DIVERGED

PRECONDITIONED = theory.PRECONDITIONED   # rules whose sharpness is λmax(P⁻¹H)
LR_DECADES = 5          # the rate map spans this many decades of lr around the racers
BETA_MAX = 0.99
NOISE_SAMPLES = 48      # mini-batch gradients drawn for the cloud
NOISE_TICKS = 60        # points of B_simple along the path


@dataclass(frozen=True, eq=False)
class Racer:
    index: int
    name: str
    rule: str
    lr: float
    beta: float
    predicted: float | None
    measured: float | None
    edge: float | None
    diverged: bool
    noisy: bool                 # mini-batches or gradient noise: the measured rate is not the theory's
    on_map: bool                # drawn on this family's map (GD and the family's own rule)


@dataclass(frozen=True, eq=False)
class RateMap:
    family: str                 # "momentum" (holds GD at β = 0) or "nesterov"
    lr_range: tuple[float, float]
    eigenvalues: tuple[float, ...]
    local: bool
    racers: tuple[Racer, ...]   # every run with a theory; those of the family are on the map (GD at β = 0)
    note: str                   # why the selected run is not on the map, if it is not

    def grid(self, cols: int, pixel_rows: int) -> np.ndarray:
        """ρ at each pixel of a map `cols` wide: log-spaced lr across, β from BETA_MAX at the
        top row to 0 at the bottom; (pixel_rows, cols)."""
        lrs = np.geomspace(*self.lr_range, cols)
        betas = np.linspace(BETA_MAX, 0.0, pixel_rows)
        lam = np.asarray(self.eigenvalues)
        return np.max(theory.rate(self.family, lrs[None, :, None], betas[:, None, None], lam[None, None, :]), axis=-1)


@dataclass(frozen=True, eq=False)
class EigenErrors:
    ticks: np.ndarray           # (T,)
    errors: np.ndarray          # (T, D): |error| along each eigenvector
    theory: np.ndarray | None   # (T, D): |c₀|·ρᵢᵗ, None for rules without a theory
    eigenvalues: tuple[float, ...]
    labels: tuple[str, ...]     # "λ 25: mostly y"
    rates: tuple[float | None, ...]
    local: bool


@dataclass(frozen=True, eq=False)
class GradientNoise:
    batch: int                  # the batch the cloud is drawn for
    full: np.ndarray            # (D,) the full-batch gradient at the point
    cloud: np.ndarray | None    # (NOISE_SAMPLES, 2) mini-batch gradients (2-D problems)
    b_simple: float
    trace: float                # tr(Σ) of one example's gradient
    ticks: np.ndarray           # B_simple along the run's path
    b_path: np.ndarray


@dataclass(frozen=True, eq=False)
class TheoryData:
    selected: int
    run_name: str
    tick: int
    unit: str
    rate_map: RateMap | None
    eigen: EigenErrors | None
    noise: GradientNoise | None
    sharpness: bool             # whether the sharpness panel applies (computed on demand)
    notes: tuple[str, ...]      # what is not shown and why


def build(playback, selected: int) -> TheoryData:
    """The theory of the loaded race as of the playback's cursor, for run `selected`."""
    race, problem, tick = playback.race, playback.problem, playback.cursor
    run = race.runs[selected]
    notes = []
    curved = theory.has_curvature(problem)
    rate_map = eigen = noise = None
    params = race.history.params
    if curved and problem.dim == 2 and params is not None:
        quadratic = getattr(problem, "quadratic", False)
        point = np.zeros((1, 2)) if quadratic else params[tick, selected][None]
        lam, vec = theory.spectrum(problem, point)
        if np.all(np.isfinite(lam)):
            settings = playback_settings(playback, tick)
            rate_map = build_rate_map(race, settings, run.rule, lam[0], not quadratic, params[: tick + 1])
            eigen = build_eigen(problem, params[: tick + 1, selected], lam[0], vec[0], run.rule,
                                settings[selected], not quadratic, problem.param_names)
        else:
            notes.append("the curvature at this point is not finite")
    elif not curved:
        notes.append(f"no curvature: an exact Hessian of {problem.dim} parameters is too big "
                     f"(the limit is {theory.MAX_HESSIAN_DIM})")
    if problem.n_samples and params is not None:
        noise = build_noise(problem, race, params[: tick + 1, selected], run.batch, tick)
    elif not problem.n_samples:
        notes.append("gradient noise: an analytic surface has no examples to sample")
    sharp = curved and problem.dim > 2
    return TheoryData(selected=selected, run_name=run.name, tick=tick, unit=playback.scene.unit,
                      rate_map=rate_map, eigen=eigen, noise=noise, sharpness=sharp, notes=tuple(notes))


def playback_settings(playback, tick: int) -> list[dict[str, float]]:
    from .build import settings_at

    return settings_at(playback.setup, playback.scenario.events, tick)


def family_of(rule: str) -> str | None:
    return {"gd": "momentum", "momentum": "momentum", "nesterov": "nesterov"}.get(rule)


def build_rate_map(race, settings, rule: str, lam: np.ndarray, local: bool, path: np.ndarray) -> RateMap:
    family = family_of(rule) or "momentum"
    note = "" if family_of(rule) else f"{rule} is {theory.NO_THEORY}: the map shows EMA momentum"
    racers = []
    reference = None if local else np.asarray(race.problem.minima[0]) if race.problem.minima else None
    for r, run in enumerate(race.runs):
        if run.rule not in theory.THEORY_RULES:
            continue
        lr = settings[r]["lr"]
        hyper = {k: v for k, v in settings[r].items() if k != "lr"}
        v = theory.verdict(run.rule, lr, hyper, lam, local=local)
        measured = None
        if reference is not None and race.status[r] != DIVERGED:
            _, basis = theory.spectrum(race.problem, np.zeros((1, 2)))
            stop = len(path) if race.converged_at[r] < 0 else min(len(path), int(race.converged_at[r]) + 1)
            measured = theory.measured_rate(theory.error_along(path[:stop, r], reference, basis[0]))
        racers.append(Racer(r, run.name, run.rule, lr, theory.beta_of(run.rule, hyper), v.predicted_rate,
                            measured, v.stable_lr_max, bool(0 <= race.diverged_at[r] < len(path)),
                            run.batch_label != "full" or race.problem.noise > 0, run.rule in ("gd", family)))
    return RateMap(family, lr_span([x.lr for x in racers], lam), tuple(float(x) for x in lam), local,
                   tuple(racers), note)


def lr_span(lrs: list[float], lam: np.ndarray) -> tuple[float, float]:
    """LR_DECADES decades holding the racers and GD's edge 2/λmax (the map's most telling line)."""
    marks = [x for x in lrs if x > 0]
    if lam[-1] > 0:
        marks.append(2 / lam[-1])
    centre = math.log10(np.median(marks)) if marks else 0.0
    lo = min([centre - LR_DECADES / 2] + [math.log10(x) - 0.3 for x in marks])
    hi = max([lo + LR_DECADES] + [math.log10(x) + 0.3 for x in marks])
    return 10 ** lo, 10 ** hi


def build_eigen(problem, path, lam, vec, rule, settings, local, names) -> EigenErrors:
    reference = np.asarray(problem.minima[0]) if problem.minima else path[-1]
    if local and problem.minima:   # the minimum nearest to where the run is now
        minima = np.asarray(problem.minima)
        reference = minima[np.argmin(np.linalg.norm(minima - path[-1], axis=1))]
    coords = theory.error_along(path, reference, vec)
    hyper = {k: v for k, v in settings.items() if k != "lr"}
    rates, theory_line = (None,) * len(lam), None
    if rule in theory.THEORY_RULES:
        per_direction = theory.rate(rule, settings["lr"], theory.beta_of(rule, hyper), lam)
        with np.errstate(all="ignore"):
            theory_line = np.abs(coords[:1]) * per_direction[None, :] ** np.arange(len(path))[:, None]
        rates = tuple(float(x) for x in per_direction)
    labels = tuple(f"λ {lam[i]:.3g}: mostly {names[int(np.argmax(np.abs(vec[:, i])))]}" for i in range(len(lam)))
    return EigenErrors(np.arange(len(path)), np.abs(coords), theory_line, tuple(float(x) for x in lam), labels,
                       rates, local)


def build_noise(problem, race, path, batch, tick) -> GradientNoise:
    p = path[-1]
    G, cov, b_simple = theory.noise_scale(theory.example_gradients(problem, p))
    size = problem.n_samples if batch == "full" else int(batch)
    shown = size if size < problem.n_samples else min(8, problem.n_samples)
    cloud = None
    if problem.dim == 2:
        rng = np.random.default_rng([tick, 7])   # the same cloud for the same tick: deterministic
        cloud = theory.batch_gradients(problem, p, shown, NOISE_SAMPLES, rng)
    ticks = np.unique(np.linspace(0, len(path) - 1, min(NOISE_TICKS, len(path))).astype(int))
    b_path = np.array([theory.noise_scale(theory.example_gradients(problem, path[t]))[2] for t in ticks])
    return GradientNoise(shown, G, cloud, b_simple, float(np.trace(cov)), ticks, b_path)


def sharpness_series(scenario, upto: int, samples: int = 150):
    """Each run's sharpness along its path to tick `upto` (replayed from the scenario: the same
    numbers as the race), with each rule's bound: (ticks, plain (T, R), preconditioned (T, R),
    bounds (R,) at the runs' lrs, rules, names). The stride between samples is odd, so that a
    sharpness flipping from step to step (GD at the edge of stability) shows both values."""
    from ..headless import simulate_with_sharpness

    every = max(1, math.ceil(upto / samples))
    every += every > 1 and every % 2 == 0
    race, (ticks, plain, pre) = simulate_with_sharpness(scenario, max(upto, 1), every)
    bounds = [theory.sharpness_bound(run.rule, float(race.lr[r]), {k: race.get_hyper(r, k) for k in run.hyper})
              for r, run in enumerate(race.runs)]
    return ticks, plain, pre, bounds, [run.rule for run in race.runs], [run.name for run in race.runs]
