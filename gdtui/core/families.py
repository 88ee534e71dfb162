"""The runs of a race that share an update rule, updated by one call of it.

A family holds its members' optimizer state and hyperparameters as (R_f, ...) arrays.
An update moves every member, or (on an epoch clock, or once some runs have stopped)
only the active ones. The family also keeps the *internals* of each member's latest
update (g, v, s, ..., what the app's inspector shows) until the race commits them.
"""

from __future__ import annotations

import numpy as np

from .optimizers import RULES

INTERNAL_KEYS = ("g", "v", "s", "v_hat", "s_hat", "d", "step")


class Family:
    """The runs `members` (increasing run indices) of one rule."""

    def __init__(self, rule: str, members: np.ndarray):
        self.rule = RULES[rule]
        self.members = members
        contiguous = np.array_equal(members, np.arange(members[0], members[-1] + 1))
        # a slice keeps P[at] a view: the common case updates in place
        self.at = slice(int(members[0]), int(members[-1]) + 1) if contiguous else members

    def reset(self, D, hyper):
        self.state = self.rule.init((len(self.members), D))
        self.take_hyper(hyper)
        self.last_all = None   # internals of the last update that moved every member
        # internals of updates that moved only some members since: each member's latest is
        # row some_row[i] of last_some[some_of[i]] (some_of -1: none since last_all)
        self.last_some: list[dict] = []
        self.some_of = np.full(len(self.members), -1)
        self.some_row = np.zeros(len(self.members), dtype=int)

    def take_hyper(self, hyper):
        self.hp = {k: hyper[k][self.members] for k in self.rule.hyper}

    def select(self, moving, row_pos):
        """(where the family's active runs sit among the rows that move, their state, their
        hyperparameters, their positions in the family or None for all). `moving`: a mask over
        the race's runs, None when every run moves."""
        if moving is None:
            return self.at, self.state, self.hp, None
        active = np.flatnonzero(moving[self.members])
        if not len(active):
            return None, None, None, None
        at = row_pos[self.members[active]]
        return (at, {k: v[active] for k, v in self.state.items()},
                {k: v[active] for k, v in self.hp.items()}, active)

    def store(self, state, internals, active):
        """The new state; and each moved member's internals, kept until the inspector reads
        them (in an epoch tick a run with fewer batches makes its last update earlier)."""
        if active is None:
            self.state = state
            self.last_all, self.last_some = internals, []
            self.some_of[:] = -1
            return
        for k, v in state.items():
            self.state[k][active] = v
        self.some_of[active] = len(self.last_some)
        self.some_row[active] = np.arange(len(active))
        self.last_some.append(internals)
        if len(self.last_some) > self.KEPT_UPDATES:
            self._forget_overwritten()

    KEPT_UPDATES = 8   # partial updates kept before those no member needs are dropped

    def _forget_overwritten(self):
        """Drop the internals no member's latest update holds any more: a race whose runs
        keep stepping in subsets (after one has stopped) would otherwise keep them all (done
        every KEPT_UPDATES updates, not at each: it costs as much as the update of a small race)."""
        mine = self.some_of >= 0
        live = np.flatnonzero(np.bincount(self.some_of[mine], minlength=len(self.last_some)))
        if len(live) < len(self.last_some):
            self.last_some = [self.last_some[i] for i in live.tolist()]
            self.some_of[mine] = np.searchsorted(live, self.some_of[mine])

    def write_internals(self, last):
        """Write the internals of the family's updates since the last commit into `last`."""
        if self.last_all is not None:
            for k in INTERNAL_KEYS:
                last[k][self.members] = self.last_all.get(k, np.nan)
        for update, internals in enumerate(self.last_some):
            mine = np.flatnonzero(self.some_of == update)
            runs, rows = self.members[mine], self.some_row[mine]
            for k in INTERNAL_KEYS:
                last[k][runs] = internals[k][rows] if k in internals else np.nan

    def commit(self, last):
        """Write them, and forget them: `last` holds them from now on."""
        self.write_internals(last)
        self.last_all, self.last_some = None, []
        self.some_of[:] = -1
