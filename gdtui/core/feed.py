"""What each run's gradient is computed from: a batch of the data, or on an analytic
surface the exact gradient plus noise.

A run draws its randomness from a *stream*: its RunConfig's `stream`, or its own index.
Stream s gives the generator default_rng([seed, purpose, s]), purpose 1 for the order
of the batches and 2 for the noise. Runs on the same stream with the same batch size
therefore see the same batches, or the same noise, and runs on different streams
independent ones: the sweep's copies of a run differ only in their rate.

Both feeds draw once per stream (and batch size), whatever the number of runs that
share it, and hand each run its row by array indexing: a sweep of hundreds of runs
costs a Python step per stream, not per run.
"""

from __future__ import annotations

import numpy as np

from .batches import FULL, BatchOrder, batches_per_epoch

SHUFFLE, NOISE = 1, 2   # the purposes of a run's two streams


def stream_rng(seed: int, purpose: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, purpose, stream])


def streams_of(runs) -> np.ndarray:
    """Each run's stream: its own, or its index."""
    return np.array([i if r.stream is None else r.stream for i, r in enumerate(runs)], dtype=np.int64)


def batch_sizes(m: int, runs) -> tuple[np.ndarray, np.ndarray]:
    """Each run's batch size and batches per epoch, on m examples. Without data (m = 0) the
    size only scales the noise: 0 for the full batch (no noise), and one batch per epoch."""
    size = np.array([0 if r.batch == FULL and not m else m if r.batch == FULL else
                     min(int(r.batch), m) if m else int(r.batch) for r in runs], dtype=int)
    per_epoch = np.array([batches_per_epoch(m, k) if m else 1 for k in size], dtype=int)
    return size, per_epoch


class BatchFeed:
    """The batches of a race on m examples: one BatchOrder per (stream, batch size), which
    every run with that key draws from; a run with the full batch has no order."""

    def __init__(self, m: int, size: np.ndarray, streams: np.ndarray, seed: int, course: bool = False):
        self.m = m
        self.orders: list[BatchOrder] = []
        self.order_of = np.full(len(size), -1)   # each run's order (-1: the full batch, or no data)
        keyed = {}
        for run, (k, stream) in enumerate(zip(size.tolist(), streams.tolist())):
            if not m or k == m:
                continue
            # course mode: every run re-seeds the course's order, so all share one
            key = ("course" if course else stream, k)
            if key not in keyed:
                keyed[key] = len(self.orders)
                self.orders.append(BatchOrder(m, k, "course" if course else stream_rng(seed, SHUFFLE, stream)))
            self.order_of[run] = keyed[key]
        self.full = self.order_of < 0
        # the one order every run draws from (course mode; a sweep of one mini-batch run), or None
        self.shared = 0 if len(self.orders) == 1 and not self.full.any() else None
        self._weights = {}

    def draw(self, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The next batch of each of `runs` (runs with an order) as the problem takes them,
        (indices, weights), each (len(runs), width) and padded with weight 0 where a batch is
        shorter than the longest; and each batch's share of the data, its size / m."""
        order = self.order_of[runs]
        # each order draws once, however many runs share it (orders are independent streams:
        # which draws first changes nothing)
        drawn = np.unique(order)
        batches = [self.orders[o].next() for o in drawn.tolist()]
        sizes = np.array([len(b) for b in batches])
        indices = np.zeros((len(drawn), sizes.max()), dtype=int)
        weights = np.zeros((len(drawn), sizes.max()))
        for row, batch in enumerate(batches):
            indices[row, : len(batch)] = batch
            weights[row, : len(batch)] = 1.0 / len(batch)
        row = np.searchsorted(drawn, order)
        return indices[row], weights[row], sizes[row] / self.m

    def draw_shared(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The next batch of the shared order, once for all runs: ((1, k) indices, (1, k)
        weights, k / m); the problem broadcasts it over the runs."""
        batch = self.orders[self.shared].next()
        k = len(batch)
        if k not in self._weights:
            self._weights[k] = np.full((1, k), 1.0 / k)
        return batch[None], self._weights[k], k / self.m


class NoiseFeed:
    """Gradient noise of an analytic surface: N(0, noise²/k) per coordinate for a run with a
    batch of k, none for the full batch (k = 0).

    One generator per stream: the runs on a stream draw the same standard normals, so the
    stream draws once per update for all of them. That is the very draw each run's own
    generator made: a run on the stream that is still running has taken part in every update
    so far (without data every running run updates in every tick), and a stopped run never
    draws again."""

    def __init__(self, noise: float, size: np.ndarray, streams: np.ndarray, seed: int, dim: int):
        self.dim = dim
        noisy = size > 0
        keys, group = np.unique(streams[noisy], return_inverse=True)
        self.generators = [stream_rng(seed, NOISE, s) for s in keys.tolist()]
        self.group = np.full(len(size), -1)   # each run's generator (-1: the full batch, no noise)
        self.group[noisy] = group
        self.scale = np.zeros(len(size))
        self.scale[noisy] = noise / np.sqrt(size[noisy])

    def draw(self, rows: np.ndarray) -> np.ndarray:
        """The noise of each run in `rows` for this update: (len(rows), dim)."""
        out = np.zeros((len(rows), self.dim))
        group = self.group[rows]
        noisy = group >= 0
        if noisy.any():
            z = np.empty((len(self.generators), self.dim))
            for g in np.unique(group[noisy]).tolist():
                z[g] = self.generators[g].standard_normal(self.dim)
            out[noisy] = self.scale[rows[noisy], None] * z[group[noisy]]
        return out
