"""Analytic 2D loss surfaces: value, exact gradient, minima and a default view.

Each surface is a pair of functions of the coordinates x, y (arrays of any
shape) and its parameters. The gradients are written out by hand and checked
against finite differences in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .problem import Box, Param, Problem

PI = np.pi


# --- the functions -------------------------------------------------------------

def _rotate(x, y, angle):
    a = np.radians(angle)
    c, s = np.cos(a), np.sin(a)
    return c * x + s * y, -s * x + c * y, c, s


def bowl(x, y, condition=25.0, angle=0.0):
    """f = (x'^2 + kappa*y'^2)/2, (x', y') = (x, y) rotated by `angle` degrees."""
    xr, yr, _, _ = _rotate(x, y, angle)
    return 0.5 * (xr**2 + condition * yr**2)


def bowl_grad(x, y, condition=25.0, angle=0.0):
    xr, yr, c, s = _rotate(x, y, angle)
    return xr * c - condition * yr * s, xr * s + condition * yr * c


def bowl_hess(x, y, condition=25.0, angle=0.0):
    _, _, c, s = _rotate(x, y, angle)
    one = np.ones_like(np.asarray(x, dtype=float))
    return (c * c + condition * s * s) * one, c * s * (1 - condition) * one, (s * s + condition * c * c) * one


def rosenbrock(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock_grad(x, y, a=1.0, b=100.0):
    # (in the order the chain rule takes, term by term: Rosenbrock typed as a formula races
    # exactly like this one)
    return -2 * (a - x) + b * (2 * (y - x**2) * (-2 * x)), 2 * b * (y - x**2)


def rosenbrock_hess(x, y, a=1.0, b=100.0):
    return 2 - 4 * b * y + 12 * b * x**2, -4 * b * x, 2 * b + 0 * x


def beale(x, y):
    t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return t1**2 + t2**2 + t3**2


def beale_grad(x, y):
    t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return (2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1),
            2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y**2)


def beale_hess(x, y):
    t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    hxx = 2 * ((y - 1) ** 2 + (y**2 - 1) ** 2 + (y**3 - 1) ** 2)
    hxy = 2 * ((y - 1) * x + t1 + (y**2 - 1) * 2 * x * y + 2 * y * t2 + (y**3 - 1) * 3 * x * y**2 + 3 * y**2 * t3)
    hyy = 2 * (x**2 + (2 * x * y) ** 2 + 2 * x * t2 + (3 * x * y**2) ** 2 + 6 * x * y * t3)
    return hxx, hxy, hyy


def himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def himmelblau_grad(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def himmelblau_hess(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * a + 8 * x**2 + 2, 4 * x + 4 * y, 2 + 4 * b + 8 * y**2


def saddle(x, y):
    return x**2 - y**2


def saddle_grad(x, y):
    return 2 * x, -2 * y


def saddle_hess(x, y):
    one = np.ones_like(np.asarray(x, dtype=float))
    return 2 * one, 0 * one, -2 * one


def rastrigin(x, y):
    return 20 + x**2 - 10 * np.cos(2 * PI * x) + y**2 - 10 * np.cos(2 * PI * y)


def rastrigin_grad(x, y):
    return 2 * x + 20 * PI * np.sin(2 * PI * x), 2 * y + 20 * PI * np.sin(2 * PI * y)


def rastrigin_hess(x, y):
    return 2 + 40 * PI**2 * np.cos(2 * PI * x), 0 * x, 2 + 40 * PI**2 * np.cos(2 * PI * y)


def camel(x, y):
    """Six-hump camel."""
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def camel_grad(x, y):
    return 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


def camel_hess(x, y):
    return 8 - 25.2 * x**2 + 10 * x**4, 1 + 0 * x, -8 + 48 * y**2


def banana(x, y):
    """Distill's banana: (1-x)^2 + 20*(3y - x^2)^2."""
    return (1 - x) ** 2 + 20 * (3 * y - x**2) ** 2


def banana_grad(x, y):
    r = 3 * y - x**2
    return -2 * (1 - x) - 80 * x * r, 120 * r


def banana_hess(x, y):
    return 2 - 80 * (3 * y - x**2) + 160 * x**2, -240 * x, 360 + 0 * x


# --- the catalogue -------------------------------------------------------------

NOISE = Param("noise", 0.0, "std of the gradient noise of a batch of 1 (batch k: noise/sqrt(k))", minimum=0.0,
              maximum=1e6)


