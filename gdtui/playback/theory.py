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
from .build import settings_at

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
    batch: int                  # the batch the cloud is drawn for (a full-batch run: batches of 8)
    run_batch: int              # the run's own batch
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
    """The theory of the loaded race as of the playback's cursor, for run `selected`: only the
    history up to the cursor is read, never the race's future."""
    race, problem, tick = playback.race, playback.problem, playback.cursor
    run = race.runs[selected]
    notes = []
    curved = theory.has_curvature(problem)
    rate_map = eigen = noise = None
    params = race.history.params
    if curved and problem.dim == 2 and params is not None:
        quadratic = getattr(problem, "quadratic", False)
        point = np.zeros((1, 2)) if quadratic else params[race.history.row(tick), selected][None]
        lam, vec = theory.spectrum(problem, point)
        if np.all(np.isfinite(lam)):
            settings = settings_at(playback.setup, playback.scenario.events, tick)
            lrs = race.rates_at(tick)
            for r, lr in enumerate(lrs):
                settings[r]["lr"] = float(lr)   # the scheduled rate of the next update, as the inspector shows
            rate_map = build_rate_map(race, settings, run.rule, lam[0], vec[0], not quadratic, tick)
            eigen = build_eigen(race, selected, settings[selected], lam[0], vec[0], not quadratic, tick)
        else:
            notes.append("the curvature at this point is not finite")
    elif not curved:
        notes.append(f"no curvature: an exact Hessian of {problem.dim} parameters is too big "
                     f"(the limit is {theory.MAX_HESSIAN_DIM})")
    if problem.n_samples and params is not None:
        rows = race.history.rows_to(tick)
        noise = build_noise(problem, params[rows, selected], race.history.ticks[rows], run.batch, tick)
    elif not problem.n_samples:
        notes.append("gradient noise: an analytic surface has no examples to sample")
    if race.clock == "epoch" and rate_map is not None:
        notes.append("ρ is per update; an epoch here is several updates")
    return TheoryData(selected=selected, run_name=run.name, tick=tick, unit=playback.scene.unit,
                      rate_map=rate_map, eigen=eigen, noise=noise, sharpness=curved and problem.dim > 2,
                      notes=tuple(notes))


def family_of(rule: str) -> str | None:
    return {"gd": "momentum", "momentum": "momentum", "nesterov": "nesterov"}.get(rule)


def stopped_at(race, r: int, tick: int) -> int:
    """The last tick of run r's own steps as of `tick` (a stopped run's history is frozen after)."""
    ends = [int(at) for at in (race.converged_at[r], race.diverged_at[r]) if 0 <= at <= tick]
    return min(ends) if ends else tick


def measured_per_update(race, r: int, vectors: np.ndarray, tick: int, local: bool) -> float | None:
    """The rate run r's own steps follow, per update: fitted to its steps (p_(t+1) − p_t, which
    follow the same recurrence as the error and need no minimum) along the eigenvectors, from the
    last change of its lr up to `tick`; on an epoch clock the per-epoch factor is taken to the
    1/updates power. Off quadratics (`local`), only for a run that has converged."""
    converged = 0 <= race.converged_at[r] <= tick
    if 0 <= race.diverged_at[r] <= tick or local and not converged:
        return None   # off quadratics the linear model holds only near a point the run has settled at
    history = race.history
    stop = history.kept_at_or_before(stopped_at(race, r, tick))   # (a stopped run is frozen after it)
    first = history.every_tick_since(stop)   # (a thinned history: its stretch of every tick)
    start = first + theory.steady_since(history.lr[history.rows_between(first + 1, stop), r])  # since its lr changed
    path = history.params[history.rows_between(start, stop), r]
    rate = theory.measured_rate(np.diff(path @ vectors, axis=0))
    per_tick = int(race.updates_per_tick()[r])
    return None if rate is None else rate ** (1 / per_tick)


def build_rate_map(race, settings, rule: str, lam: np.ndarray, vectors: np.ndarray, local: bool,
                   tick: int) -> RateMap:
    family = family_of(rule) or "momentum"
    note = "" if family_of(rule) else f"{rule} is {theory.NO_THEORY}: the map shows EMA momentum"
    racers = []
    for r, run in enumerate(race.runs):
        if run.rule not in theory.THEORY_RULES:
            continue
        lr = settings[r]["lr"]
        hyper = {k: v for k, v in settings[r].items() if k != "lr"}
        v = theory.verdict(run.rule, lr, hyper, lam, local=local)
        racers.append(Racer(r, run.name, run.rule, lr, theory.beta_of(run.rule, hyper), v.predicted_rate,
                            measured_per_update(race, r, vectors, tick, local), v.stable_lr_max,
                            bool(0 <= race.diverged_at[r] <= tick), run.rule in ("gd", family)))
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


