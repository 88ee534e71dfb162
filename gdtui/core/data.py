"""Data sets: 2D binary classification sets and 1D regression data.

Every generator takes a random source and returns X with shape (m, 2) and
labels y with shape (m,) in {0, 1}. `moons` with RandomState(3) reproduces
the course's data exactly (scikit-learn's make_moons after np.random.seed(3),
written with numpy alone).
"""

from __future__ import annotations

import numpy as np

Rand = np.random.Generator | np.random.RandomState


def _normal(rng: Rand, scale: float, size) -> np.ndarray:
    return rng.normal(scale=scale, size=size)


def moons(m: int, noise: float, rng: Rand) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, drawn in make_moons' order:
    outer and inner half circles, shuffle, then Gaussian noise."""
    n_out, n_in = m // 2, m - m // 2
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)),
                   np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    idx = np.arange(m)
    rng.shuffle(idx)
    X, y = X[idx], y[idx]
    X = X + _normal(rng, noise, X.shape)
    return X, y


def circles(m: int, noise: float, rng: Rand, factor: float = 0.5):
    """A circle of radius `factor` inside the unit circle."""
    n_out, n_in = m // 2, m - m // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(t_out), factor * np.cos(t_in)),
                   np.append(np.sin(t_out), factor * np.sin(t_in))]).T
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    idx = np.arange(m)
    rng.shuffle(idx)
    return X[idx] + _normal(rng, noise, (m, 2)), y[idx]


def xor(m: int, noise: float, rng: Rand):
    """Uniform points in the square; label 1 where x1 and x2 have the same sign."""
    X = rng.uniform(-1, 1, size=(m, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X + _normal(rng, noise, (m, 2)), y


def blobs(m: int, noise: float, rng: Rand):
    """Two Gaussian blobs centred at (-1, -1) and (1, 1) with std `noise`."""
    n0 = m // 2
    y = np.hstack([np.zeros(n0), np.ones(m - n0)])
    centres = np.where(y[:, None] == 1, 1.0, -1.0)
    X = centres + _normal(rng, noise, (m, 2))
    idx = np.arange(m)
    rng.shuffle(idx)
    return X[idx], y[idx]


def spiral(m: int, noise: float, rng: Rand):
    """Two interleaved spiral arms, one turn and a half each."""
    n0 = m // 2
    parts = []
    for label, n in ((0, n0), (1, m - n0)):
        r = np.linspace(0.05, 1.0, n)
        t = np.linspace(0, 3 * np.pi, n) + label * np.pi
        t = t + _normal(rng, noise, n)
        parts.append((np.stack([r * np.sin(t), r * np.cos(t)], axis=1), np.full(n, float(label))))
    X = np.vstack([p[0] for p in parts])
    y = np.hstack([p[1] for p in parts])
    idx = np.arange(m)
    rng.shuffle(idx)
    return X[idx], y[idx]


DATASETS = {"moons": moons, "circles": circles, "xor": xor, "blobs": blobs, "spiral": spiral}
DEFAULT_NOISE = {"moons": 0.2, "circles": 0.08, "xor": 0.05, "blobs": 0.8, "spiral": 0.15}


def course_moons() -> tuple[np.ndarray, np.ndarray]:
    """The course's training set: np.random.seed(3); make_moons(300, noise=0.2)."""
    return moons(300, 0.2, np.random.RandomState(3))


def linear_data(m: int, x_mean: float, x_std: float, rng: Rand) -> np.ndarray:
    """Inputs of the two-parameter regression problems."""
    return x_mean + x_std * rng.standard_normal(m)
