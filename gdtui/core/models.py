"""Data-driven problems: linear regression and logistic regression in (w, b).

These are the seed's W/b picture made real: the loss is a bowl in (w, b),
and a mini-batch gradient is noisy because it sees only some of the data.
With x centred and x_std below 1 the bowl is steep in b and flat in w.

(The MLP lives in mlp.py.)
"""

from __future__ import annotations

import numpy as np

from .data import linear_data
from .problem import Param, Problem


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))  # = 1/(1+exp(-z)), without overflow


def _gather(values: np.ndarray, batch):
    """values[idx] and the weights of a batch (idx, weight), both (R, B)."""
    idx, weight = batch
    return values[idx], weight


# (the bounds keep the data's squares and the loss well inside double precision, and the
# inputs spread enough for w to have a minimum)
LINEAR_PARAMS = (
    Param("samples", 256, "number of examples", int, minimum=2),
    Param("x_mean", 0.0, "mean of the inputs x", minimum=-1e6, maximum=1e6),
    Param("x_std", 0.2, "std of the inputs x (below 1: steep in b, flat in w)", minimum=1e-6, maximum=1e6),
    Param("w_true", 2.0, "slope that generated the data", minimum=-1e6, maximum=1e6),
    Param("b_true", 1.0, "intercept that generated the data", minimum=-1e6, maximum=1e6),
)


class LinearRegression(Problem):
    """f(w, b) = mean((w*x + b - y)^2) on generated data y = w_true*x + b_true + noise."""

    kind = "linreg"
    name = "linreg"
    param_names = ("w", "b")
    PARAMS = LINEAR_PARAMS + (Param("noise", 0.5, "std of the label noise", minimum=0.0, maximum=1e6),)

    def __init__(self, rng, samples=256, x_mean=0.0, x_std=0.2, w_true=2.0, b_true=1.0, noise=0.5):
        self.n_samples = int(samples)
        self.x = linear_data(self.n_samples, x_mean, x_std, rng)
        self.y = w_true * self.x + b_true + noise * rng.standard_normal(self.n_samples)
        # The loss is exactly f* + d.A.d with d = (w, b) - theta*: computing it
        # that way keeps f - f* accurate to the last digits near the minimum.
        mx = self.x.mean()
        self.A = np.array([[np.mean(self.x**2), mx], [mx, 1.0]])
        self.theta = np.linalg.solve(self.A, [np.mean(self.x * self.y), self.y.mean()])
        self.f_star = float(np.mean((self.theta[0] * self.x + self.theta[1] - self.y) ** 2))
        self.minima = (tuple(self.theta),)
        self.start = (float(self.theta[0] - 3.0), float(self.theta[1] + 1.5))

    def loss(self, P):
        d = P - self.theta
        return self.f_star + np.einsum("ri,ij,rj->r", d, self.A, d)

    def value_and_grad(self, P, batch=None):
        if batch is None:
            return self.loss(P), 2 * (P - self.theta) @ self.A
        xb, weight = _gather(self.x, batch)
        yb = self.y[batch[0]]
        r = P[:, :1] * xb + P[:, 1:] - yb
        wr = weight * r
        return np.sum(wr * r, axis=1), 2 * np.stack([np.sum(wr * xb, axis=1), np.sum(wr, axis=1)], axis=1)

    quadratic = True

    def hessian(self, P):
        return np.broadcast_to(2 * self.A, (len(P), 2, 2)).copy()



class LogisticRegression(Problem):
    """f(w, b) = mean(log(1 + exp(z)) - y*z), z = w*x + b, labels drawn from sigmoid(w_true*x + b_true)."""

    kind = "logreg"
    name = "logreg"
    param_names = ("w", "b")
    classification = True
    PARAMS = LINEAR_PARAMS

    def __init__(self, rng, samples=256, x_mean=0.0, x_std=0.2, w_true=2.0, b_true=1.0, data=None):
        if data is not None:   # your own points, x and label (checked when the scenario was read)
            from pathlib import Path

            from .points import LINE_COLUMNS, load_points

            X, self.y = load_points(data, LINE_COLUMNS)
            self.x, self.n_samples, self.name = X[:, 0], len(X), f"logreg on {Path(data).name}"
        else:
            self.n_samples = int(samples)
            self.x = linear_data(self.n_samples, x_mean, x_std, rng)
            self.y = (rng.random(self.n_samples) < sigmoid(w_true * self.x + b_true)).astype(float)
        self.theta = self._newton()
        self.f_star = None if self.theta is None else float(self.loss(self.theta[None])[0])
        self.minima = () if self.theta is None else (tuple(self.theta),)
        centre = self.theta if self.theta is not None else np.array([w_true, b_true])
        self.start = (float(centre[0] - 3.0), float(centre[1] + 1.5))

    def _newton(self):
        """The exact minimiser, or None when the classes are separable (no minimum)."""
        theta = np.zeros(2)
        features = np.stack([self.x, np.ones_like(self.x)], axis=1)
        with np.errstate(all="ignore"):
            for _ in range(100):
                p = sigmoid(features @ theta)
                g = features.T @ (p - self.y) / self.n_samples
                H = (features * (p * (1 - p))[:, None]).T @ features / self.n_samples
                try:
                    theta = theta - np.linalg.solve(H, g)
                except np.linalg.LinAlgError:
                    return None
                if not np.all(np.isfinite(theta)) or np.abs(theta).max() > 1e6:
                    return None
                if np.linalg.norm(g) < 1e-14:
                    break
        return theta if np.linalg.norm(g) < 1e-10 else None

    def loss(self, P):
        z = P[:, :1] * self.x + P[:, 1:]
        return np.mean(np.logaddexp(0, z) - self.y * z, axis=1)

    def value_and_grad(self, P, batch=None):
        if batch is None:
            xb, yb = self.x[None, :], self.y[None, :]
            weight = np.full((1, self.n_samples), 1.0 / self.n_samples)
        else:
            xb, weight = _gather(self.x, batch)
            yb = self.y[batch[0]]
        z = P[:, :1] * xb + P[:, 1:]
        loss = np.sum(weight * (np.logaddexp(0, z) - yb * z), axis=1)
        e = weight * (sigmoid(z) - yb)
        return loss, np.stack([np.sum(e * xb, axis=1), np.sum(e, axis=1)], axis=1)

    def hessian(self, P):
        """mean of p(1−p)·[x, 1][x, 1]ᵀ, p = sigmoid(w·x + b)."""
        p = sigmoid(P[:, :1] * self.x + P[:, 1:])
        c = p * (1 - p) / self.n_samples
        hxx, hxy, hyy = np.sum(c * self.x**2, axis=1), np.sum(c * self.x, axis=1), np.sum(c, axis=1)
        return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)

    def accuracy(self, P):
        z = P[:, :1] * self.x + P[:, 1:]
        return np.mean((sigmoid(z) > 0.5) == (self.y == 1), axis=1)
