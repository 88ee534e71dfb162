"""A family: the runs of one rule, their state and hyperparameters as arrays, and the
internals of each member's latest update, kept until the race commits them."""

import numpy as np

from gdtui.core.families import INTERNAL_KEYS, Family

R, D = 5, 2
HYPER = {"beta": np.array([[0.9], [0.5], [0.8], [0.7], [0.6]])}


def momentum_family():
    family = Family("momentum", np.array([0, 2, 3]))   # runs 1 and 4 follow other rules
    family.reset(D, HYPER)
    return family


def internals(value, n):
    """Internals of an update of n runs, every number `value` (a momentum update has no s)."""
    return {"g": np.full((n, D), value), "v": np.full((n, D), value + 0.5), "step": np.full((n, D), -value)}


def written(family):
    last = {k: np.full((R, D), np.nan) for k in INTERNAL_KEYS}
    family.write_internals(last)
    return last


def test_contiguous_members_are_a_slice_others_an_index_array():
    assert Family("gd", np.array([1, 2, 3])).at == slice(1, 4)
    np.testing.assert_array_equal(momentum_family().at, [0, 2, 3])


def test_state_and_hyperparameters_are_the_members_rows():
    family = momentum_family()
    np.testing.assert_array_equal(family.state["v"], np.zeros((3, D)))
    np.testing.assert_array_equal(family.hp["beta"], [[0.9], [0.8], [0.7]])
    changed = {"beta": HYPER["beta"].copy()}
    changed["beta"][3, 0] = 0.75
    family.take_hyper(changed)
    assert family.hp["beta"][:, 0].tolist() == [0.9, 0.8, 0.75]


def test_select_takes_the_members_among_the_active_rows():
    family = momentum_family()
    family.state["v"][:] = [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    rows = np.array([1, 3, 4])
    row_pos = np.zeros(R, dtype=int)
    row_pos[rows] = np.arange(len(rows))
    moving = np.isin(np.arange(R), rows)
    at, state, hp, active = family.select(moving, row_pos)
    assert at.tolist() == [1] and active.tolist() == [2]          # run 3: row 1 of the rows, member 2
    np.testing.assert_array_equal(state["v"], [[3.0, 3.0]])
    np.testing.assert_array_equal(hp["beta"], [[0.7]])
    assert family.select(np.isin(np.arange(R), [1, 4]), row_pos) == (None, None, None, None)
    assert family.select(None, row_pos)[3] is None   # every run: the family whole


def test_each_member_shows_the_internals_of_its_own_latest_update():
    family = momentum_family()
    family.store({"v": np.full((3, D), 1.0)}, internals(1.0, 3), None)        # all three
    family.store({"v": np.full((2, D), 2.0)}, internals(2.0, 2), np.array([0, 2]))   # runs 0 and 3
    family.store({"v": np.full((1, D), 3.0)}, internals(3.0, 1), np.array([2]))      # run 3 again
    np.testing.assert_array_equal(family.state["v"][:, 0], [2.0, 1.0, 3.0])
    last = written(family)
    np.testing.assert_array_equal(last["g"][:, 0], [2.0, np.nan, 1.0, 3.0, np.nan])
    np.testing.assert_array_equal(last["v"][:, 0], [2.5, np.nan, 1.5, 3.5, np.nan])
    np.testing.assert_array_equal(last["step"][:, 1], [-2.0, np.nan, -1.0, -3.0, np.nan])
    assert np.all(np.isnan(last["s"]))   # not a momentum number


def test_each_member_keeps_its_own_row_of_a_partial_update():
    family = momentum_family()
    moved = {"g": np.array([[1.0, 2.0], [3.0, 4.0]]), "v": np.zeros((2, D)), "step": np.zeros((2, D))}
    family.store({"v": np.zeros((2, D))}, moved, np.array([2, 0]))   # member 2 (run 3) is row 0
    np.testing.assert_array_equal(written(family)["g"][[3, 0]], [[1.0, 2.0], [3.0, 4.0]])


def test_internals_no_member_shows_any_more_are_let_go():
    """A race whose runs step in subsets (one has stopped) for ever must not keep every update."""
    family = momentum_family()
    for t in range(50):
        family.store({"v": np.zeros((2, D))}, internals(float(t), 2), np.array([0, 1]))
        assert len(family.last_some) <= family.KEPT_UPDATES
    family.store({"v": np.zeros((1, D))}, internals(50.0, 1), np.array([0]))
    family._forget_overwritten()
    assert len(family.last_some) == 2       # member 1's latest is still the update before
    np.testing.assert_array_equal(written(family)["g"][:, 0], [50.0, np.nan, 49.0, np.nan, np.nan])


def test_a_commit_writes_them_once_and_forgets_them():
    family = momentum_family()
    family.store({"v": np.zeros((3, D))}, internals(1.0, 3), None)
    family.store({"v": np.zeros((1, D))}, internals(2.0, 1), np.array([1]))
    last = {k: np.full((R, D), np.nan) for k in INTERNAL_KEYS}
    family.commit(last)
    np.testing.assert_array_equal(last["g"][:, 0], [1.0, np.nan, 2.0, 1.0, np.nan])
    assert all(np.all(np.isnan(v)) for v in written(family).values())   # nothing since
