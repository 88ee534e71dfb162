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
    Param("data", None, "a CSV file of your own points (columns x1, x2, label) instead of a data set", str),
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
                 samples=300, noise=None, course=False, data_seed=None, data=None):
        self.layers = list(layers)
        self.activation = activation
        self.init = init
        self.dataset = dataset
        self.course = course
        self.name = f"mlp {self.layers} on {dataset}"
        noise = DEFAULT_NOISE[dataset] if noise is None else noise
        if data is not None:   # your own points (checked when the scenario was read)
            from pathlib import Path

            from .points import load_points

            self.X, self.y = load_points(data)
            samples, self.dataset = len(self.X), Path(data).name
            self.name = f"mlp {self.layers} on {self.dataset}"
        elif course:
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
        self._full_weight = np.full(samples, 1.0 / samples)
        # floats of value_and_grad's buffers per run and example: [A; 1], dA, Z, t, dZ
        self._floats_per_example = sum(2 * n + 1 for n in self.layers[1:-1]) + 3
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
    #
    # value_and_grad is the hot path of sweeps. Its formulation was chosen by measurement
    # (issue #13 §3) on R = 3..320 runs, mini-batches of 64 and the full 300 examples, for
    # [2, 5, 2, 1], [2, 20, 20, 1] and [2, 64, 1]: 2-4x faster per call than the former
    # (R, n, B) kernel for R >= 48, the same for R = 3; a sweep of course_moons over 48 runs
    # went from 8x to 11-15x faster per run and epoch than the course's own loop (README, Speed).
    # - Every array lives in buffers kept per shape (_Buffers). Fresh temporaries of a few
    #   hundred kB are mapped and unmapped by malloc on each call: that sweep took ~620 page
    #   faults and ~1.2 ms of system time per epoch.
    # - Activations are layer-major, (n, R, B): a layer's units are one contiguous block
    #   across runs, so each element-wise pass (activation, slope, loss) is one contiguous
    #   loop (relu 1.6x faster than over each run's rows of [A; 1]), while each run's (n, B)
    #   matrix remains a BLAS operand (rows R·B apart) of np.matmul: faster here than einsum
    #   (2-4x, with or without optimize), than sums of broadcast products, and than one 2-D
    #   product for all runs sharing their inputs (as fast for n1 = 5, 2x slower for 20).
    # - W^T·dZ of the output layer is an outer product (one output unit): np.einsum there
    #   is 1.6-2.5x faster than matmul's products with k = 1.
    # - Runs go in chunks of ~2 MB of buffers (CHUNK_FLOATS, an L2 cache): 320 runs on the
    #   full data 1.2x ([2, 5, 2, 1]) to 2x ([2, 64, 1]) faster than in one pass.
    # - Each run's numbers are computed alone, bit for bit: no reduction across runs.
    # relu's slope multiplies by a boolean mask: faster than any float mask tried (sign,
    # heaviside, ceil(min(A, 1))) or than where/putmask. The loss is kept as it was: with
    # V = (1 - 2y)·Z, loss softplus(V) and slope (1 - 2y)·exp(V - softplus(V)) save four of
    # its fourteen passes (~4% of a sweep) but round saturated outputs differently (more
    # exactly) from the former results, and give NaN slopes when Z overflows.

    CHUNK_FLOATS = 1 << 18

    def _act(self, Z, out):
        if self.activation == "relu":
            return np.maximum(Z, 0, out=out)
        if self.activation == "tanh":
            return np.tanh(Z, out=out)
        np.exp(np.negative(Z, out=out), out=out)     # 1 / (1 + exp(-Z)), in place
        out += 1
        return np.divide(1, out, out=out)

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

    def _inputs(self, batch):
        """([X; 1], y, weight) of a batch: (3, 1, B), (B,), (B,) when every run sees the same
        examples (the full data, or one mini-batch (idx, weight) of shape (1, B)), else each
        run's own: (3, R, B), (R, B), (R, B)."""
        if batch is None:
            return self.XT1[:, None], self.y, self._full_weight
        idx, weight = batch
        if len(idx) == 1:
            idx, weight = idx[0], weight[0]
        return self.XT1[:, idx].reshape(len(self.XT1), -1, idx.shape[-1]), self.y[idx], weight

    def _chunks(self, R, B):
        """Slices of the runs, of equal sizes, each with at most ~CHUNK_FLOATS floats of buffers."""
        count = -(-R * B * self._floats_per_example // self.CHUNK_FLOATS)
        if count <= 1:
            return (slice(None),)
        size = -(-R // count)
        return [slice(lo, min(lo + size, R)) for lo in range(0, R, size)]

    def _buffers_for(self, R, B):
        """value_and_grad's buffers for this shape, kept between calls (a few shapes at a time)."""
        if (R, B) not in self._buffers:
            if len(self._buffers) >= 8:
                self._buffers.clear()
            self._buffers[R, B] = _Buffers(self, R, B, backward=True)
        return self._buffers[R, B]

    def forward(self, P, A0):
        """[A0, [A1; 1], ..., [A(L-1); 1], Z(L)] for the inputs A0 = [X; 1]: (3, 1, B) shared by
        all runs, or (3, R, B) each run's own. The hidden layers' activations, with their row of
        ones, are layer-major, (n + 1, R, B); the output layer's Z is (R, B). In new arrays (the
        race's kept buffers are value_and_grad's: one-off shapes, such as a grid's, would pile up)."""
        return self._forward(self.matrices(P), A0, _Buffers(self, len(P), A0.shape[-1], backward=False))

    def _forward(self, Ms, A0, buf):
        """forward, from the layers' matrices M = [W | b] (R, n, n_in + 1), into `buf`."""
        As = [A0]
        for l, M in enumerate(Ms, start=1):
            Z = buf.Abar[l - 1][:-1] if l < self.L else buf.Z[None]      # (n, R, B)
            np.matmul(M, As[-1].transpose(1, 0, 2), out=Z.transpose(1, 0, 2))
            if l < self.L:
                self._act(Z, Z)
                As.append(buf.Abar[l - 1])
        As.append(buf.Z)
        return As

    def value_and_grad(self, P, batch=None):
        A0, Y, w = self._inputs(batch)
        loss, G = np.empty(len(P)), np.empty_like(P)
        for rows in self._chunks(len(P), A0.shape[-1]):
            if A0.shape[1] == 1:   # shared by all runs
                self._value_and_grad(P[rows], A0, Y, w, loss[rows], G[rows])
            else:
                self._value_and_grad(P[rows], A0[:, rows], Y[rows], w[rows], loss[rows], G[rows])
        return loss, G

    def _value_and_grad(self, P, A0, Y, w, loss, G):
        """The loss and gradient of the runs P (R, D) into loss (R,) and G (R, D)."""
        buf = self._buffers_for(len(P), A0.shape[-1])
        Ms, dMs = self.matrices(P), self.matrices(G)
        As = self._forward(Ms, A0, buf)
        Z, t, dZ = As.pop(), buf.t, buf.dZ
        # cross-entropy, in a form that stays finite when the output saturates:
        #   t = max(Z, 0) + log(1 + exp(-|Z|)) - y·Z
        np.log1p(np.exp(np.negative(np.abs(Z, out=t), out=t), out=t), out=t)
        t += np.maximum(Z, 0, out=dZ)
        t -= np.multiply(Y, Z, out=dZ)
        # one dot product per run (a run's numbers must not depend on the others in the race,
        # and a matrix-vector product over all runs sums in an order that depends on R)
        np.matmul(t[:, None], w[..., None], out=loss[:, None, None])
        # backward: dZ = (sigmoid(Z) - y)·w at the output, then layer by layer
        #   dM = dZ·[A; 1]^T,   dA = W^T·dZ,   dZ = dA·g'(Z)
        np.divide(1, np.add(np.exp(np.negative(Z, out=dZ), out=dZ), 1, out=dZ), out=dZ)
        dZ -= Y
        dZ *= w
        dZ = dZ[None]                                                    # (1, R, B)
        for l in range(self.L, 0, -1):
            A = As[l - 1]
            np.matmul(dZ.transpose(1, 0, 2), A.transpose(1, 2, 0), out=dMs[l - 1])
            if l > 1:
                W, dA = Ms[l - 1][:, :, :-1], buf.dA[l - 2]
                if len(dZ) == 1:   # an outer product per run
                    np.einsum("rij,irb->jrb", W, dZ, out=dA)
                else:
                    np.matmul(W.transpose(0, 2, 1), dZ.transpose(1, 0, 2), out=dA.transpose(1, 0, 2))
                self._times_slope(dA, A[:-1], buf)
                dZ = dA

    def _times_slope(self, dA, A, buf):
        """dA·g'(Z) in place, from A = g(Z): relu's slope is A > 0, tanh's 1 - A², sigmoid's A(1 - A)."""
        if self.activation == "relu":
            dA *= np.greater(A, 0, out=buf.mask[:len(A)])
            return
        slope = buf.slope[:len(A)]
        if self.activation == "tanh":
            np.subtract(1, np.multiply(A, A, out=slope), out=slope)
        else:
            np.multiply(A, np.subtract(1, A, out=slope), out=slope)
        dA *= slope

    def loss(self, P, rows_per_pass: int = 256):
        """The full-batch loss only (no backward pass), `rows_per_pass` rows at a time so that the
        activations stay in cache: a grid of thousands of parameter vectors is one call."""
        out = np.empty(len(P))
        for lo in range(0, len(P), rows_per_pass):
            Z = self.forward(P[lo:lo + rows_per_pass], self.XT1[:, None])[-1]
            out[lo:lo + rows_per_pass] = np.mean(np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z))) - self.y * Z, axis=1)
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
            A0 = self.XT1[:, None]
        else:
            pts = np.asarray(points, dtype=float)
            A0 = np.vstack([pts.T, np.ones(len(pts))])[:, None]
        with np.errstate(all="ignore"):
            return sigmoid(self.forward(P, A0)[-1])

    def accuracy(self, P):
        return np.mean((self.predict(P) > 0.5) == (self.y == 1), axis=1)


class _Buffers:
    """The arrays of MLP.forward (and of value_and_grad's backward pass) for R runs and B
    examples, layer-major: (units, R, B)."""

    def __init__(self, mlp: MLP, R: int, B: int, backward: bool):
        hidden = mlp.layers[1:-1]
        self.Abar = [np.ones((n + 1, R, B)) for n in hidden]      # [A; 1]: the ones stay
        self.Z = np.empty((R, B))                                  # the output layer's Z
        if backward:
            self.t, self.dZ = np.empty((R, B)), np.empty((R, B))
            self.dA = [np.empty((n, R, B)) for n in hidden]
            widest = (max(hidden, default=0), R, B)
            self.mask = np.empty(widest, dtype=bool) if mlp.activation == "relu" else None
            self.slope = np.empty(widest) if mlp.activation != "relu" else None
