"""Each run's settings, held in one place.

A race starts from `Setup.runs`. A key that changes a run's setting while
watching (l, L, b, B) becomes an `Edit`: a change at a tick, applied to the
race when its clock reaches that tick, exactly like a scenario's `set` event,
so a race is a pure function of its setup, the scenario's events and the
edits, and any part of it can be recomputed. A reset folds the edits into
the setup: the runs start again with the settings the user chose.

An edit is a rule (halve the rate, move β towards 1), not a value, so it
says the same thing to the race (whose rate a scenario event may have
changed) and to the setup a reset starts from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..core.optimizers import RULES
from ..core.race import RunConfig
from ..limits import MAX_LR, MIN_LR

BETA_NAMES = ("beta", "beta1", "rho")  # the β the b/B keys move, by rule


@dataclass(frozen=True)
class Edit:
    tick: int
    run: int
    name: str               # "lr" or a hyperparameter
    factor: float = 1.0     # lr: multiply by this
    toward_one: bool | None = None   # a β: 1 − β halves (True) or doubles (False)

    def apply(self, value: float) -> float:
        if self.toward_one is None:   # a rate stays where a scenario file may hold it
            return min(max(value * self.factor, MIN_LR), MAX_LR)
        beta = 1 - (1 - value) / 2 if self.toward_one else max(0.0, 1 - (1 - value) * 2)
        return round(min(beta, 0.999), 6)


def beta_name(rule: str) -> str | None:
    """The β of a rule that the b/B keys move, if it has one."""
    return next((k for k in BETA_NAMES if k in RULES[rule].hyper), None)


def value_of(run: RunConfig, name: str) -> float:
    if name == "lr":
        return run.lr
    return float(run.hyper.get(name, RULES[run.rule].hyper[name]))


def with_value(run: RunConfig, name: str, value: float) -> RunConfig:
    if name == "lr":
        return dataclasses.replace(run, lr=value)
    return dataclasses.replace(run, hyper={**run.hyper, name: value})


class Setup:
    """The runs' settings a race starts from, and the edits made since it started."""

    def __init__(self, runs):
        self.runs: tuple[RunConfig, ...] = tuple(runs)
        self.edits: list[Edit] = []

    def edits_at(self, tick: int) -> list[Edit]:
        return [e for e in self.edits if e.tick == tick]

    def record(self, edit: Edit):
        self.edits.append(edit)

    def drop_after(self, tick: int):
        """Forget the edits of a future that is being recomputed."""
        self.edits = [e for e in self.edits if e.tick <= tick]

    def settled(self, unless=lambda edit: False) -> tuple[RunConfig, ...]:
        """The runs with the edits folded in (all but those `unless` picks): what a reset starts
        from, and what is saved."""
        runs = list(self.runs)
        for e in self.edits:
            if not unless(e):
                runs[e.run] = with_value(runs[e.run], e.name, e.apply(value_of(runs[e.run], e.name)))
        return tuple(runs)

    def fold(self, keep=lambda edit: False):
        """A reset: the edits become the setup, but those `keep` picks, which stay at their ticks."""
        self.runs = self.settled(unless=keep)
        self.edits = [e for e in self.edits if keep(e)]

    def set_value(self, run: int, name: str, value: float):
        """A new lr or hyperparameter for a run from its start (a sweep's or a tuning's best)."""
        runs = list(self.runs)
        runs[run] = with_value(runs[run], name, value)
        self.runs = tuple(runs)
