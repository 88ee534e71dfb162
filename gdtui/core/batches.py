"""Batch schedules: which examples feed each gradient.

GD, mini-batch GD and SGD differ only here: a batch of all m examples, of k,
or of 1. Each epoch the examples are shuffled, then partitioned into
consecutive slices of k, the last one shorter when k does not divide m.

(The seed article's listing slices `0:mini_batch_size` in every iteration, so
every mini-batch would be the same first k examples; the slices here are
`k*size:(k+1)*size`, as in the course's corrected code.)

This module knows nothing about update rules.
"""

from __future__ import annotations

import numpy as np

FULL = "full"


def partition(permutation: np.ndarray, size: int) -> list[np.ndarray]:
    """Consecutive slices of `size` of a shuffled index array; the last may be shorter."""
    m = len(permutation)
    return [permutation[k:k + size] for k in range(0, m, size)]


def batches_per_epoch(m: int, size: int) -> int:
    return -(-m // size)


class BatchOrder:
    """The stream of batches of one run (or of runs that share a random stream).

    `shuffle` is either a numpy Generator (the normal case: a stream derived
    from the scenario seed) or the string "course", which reproduces the
    course: seed = 10, incremented before each epoch,
    RandomState(seed).permutation(m).
    """

    def __init__(self, m: int, size: int | str, shuffle: np.random.Generator | str):
        self.m = m
        self.full = size == FULL or size >= m
        self.size = m if self.full else int(size)
        self.shuffle = shuffle
        self.course_seed = 10
        self._course_rs = np.random.RandomState(0) if isinstance(shuffle, str) else None
        self.epoch = 0          # epochs completed
        self.slices: list[np.ndarray] = []
        self.position = 0       # index of the next slice in this epoch

    @property
    def per_epoch(self) -> int:
        return batches_per_epoch(self.m, self.size)

    def _permutation(self) -> np.ndarray:
        if self.full:
            return np.arange(self.m)
        if isinstance(self.shuffle, str):
            # np.random.seed(seed); np.random.permutation(m) -- on a RandomState of
            # our own, re-seeded rather than rebuilt (the same draws, 10x cheaper)
            self.course_seed += 1
            self._course_rs.seed(self.course_seed)
            return self._course_rs.permutation(self.m)
        return self.shuffle.permutation(self.m)

    def next(self) -> np.ndarray:
        """Indices of the next batch; a new epoch shuffles anew."""
        if self.position == len(self.slices):
            if self.slices:
                self.epoch += 1
            self.slices = partition(self._permutation(), self.size)
            self.position = 0
        batch = self.slices[self.position]
        self.position += 1
        return batch

    @property
    def at_epoch_end(self) -> bool:
        """True when the last batch handed out closed an epoch."""
        return self.position == len(self.slices)

    def epochs_done(self) -> int:
        return self.epoch + (1 if self.slices and self.at_epoch_end else 0)