def build_eigen(race, r: int, settings, lam, vec, local: bool, tick: int) -> EigenErrors:
    """Run r's error along each eigenvector up to `tick`, against the theory's line: the first
    error times the product of each update's ρ (with the lr of that update, schedules and key
    changes included; β as it is now)."""
    problem, history = race.problem, race.history
    first = history.every_tick_since(tick)   # 0, or where a thinned history keeps every tick from
    path = history.params[history.rows_between(first, tick), r]
    reference = np.asarray(problem.minima[0]) if problem.minima else path[-1]
    if local and problem.minima:   # the minimum nearest to where the run is now
        minima = np.asarray(problem.minima)
        reference = minima[np.argmin(np.linalg.norm(minima - path[-1], axis=1))]
    coords = theory.error_along(path, reference, vec)
    rule = race.runs[r].rule
    hyper = {k: v for k, v in settings.items() if k != "lr"}
    rates, theory_line = (None,) * len(lam), None
    if rule in theory.THEORY_RULES:
        beta = theory.beta_of(rule, hyper)
        per_tick = int(race.updates_per_tick()[r])
        stop = max(history.kept_at_or_before(stopped_at(race, r, tick)), first)
        lrs = np.nan_to_num(history.lr[history.rows_between(first + 1, stop), r])   # the lr of each update so far
        factors = theory.rate(rule, lrs[:, None], beta, lam[None, :]) ** per_tick
        with np.errstate(all="ignore"):
            product = np.vstack([np.ones((1, len(lam))), np.cumprod(factors, axis=0)])
            product = np.vstack([product, np.repeat(product[-1:], tick - stop, axis=0)])  # frozen after it stopped
            theory_line = np.abs(coords[:1]) * product
        rates = tuple(float(x) for x in theory.rate(rule, settings["lr"], beta, lam))
    labels = tuple(f"λ {lam[i]:.3g}: mostly {problem.param_names[int(np.argmax(np.abs(vec[:, i])))]}"
                   for i in range(len(lam)))
    return EigenErrors(np.arange(first, first + len(path)), np.abs(coords), theory_line, tuple(float(x) for x in lam), labels,
                       rates, local)


def build_noise(problem, path, path_ticks, batch, tick) -> GradientNoise:
    """The gradient noise at the path's last point, and B_simple along it (row k of `path` is
    tick path_ticks[k])."""
    p = path[-1]
    G, cov, b_simple = theory.noise_scale(theory.example_gradients(problem, p))
    size = problem.n_samples if batch == "full" else int(batch)
    shown = size if size < problem.n_samples else min(8, problem.n_samples)
    cloud = None
    if problem.dim == 2:
        rng = np.random.default_rng([tick, 7])   # the same cloud for the same tick: deterministic
        cloud = theory.batch_gradients(problem, p, shown, NOISE_SAMPLES, rng)
    rows = np.unique(np.linspace(0, len(path) - 1, min(NOISE_TICKS, len(path))).astype(int))
    b_path = np.array([theory.noise_scale(theory.example_gradients(problem, path[k]))[2] for k in rows])
    return GradientNoise(shown, size, G, cloud, b_simple, float(np.trace(cov)), np.asarray(path_ticks)[rows], b_path)


def sharpness_series(scenario, upto: int, samples: int = 150):
    """Each run's sharpness along its path to tick `upto` (replayed: pass the playback's
    `replay_scenario()` for the same numbers as the race), with each rule's bound at the lr of
    each sampled tick: (ticks, plain (T, R), preconditioned (T, R), bounds (T, R), rules, names).
    The stride between samples is odd, so that a sharpness flipping from step to step (GD at the
    edge of stability) shows both values."""
    from ..headless import SUMMARY, simulate_with_sharpness

    every = max(1, math.ceil(upto / samples))
    every += every > 1 and every % 2 == 0
    race, (ticks, plain, pre, bounds) = simulate_with_sharpness(scenario, max(upto, 1), every, **SUMMARY)
    return ticks, plain, pre, bounds, [run.rule for run in race.runs], [run.name for run in race.runs]
