"""Runs stepped in lockstep, batched over runs.

A run is an update rule x a batch schedule x hyperparameters. All runs of a
race start from the same point. One *tick* advances every running run by one
update (clock "step") or by one epoch of its own batches (clock "epoch"); the
arrays of all runs move together: one vectorized update per rule family, one
gradient evaluation for all runs.

The race holds the parts together: the feed (feed.py) hands each run its batch
or its noise, the families (families.py) update their runs, the stops (stops.py)
freeze the runs that diverge or converge while the others go on, and the
history below records every tick. No numpy warning escapes: the arithmetic of
exploding runs is expected.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from .batches import FULL
from .families import INTERNAL_KEYS, Family
from .feed import BatchFeed, NoiseFeed, batch_sizes, streams_of
from .optimizers import ALL_HYPER, RULES
from .problem import Problem
from .schedules import Schedules
from .stops import CONVERGED, DIVERGED, RUNNING, STATUS_NAMES, Stops  # noqa: F401 (callers import them from here)

MAX_PARAM_HISTORY = 4096  # keep every tick's parameters while R*D is at most this
MAX_INTERNALS_DIM = 8     # and the update internals (for the inspector) while D is at most this


@dataclass
class RunConfig:
    """One run, as the core sees it (scenario.py builds these from a file)."""

    name: str
    rule: str
    lr: float
    batch: str | int = FULL
    hyper: dict[str, float] = field(default_factory=dict)
    schedule: dict = field(default_factory=lambda: {"type": "constant"})
    stream: int | None = None  # random stream (batch order, noise); None: the run's index

    @property
    def batch_label(self) -> str:
        return "full" if self.batch == FULL else str(self.batch)


class _Rows:
    """A (rows, ...) array filled from the front; it doubles as it fills (up to `capacity` rows)."""

    def __init__(self, shape, capacity: int | None, fill=np.nan):
        self.data = np.full((min(64, capacity or 64), *shape), fill)
        self.n = 0
        self.fill = fill
        self.capacity = capacity

    def append(self, row):
        if self.n == len(self.data):
            size = 2 * self.n if self.capacity is None else min(2 * self.n, self.capacity)
            grown = np.full((size, *self.data.shape[1:]), self.fill)
            grown[: self.n] = self.data
            self.data = grown
        self.data[self.n] = row
        self.n += 1

    @property
    def view(self):
        return self.data[: self.n]

    def keep(self, rows: np.ndarray):
        """Keep only `rows` (increasing indices), in a new buffer: views of the old one (a frame
        on screen) stay as they were."""
        data = np.full_like(self.data, self.fill)
        data[: len(rows)] = self.data[rows]
        self.data, self.n = data, len(rows)

    def copied(self, n: int) -> "_Rows":
        """The first n rows, in a buffer of their own (views of the old one stay as they were)."""
        out = _Rows.__new__(_Rows)
        out.fill, out.n, out.capacity = self.fill, n, self.capacity
        out.data = self.data[: max(n, min(64, self.capacity or 64))].copy()
        return out


class History:
    """Per tick: full-batch loss, gradient norm, learning rate, and (for small
    problems) parameters and the internals of the last update.

    Without a capacity every tick is kept, and row t is tick t. With one, memory is bounded: once
    the rows fill it, the older half keeps only every `stride`-th tick (the stride doubles as the
    race goes on) and every tick from `full_from` on is kept; `ticks` says which tick each row is.
    Tick 0 and the latest tick recorded are always kept (right after a restore to a tick that was
    thinned away, the latest kept is the one before it)."""

    COLUMNS = ("loss", "grad_norm", "lr", "epoch_cost")

    def __init__(self, R: int, D: int, keep: bool = True, capacity: int | None = None):
        if capacity is not None and capacity < 4:
            raise ValueError("a history keeps at least 4 rows")
        self.keep_params, self.keep_internals = History.kept(R, D, keep)
        self.capacity = capacity
        self.stride, self.full_from = 1, 0
        self.layout = 0   # a new number each time rows are thinned or cut (a cache of rows is stale then)
        self.best_loss = np.full(R, np.nan)   # each run's lowest finite loss so far (kept or not)
        self._columns = {name: _Rows((R,), capacity) for name in self.COLUMNS}
        self._columns["lr_after"] = _Rows((R,), capacity)       # the lr of the update after the tick
        self._columns["tick"] = _Rows((), capacity, fill=-1)
        if self.keep_params:
            self._columns["params"] = _Rows((R, D), capacity)
        if self.keep_internals:
            for k in INTERNAL_KEYS:
                self._columns["internal " + k] = _Rows((R, D), capacity)
        self.ticks_recorded = 0

    def record(self, loss, grad_norm, lr, cost, params, internals):
        columns = self._columns
        if self.capacity is not None and columns["tick"].n == self.capacity:
            self._thin()
        tick = self.ticks_recorded
        last = columns["tick"].n - 1
        if last >= 0 and columns["tick"].data[last] == tick - 1:
            columns["lr_after"].data[last] = lr
        for name, value in (("loss", loss), ("grad_norm", grad_norm), ("lr", lr), ("epoch_cost", cost),
                            ("lr_after", np.nan), ("tick", tick)):
            columns[name].append(value)
        if self.keep_params:
            columns["params"].append(params)
        if self.keep_internals:
            for k in INTERNAL_KEYS:
                columns["internal " + k].append(internals[k])
        better = np.isfinite(loss) & ~(loss >= self.best_loss)   # (NaN compares false, silently)
        self.best_loss = np.where(better, loss, self.best_loss)
        self.ticks_recorded += 1

    def _thin(self):
        """Full: the older half of the rows keeps every other kept tick (at least one row goes)."""
        ticks = self.ticks
        recent = self.capacity // 2
        old = ticks[: len(ticks) - recent]
        stride = max(self.stride, 2)   # the ticks that aged out of the recent half go to the old stride
        while True:
            keep_old = np.flatnonzero(old % stride == 0)
            if len(keep_old) < len(old):
                break
            stride *= 2
        self.stride, self.full_from = stride, int(ticks[len(old)])   # (before the rows move: `ticks` is a view)
        self.layout += 1
        rows = np.r_[keep_old, np.arange(len(old), len(ticks))]
        for column in self._columns.values():
            column.keep(rows)

    def __len__(self):
        """The ticks recorded (the latest tick + 1), kept or not."""
        return self.ticks_recorded

    loss = property(lambda self: self._columns["loss"].view)
    grad_norm = property(lambda self: self._columns["grad_norm"].view)
    lr = property(lambda self: self._columns["lr"].view)
    lr_after = property(lambda self: self._columns["lr_after"].view)
    epoch_cost = property(lambda self: self._columns["epoch_cost"].view)
    ticks = property(lambda self: self._columns["tick"].view)
    params = property(lambda self: self._columns["params"].view if self.keep_params else None)

    @property
    def complete(self) -> bool:
        """Every tick kept: row t is tick t."""
        return self._columns["tick"].n == self.ticks_recorded

    def row(self, tick: int) -> int | None:
        """The row of `tick`, or None if it is not kept."""
        if self.complete:
            return tick if 0 <= tick < self.ticks_recorded else None
        i = int(np.searchsorted(self.ticks, tick))
        return i if i < len(self.ticks) and self.ticks[i] == tick else None

    def kept_at_or_before(self, tick: int) -> int:
        """The latest kept tick not after `tick` (tick 0 is always kept)."""
        if self.complete:
            return max(0, min(tick, self.ticks_recorded - 1))
        return int(self.ticks[max(0, np.searchsorted(self.ticks, tick, side="right") - 1)])

    def kept_after(self, tick: int) -> int | None:
        """The first kept tick after `tick`, or None."""
        if self.complete:
            return tick + 1 if tick + 1 < self.ticks_recorded else None
        i = int(np.searchsorted(self.ticks, tick, side="right"))
        return int(self.ticks[i]) if i < len(self.ticks) else None

    def every_tick_since(self, tick: int) -> int:
        """The first tick from which every tick up to `tick` is kept (`tick` itself, if it is not
        kept: a stretch of one tick is no stretch, and a caller asks only for kept ones)."""
        if self.complete:
            return 0
        i = self.row(tick)
        if i is None:
            return tick
        ticks = self.ticks[: i + 1]
        gaps = np.flatnonzero(np.diff(ticks) != 1)
        return int(ticks[gaps[-1] + 1]) if len(gaps) else int(ticks[0])

    def rows_to(self, tick: int) -> slice:
        """The rows of the kept ticks up to `tick`."""
        return slice(0, tick + 1 if self.complete else int(np.searchsorted(self.ticks, tick, side="right")))

    def rows_between(self, first: int, last: int) -> slice:
        """The rows of the kept ticks from `first` to `last`."""
        if self.complete:
            return slice(first, last + 1)
        return slice(int(np.searchsorted(self.ticks, first)), int(np.searchsorted(self.ticks, last, side="right")))

    @staticmethod
    def kept(R: int, D: int, keep: bool = True) -> tuple[bool, bool]:
        """Whether a history of R runs of D parameters keeps their parameters, and the internals
        of each update (small problems only)."""
        params = keep and R * D <= MAX_PARAM_HISTORY
        return params, params and D <= MAX_INTERNALS_DIM

    @staticmethod
    def bytes_per_tick(R: int, D: int, keep: bool = True) -> int:
        """What one kept tick costs: five numbers per run, the parameters and internals if kept."""
        params, internals = History.kept(R, D, keep)
        return 8 * (5 * R + 1 + R * D * (params + len(INTERNAL_KEYS) * internals))

    def truncated(self, n: int) -> "History":
        """The first n ticks (a race that goes back to tick n - 1 and on from there)."""
        out = History.__new__(History)
        vars(out).update(vars(self))
        rows = int(np.searchsorted(self.ticks, n))
        out._columns = {name: column.copied(rows) for name, column in self._columns.items()}
        out.ticks_recorded = n
        out.layout = self.layout + 1
        if out.complete:
            out.stride, out.full_from = 1, 0
        else:   # every tick kept from the end of the last gap on (the next tick, if the last is missing)
            last = int(out.ticks[-1])
            out.full_from = out.every_tick_since(last) if last == n - 1 else n
        out.best_loss = _best(out.loss)   # (of the kept ticks: Race.restore puts back the exact one)
        return out

    def internals(self, tick: int) -> dict[str, np.ndarray] | None:
        """The internals of the update that ended tick `tick` ((R, D) arrays); None if not kept."""
        row = self.row(tick) if self.keep_internals else None
        if row is None:
            return None
        return {k: self._columns["internal " + k].view[row] for k in INTERNAL_KEYS}


def _best(loss: np.ndarray) -> np.ndarray:
    """Each column's lowest finite value (NaN for none)."""
    finite = np.where(np.isfinite(loss), loss, np.inf)
    best = finite.min(axis=0, initial=np.inf)
    return np.where(np.isfinite(best), best, np.nan)


