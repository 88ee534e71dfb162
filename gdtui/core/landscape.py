"""The loss landscape of a network seen on a plane through parameter space, shared by all runs.

A network's runs move in D dimensions (30 for the course net). To draw them on one picture,
pick a plane  θ(a, b) = origin + a·d₁ + b·d₂  and show the loss over it, with every run's
path projected onto it:

    PCA plane       d₁, d₂: the top two principal directions of all runs' paths together,
                    measured from the origin (the mean of the runs' final points). The explained
                    variance says how much of the motion the plane holds.
    random plane    filter-normalised Gaussian directions (Li et al. 2018, "Visualizing the
                    Loss Landscape of Neural Nets"): each neuron's incoming weights in dᵢ are
                    scaled to the norm of that neuron's weights at the origin, biases left out.

A projection can mislead: a path that looks short on the plane may run far off it. So each
point also has its residual, the distance from the plane. And the 1-D line from the start to a
run's end (Goodfellow, Vinyals & Saxe 2015) shows the loss along the straight way there.

The loss on the plane is the full-batch loss of the real network, every grid point a row of
one batched evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import box_around

PLANES = ("pca", "random")
LINE_ALPHAS = np.linspace(-0.25, 1.25, 61)   # the 1-D line: 0 is the start, 1 the run's end


@dataclass(frozen=True, eq=False)
class Plane:
    kind: str                       # "pca" or "random"
    origin: np.ndarray              # (D,)
    directions: np.ndarray          # (2, D)
    explained: tuple[float, float]  # the share of the paths' squared distance from the origin along
                                    # each direction (orthonormalised): at most 1 together

    def __post_init__(self):
        object.__setattr__(self, "_solve", np.linalg.pinv(self.directions))   # (D, 2)

    def coordinates(self, points: np.ndarray) -> np.ndarray:
        """(a, b) of each point's projection onto the plane (least squares): (..., 2)."""
        return (np.asarray(points, dtype=float) - self.origin) @ self._solve

    def points(self, coordinates: np.ndarray) -> np.ndarray:
        """The parameters at plane coordinates (..., 2): (..., D)."""
        return self.origin + np.asarray(coordinates, dtype=float) @ self.directions

    def residuals(self, points: np.ndarray) -> np.ndarray:
        """How far each point lies off the plane: |θ − its projection|, (...)."""
        points = np.asarray(points, dtype=float)
        return np.linalg.norm(points - self.points(self.coordinates(points)), axis=-1)


