"""A small fully connected network for binary classification, batched over runs.

    Z[l] = W[l]·A[l-1] + b[l],   A[l] = g(Z[l]),   A[L] = sigmoid(Z[L])
    cost = mean over the batch of  -(y·log A[L] + (1-y)·log(1 - A[L]))

The weights of R runs are stacked: W[l] has shape (R, n[l], n[l-1]) and is a
view into the flat (R, D) parameter vector, so one set of array operations
steps every run, each with its own mini-batch. Examples are columns, as in
the course (X has shape (2, m)).
"""

from __future__ import annotations

import numpy as np

from .data import DATASETS, DEFAULT_NOISE, moons
from .problem import Param, Problem

ACTIVATIONS = ("relu", "tanh", "sigmoid")
INITS = ("he", "xavier", "normal")

MLP_PARAMS = (
    Param("layers", [2, 5, 2, 1], "layer sizes, from the 2 inputs to the 1 output", list),
    Param("activation", "relu", "hidden activation: relu, tanh or sigmoid", str, choices=ACTIVATIONS),
    Param("init", "he", "initialisation: he, xavier or normal (N(0, 0.01^2))", str, choices=INITS),
    Param("dataset", "moons", "moons, circles, xor, blobs or spiral", str, choices=tuple(DATASETS)),
    Param("samples", 300, "number of training examples", int, minimum=2),
    Param("noise", None, "noise of the data set (default: the data set's own)", minimum=0.0, maximum=1e3),
)


