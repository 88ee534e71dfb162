"""A history bounded in memory (issue #15, part 3): what it keeps of a long race, and that what it
keeps is exactly what a history of every tick holds at those ticks."""

import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtui.core.race import History
from gdtui.headless import SUMMARY, simulate
from gdtui.scenario import load

INTERNALS = ("g", "v", "s", "v_hat", "s_hat", "d", "step")


def record_ticks(history: History, n: int):
    """Record n ticks of one run whose loss at tick t is t (so a row says which tick it is)."""
    for t in range(n):
        history.record(np.array([float(t)]), np.array([0.0]), np.array([0.1 * t]), np.array([0.0]),
                       np.array([[float(t)]]), {k: np.array([[float(t)]]) for k in INTERNALS})


@settings(max_examples=200, deadline=None, derandomize=True)
@given(capacity=st.integers(4, 40), n=st.integers(1, 400))
def test_a_bounded_history_keeps_tick_zero_a_uniform_stride_and_every_latest_tick(capacity, n):
    history = History(1, 1, capacity=capacity)
    record_ticks(history, n)
    ticks = history.ticks.tolist()
    assert len(ticks) <= capacity and len(history) == n
    assert ticks[0] == 0 and ticks[-1] == n - 1
    old = [t for t in ticks if t < history.full_from]
    assert old == list(range(0, history.full_from, history.stride))          # every stride-th, none missing
    assert [t for t in ticks if t >= history.full_from] == list(range(history.full_from, n))
    # each row is its own tick's (the loss of tick t is t), and the lr of the update after it
    assert history.loss[:, 0].tolist() == ticks and history.params[:, 0, 0].tolist() == ticks
    assert history.internals(ticks[-1])["v"][0, 0] == ticks[-1]
    assert np.allclose(history.lr_after[:-1, 0], [0.1 * (t + 1) for t in ticks[:-1]])
    assert history.best_loss[0] == 0.0
    for t in range(n):   # the lookups agree with the list of kept ticks
        assert history.row(t) == (ticks.index(t) if t in ticks else None)
        assert history.kept_at_or_before(t) == max(k for k in ticks if k <= t)
        later = [k for k in ticks if k > t]
        assert history.kept_after(t) == (later[0] if later else None)


def test_a_history_without_capacity_keeps_every_tick():
    history = History(1, 1)
    record_ticks(history, 300)
    assert history.complete and history.ticks.tolist() == list(range(300)) and history.stride == 1


def test_what_a_bounded_race_keeps_is_the_complete_race_at_those_ticks():
    sc = load("ravine")   # five runs, mini-batches: nothing stops before 400 steps
    complete = simulate(sc, 400)
    bounded = simulate(sc, 400, history_rows=64)
    h, full = bounded.history, complete.history
    assert not h.complete and len(h.ticks) <= 64 and h.stride > 1
    ticks = h.ticks
    np.testing.assert_array_equal(bounded.P, complete.P)                   # keeping less changes nothing
    for name in ("loss", "grad_norm", "lr", "epoch_cost", "params"):
        np.testing.assert_array_equal(getattr(h, name), getattr(full, name)[ticks])
    np.testing.assert_array_equal(h.lr_after[:-1], full.lr[ticks[:-1] + 1])
    for t in ticks[-5:]:
        for k, v in h.internals(int(t)).items():
            np.testing.assert_array_equal(v, full.internals(int(t))[k])
    np.testing.assert_array_equal(h.best_loss, np.nanmin(full.loss, axis=0))
    for t in ticks:
        np.testing.assert_array_equal(bounded.rates_at(int(t)), complete.rates_at(int(t)))


def test_a_bounded_race_goes_back_to_a_checkpoint_and_on_exactly():
    """Back to tick 150 and on: the same numbers, best loss (which the thinned rows could not say
    again), rates and stride as a race that kept every tick."""
    sc = load("ravine")
    complete = simulate(sc, 300)
    race = sc.build_race(length=300, history_rows=40)
    race.step(150)
    saved = race.checkpoint()
    race.step(100)
    race.restore(saved)                   # back to tick 150: the history is cut there
    assert race.history.ticks[-1] <= 150 and len(race.history) == 151
    np.testing.assert_array_equal(race.history.best_loss, np.nanmin(complete.history.loss[:151], axis=0))
    race.step(150)
    h = race.history
    np.testing.assert_array_equal(race.P, complete.P)
    np.testing.assert_array_equal(h.loss, complete.history.loss[h.ticks])
    assert h.ticks[-1] == 300 and len(h.ticks) <= 40
    np.testing.assert_array_equal(h.best_loss, np.nanmin(complete.history.loss, axis=0))
    for t in h.ticks[:-1]:
        np.testing.assert_array_equal(race.rates_at(int(t)), complete.rates_at(int(t)))
    early = sc.build_race(length=300, history_rows=40)
    at_start = early.checkpoint()
    early.step(200)
    early.restore(at_start)                              # back to tick 0: every tick kept again
    assert early.history.complete and (early.history.stride, early.history.full_from) == (1, 0)


