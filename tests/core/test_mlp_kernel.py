"""MLP.value_and_grad (the batched kernel, issue #13 §3) against an independent reference:
the textbook equations, one run and one layer at a time, in extended precision (np.longdouble),
written without the kernel's tricks (no [A; 1] rows, no layer-major layout, no buffers, no chunks).

Tolerances: rtol 1e-12 and atol 1e-15 where the sums are well conditioned. Where they cancel
(large weights, saturated units), float64 rounds at the scale of the terms summed, not of the
result, so the absolute tolerance is 1e-13 times the sum of the terms' absolute values (computed
by the reference from |W|, |A| and |dZ|): rounding, with a margin, and nothing more."""

import numpy as np
import pytest

from gdtui.core.mlp import MLP

LD = np.longdouble
LAYERS = [[2, 5, 2, 1], [2, 20, 20, 1], [2, 64, 1], [2, 1], [2, 4, 4, 3, 1]]
ACTIVATIONS = ["relu", "tanh", "sigmoid"]


def unpack(mlp, p):
    """(W, b) of each layer from one run's flat parameters: block l holds the rows [W[i, :], b[i]]."""
    out, offset = [], 0
    for n_in, n_out in zip(mlp.layers[:-1], mlp.layers[1:]):
        block = p[offset:offset + n_out * (n_in + 1)].reshape(n_out, n_in + 1).astype(LD)
        out.append((block[:, :-1], block[:, -1:]))
        offset += n_out * (n_in + 1)
    return out


def g(activation, z):
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "tanh":
        return np.tanh(z)
    return 1 / (1 + np.exp(-z))


def softplus(v):
    """log(1 + e^v), without cancellation."""
    return np.maximum(v, 0) + np.log1p(np.exp(-np.abs(v)))


def reference(mlp, P, batch=None):
    """(loss, gradient, scale) of each run: scale bounds the sum of the absolute values of the
    terms behind each gradient entry (the float64 rounding of a sum is relative to it)."""
    R, m = len(P), mlp.n_samples
    loss, G, S = np.empty(R, LD), np.empty(P.shape, LD), np.empty(P.shape, LD)
    for r in range(R):
        if batch is None:
            idx, w = np.arange(m), np.full(m, 1 / m)
        else:
            k = 0 if len(batch[0]) == 1 else r
            idx, w = batch[0][k], batch[1][k]
        x, y, w = mlp.X[idx].T.astype(LD), mlp.y[idx].astype(LD), w.astype(LD)
        params = unpack(mlp, P[r])
        A, Z = [x], []
        for l, (W, b) in enumerate(params):
            Z.append(W @ A[-1] + b)
            if l < len(params) - 1:
                A.append(g(mlp.activation, Z[-1]))
        z = Z[-1][0]
        # per example: -log sigmoid(z) if y = 1, -log(1 - sigmoid(z)) if y = 0 = softplus((1 - 2y)·z)
        loss[r] = np.sum(w * softplus((1 - 2 * y) * z))
        # dloss/dz = sigmoid(z) - y: for y = 1, -sigmoid(-z), without cancellation
        sig = np.where(y == 1, -1 / (1 + np.exp(z)), 1 / (1 + np.exp(-z)))
        dZ, dZ_abs = (sig * w)[None], np.abs(sig * w)[None]
        grads, scales = [], []
        for l in range(len(params) - 1, -1, -1):
            W, _ = params[l]
            grads.append((dZ @ A[l].T, dZ.sum(axis=1, keepdims=True)))
            scales.append((dZ_abs @ np.abs(A[l]).T, dZ_abs.sum(axis=1, keepdims=True)))
            if l > 0:
                a = A[l]
                slope = {"relu": (Z[l - 1] > 0).astype(LD), "tanh": 1 - a * a, "sigmoid": a * (1 - a)}[mlp.activation]
                # float64 forms the slope from A with an absolute error ~eps: bound it by |slope| + 1
                bound = np.abs(slope) + (mlp.activation != "relu")
                dZ, dZ_abs = (W.T @ dZ) * slope, (np.abs(W).T @ dZ_abs) * bound
        G[r] = np.concatenate([np.hstack(gr).ravel() for gr in reversed(grads)])
        S[r] = np.concatenate([np.hstack(sc).ravel() for sc in reversed(scales)])
    return loss, G, S


