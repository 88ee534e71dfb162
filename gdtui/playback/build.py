"""From the race at a tick to a Frame: each run's numbers, status and settings as of that
tick, read from the race's history (never from its present, unless the tick is the
present), and copied or frozen so that the frame stays true while the race moves on."""

from __future__ import annotations

import functools

import numpy as np

from ..core import theory
from ..core.optimizers import RULES
from ..core.race import INTERNAL_KEYS, RUNNING, Race
from .frame import Frame, RunRow, Stability
from .setup import Setup


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only view: a frame's arrays cannot be written through."""
    v = a.view()
    v.flags.writeable = False
    return v


def settings_at(setup: Setup, events, tick: int) -> list[dict[str, float]]:
    """Each run's lr and hyperparameters in force after `tick`: the setup, then the scenario's
    `set` events and the user's edits up to `tick`, in the order the race applies them (the
    lr is the base rate, before any schedule)."""
    values = [{"lr": float(r.lr), **{k: float(r.hyper.get(k, v)) for k, v in RULES[r.rule].hyper.items()}}
              for r in setup.runs]
    changes = [(e.at, 0, e.set) for e in events if e.set and e.at <= tick]
    changes += [(e.tick, 1, e) for e in setup.edits if e.tick <= tick]
    for _, kind, change in sorted(changes, key=lambda c: (c[0], c[1])):
        if kind == 0:
            for name, value in change.items():
                if name != "run":
                    values[change["run"]][name] = float(value)
        else:
            values[change.run][change.name] = change.apply(values[change.run][change.name])
    return values


def stability(lam, rule: str, lr: float, hyper: dict, local: bool) -> Stability | None:
    """The theory's verdict on a run (core.theory), for the frame."""
    if lam is None or not np.all(np.isfinite(lam)):
        return None
    return _stability(tuple(float(x) for x in lam), rule, lr, tuple(sorted(hyper.items())), local)


@functools.lru_cache(maxsize=256)   # a quadratic's runs ask the same question frame after frame
def _stability(lam: tuple, rule: str, lr: float, hyper: tuple, local: bool) -> Stability:
    v = theory.verdict(rule, lr, dict(hyper), lam, local=local)
    return Stability(local=local, lam_min=v.lam_min, lam_max=v.lam_max, rate=v.predicted_rate,
                     bound=v.stable_lr_max, bound_name=v.formula, stable=v.stable, escape_rate=v.escape_rate)