def check_params(params: dict) -> tuple[str, str] | None:
    """(field, message) for an impossible network, else None."""
    layers = params.get("layers", [2, 5, 2, 1])
    if layers[0] != 2:
        return "layers", f"must start with the data dimension 2 (got {layers[0]})"
    if layers[-1] != 1:
        return "layers", f"must end in 1 output unit for binary classification (got {layers[-1]})"
    return None


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class MLP(Problem):
    kind = "mlp"
    classification = True

    def __init__(self, rng, layers=(2, 5, 2, 1), activation="relu", init="he", dataset="moons",
                 samples=300, noise=None, course=False, data_seed=None):
        self.layers = list(layers)
        self.activation = activation
        self.init = init
        self.dataset = dataset
        self.course = course
        self.name = f"mlp {self.layers} on {dataset}"
        noise = DEFAULT_NOISE[dataset] if noise is None else noise
        if course:
            # the course: np.random.seed(3) before make_moons; He initialisation from seed 3
            self.X, self.y = DATASETS[dataset](samples, noise, np.random.RandomState(3 if data_seed is None else data_seed))
        else:
            self.X, self.y = DATASETS[dataset](samples, noise, rng)
        self.init_rng = rng
        self.n_samples = samples
        self.Y = self.y[None, None, :]                  # (1, 1, m)
        # Layer l is one matrix M[l] = [W[l] | b[l]] of shape (n[l], n[l-1] + 1), stored
        # row by row in the flat vector; W[l] and b[l] are views into it. With a row
        # of ones under each activation, Z[l] = M[l]·[A[l-1]; 1] is one matmul, and
        # dM[l] = dZ[l]·[A[l-1]; 1]^T gives dW[l] and db[l] together.
        self.blocks = []                                  # (n[l], n[l-1] + 1, offset)
        offset = 0
        for l in range(1, len(self.layers)):
            n_out, n_in = self.layers[l], self.layers[l - 1]
            self.blocks.append((n_out, n_in + 1, offset))
            offset += n_out * (n_in + 1)
        self.dim = offset
        self.param_names = tuple(f"W{l + 1}[{i},{j}]" if j < cols - 1 else f"b{l + 1}[{i}]"
                                 for l, (rows, cols, _) in enumerate(self.blocks)
                                 for i in range(rows) for j in range(cols))
        self.XT1 = np.vstack([self.X.T, np.ones(samples)])   # (3, m): examples as columns, plus ones
        self._buffers = {}
        pad = 0.5
        lo, hi = self.X.min(axis=0) - pad, self.X.max(axis=0) + pad
        self.view = ((float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1])))
        self.L = len(self.layers) - 1

    # --- parameters -----------------------------------------------------------------

    def matrices(self, P):
        """M[l] = [W[l] | b[l]] for each layer, views of shape (R, n[l], n[l-1] + 1) into P."""
        return [P[:, o:o + r * c].reshape(len(P), r, c) for r, c, o in self.blocks]

    def parameter_views(self, P):
        """The seed's names: W1 (R, n1, n0), b1 (R, n1, 1), W2, ... as views into P."""
        views = {}
        for l, M in enumerate(self.matrices(P), start=1):
            views[f"W{l}"], views[f"b{l}"] = M[:, :, :-1], M[:, :, -1:]
        return views

    def filters(self) -> list[np.ndarray]:
        """Each neuron's incoming weights (a row of W[l], without its bias), as indices into the
        flat parameters: the filters of filter-normalised directions (Li et al. 2018)."""
        return [offset + i * cols + np.arange(cols - 1) for rows, cols, offset in self.blocks for i in range(rows)]

    def initial_params(self) -> np.ndarray:
        """He (course mode: RandomState(3) in the course's draw order), Xavier or small normal."""
        rs = np.random.RandomState(3) if self.course else None
        flat = np.zeros((1, self.dim))
        for M in self.matrices(flat):
            n_out, n_in = M.shape[1], M.shape[2] - 1
            draw = rs.randn(n_out, n_in) if rs is not None else self.init_rng.standard_normal((n_out, n_in))
            scale = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(1 / n_in), "normal": 0.01}[self.init]
            M[0, :, :-1] = draw * scale
        return flat[0]

    # --- forward and backward ---------------------------------------------------------

    def _act(self, Z, out):
        if self.activation == "relu":
            return np.maximum(Z, 0, out=out)
        if self.activation == "tanh":
            return np.tanh(Z, out=out)
        return np.divide(1, 1 + np.exp(-Z), out=out)

    def _act_grad(self, Z, A):
        if self.activation == "relu":
            return Z > 0
        if self.activation == "tanh":
            return 1 - A * A
        return A * (1 - A)

    def _act_second(self, Z, A):
        """g''(Z): zero for relu (almost everywhere), −2A(1−A²) for tanh, A(1−A)(1−2A) for sigmoid."""
        if self.activation == "relu":
            return np.zeros_like(Z)
        if self.activation == "tanh":
            return -2 * A * (1 - A * A)
        return A * (1 - A) * (1 - 2 * A)

    def _hidden_buffers(self, R, B):
        """[A[l]; 1] for each hidden layer, reused between calls of the same shape."""
        key = (R, B)
        if key not in self._buffers:
            self._buffers[key] = [np.ones((R, n + 1, B)) for n in self.layers[1:-1]]
        return self._buffers[key]

    def forward(self, P, A0, reuse: bool = True):
        """Z and [A; 1] of every layer for inputs A0 = [X; 1] of shape (R or 1, 3, B);
        the last A is the output probability (R, 1, B). `reuse`: the race's buffers, kept per
        shape (not for one-off shapes, such as a grid's, which would pile up)."""
        Ms = self.matrices(P)
        hidden = (self._hidden_buffers(len(P), A0.shape[2]) if reuse else
                  [np.ones((len(P), n + 1, A0.shape[2])) for n in self.layers[1:-1]])
        Zs, As = [None], [A0]
        for l, M in enumerate(Ms, start=1):
            Z = M @ As[-1]
            if l < self.L:
                A = hidden[l - 1]
                self._act(Z, A[:, :-1])
            else:
                A = sigmoid(Z)
            Zs.append(Z)
            As.append(A)
        return Zs, As, Ms

    def _inputs(self, batch):
        """([X; 1], Y, weight) for a batch: the full data shared by all runs,
        or each run's own examples ((idx, weight) of shape (R or 1, B))."""
        if batch is None:
            m = self.n_samples
            return self.XT1[None], self.Y, np.full((1, m, 1), 1.0 / m)
        idx, weight = batch
        return self.XT1[:, idx].transpose(1, 0, 2), self.y[idx][:, None, :], weight[:, :, None]

    def value_and_grad(self, P, batch=None):
        A0, Y, w = self._inputs(batch)
        Zs, As, Ms = self.forward(P, A0)
        ZL = Zs[-1]
        # cross-entropy, in a form that stays finite when the output saturates
        loss = ((np.maximum(ZL, 0) + np.log1p(np.exp(-np.abs(ZL))) - Y * ZL) @ w).reshape(len(P))
        G = np.empty_like(P)
        dMs = self.matrices(G)
        dZ = (As[-1] - Y) * w.transpose(0, 2, 1)
        for l in range(self.L, 0, -1):
            np.matmul(dZ, As[l - 1].transpose(0, 2, 1), out=dMs[l - 1])
            if l > 1:
                dA = Ms[l - 1][:, :, :-1].transpose(0, 2, 1) @ dZ
                dZ = dA * self._act_grad(Zs[l - 1], As[l - 1][:, :-1])
        return loss, G

    def loss(self, P, rows_per_pass: int = 256):
        """The full-batch loss only (no backward pass), `rows_per_pass` rows at a time so that the
        activations stay in cache: a grid of thousands of parameter vectors is one call."""
        out = np.empty(len(P))
        A0 = self.XT1[None]
        for lo in range(0, len(P), rows_per_pass):
            ZL = self.forward(P[lo:lo + rows_per_pass], A0, reuse=False)[0][-1]
            out[lo:lo + rows_per_pass] = np.mean(np.maximum(ZL, 0) + np.log1p(np.exp(-np.abs(ZL))) - self.Y * ZL,
                                                 axis=(1, 2))
        return out

    # --- curvature ----------------------------------------------------------------------

    def hessian_vector_products(self, P, V):
        """H(P[n])·V[n] for each row n of P and V (N, D), on the full data: the backward pass
        differentiated along V (Pearlmutter's R-operator), so exact, in one batched pass."""
        N, m = len(P), self.n_samples
        Ms, RMs = self.matrices(P), self.matrices(V)
        A0 = self.XT1[None]
        Abar, RAbar, Zs, RZs = [A0], [None], [None], [None]   # [A; 1] and R{[A; 1]} per layer
        for l, (M, RM) in enumerate(zip(Ms, RMs), start=1):
            Z = M @ Abar[-1]
            RZ = RM @ Abar[-1] if RAbar[-1] is None else RM @ Abar[-1] + M @ RAbar[-1]
            Zs.append(Z)
            RZs.append(RZ)
            if l < self.L:
                A = self._act(Z, np.empty_like(Z))
                RA = self._act_grad(Z, A) * RZ
                Abar.append(np.concatenate([A, np.ones((N, 1, m))], axis=1))
                RAbar.append(np.concatenate([RA, np.zeros((N, 1, m))], axis=1))
            else:
                AL = sigmoid(Z)
        dZ = (AL - self.Y) / m
        RdZ = AL * (1 - AL) * RZs[-1] / m
        out = np.empty_like(P)
        Rd = self.matrices(out)
        for l in range(self.L, 0, -1):
            Rd[l - 1][:] = RdZ @ Abar[l - 1].transpose(0, 2, 1)
            if RAbar[l - 1] is not None:
                Rd[l - 1] += dZ @ RAbar[l - 1].transpose(0, 2, 1)
            if l > 1:
                W, RW = Ms[l - 1][:, :, :-1], RMs[l - 1][:, :, :-1]
                dA = W.transpose(0, 2, 1) @ dZ
                RdA = RW.transpose(0, 2, 1) @ dZ + W.transpose(0, 2, 1) @ RdZ
                Z, A = Zs[l - 1], Abar[l - 1][:, :-1]
                slope = self._act_grad(Z, A)
                dZ, RdZ = dA * slope, RdA * slope + dA * self._act_second(Z, A) * RZs[l - 1]
        return out

    def hessian(self, P, floats_per_pass: int = 2_000_000):
        """The exact Hessian at each row of P: (R, D, D), D products with the unit vectors per
        row, as many at a time as keep each layer's activations under `floats_per_pass`."""
        R, D = P.shape
        rows_per_pass = max(1, floats_per_pass // (max(self.layers) * self.n_samples))
        points = np.repeat(P, D, axis=0)
        units = np.tile(np.eye(D), (R, 1))
        out = np.empty((R * D, D))
        for lo in range(0, R * D, rows_per_pass):
            hi = min(lo + rows_per_pass, R * D)
            out[lo:hi] = self.hessian_vector_products(points[lo:hi], units[lo:hi])
        H = out.reshape(R, D, D)
        return (H + H.transpose(0, 2, 1)) / 2   # exact up to rounding: symmetric by construction

    def predict(self, P, points=None):
        """Output probability of each run at each point: (R, N); points (N, 2), default the data.
        (Called outside the race too: an exploded run's exp overflows to a probability of 0 or 1.)"""
        if points is None:
            A0 = self.XT1[None]
        else:
            pts = np.asarray(points, dtype=float)
            A0 = np.vstack([pts.T, np.ones(len(pts))])[None]
        with np.errstate(all="ignore"):
            return self.forward(P, A0, reuse=False)[1][-1][:, 0, :]

    def accuracy(self, P):
        return np.mean((self.predict(P) > 0.5) == (self.y == 1), axis=1)