class Race:
    """R runs on one problem, stepped together."""

    def __init__(self, problem: Problem, runs: list[RunConfig], start, *, seed: int = 0,
                 clock: str = "step", tolerance: float = 1e-6, length: int = 0, course: bool = False,
                 keep_history: bool = True, history_rows: int | None = None):
        self.problem = problem
        self.runs = list(runs)
        self.seed = seed
        self.clock = clock
        self.tolerance = tolerance
        self.course = course
        self.keep_history = keep_history  # False: losses only, no parameters (sweeps of many runs)
        self.history_rows = history_rows  # a bound on the ticks the history keeps (None: every tick)
        self.R = len(self.runs)
        self.D = problem.dim
        self.start = np.array(start, dtype=float).reshape(self.D)
        # a cosine schedule without a period spans the race: `length` epochs, or steps / batches per epoch
        self.batch_size, self.per_epoch = batch_sizes(problem.n_samples, self.runs)
        epochs = length if clock == "epoch" else -(-length // self.per_epoch)
        self.schedules = Schedules.from_specs([r.schedule for r in self.runs], epochs)
        self.families = [Family(rule, np.array([i for i, r in enumerate(self.runs) if r.rule == rule]))
                         for rule in dict.fromkeys(r.rule for r in self.runs)]
        self.reset()

    # --- set-up -------------------------------------------------------------------

    def reset(self, start=None, runs: list[RunConfig] | None = None):
        """Every run back to the start (a new one if given), state and history cleared, each
        run's lr and hyperparameters taken afresh from its RunConfig (new ones if given: the
        same rules and batches, other settings)."""
        if start is not None:
            self.start = np.array(start, dtype=float).reshape(self.D)
        if runs is not None:
            same = lambda rs: [(r.rule, r.batch, r.schedule, r.stream) for r in rs]  # noqa: E731
            if same(runs) != same(self.runs):
                raise ValueError("reset(runs=...) takes new settings for the same runs")
            self.runs = list(runs)
        self.lr0 = np.array([r.lr for r in self.runs], dtype=float)
        self.hyper = {name: np.array([[r.hyper.get(name, RULES[r.rule].hyper.get(name, 0.0))]
                                      for r in self.runs], dtype=float) for name in ALL_HYPER}
        R, D = self.R, self.D
        self.P = np.tile(self.start, (R, 1))
        for family in self.families:
            family.reset(D, self.hyper)
        self.updates = np.zeros(R, dtype=int)
        self.tick = 0
        self.last = {k: np.full((R, D), np.nan) for k in INTERNAL_KEYS}
        # the random streams start again: fresh batch orders and noise generators
        streams, m = streams_of(self.runs), self.problem.n_samples
        self.batches = BatchFeed(m, self.batch_size, streams, self.seed, self.course)
        self.surface_noise = NoiseFeed(self.problem.noise, self.batch_size, streams, self.seed, D) \
            if not m and self.problem.noise > 0 else None
        self.lr = self._rates(np.arange(R))
        self._row_pos = np.zeros(R, dtype=int)
        self.history = History(R, D, self.keep_history, self.history_rows)
        with np.errstate(all="ignore"):
            loss, grad = self.problem.value_and_grad(self.P)
            self.initial_loss = loss.copy()
            self.stops = Stops(loss, self.problem.f_star, self.tolerance)
            self._record(loss, np.linalg.norm(grad, axis=1), np.full(R, np.nan))

    # the parts' numbers, under the names the rest of gdtui reads
    status = property(lambda self: self.stops.status)              # RUNNING, CONVERGED or DIVERGED
    converged_at = property(lambda self: self.stops.converged_at)  # the tick a run converged (-1: not)
    diverged_at = property(lambda self: self.stops.diverged_at)    # the tick a run diverged (-1: not)
    orders = property(lambda self: self.batches.orders)            # the BatchOrders of the runs on data

    # --- hyperparameters (events, keys in the app) --------------------------------

    def set_lr(self, run: int, lr: float):
        """A new base rate for `run` from the next update on."""
        self.lr0[run] = lr
        self.lr[run] = self._rates(np.array([run]))[0]

    def set_hyper(self, run: int, name: str, value: float):
        if name == "lr":
            self.set_lr(run, value)
        else:
            self.hyper[name][run, 0] = value
            for family in self.families:
                family.take_hyper(self.hyper)

    def get_hyper(self, run: int, name: str) -> float:
        return float(self.lr0[run] if name == "lr" else self.hyper[name][run, 0])

    # --- stepping -----------------------------------------------------------------

    def epochs(self) -> np.ndarray:
        """Epochs each run has completed (one per update for analytic problems)."""
        return self.updates // self.per_epoch

    def _rates(self, rows: np.ndarray) -> np.ndarray:
        """The learning rate of each run in `rows` for its next update."""
        if self.schedules.all_constant:
            return self.lr0[rows].copy()
        epoch = self.updates[rows] // self.per_epoch[rows]
        if self.course:  # the course updates the rate after each epoch from the epoch's own index
            epoch = np.maximum(epoch - 1, 0)
        return self.schedules.rates(self.lr0[rows], epoch, rows)

    def step(self, ticks: int = 1):
        """Advance every running run by `ticks` ticks."""
        with np.errstate(all="ignore"):
            for _ in range(ticks):
                self._tick()

    def _tick(self):
        running = self.stops.running()
        if not len(running):   # every run stopped: the tick records them as they are, computing nothing
            self.tick += 1
            self._record(self.last_loss, self.last_grad_norm, np.full(self.R, np.nan), running)
            return
        cost = np.full(self.R, np.nan)
        if self.clock == "epoch" and self.problem.n_samples:
            cost[running] = 0.0
            per_epoch = self.per_epoch[running]
            for u in range(int(per_epoch.max(initial=0))):
                rows = running if u < per_epoch.min() else running[per_epoch > u]
                cost[rows] += self._update(rows)
        elif len(running):
            cost[running] = self._update(running)
        self.tick += 1
        loss, grad = self.problem.value_and_grad(self.P)
        self._record(loss, np.linalg.norm(grad, axis=1), cost, running)

    def _update(self, rows: np.ndarray) -> np.ndarray:
        """One update of each run in `rows`; returns each run's batch loss times
        batch size / m (its share of the epoch cost, as the course sums it)."""
        every = len(rows) == self.R
        moving = None
        if every:
            P = self.P  # updated in place
            lr = self.lr if self.schedules.all_constant else self._rates(rows)
        else:
            P = self.P[rows]
            lr = self._rates(rows)
            self._row_pos[rows] = np.arange(len(rows))
            moving = np.zeros(self.R, dtype=bool)
            moving[rows] = True
        lr_col = lr[:, None]
        parts = [(family, *family.select(moving, self._row_pos)) for family in self.families]
        points = P
        for family, at, state, hp, _ in parts:
            look = family.rule.lookahead
            if look is not None and state is not None:
                if points is P:
                    points = P.copy()
                points[at] = look(P[at], state, lr_col[at], hp)
        cost_share, G = self._gradients(rows, points, every)
        for family, at, state, hp, members in parts:
            if state is not None:
                step, state, internals = family.rule.update(G[at], state, lr_col[at], hp, P[at])
                P[at] -= step
                family.store(state, internals, members)
        if every:
            self.updates += 1
            if lr is not self.lr:
                self.lr[:] = lr
        else:
            self.P[rows] = P
            self.lr[rows] = lr
            self.updates[rows] += 1
        return cost_share

    def _gradients(self, rows, points, every):
        """(batch loss x batch size / m, gradient) for each run in `rows` at `points`."""
        if not self.problem.n_samples:
            loss, G = self.problem.value_and_grad(points)
            if self.surface_noise is not None:
                G = G + self.surface_noise.draw(rows)
            return loss, G
        if every and self.batches.shared is not None:
            # every run draws from the same order (course mode, a sweep of one run): one batch for all
            idx, weight, share = self.batches.draw_shared()
            loss, G = self.problem.value_and_grad(points, (idx, weight))
            return loss * share, G
        full = self.batches.full[rows]
        loss = np.empty(len(rows))
        G = np.empty((len(rows), self.D))
        if full.any():
            loss[full], G[full] = self.problem.value_and_grad(points[full])
        if not full.all():
            mini = np.flatnonzero(~full)
            idx, weight, share = self.batches.draw(rows[mini])
            batch_loss, G[mini] = self.problem.value_and_grad(points[mini], (idx, weight))
            loss[mini] = batch_loss * share
        return loss, G

    def _record(self, loss, grad_norm, cost, stepped=None):
        if stepped is not None:
            loss, grad_norm = self.stops.judge(self.tick, loss, grad_norm, self.P,
                                               self.last_loss, self.last_grad_norm)
        if self.history.keep_internals:
            for family in self.families:
                family.commit(self.last)
        self.last_loss, self.last_grad_norm = loss, grad_norm
        self.history.record(loss, grad_norm, self.lr, cost, self.P, self.last)

    # --- checkpoints ----------------------------------------------------------------

    def checkpoint(self) -> dict:
        """A copy of everything the next steps depend on (parameters, optimizer states, batch
        orders and random streams, statuses, the clock): restore() goes on from here exactly."""
        kept = copy.deepcopy({k: v for k, v in vars(self).items() if k not in ("problem", "history")})
        kept["best_loss"] = self.history.best_loss.copy()   # (a thinned history could not say it again)
        return kept

    def restore(self, checkpoint: dict):
        """Back to a checkpoint; the history is cut to its tick."""
        checkpoint = copy.deepcopy(checkpoint)
        best = checkpoint.pop("best_loss")
        vars(self).update(checkpoint)
        self.history = self.history.truncated(self.tick + 1)
        self.history.best_loss = best

    # --- reading results ----------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.stops.done

    def status_name(self, run: int) -> str:
        return STATUS_NAMES[self.status[run]]

    def loss(self) -> np.ndarray:
        return self.last_loss

    def internals(self) -> dict[str, np.ndarray]:
        """The numbers of each run's last update: g, v, s, v_hat, s_hat, d, step ((R, D), NaN where
        the rule has none). A new copy: reading changes nothing, and a later step never
        rewrites what was read."""
        last = {k: v.copy() for k, v in self.last.items()}
        for family in self.families:
            family.write_internals(last)
        return last

    def updates_per_tick(self) -> np.ndarray:
        """How many updates each run makes in one tick: 1, or on an epoch clock its batches per epoch."""
        return self.per_epoch if self.clock == "epoch" else np.ones(self.R, dtype=int)

    def rates_at(self, tick: int) -> np.ndarray:
        """Each run's lr for the update after `tick` (schedules included; a stopped run keeps the
        rate of its last update)."""
        if tick == self.tick:
            return np.where(self.status == RUNNING, self.next_rates(), self.lr)
        row = self.history.row(tick)
        if row is None:
            raise ValueError(f"tick {tick} is not kept in the history")
        return self.history.lr_after[row]

    def next_rates(self) -> np.ndarray:
        """Each run's learning rate for its next update (its schedule applied)."""
        return self._rates(np.arange(self.R))
