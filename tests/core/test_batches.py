import numpy as np

from gdtui.core.batches import BatchOrder, partition


def test_partition_300_by_64():
    parts = partition(np.arange(300), 64)
    assert [len(p) for p in parts] == [64, 64, 64, 64, 44]
    assert parts[1][0] == 64 and parts[4][0] == 256  # consecutive slices, not 0:64 each time


def epoch_of(order):
    batches = [order.next() for _ in range(order.per_epoch)]
    return batches


def test_each_example_once_per_epoch_and_a_new_order_each_epoch():
    order = BatchOrder(300, 64, np.random.default_rng(7))
    seen = []
    for _ in range(3):
        batches = epoch_of(order)
        assert [len(b) for b in batches] == [64, 64, 64, 64, 44]
        flat = np.concatenate(batches)
        assert sorted(flat) == list(range(300))
        seen.append(flat)
    assert not np.array_equal(seen[0], seen[1]) and not np.array_equal(seen[1], seen[2])
    assert order.epochs_done() == 3


def test_reproducible_from_the_seed():
    a = np.concatenate(epoch_of(BatchOrder(100, 8, np.random.default_rng(1))))
    b = np.concatenate(epoch_of(BatchOrder(100, 8, np.random.default_rng(1))))
    c = np.concatenate(epoch_of(BatchOrder(100, 8, np.random.default_rng(2))))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sgd_and_full_batch():
    sgd = BatchOrder(5, 1, np.random.default_rng(0))
    assert [len(b) for b in epoch_of(sgd)] == [1] * 5
    full = BatchOrder(5, "full", np.random.default_rng(0))
    np.testing.assert_array_equal(full.next(), np.arange(5))
    assert full.per_epoch == 1


def test_course_order_reseeds_from_10():
    """The course: seed = 10; seed += 1 before each epoch; RandomState(seed).permutation(m)."""
    order = BatchOrder(300, 64, "course")
    first = np.concatenate(epoch_of(order))
    second = np.concatenate(epoch_of(order))
    np.random.seed(11)
    np.testing.assert_array_equal(first, np.random.permutation(300))
    np.random.seed(12)
    np.testing.assert_array_equal(second, np.random.permutation(300))
