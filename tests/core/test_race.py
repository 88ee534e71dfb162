import numpy as np
import pytest

from gdtui.core.batches import FULL
from gdtui.core.models import LinearRegression
from gdtui.core.race import DIVERGED, Race, RunConfig
from gdtui.core.schedules import Schedules
from gdtui.core.surfaces import Surface


def linreg(samples=40):
    return LinearRegression(np.random.default_rng(0), samples=samples)


def test_step_clock_one_update_per_tick_whatever_the_batch():
    race = Race(linreg(), [RunConfig("GD", "gd", 0.1), RunConfig("SGD", "gd", 0.1, 1),
                           RunConfig("MB", "gd", 0.1, 16)], (0.0, 0.0))
    race.step(10)
    assert race.updates.tolist() == [10, 10, 10]
    # 40 examples: full = 1 batch/epoch, 1 -> 40, 16 -> 3
    assert race.epochs().tolist() == [10, 0, 3]


def test_epoch_clock_one_epoch_per_tick():
    race = Race(linreg(), [RunConfig("GD", "gd", 0.1), RunConfig("SGD", "gd", 0.01, 1),
                           RunConfig("MB", "gd", 0.1, 16)], (0.0, 0.0), clock="epoch")
    race.step(3)
    assert race.updates.tolist() == [3, 120, 9]
    assert race.epochs().tolist() == [3, 3, 3]


def test_a_full_batch_run_is_plain_gd():
    p = linreg()
    race = Race(p, [RunConfig("GD", "gd", 0.3)], (0.5, -1.0))
    race.step(5)
    theta = np.array([0.5, -1.0])
    for _ in range(5):
        theta = theta - 0.3 * 2 * p.A @ (theta - p.theta)
    np.testing.assert_allclose(race.P[0], theta, rtol=1e-12)


def test_sgd_update_uses_exactly_one_example():
    p = linreg()
    race = Race(p, [RunConfig("SGD", "gd", 0.1, 1)], (0.5, -1.0))
    race.step(1)
    first = race.orders[0].slices[0][0]
    r = 0.5 * p.x[first] - 1.0 - p.y[first]
    np.testing.assert_allclose(race.P[0], [0.5 - 0.1 * 2 * r * p.x[first], -1.0 - 0.1 * 2 * r], rtol=1e-12)


def test_runs_have_their_own_streams_and_the_seed_fixes_them():
    runs = [RunConfig("A", "gd", 0.1, 4), RunConfig("B", "gd", 0.1, 4)]
    a = Race(linreg(), runs, (0.0, 0.0), seed=3)
    b = Race(linreg(), runs, (0.0, 0.0), seed=3)
    c = Race(linreg(), runs, (0.0, 0.0), seed=4)
    for r in (a, b, c):
        r.step(20)
    np.testing.assert_array_equal(a.P, b.P)
    assert not np.array_equal(a.P[0], a.P[1])
    assert not np.array_equal(a.P, c.P)


def test_runs_sharing_a_stream_see_the_same_batches():
    runs = [RunConfig("A", "gd", 0.1, 4, stream=0), RunConfig("B", "gd", 0.1, 4, stream=0)]
    race = Race(linreg(), runs, (0.0, 0.0))
    race.step(25)
    np.testing.assert_array_equal(race.P[0], race.P[1])


def test_surface_noise_has_variance_noise_squared_over_k():
    s = Surface("bowl", noise=2.0)
    race = Race(s, [RunConfig("k4", "gd", 1e-9, 4), RunConfig("full", "gd", 1e-9, FULL)], (0.0, 0.0),
                tolerance=0.0)
    draws = []
    for _ in range(4000):
        race.step()
        draws.append(race.last["g"].copy())
    g = np.array(draws)
    assert g[:, 0].std(axis=0) == pytest.approx([2.0 / 2, 2.0 / 2], rel=0.05)
    assert np.all(np.abs(g[:, 1]) < 1e-7)  # exact gradient near the minimum: tiny


def test_lr_change_applies_from_the_next_step():
    race = Race(Surface("bowl"), [RunConfig("GD", "gd", 0.01)], (1.0, 0.0))
    race.step(1)
    race.set_lr(0, 0.5)
    race.step(1)
    assert race.P[0, 0] == pytest.approx(1.0 * 0.99 * 0.5)
    assert race.history.lr[1:, 0].tolist() == [0.01, 0.5]


