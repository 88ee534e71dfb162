"""The feed: which batch, or which noise, each run's gradient gets. Runs on one stream get the
same, runs on different streams independent ones, and a run's own never depends on the others
in its race. Expected numbers come straight from numpy's generators, seeded as the feed
documents: default_rng([seed, 1, stream]) shuffles, default_rng([seed, 2, stream]) draws noise."""

import numpy as np
import pytest

from gdtui.core.batches import FULL
from gdtui.core.feed import BatchFeed, NoiseFeed, batch_sizes, streams_of
from gdtui.core.models import LinearRegression
from gdtui.core.race import Race, RunConfig
from gdtui.core.surfaces import Surface


def run(batch, stream=None):
    return RunConfig("run", "gd", 0.1, batch, stream=stream)


def epochs_of_batches(seed, stream, m, k, n):
    """The first n batches of stream `stream`, batches of k of m examples, by hand."""
    rng = np.random.default_rng([seed, 1, stream])
    batches = []
    while len(batches) < n:
        perm = rng.permutation(m)
        batches += [perm[i:i + k] for i in range(0, m, k)]
    return batches[:n]


def test_batch_sizes_and_batches_per_epoch():
    runs = [run(FULL), run(1), run(16), run(100)]
    size, per_epoch = batch_sizes(40, runs)
    assert size.tolist() == [40, 1, 16, 40] and per_epoch.tolist() == [1, 40, 3, 1]
    size, per_epoch = batch_sizes(0, runs)      # no data: the size only scales the noise
    assert size.tolist() == [0, 1, 16, 100] and per_epoch.tolist() == [1, 1, 1, 1]


def test_a_run_without_a_stream_of_its_own_uses_its_index():
    assert streams_of([run(1), run(1, stream=7), run(1), run(1, stream=0)]).tolist() == [0, 7, 2, 0]


def test_one_order_per_stream_and_batch_size():
    runs = [run(4, 0), run(4, 0), run(4, 1), run(8, 0), run(FULL, 0)]
    size, _ = batch_sizes(10, runs)
    feed = BatchFeed(10, size, streams_of(runs), seed=3)
    assert len(feed.orders) == 3
    assert feed.order_of.tolist() == [0, 0, 1, 2, -1] and feed.full.tolist() == [False] * 4 + [True]
    assert feed.shared is None


def test_each_run_gets_its_streams_batch_padded_with_weight_zero():
    runs = [run(4, 0), run(4, 0), run(4, 1), run(8, 0)]
    size, _ = batch_sizes(10, runs)
    feed = BatchFeed(10, size, streams_of(runs), seed=3)
    four_0 = epochs_of_batches(3, 0, 10, 4, 3)
    four_1 = epochs_of_batches(3, 1, 10, 4, 3)
    eight_0 = epochs_of_batches(3, 0, 10, 8, 3)
    assert [len(b) for b in four_0] == [4, 4, 2] and [len(b) for b in eight_0] == [8, 2, 8]
    for t, width in enumerate((8, 4, 8)):   # as wide as the longest batch drawn
        idx, weight, share = feed.draw(np.arange(4))
        assert idx.shape == weight.shape == (4, width)
        for r, batch in enumerate((four_0[t], four_0[t], four_1[t], eight_0[t])):
            k = len(batch)
            np.testing.assert_array_equal(idx[r, :k], batch)
            np.testing.assert_array_equal(weight[r], [1 / k] * k + [0.0] * (width - k))
            assert share[r] == k / 10


def test_a_runs_batches_do_not_depend_on_the_other_runs():
    """Stream 5's batches of 4: alone, in a crowd, and when only some runs draw."""
    expected = epochs_of_batches(0, 5, 10, 4, 7)
    alone = BatchFeed(10, np.array([4]), np.array([5]), seed=0)
    crowd_runs = [run(2, 1), run(4, 5), run(FULL, 5), run(4, 2), run(4, 5)]
    size, _ = batch_sizes(10, crowd_runs)
    crowd = BatchFeed(10, size, streams_of(crowd_runs), seed=0)
    for t in range(7):
        np.testing.assert_array_equal(alone.draw(np.array([0]))[0][0, :len(expected[t])], expected[t])
        rows = np.array([1, 3, 4]) if t % 2 else np.array([0, 4])   # run 1 or its twin, run 4, draws
        idx = crowd.draw(rows)[0]
        np.testing.assert_array_equal(idx[-1, :len(expected[t])], expected[t])
        if t % 2:
            np.testing.assert_array_equal(idx[0], idx[2])          # run 1 and run 4: one draw