def assert_close(mlp, P, batch, strict):
    with np.errstate(all="ignore"):
        loss, G = mlp.value_and_grad(P, batch)
        ref_loss, ref_G, scale = reference(mlp, P, batch)
    ref_loss, ref_G, scale = ref_loss.astype(float), ref_G.astype(float), scale.astype(float)
    if strict:
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(G, ref_G, rtol=1e-12, atol=1e-15)
    else:
        # the loss max(z, 0) + log1p(exp(-|z|)) - y·z rounds at the scale of |z|
        with np.errstate(all="ignore"):
            z_scale = np.abs(mlp.forward(P, mlp.XT1[:, None])[-1]).max(axis=1)
        assert np.all(np.abs(loss - ref_loss) <= 1e-12 * np.abs(ref_loss) + 1e-15 * (1 + z_scale))
        assert np.all(np.abs(G - ref_G) <= 1e-12 * np.abs(ref_G) + 1e-15 + 1e-13 * scale)


def batches(mlp, R, rng, B=64):
    m = mlp.n_samples
    B = min(B, m)
    yield None                                                             # the full data, shared
    yield rng.permutation(m)[:B][None], np.full((1, B), 1 / B)             # one mini-batch for all runs
    idx = np.stack([rng.permutation(m)[:B] for _ in range(R)])             # each run its own
    weight = np.full((R, B), 1 / B)
    weight[-1, B // 2:] = 0                                                # padding, as the race pads
    weight[-1, :B // 2] = 1 / (B // 2)
    yield idx, weight


@pytest.mark.parametrize("layers", LAYERS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_equals_the_textbook_equations(layers, activation):
    mlp = MLP(np.random.default_rng(1), layers=layers, activation=activation)
    rng = np.random.default_rng(2)
    for R in (1, 3, 50):
        P = rng.normal(size=(R, mlp.dim))
        for batch in batches(mlp, R, rng):
            assert_close(mlp, P, batch, strict=True)


@pytest.mark.parametrize("layers", LAYERS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_equals_the_textbook_equations_when_saturated(layers, activation):
    """Large weights: the output sigmoid (and tanh, sigmoid hidden units) saturate, exp overflows
    in places; loss and gradient stay finite and equal the reference to rounding."""
    mlp = MLP(np.random.default_rng(1), layers=layers, activation=activation)
    rng = np.random.default_rng(3)
    P = rng.normal(size=(20, mlp.dim)) * np.repeat([1.0, 30.0, 300.0, 3000.0], 5)[:, None]
    last = mlp.blocks[-1][2]
    P[:5, last:] *= 1e3                      # moderate hidden layers, a saturated output only
    for batch in batches(mlp, len(P), rng):
        with np.errstate(all="ignore"):
            loss, G = mlp.value_and_grad(P, batch)
        assert np.isfinite(loss).all() and np.isfinite(G).all()
        assert_close(mlp, P, batch, strict=False)


def test_chunks_and_buffers_give_the_same_numbers():
    """Runs split into chunks, and buffers reused across calls of other shapes, change nothing."""
    mlp = MLP(np.random.default_rng(1), layers=[2, 5, 2, 1])
    rng = np.random.default_rng(4)
    P = rng.normal(size=(37, mlp.dim))
    cases = list(batches(mlp, len(P), rng)) + list(batches(mlp, 3, rng, B=44))
    whole = [mlp.value_and_grad(P if b is None or len(b[0]) != 3 else P[:3], b) for b in cases]
    mlp.CHUNK_FLOATS = 1000                  # a few runs per chunk, chunks of unequal sizes
    assert len(mlp._chunks(37, 300)) > 5
    for _ in range(2):                       # twice: the second time through kept buffers
        for b, (loss, G) in zip(cases, whole):
            loss2, G2 = mlp.value_and_grad(P if b is None or len(b[0]) != 3 else P[:3], b)
            np.testing.assert_allclose(loss2, loss, rtol=1e-14, atol=0)
            np.testing.assert_allclose(G2, G, rtol=1e-13, atol=1e-16)
    mlp.CHUNK_FLOATS = 1 << 18
    for R in range(1, 12):                   # more shapes than are kept: the oldest are dropped
        mlp.value_and_grad(P[:R])
    assert len(mlp._buffers) <= 8
    np.testing.assert_array_equal(mlp.value_and_grad(P)[1], whole[0][1])


@pytest.mark.parametrize("layers", LAYERS)
def test_a_runs_numbers_do_not_depend_on_the_other_runs(layers):
    """Bit for bit: a run computed alone, or among others, in chunks or not (the range test and
    the course comparisons rely on it)."""
    mlp = MLP(np.random.default_rng(1), layers=layers, activation="tanh")
    rng = np.random.default_rng(8)
    P = rng.normal(size=(23, mlp.dim))
    for batch in batches(mlp, len(P), rng):
        loss, G = mlp.value_and_grad(P, batch)
        for r in (0, 7, 22):
            one = None if batch is None else tuple(a[:1] if len(a) == 1 else a[r:r + 1] for a in batch)
            loss_r, G_r = mlp.value_and_grad(P[r:r + 1], one)
            assert loss_r[0] == loss[r] and np.array_equal(G_r[0], G[r])
        mlp.CHUNK_FLOATS = 2000
        chunked = mlp.value_and_grad(P, batch)
        mlp.CHUNK_FLOATS = 1 << 18
        assert np.array_equal(chunked[0], loss) and np.array_equal(chunked[1], G)


def test_returns_fresh_arrays():
    """The race keeps the loss and gradient it was given: a later call must not overwrite them."""
    mlp = MLP(np.random.default_rng(1))
    P = np.random.default_rng(5).normal(size=(4, mlp.dim))
    loss, G = mlp.value_and_grad(P)
    keep = loss.copy(), G.copy()
    mlp.value_and_grad(P * 2)
    np.testing.assert_array_equal(loss, keep[0])
    np.testing.assert_array_equal(G, keep[1])


@pytest.mark.parametrize("layers,activation", [([2, 5, 2, 1], "tanh"), ([2, 20, 20, 1], "sigmoid"), ([2, 64, 1], "relu")])
def test_gradient_against_finite_differences(layers, activation):
    mlp = MLP(np.random.default_rng(1), layers=layers, activation=activation, samples=60)
    rng = np.random.default_rng(6)
    P = rng.normal(size=(2, mlp.dim)) * 0.5
    idx = np.stack([rng.permutation(60)[:16] for _ in range(2)])
    for batch in (None, (idx, np.full((2, 16), 1 / 16))):
        _, G = mlp.value_and_grad(P, batch)
        h, fd = 1e-6, np.empty_like(P)
        for j in range(mlp.dim):
            E = np.zeros_like(P)
            E[:, j] = h
            fd[:, j] = (mlp.value_and_grad(P + E, batch)[0] - mlp.value_and_grad(P - E, batch)[0]) / (2 * h)
        np.testing.assert_allclose(G, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_loss_predict_accuracy_and_curvature_agree(activation):
    mlp = MLP(np.random.default_rng(1), layers=[2, 5, 2, 1], activation=activation)
    rng = np.random.default_rng(7)
    P = rng.normal(size=(9, mlp.dim)) * 2
    ref_loss = reference(mlp, P)[0].astype(float)
    np.testing.assert_allclose(mlp.loss(P), ref_loss, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mlp.loss(P, rows_per_pass=4), ref_loss, rtol=1e-12, atol=1e-15)
    pts = rng.normal(size=(30, 2))
    for points, x in ((pts, pts), (None, mlp.X)):
        expected = np.empty((len(P), len(x)))
        for r in range(len(P)):
            a = x.T.astype(LD)
            params = unpack(mlp, P[r])
            for l, (W, b) in enumerate(params):
                z = W @ a + b
                a = g(mlp.activation, z) if l < len(params) - 1 else 1 / (1 + np.exp(-z))
            expected[r] = a[0].astype(float)
        np.testing.assert_allclose(mlp.predict(P, points), expected, rtol=1e-12, atol=1e-15)
    # expected: the data's; no prediction sits within rounding of 0.5
    assert np.abs(expected - 0.5).min() > 1e-9
    np.testing.assert_array_equal(mlp.accuracy(P), np.mean((expected > 0.5) == (mlp.y == 1), axis=1))
    # curvature: H·V against differences of the kernel's gradients
    V = rng.normal(size=P.shape)
    h = 1e-5
    fd = (mlp.value_and_grad(P + h * V)[1] - mlp.value_and_grad(P - h * V)[1]) / (2 * h)
    np.testing.assert_allclose(mlp.hessian_vector_products(P, V), fd, rtol=1e-5, atol=1e-7)