def test_schedules_by_hand():
    specs = [{"type": "constant"}, {"type": "inverse_time", "decay_rate": 0.5},
             {"type": "step", "decay_rate": 1.0, "interval": 10}, {"type": "exponential", "gamma": 0.5},
             {"type": "cosine", "lr_min": 0.1}]
    sch = Schedules.from_specs(specs, 100)
    lr0 = np.full(5, 1.0)
    np.testing.assert_allclose(sch.rates(lr0, np.full(5, 25)),
                               [1.0, 1 / 13.5, 1 / 3, 0.5**25, 0.1 + 0.9 * (1 + np.cos(np.pi / 4)) / 2])
    np.testing.assert_allclose(sch.rates(lr0, np.full(5, 0)), 1.0)
    assert sch.rates(lr0, np.full(5, 200))[4] == pytest.approx(0.1)


def test_step_schedule_counts_epochs_of_the_data():
    race = Race(linreg(40), [RunConfig("MB", "gd", 0.1, 10, schedule={"type": "step", "decay_rate": 1.0,
                                                                       "interval": 1})], (0.0, 0.0))
    race.step(9)
    # 4 batches per epoch: updates 1-4 at 0.1, 5-8 at 0.05, 9 at 0.1/3
    np.testing.assert_allclose(race.history.lr[1:, 0], [0.1] * 4 + [0.05] * 4 + [0.1 / 3])


def test_reset_restarts_every_run_from_a_new_point_and_is_deterministic():
    race = Race(linreg(), [RunConfig("SGD", "gd", 0.1, 1), RunConfig("Adam", "adam", 0.1, 8)], (0.0, 0.0))
    race.step(30)
    first = race.P.copy()
    race.reset((1.0, 2.0))
    assert race.tick == 0 and len(race.history) == 1
    np.testing.assert_array_equal(race.P, [[1.0, 2.0], [1.0, 2.0]])
    race.reset((0.0, 0.0))
    race.step(30)
    np.testing.assert_array_equal(race.P, first)


def test_non_finite_loss_freezes_the_run():
    race = Race(Surface("rosenbrock"), [RunConfig("big", "gd", 1.0), RunConfig("ok", "gd", 1e-4)], (-2.0, 2.0))
    race.step(50)
    assert race.status[0] == DIVERGED and race.diverged_at[0] <= 5
    assert race.updates[0] == race.diverged_at[0] and race.updates[1] == 50


def test_epoch_clock_keeps_each_runs_last_internals():
    """A full-batch run's last update in an epoch tick comes before the mini-batch run's;
    the inspector must still see its own g (the exact gradient where it stood)."""
    p = linreg(40)
    race = Race(p, [RunConfig("full", "adam", 0.1), RunConfig("mini", "adam", 0.1, 10)], (0.0, 0.0), clock="epoch")
    for _ in range(3):
        before = race.P[0].copy()
        race.step()
        g = race.history.internals(race.tick)["g"][0]
        np.testing.assert_allclose(g, 2 * (before - p.theta) @ p.A, rtol=1e-12)
        assert np.all(np.isfinite(race.history.internals(race.tick)["g"][1]))


def test_cosine_period_defaults_to_the_race_in_epochs():
    """Step clock, batches of 10 on 40 examples: 80 steps are 20 epochs, and the cosine
    schedule reaches lr_min at the end of them."""
    race = Race(linreg(40), [RunConfig("cos", "gd", 0.1, 10, schedule={"type": "cosine"}),
                             RunConfig("cos full", "gd", 0.1, schedule={"type": "cosine"})], (0.0, 0.0), length=80)
    race.step(80)
    lr = race.history.lr[1:]
    assert lr[-1, 0] == pytest.approx(0.1 * (1 + np.cos(np.pi * 19 / 20)) / 2)  # epoch 19 of 20
    assert lr[-1, 1] == pytest.approx(0.1 * (1 + np.cos(np.pi * 79 / 80)) / 2)  # full batch: step = epoch


def test_noise_at_the_minimum_is_not_divergence():
    race = Race(Surface("bowl", noise=1.0), [RunConfig("SGD", "gd", 0.02, 1)], (0.0, 0.0), tolerance=0.0)
    race.step(200)
    assert race.status[0] != DIVERGED


def test_no_numpy_warning_escapes_even_from_absurd_starts():
    import warnings
    from gdtui.core.mlp import MLP
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        race = Race(Surface("rosenbrock"), [RunConfig("GD", "gd", 1e-3)], (1e80, 1e80))
        race.step(3)
        assert race.status[0] == DIVERGED
        mlp = MLP(np.random.default_rng(0), layers=[2, 5, 1], samples=20)
        P = mlp.initial_params()[None] * 1e4
        assert 0 <= mlp.accuracy(P)[0] <= 1