def test_the_course_order_is_shared_by_all_and_drawn_once():
    runs = [run(64), run(64), run(64)]
    size, _ = batch_sizes(300, runs)
    feed = BatchFeed(300, size, streams_of(runs), seed=0, course=True)
    assert len(feed.orders) == 1 and feed.shared == 0
    np.random.seed(11)
    first_epoch = np.random.permutation(300)
    for t in range(5):
        idx, weight, share = feed.draw_shared()
        k = 64 if t < 4 else 300 - 4 * 64
        np.testing.assert_array_equal(idx, [first_epoch[64 * t: 64 * t + k]])
        np.testing.assert_array_equal(weight, np.full((1, k), 1 / k))
        assert share == k / 300


def noise_by_hand(seed, stream, dim, n):
    rng = np.random.default_rng([seed, 2, stream])
    return [rng.standard_normal(dim) for _ in range(n)]


def test_noise_is_the_streams_normals_times_noise_over_root_k():
    """Noise 2 with batches of 1, 4 and 16: scales 2, 1 and 1/2 (exact in binary)."""
    runs = [run(4), run(16, 0), run(1, 1), run(FULL, 0)]
    size, _ = batch_sizes(0, runs)
    feed = NoiseFeed(2.0, size, streams_of(runs), seed=5, dim=3)
    z0, z1 = noise_by_hand(5, 0, 3, 2), noise_by_hand(5, 1, 3, 2)
    for t in range(2):
        noise = feed.draw(np.arange(4))
        np.testing.assert_array_equal(noise, [z0[t] * 1.0, z0[t] * 0.5, z1[t] * 2.0, np.zeros(3)])


def test_a_runs_noise_does_not_depend_on_the_other_runs():
    expected = noise_by_hand(1, 3, 2, 6)
    crowd_runs = [run(4, 0), run(FULL, 3), run(4, 3), run(4, 2), run(4, 3)]
    size, _ = batch_sizes(0, crowd_runs)
    crowd = NoiseFeed(2.0, size, streams_of(crowd_runs), seed=1, dim=2)
    alone = NoiseFeed(2.0, np.array([4]), np.array([3]), seed=1, dim=2)
    for t in range(6):
        np.testing.assert_array_equal(alone.draw(np.array([0]))[0], expected[t])
        rows = np.array([0, 2, 4]) if t < 3 else np.array([3, 4])   # run 2 stopped after 3 draws
        noise = crowd.draw(rows)
        np.testing.assert_array_equal(noise[-1], expected[t])
        if t < 3:
            np.testing.assert_array_equal(noise[1], noise[2])
            assert not np.array_equal(noise[0], noise[1])                # stream 0: another draw


@pytest.mark.parametrize("clock", ["step", "epoch"])
def test_a_run_in_a_crowd_moves_exactly_as_it_moves_alone_on_data(clock):
    """The same run (stream 4) alone and among others: twins on its stream, other streams, a
    full batch, and twins that diverge early (a crowd that then steps in subsets)."""
    data = lambda: LinearRegression(np.random.default_rng(0), samples=40)  # noqa: E731
    me = RunConfig("me", "momentum", 0.05, 8, hyper={"beta": 0.9}, stream=4)
    crowd = [RunConfig("twin, too fast", "gd", 40.0, 8, stream=4), RunConfig("other", "gd", 0.1, 8),
             me, RunConfig("full", "adam", 0.1, FULL, stream=4), RunConfig("sgd", "gd", 0.01, 1, stream=4),
             RunConfig("big", "gd", 40.0, 4, stream=4)]
    alone = Race(data(), [me], (0.5, -1.0), clock=clock, seed=2)
    among = Race(data(), crowd, (0.5, -1.0), clock=clock, seed=2)
    alone.step(12)
    among.step(12)
    assert among.status[0] == among.status[5] == 2 and among.status[2] == 0
    np.testing.assert_array_equal(among.history.params[:, 2], alone.history.params[:, 0])


def test_a_run_in_a_crowd_moves_exactly_as_it_moves_alone_on_a_noisy_surface():
    me = RunConfig("me", "adam", 0.05, 4, stream=1)
    crowd = [RunConfig("twin, too fast", "gd", 50.0, 4, stream=1), me, RunConfig("other", "gd", 0.01, 4),
             RunConfig("exact", "gd", 0.01, FULL, stream=1), RunConfig("sgd", "gd", 0.01, 1, stream=1)]
    alone = Race(Surface("rosenbrock", noise=1.0), [me], (-1.0, 1.0), seed=7)
    among = Race(Surface("rosenbrock", noise=1.0), crowd, (-1.0, 1.0), seed=7)
    alone.step(40)
    among.step(40)
    assert among.status[0] == 2 and among.status[1] == 0
    np.testing.assert_array_equal(among.history.params[:, 1], alone.history.params[:, 0])
