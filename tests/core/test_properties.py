"""Properties that must hold for any sizes and values (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtui.core.batches import BatchOrder
from gdtui.core.optimizers import RULES


@given(m=st.integers(1, 400), k=st.integers(1, 500), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_an_epoch_covers_every_example_once_in_consecutive_slices(m, k, seed):
    order = BatchOrder(m, k, np.random.default_rng(seed))
    batches = [order.next() for _ in range(order.per_epoch)]
    size = min(k, m)
    assert [len(b) for b in batches[:-1]] == [size] * (len(batches) - 1)
    assert 1 <= len(batches[-1]) <= size
    assert sorted(np.concatenate(batches).tolist()) == list(range(m))
    assert order.epochs_done() == 1


finite = st.floats(-1e3, 1e3, allow_nan=False)


@given(rule=st.sampled_from(sorted(RULES)), runs=st.integers(1, 6), dim=st.integers(1, 5),
       data=st.data())
@settings(max_examples=60, deadline=None)
def test_a_batched_update_equals_each_run_alone(rule, runs, dim, data):
    """Rows never mix: R runs in one call give exactly what R separate calls give."""
    r = RULES[rule]
    g = np.array(data.draw(st.lists(st.lists(finite, min_size=dim, max_size=dim), min_size=runs, max_size=runs)))
    p = np.array(data.draw(st.lists(st.lists(finite, min_size=dim, max_size=dim), min_size=runs, max_size=runs)))
    lr = np.array(data.draw(st.lists(st.floats(1e-4, 1.0), min_size=runs, max_size=runs)))[:, None]
    hp = {k: np.full((runs, 1), v) for k, v in r.hyper.items()}
    step, _, _ = r.update(g, r.init((runs, dim)), lr, hp, p)
    for i in range(runs):
        one = {k: v[i:i + 1] for k, v in hp.items()}
        alone, _, _ = r.update(g[i:i + 1], r.init((1, dim)), lr[i:i + 1], one, p[i:i + 1])
        np.testing.assert_array_equal(step[i], alone[0])