def test_reading_the_internals_changes_nothing():
    """A frame holds the internals it read: a later step must not rewrite them, and reading
    must not change what the race does next (issue #10: reading the core never changes it)."""
    runs = [RunConfig("GD", "gd", 0.1, 4), RunConfig("Adam", "adam", 0.05, 8)]
    read = Race(linreg(), runs, (0.0, 0.0), keep_history=False)   # no internals kept in the history
    unread = Race(linreg(), runs, (0.0, 0.0), keep_history=False)
    read.step(3)
    unread.step(3)
    first = read.internals()
    kept = {k: v.copy() for k, v in first.items()}
    assert read.internals().keys() == kept.keys()
    read.step(2)
    unread.step(2)
    later = read.internals()
    for k, v in kept.items():
        np.testing.assert_array_equal(first[k], v)        # what was read stays as it was
    np.testing.assert_array_equal(read.P, unread.P)
    for k, v in unread.internals().items():
        np.testing.assert_array_equal(later[k], v)
    assert not np.array_equal(later["g"], kept["g"])     # and it does move on


def test_reset_takes_up_new_settings_for_each_run():
    runs = [RunConfig("GD", "gd", 0.1), RunConfig("M", "momentum", 0.1, hyper={"beta": 0.9})]
    race = Race(linreg(), runs, (0.5, -1.0))
    race.step(3)
    slower = [RunConfig("GD", "gd", 0.05), RunConfig("M", "momentum", 0.1, hyper={"beta": 0.5})]
    race.reset(runs=slower)
    assert race.tick == 0 and race.lr0.tolist() == [0.05, 0.1] and race.get_hyper(1, "beta") == 0.5
    fresh = Race(linreg(), slower, (0.5, -1.0))
    race.step(4)
    fresh.step(4)
    np.testing.assert_array_equal(race.P, fresh.P)


def test_next_rates_are_the_rates_of_the_next_update():
    sched = {"type": "inverse_time", "decay_rate": 1.0}
    race = Race(linreg(), [RunConfig("GD", "gd", 0.2, schedule=sched)], (0.0, 0.0))
    assert race.next_rates().tolist() == [0.2]
    race.step(1)
    assert race.history.lr[1, 0] == 0.2 and race.next_rates()[0] == pytest.approx(0.1)
    race.step(1)
    assert race.history.lr[2, 0] == pytest.approx(0.1)


@pytest.mark.parametrize("clock", ["step", "epoch"])
def test_a_checkpoint_goes_on_exactly_as_the_race_did(clock):
    """Mini-batch orders, their random streams, surface noise, schedules and optimizer states
    all come back: the race from a checkpoint is bit for bit the race."""
    runs = [RunConfig("SGD", "gd", 0.05, 1), RunConfig("MB", "momentum", 0.1, 8, hyper={"beta": 0.9}),
            RunConfig("Adam", "adam", 0.05, 16, schedule={"type": "exponential", "gamma": 0.9}),
            RunConfig("GD", "adagrad", 0.3)]
    race = Race(linreg(), runs, (0.5, -1.0), clock=clock, seed=4)
    race.step(7)
    saved = race.checkpoint()
    race.step(9)
    after = {k: v.copy() for k, v in race.internals().items()}
    params, losses = race.history.params.copy(), race.history.loss.copy()
    race.restore(saved)
    assert race.tick == 7 and len(race.history) == 8
    np.testing.assert_array_equal(race.history.params, params[:8])
    race.step(9)
    np.testing.assert_array_equal(race.history.params, params)
    np.testing.assert_array_equal(race.history.loss, losses)
    for k, v in race.internals().items():
        np.testing.assert_array_equal(v, after[k])


def test_restoring_leaves_what_was_read_before_as_it_was():
    race = Race(linreg(), [RunConfig("SGD", "gd", 0.05, 1)], (0.5, -1.0))
    race.step(3)
    saved = race.checkpoint()
    race.step(3)
    read = race.history.params        # a view a frame could hold
    kept = read.copy()
    race.restore(saved)
    race.set_lr(0, 0.5)
    race.step(5)                      # a different future, written after tick 3
    np.testing.assert_array_equal(read, kept)
    assert not np.array_equal(race.history.params[4:7], kept[4:7])


def test_going_back_before_a_run_stopped_sets_it_running_again():
    race = Race(Surface("rosenbrock", noise=1.0), [RunConfig("big", "gd", 1.0, 4), RunConfig("ok", "gd", 1e-4, 4)],
                (-2.0, 2.0))
    saved = race.checkpoint()
    race.step(20)
    stopped = race.diverged_at[0]
    assert race.status.tolist() == [DIVERGED, 0] and stopped > 0
    race.restore(saved)
    assert race.status.tolist() == [0, 0] and race.diverged_at.tolist() == [-1, -1]
    race.step(20)
    assert race.status.tolist() == [DIVERGED, 0] and race.diverged_at[0] == stopped