def test_a_summary_history_does_not_grow_with_the_steps():
    sc = load("ravine")

    def peak(steps):
        tracemalloc.start()
        race = simulate(sc, steps, **SUMMARY)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(race.history.ticks) <= SUMMARY["history_rows"] and race.history.params is None
        return top

    short, long = peak(200), peak(2000)
    # a history of every tick grows by 1800 ticks × (5 runs × 5 numbers + 1) × 8 bytes = 374 kB and more
    assert long - short < 100_000, (short, long)


def test_a_summary_reports_the_same_end_as_a_complete_history():
    sc = load("ravine")
    complete, summary = simulate(sc, 300), simulate(sc, 300, **SUMMARY)
    np.testing.assert_array_equal(summary.last_loss, complete.history.loss[-1])
    np.testing.assert_array_equal(summary.last_grad_norm, complete.history.grad_norm[-1])
    np.testing.assert_array_equal(summary.history.best_loss, np.nanmin(complete.history.loss, axis=0))
    np.testing.assert_array_equal(summary.history.loss[0], complete.history.loss[0])


def test_a_race_whose_runs_have_all_stopped_computes_nothing_more():
    sc = load("bowl")
    race = simulate(sc, 400)
    assert race.done
    before = (race.last_loss.copy(), race.P.copy())

    def refuse(*args, **kwargs):
        raise AssertionError("a stopped race evaluated the loss")

    race.problem.value_and_grad = refuse
    race.step(100)
    assert race.tick == 500 and len(race.history) == 501
    np.testing.assert_array_equal(race.history.loss[-1], before[0])
    np.testing.assert_array_equal(race.P, before[1])


# --- what reads a thinned history (found by review) -------------------------------------------

CONVERGING = """
title = "one run converges early, one crawls"
steps = 400
[problem]
type = "surface"
name = "bowl"
condition = 25.0
start = [-3.5, 1.5]
[[runs]]
name = "tuned"
optimizer = "momentum"
lr = 0.2
beta = 0.4444444444444444
[[runs]]
name = "slow"
optimizer = "gd"
lr = 0.001
"""


def thinned_playback(monkeypatch, text=CONVERGING, steps=400):
    from gdtui import limits
    from gdtui.playback import Playback
    from gdtui.scenario import parse

    monkeypatch.setattr(limits, "HISTORY_BYTES", 1)   # the least history: 64 ticks
    pb = Playback(parse(text, "t.toml"))
    pb.step(steps)
    return pb


def test_theory_reads_a_thinned_history_where_a_run_converged_at_a_tick_it_dropped(monkeypatch):
    from gdtui import theory_report
    from gdtui.playback import theory as panels
    from gdtui.scenario import parse

    pb = thinned_playback(monkeypatch)
    h = pb.race.history
    stopped = int(pb.race.converged_at[0])
    assert stopped > 0 and h.row(stopped) is None        # the tick it converged at is thinned away
    data = panels.build(pb, 0)                           # the app's theory screen
    assert data.rate_map is not None and data.eigen is not None
    result = theory_report.analyse(parse(CONVERGING, "t.toml"))   # gdtui theory: the app's bounded history
    assert [r["name"] for r in result["runs"]] == ["tuned", "slow"]


def test_the_landscape_projection_follows_a_thinning_history(monkeypatch):
    from gdtui import limits
    from gdtui.playback import Playback

    monkeypatch.setattr(limits, "HISTORY_BYTES", 1)
    pb = Playback(load("landscape"))
    pb.toggle_landscape()
    thinned = False
    for _ in range(100):
        pb.step(1)
        info = pb.frame().landscape
        plane = pb.landscape.shown.plane
        thinned |= pb.race.history.layout > 0
        np.testing.assert_allclose([row.params for row in info.frame.runs], plane.coordinates(pb.race.P),
                                   rtol=1e-12, atol=1e-12)
    assert thinned


def test_an_early_end_still_reports_the_settings_of_later_events():
    from gdtui.headless import SUMMARY
    from gdtui.scenario import parse

    text = CONVERGING.replace("steps = 400", "steps = 2000").replace(
        'name = "slow"\noptimizer = "gd"\nlr = 0.001', 'name = "slow"\noptimizer = "gd"\nlr = 0.07') + \
        '[[events]]\nat = 1500\nset = { run = "slow", lr = 0.01 }\n'
    sc = parse(text, "t.toml")
    early = simulate(sc, until_done=True, **SUMMARY)
    assert early.done and early.tick < 1500
    assert early.lr0.tolist() == simulate(sc).lr0.tolist() == [0.2, 0.01]