@dataclass(frozen=True)
class SurfaceDef:
    name: str
    f: Callable
    grad: Callable
    hess: Callable  # (hxx, hxy, hyy), written out by hand like the gradient
    doc: str
    view: Box
    start: tuple[float, float]
    f_star: float | None
    minima: tuple = ()
    critical: tuple = ()
    params: tuple[Param, ...] = ()


SURFACES: dict[str, SurfaceDef] = {
    d.name: d
    for d in [
        SurfaceDef("bowl", bowl, bowl_grad, bowl_hess, "elongated quadratic bowl (x'^2 + condition*y'^2)/2",
                   ((-4.0, 4.0), (-2.0, 2.0)), (-3.0, 1.5), 0.0, ((0.0, 0.0),),
                   params=(Param("condition", 25.0, "curvature ratio kappa = lambda_max/lambda_min", positive=True,
                                 maximum=1e8),
                           Param("angle", 0.0, "rotation of the axes, degrees"))),
        SurfaceDef("rosenbrock", rosenbrock, rosenbrock_grad, rosenbrock_hess, "banana valley (a-x)^2 + b(y-x^2)^2",
                   ((-2.5, 2.5), (-1.0, 3.5)), (-2.0, 2.0), 0.0, ((1.0, 1.0),),
                   params=(Param("a", 1.0, "minimum at (a, a^2)", minimum=-1e3, maximum=1e3),
                           Param("b", 100.0, "valley steepness", positive=True, maximum=1e6))),
        SurfaceDef("beale", beale, beale_grad, beale_hess, "Beale's function: flat plateaus and sharp ridges",
                   ((-4.5, 4.5), (-4.5, 4.5)), (1.0, 1.5), 0.0, ((3.0, 0.5),)),
        SurfaceDef("himmelblau", himmelblau, himmelblau_grad, himmelblau_hess, "four equal minima",
                   ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0), 0.0,
                   ((3.0, 2.0), (-2.805118086952745, 3.131312518250573), (-3.779310253377747, -3.2831859912861696),
                    (3.5844283403304917, -1.8481265269644034))),
        SurfaceDef("saddle", saddle, saddle_grad, saddle_hess, "x^2 - y^2: a saddle at the origin, unbounded below",
                   ((-2.0, 2.0), (-1.5, 1.5)), (1.5, 0.0), None, (), ((0.0, 0.0),)),
        SurfaceDef("rastrigin", rastrigin, rastrigin_grad, rastrigin_hess, "many local minima on a bowl",
                   ((-5.12, 5.12), (-5.12, 5.12)), (3.3, 2.7), 0.0, ((0.0, 0.0),)),
        SurfaceDef("camel", camel, camel_grad, camel_hess, "six-hump camel: two global and four local minima",
                   ((-2.0, 2.0), (-1.2, 1.2)), (-1.5, -1.0), -1.031628453489877,
                   ((0.0898420131, -0.7126564030), (-0.0898420131, 0.7126564030))),
        SurfaceDef("banana", banana, banana_grad, banana_hess, "Distill's banana (1-x)^2 + 20(3y-x^2)^2",
                   ((-1.5, 2.0), (-0.4, 1.2)), (-1.0, 1.0), 0.0, ((1.0, 1.0 / 3.0),)),
    ]
}


class Surface(Problem):
    """An analytic surface as a problem: the exact gradient, plus optional noise."""

    kind = "surface"

    def __init__(self, name: str, noise: float = 0.0, **params):
        d = SURFACES[name]
        self.defn = d
        self.name = name
        self.params = {p.name: p.default for p in d.params} | params
        self.noise = float(noise)
        self.view = d.view
        self.start = d.start
        self.f_star = d.f_star
        self.minima = d.minima
        self.critical = d.critical
        if name == "rosenbrock":
            a = self.params["a"]
            self.minima = ((a, a * a),)

    def f(self, x, y):
        return self.defn.f(x, y, **self.params)

    def loss(self, P):
        return self.f(P[:, 0], P[:, 1])

    def value_and_grad(self, P, batch=None):
        x, y = P[:, 0], P[:, 1]
        gx, gy = self.defn.grad(x, y, **self.params)
        return self.defn.f(x, y, **self.params), np.stack([gx, gy], axis=1)

    def hessian(self, P):
        hxx, hxy, hyy = (np.broadcast_to(h, P[:, 0].shape) for h in self.defn.hess(P[:, 0], P[:, 1], **self.params))
        return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)

    @property
    def quadratic(self):
        return self.name in ("bowl", "saddle")

