"""`gdtui tune`: every run of a scenario gets the same budget of trials over its own
hyperparameters, and the race is compared at each run's best.

A race at one shared learning rate favours whichever rule that rate suits. The fair comparison
(Choi et al. 2019, "On Empirical Comparisons of Optimizers for Deep Learning"; Sivaprasad et al.
2020) gives each rule the same tuning budget over all of its hyperparameters and compares the
best each found. Here every trial of every run steps in one batched race; a trial is a copy of
its scenario run with other settings and that run's random stream, so every trial of a run sees
the same batches and the same noise and differs from its siblings only in its setting: a trial
equals that run of the scenario's own race (its timeline left out) with that setting, bit for bit
(tested), which is what applying the best setting in the app starts.

What is searched, per rule:
- lr: log-uniform over LR_RANGE (all rules);
- the decay rates β (momentum, Nesterov), β1 and β2 (Adam, AdamW), ρ (RMSprop, Adadelta):
  1 − β log-uniform, so 0.9, 0.99 and 0.999 are equally likely steps apart;
- ε, weight decay and bias correction stay as the run has them.

Two searches: "random" draws each setting from a generator seeded by (seed, run), so a run's
trials do not depend on the others in the file; "grid" spreads the budget over a grid, with as
many values of each decay rate as leave at least GRID_MIN_RATES rates per combination.

The scenario's timeline is left out, as in a sweep: a `set` event would override the setting
being tried.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .core.optimizers import RULES, SYMBOLS
from .core.race import DIVERGED, Race
from .errors import GdtuiError
from .headless import _finite
from .scenario import Scenario
from .sweep import batched_race, length_text, outcomes, plot, rate_axis, run_color, run_glyph

LR_RANGE = (1e-5, 10.0)
# (lowest, highest) value of each decay rate searched; drawn as 1 − β on a log scale
DECAY_RANGES = {"beta": (0.5, 0.999), "beta1": (0.5, 0.999), "beta2": (0.9, 0.9999), "rho": (0.5, 0.999)}
DEFAULT_BUDGET = 16
MAX_BUDGET = 1000
GRID_MIN_RATES = 4   # a grid keeps at least this many learning rates per setting of the others
SEARCHES = ("random", "grid")
SEED_PURPOSE = 13    # the tuning draws' own stream, apart from the race's batches and noise


def searched(rule: str) -> list[str]:
    """The hyperparameters tuning searches for a rule: lr, then its decay rates."""
    return ["lr", *(name for name in RULES[rule].hyper if name in DECAY_RANGES)]


def _from_unit(name: str, u: np.ndarray) -> np.ndarray:
    """Map u in [0, 1] onto a hyperparameter's range, log-uniformly (in 1 − β for a decay rate)."""
    if name == "lr":
        lo, hi = LR_RANGE
        return lo * (hi / lo) ** u
    lo, hi = DECAY_RANGES[name]
    return 1 - (1 - lo) * ((1 - hi) / (1 - lo)) ** u