def _deviations(paths: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """Every finite point of every path, minus the origin: (N, D)."""
    X = np.asarray(paths, dtype=float).reshape(-1, len(origin)) - origin
    return X[np.all(np.isfinite(X), axis=1)]


def last_points(paths: np.ndarray) -> np.ndarray:
    """Each run's last finite point (its start where none is): paths (T, R, D) -> (R, D)."""
    ends = []
    for r in range(paths.shape[1]):
        finite = np.flatnonzero(np.all(np.isfinite(paths[:, r]), axis=1))
        ends.append(paths[finite[-1] if len(finite) else 0, r])
    return np.array(ends)


def final_points_mean(paths: np.ndarray) -> np.ndarray:
    """The mean of the runs' last finite points: paths (T, R, D) -> (D,)."""
    ends = last_points(paths)
    ends = ends[np.all(np.isfinite(ends), axis=1)]
    return np.mean(ends, axis=0) if len(ends) else np.zeros(paths.shape[2])


def pca_plane(paths: np.ndarray, origin: np.ndarray | None = None) -> Plane:
    """The plane of the top two principal directions of all runs' paths (T, R, D) together,
    measured from `origin` (default: the mean of the runs' final points)."""
    origin = final_points_mean(paths) if origin is None else np.asarray(origin, dtype=float)
    X = _deviations(paths, origin)
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    total = float(np.sum(s**2))
    directions = vt[:2] if len(vt) >= 2 else np.eye(2, len(origin))
    explained = tuple(float(v) / total if total > 0 else 0.0 for v in (s[:2] ** 2))
    return Plane("pca", origin, directions, explained + (0.0,) * (2 - len(explained)))


def random_plane(paths: np.ndarray, filters: list[np.ndarray], rng: np.random.Generator,
                 origin: np.ndarray | None = None) -> Plane:
    """Two filter-normalised Gaussian directions through `origin` (default: as for PCA).
    `filters`: the index arrays of each filter's weights (a neuron's incoming weights); every
    other parameter (the biases) gets 0 in both directions."""
    origin = final_points_mean(paths) if origin is None else np.asarray(origin, dtype=float)
    directions = np.zeros((2, len(origin)))
    for k in range(2):
        d = rng.standard_normal(len(origin))
        for idx in filters:
            norm = np.linalg.norm(d[idx])
            directions[k, idx] = d[idx] / norm * np.linalg.norm(origin[idx]) if norm > 0 else 0.0
    q, _ = np.linalg.qr(directions.T)             # an orthonormal basis of the same plane
    X = _deviations(paths, origin)
    total = float(np.sum(X**2))
    explained = tuple(float(np.sum((X @ q[:, k]) ** 2)) / total if total > 0 else 0.0 for k in range(2))
    return Plane("random", origin, directions, explained)


def fit_plane(kind: str, paths: np.ndarray, problem, seed: int = 0) -> Plane:
    """The plane of `kind` ("pca" or "random") for these paths (T, R, D); a random plane's
    directions come from `seed`, so the same scenario gives the same plane."""
    if kind == "pca":
        return pca_plane(paths)
    if kind == "random":
        return random_plane(paths, problem.filters(), np.random.default_rng([seed, 11]))
    raise KeyError(kind)


def before_blowups(paths: np.ndarray, diverged_at) -> np.ndarray:
    """The paths (T, R, D) with each diverged run's points from its divergence on set to NaN:
    huge, they would be all a plane holds (`diverged_at`: a tick per run, or None / negative)."""
    kept = np.array(paths, dtype=float)
    for r, at in enumerate(diverged_at):
        if at is not None and at >= 0:
            kept[at:, r] = np.nan
    return kept


def fit_view(kind: str, paths: np.ndarray, diverged_at, problem, seed: int = 0):
    """The plane for these paths, fitted without the runs' blow-ups, and a view box around the
    projected paths: (plane, box)."""
    kept = before_blowups(paths, diverged_at)
    with np.errstate(all="ignore"):
        plane = fit_plane(kind, kept, problem, seed)
        coords = plane.coordinates(kept)
    box = box_around(coords[np.all(np.isfinite(coords), axis=-1)].reshape(-1, 2), margin=0.3, least=1e-3)
    return plane, box


def grid(box, cols: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell-centre coordinates of a cols × rows grid over box ((a0, a1), (b0, b1)), b from the
    top row down."""
    (a0, a1), (b0, b1) = box
    xs = a0 + (np.arange(cols) + 0.5) / cols * (a1 - a0)
    ys = b1 - (np.arange(rows) + 0.5) / rows * (b1 - b0)
    return xs, ys


def plane_losses(problem, plane: Plane, xs: np.ndarray, ys: np.ndarray, rows_per_pass: int = 4096) -> np.ndarray:
    """The full-batch loss at every (x, y) of the grid: (len(ys), len(xs)), each pass one
    batched evaluation of up to `rows_per_pass` parameter vectors."""
    gx, gy = np.meshgrid(xs, ys)
    P = plane.points(np.stack([gx.ravel(), gy.ravel()], axis=1))
    out = np.empty(len(P))
    with np.errstate(all="ignore"):
        for lo in range(0, len(P), rows_per_pass):
            out[lo:lo + rows_per_pass] = problem.loss(P[lo:lo + rows_per_pass])
    return out.reshape(gx.shape)


def line_losses(problem, start: np.ndarray, ends: np.ndarray, alphas: np.ndarray = LINE_ALPHAS) -> np.ndarray:
    """The loss along the straight line start + α·(end − start) for each run's end (R, D):
    (R, len(alphas)), all in one batched evaluation."""
    start = np.asarray(start, dtype=float)
    P = start + alphas[None, :, None] * (np.asarray(ends, dtype=float)[:, None, :] - start)
    with np.errstate(all="ignore"):
        return problem.loss(P.reshape(-1, len(start))).reshape(len(ends), len(alphas))