class FrameBuilder:
    """Builds the frames of one loaded problem (it caches what a tick's frame needs twice)."""

    def __init__(self, problem, scene):
        self.problem = problem
        self.scene = scene
        # the curvature: a quadratic's once; a 2D surface's at each run's point (cheap, exact)
        self.curved = theory.has_curvature(problem) and problem.dim == 2
        self.constant = theory.spectrum(problem, np.zeros((1, 2)))[0][0] if self.curved and problem.quadratic else None
        self._accuracy: dict[tuple[int, int], np.ndarray] = {}

    def accuracy(self, generation: int, tick: int, params: np.ndarray) -> np.ndarray | None:
        if not self.problem.classification:
            return None
        key = (generation, tick)
        if key not in self._accuracy:
            if len(self._accuracy) > 64:
                self._accuracy.clear()
            with np.errstate(all="ignore"):
                self._accuracy[key] = self.problem.accuracy(params)
        return self._accuracy[key]

    def build(self, race: Race, setup: Setup, events, tick: int, **shown) -> Frame:
        """The frame at `tick`; `shown` holds what the playback adds: state, holding, speed,
        message, narration, start, generation."""
        history, t = race.history, tick
        at_head = t == race.tick
        row = history.row(t)   # the cursor is always at a tick the history kept
        # the parameters: from the history, or (races too large to keep it) a copy of the present
        params = history.params[row] if history.params is not None else race.P.copy()
        next_lr = race.rates_at(t)
        settings = settings_at(setup, events, t)
        accuracy = self.accuracy(shown["generation"], t, params)
        f_star = self.problem.f_star
        head_internals = race.internals() if at_head and not history.keep_internals else None
        kept = {}  # tick -> (the internals of the update ending there, which of them each run has)

        def internals_at(step, r):
            if step not in kept:
                values = history.internals(step) or {}   # none for a tick the history has thinned away
                kept[step] = values, {k: ~np.all(np.isnan(v), axis=1) for k, v in values.items()}
            values, has = kept[step]
            return {k: frozen(v[r]) for k, v in values.items() if has[k][r]} or None

        lams = self.eigenvalues(params)
        rows = []
        for r, run in enumerate(race.runs):
            status, status_at = self.status(race, r, t)
            last_step = min(t, status_at) if status_at is not None else t
            hyper = {k: v for k, v in settings[r].items() if k != "lr"}
            equation = RULES[run.rule].equation_for(hyper)
            internals = layer_norms = None
            if last_step > 0 and history.keep_internals:
                internals = internals_at(last_step, r)
                if internals and equation is RULES[run.rule].uncorrected:   # no v̂, ŝ: v and s are used as they are
                    internals = {k: v for k, v in internals.items() if k not in ("v_hat", "s_hat")}
            elif last_step > 0 and head_internals is not None:
                layer_norms = self.layer_norms(head_internals, r)
            loss = float(history.loss[row, r])
            rows.append(RunRow(
                index=r, name=run.name, rule=run.rule, batch=run.batch_label, lr=float(next_lr[r]),
                hyper=hyper, equation=equation, loss=loss, gap=None if f_star is None else loss - f_star,
                grad_norm=float(history.grad_norm[row, r]), status=status, status_at=status_at,
                last_step=last_step, params=frozen(params[r]), internals=internals,
                accuracy=None if accuracy is None else float(accuracy[r]),
                stability=None if lams is None else stability(lams[r], run.rule, float(next_lr[r]), hyper,
                                                              local=self.constant is None),
                layer_norms=layer_norms))
        upto = slice(0, row + 1)
        path = frozen(history.params[upto]) if self.scene.two_d and history.params is not None else None
        probabilities = self.probability_maker(params.copy()) if self.scene.points is not None else None
        return Frame(scene=self.scene, tick=t, head=race.tick, runs=tuple(rows), losses=frozen(history.loss[upto]),
                     ticks=frozen(history.ticks[upto]), path=path, can_scrub=history.params is not None,
                     _probabilities=probabilities, **shown)

    def eigenvalues(self, params: np.ndarray) -> np.ndarray | None:
        """(R, D) Hessian eigenvalues at each run's point, or None (no cheap exact Hessian)."""
        if not self.curved:
            return None
        if self.constant is not None:
            return np.broadcast_to(self.constant, params.shape)
        return theory.spectrum(self.problem, params)[0]

    @staticmethod
    def status(race: Race, run: int, tick: int) -> tuple[str, int | None]:
        """"running", "converged" or "diverged" as of `tick`, and the tick it happened at."""
        for label, at in (("diverged", race.diverged_at[run]), ("converged", race.converged_at[run])):
            if 0 <= at <= tick:
                return label, int(at)
        return "running", None

    def layer_norms(self, internals: dict, r: int):
        """Per layer of a network, the size of each internal of run r's last update."""
        if not hasattr(self.problem, "parameter_views"):
            return None
        keys = [k for k in INTERNAL_KEYS if k not in ("v_hat", "s_hat") and not np.all(np.isnan(internals[k][r]))]
        views = {k: self.problem.parameter_views(internals[k][r:r + 1]) for k in keys}
        names = list(views[keys[0]]) if keys else []
        return tuple((name, {k: float(np.sqrt(np.nansum(views[k][name] ** 2))) for k in keys}) for name in names)

    def probability_maker(self, params: np.ndarray):
        """Classification with two inputs: each run's probability of class 1 over a box, at the
        resolution a panel asks for (a frame computes it once per size)."""
        predict = self.problem.predict

        def probabilities(box, cols, pixel_rows):
            (x0, x1), (y0, y1) = box
            xs = x0 + (np.arange(cols) + 0.5) / cols * (x1 - x0)
            ys = y1 - (np.arange(pixel_rows) + 0.5) / pixel_rows * (y1 - y0)
            gx, gy = np.meshgrid(xs, ys)
            prob = predict(params, np.stack([gx.ravel(), gy.ravel()], axis=1))
            return frozen(np.nan_to_num(prob, nan=0.5).reshape(len(params), pixel_rows, cols))

        return probabilities