def random_trials(rule: str, budget: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """`budget` settings, each hyperparameter drawn independently."""
    names = searched(rule)
    u = rng.random((budget, len(names)))
    columns = {name: _from_unit(name, u[:, j]) for j, name in enumerate(names)}
    return [{name: float(columns[name][t]) for name in names} for t in range(budget)]


def grid_trials(rule: str, budget: int) -> list[dict[str, float]]:
    """Exactly `budget` settings on a grid: q values of each of the rule's k decay rates (the
    largest q with q^k combinations that leave each at least GRID_MIN_RATES rates), and the
    budget's rates shared out over the combinations as evenly as it divides (the first combinations
    get one more)."""
    names = searched(rule)[1:]
    q = 1
    while names and (q + 1) ** len(names) * GRID_MIN_RATES <= budget:
        q += 1
    values = [list(_from_unit(name, np.linspace(0, 1, q))) if q > 1 else [RULES[rule].hyper[name]]
              for name in names]
    combinations = [dict(zip(names, map(float, combo))) for combo in _product(values)]
    out = []
    for c, combo in enumerate(combinations):
        n = budget // len(combinations) + (1 if c < budget % len(combinations) else 0)
        lrs = _from_unit("lr", np.linspace(0, 1, n)) if n > 1 else [math.sqrt(LR_RANGE[0] * LR_RANGE[1])]
        out += [{"lr": float(lr), **combo} for lr in lrs]
    return out


def _product(values: list[list[float]]) -> list[tuple]:
    combos = [()]
    for column in values:
        combos = [c + (v,) for c in combos for v in column]
    return combos


def trials_of(scenario: Scenario, budget: int, search: str, seed: int) -> list[list[dict[str, float]]]:
    """Each scenario run's trials: `budget` settings each."""
    if search == "grid":
        return [grid_trials(run.rule, budget) for run in scenario.runs]
    return [random_trials(run.rule, budget, np.random.default_rng([seed, SEED_PURPOSE, k]))
            for k, run in enumerate(scenario.runs)]


def trial_run(run, k: int, t: int, setting: dict[str, float]):
    """The scenario's run `k` with trial `t`'s setting, on that run's random stream."""
    hyper = {**run.hyper, **{name: v for name, v in setting.items() if name != "lr"}}
    return dataclasses.replace(run, name=f"{run.name} #{t + 1}", lr=setting["lr"], hyper=hyper, stream=k)


def tune_race(scenario: Scenario, trials: list[list[dict]], steps: int | None = None) -> Race:
    runs = [trial_run(run, k, t, setting) for k, (run, settings) in enumerate(zip(scenario.runs, trials))
            for t, setting in enumerate(settings)]
    budget = len(trials[0]) if trials else 0
    return batched_race(scenario, runs, steps, f"tuning {len(scenario.runs)} runs × {budget} trials",
                        "a smaller --budget")


def run_tune(scenario: Scenario, budget: int = DEFAULT_BUDGET, steps: int | None = None, search: str = "random",
             seed: int | None = None) -> tuple[Race, dict]:
    if search not in SEARCHES:
        raise GdtuiError(f"--search: random or grid (got {search!r})")
    if not 1 <= budget <= MAX_BUDGET:
        raise GdtuiError(f"--budget: 1 to {MAX_BUDGET} trials per run (got {budget})")
    seed = scenario.seed if seed is None else seed
    steps = steps or scenario.length
    trials = trials_of(scenario, budget, search, seed)
    race = tune_race(scenario, trials, steps)
    while race.tick < steps and not race.done:   # (a stopped run never moves again)
        race.step()
    return race, summarize(scenario, race, trials, steps, search, seed)


def summarize(scenario: Scenario, race: Race, trials: list[list[dict]], steps: int, search: str,
              seed: int) -> dict:
    """Per run: its best trial (the lowest final loss of those that ended below their start, as a
    sweep's best), the median final loss over its trials (a diverged trial counts as +∞), the
    fraction that diverged, and the span of its stable rates in decades."""
    out, row = [], 0
    for run, settings in zip(scenario.runs, trials):
        rows = slice(row, row + len(settings))
        row += len(settings)
        loss, stable = outcomes(race, rows)
        best = int(np.argmin(np.where(stable, loss, np.inf))) if stable.any() else None
        lrs = np.array([s["lr"] for s in settings])
        median = float(np.median(loss))
        out.append({
            "name": run.name, "optimizer": run.rule, "trials": len(settings),
            "searched": searched(run.rule),
            "best": None if best is None else {
                "lr": settings[best]["lr"],
                "hyper": {k: v for k, v in settings[best].items() if k != "lr"},
                "final_loss": float(loss[best]), "trial": best + 1},
            "median_final_loss": median if math.isfinite(median) else None,
            "diverged_fraction": float(np.mean(race.status[rows] == DIVERGED)),
            # from the lowest to the highest rate of a stable trial (trials between them, at
            # other decay rates, may still have diverged)
            "window_decades": float(np.log10(lrs[stable].max() / lrs[stable].min())) if stable.any() else None,
            "stable_lr": None if not stable.any() else [float(lrs[stable].min()), float(lrs[stable].max())],
            "points": [{"lr": s["lr"], "hyper": {k: v for k, v in s.items() if k != "lr"},
                        "final_loss": _finite(v), "status": race.status_name(i)}
                       for i, s, v in zip(range(rows.start, rows.stop), settings, loss)],
        })
    return {"scenario": scenario.title, "clock": scenario.clock, "steps": steps, "budget": len(trials[0]),
            "search": search, "seed": seed if search == "random" else None, "lr_range": list(LR_RANGE),
            "decay_ranges": {k: list(v) for k, v in DECAY_RANGES.items()},
            "f_star": race.problem.f_star, "runs": out}


# --- the report -------------------------------------------------------------------------

def explanation(result: dict) -> str:
    what = "log10 of the final f − f*" if result["f_star"] is not None else "log10 of the final loss"
    return (f"each dot a trial: {what} after {length_text(result)} against its learning rate (and, for "
            "rules with decay rates, its own β); vertical lines: each run's best trial.")


def draw(plt, result: dict, glyphs: bool = False):
    """Every trial's final loss against its rate, log-log, one colour (or glyph) per run; a line
    at each run's best rate."""
    f_star = result["f_star"] or 0.0
    for k, run in enumerate(result["runs"]):
        pts = [(math.log10(p["lr"]), math.log10(max(p["final_loss"] - f_star, 1e-16)))
               for p in run["points"] if p["final_loss"] is not None]
        if pts:
            plt.scatter([p[0] for p in pts], [p[1] for p in pts], marker=run_glyph(k) if glyphs else "braille",
                        color=run_color(k))
        if run["best"]:
            plt.vline(math.log10(run["best"]["lr"]), color=run_color(k))
    rate_axis(plt, *(math.log10(x) for x in result["lr_range"]))


def setting_text(hyper: dict[str, float]) -> str:
    """β = 0.912, β2 = 0.9987 (the decay rates of a setting, as the equations name them)."""
    return ", ".join(f"{SYMBOLS.get(k, k)} = {v:.4g}" for k, v in hyper.items()) or "—"


def result_rows(result: dict) -> list[list[str]]:
    num = lambda x: "—" if x is None else f"{x:.3g}"   # noqa: E731
    rows = []
    for run in result["runs"]:
        best = run["best"] or {}
        rows.append([run["name"], run["optimizer"], num(best.get("lr")), setting_text(best.get("hyper", {})),
                     num(best.get("final_loss")),
                     "∞" if run["median_final_loss"] is None else num(run["median_final_loss"]),
                     f"{100 * run['diverged_fraction']:.0f}%",
                     "—" if run["window_decades"] is None else f"{run['window_decades']:.1f} dec"])
    return rows


RESULT_HEADERS = ("run", "rule", "best lr", "with", "loss there", "median", "diverged", "stable span")


def print_report(result: dict, console=None):
    from rich.text import Text

    from .render.tables import Column, fitted_table, output_console
    from .sweep import legend

    console = console or output_console()
    colour = console.is_terminal and console.color_system is not None
    width = min(console.width, 120)
    console.print(Text.from_ansi(plot(result, width=width, height=22, glyphs=not colour, draw=draw)), no_wrap=True,
                  crop=True)
    console.print(legend(result))
    console.print(explanation(result), style="#9e9e9e")
    console.print()
    columns = [Column("run"), Column("rule", drop=1), Column("best lr", "right"), Column("with"),
               Column("loss there", "right"), Column("median", "right", drop=2), Column("diverged", "right"),
               Column("stable span", "right", drop=3)]
    how = f"random search, draws seeded {result['seed']}" if result["search"] == "random" else "grid search"
    title = f"{result['scenario']}: {result['budget']} trials per run ({how}), {length_text(result)} each"
    console.print(fitted_table(console, columns, result_rows(result), title=title))
    console.print("lr from {:g} to {:g} on a log scale; decay rates β, β1, β2, ρ with 1 − β on a log scale; "
                  "best: the lowest final loss of a trial that ended below its start; a diverged trial counts "
                  "as +∞ in the median; stable span: decades from the lowest to the highest lr of such a "
                  "trial".format(*result["lr_range"]), style="#9e9e9e")
