"""`gdtui bench`: speed figures, measured as ratios side by side in one process.

These machines are shared and noisy, so no figure here is a bare duration
compared with a fixed limit: each is a ratio of two computations of the same
result timed back to back, or a budget reported for a person to read. CPU
time of this process (time.process_time) is used, not wall time.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np


def cpu_seconds(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.process_time()
    result = fn(*args, **kwargs)
    return time.process_time() - start, result


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
    }


def mlp_course_ratio(epochs: int = 10000) -> dict:
    """The three course runs (GD, momentum, Adam) of course_moons: the batched race
    against the course's dict-based loop run three times."""
    from . import course_loop
    from .core.data import course_moons
    from .headless import simulate
    from .scenario import load

    X, y = course_moons()
    X, Y = X.T, y[None]

    def course_three_times():
        out = {}
        for rule in ("gd", "momentum", "adam"):
            params, _ = course_loop.model(X, Y, [2, 5, 2, 1], rule, num_epochs=epochs)
            out[rule] = course_loop.predict(X, Y, params)
        return out

    sc = load("course_moons")
    baseline, course_acc = cpu_seconds(course_three_times)
    batched, race = cpu_seconds(simulate, sc, epochs)
    acc = race.problem.accuracy(race.P)
    same = bool(np.allclose(acc, [course_acc["gd"], course_acc["momentum"], course_acc["adam"]]))
    return {
        "epochs": epochs,
        "course_loop_s": round(baseline, 3),
        "batched_s": round(batched, 3),
        "ratio": round(baseline / batched, 2),
        "target": 2.0,   # three tiny runs: numpy's cost per call, not arithmetic, bounds what batching gains
        "same_accuracy": same,
    }


def mlp_sweep_ratio(points: int = 16, epochs: int = 1000) -> dict:
    """A sweep of course_moons (GD, momentum and Adam × `points` rates: R ≥ 48 runs) against the
    course's own loop, per run-epoch. The loop trains each of the three rules once, at the sweep's
    middle rate (the same mix of rules as the sweep), and each must end at the accuracy of its
    copy in the sweep."""
    from . import course_loop
    from .core.data import course_moons
    from .scenario import load
    from .sweep import lr_grid, sweep_race

    lrs = lr_grid(1e-4, 1.0, points)
    race = sweep_race(load("course_moons"), lrs, epochs)
    batched, _ = cpu_seconds(race.step, epochs)
    X, Y = course_moons()[0].T, course_moons()[1][None]
    k = points // 2

    def course_trio():
        return [course_loop.model(X, Y, [2, 5, 2, 1], rule, learning_rate=float(lrs[k]), num_epochs=epochs)[0]
                for rule in ("gd", "momentum", "adam")]

    looped, trained = cpu_seconds(course_trio)
    accuracy = race.problem.accuracy(race.P[[k, points + k, 2 * points + k]])
    same = bool(np.allclose([course_loop.predict(X, Y, params) for params in trained], accuracy))
    per_run_epoch, per_epoch = batched / (race.R * epochs), looped / (3 * epochs)
    return {"runs": race.R, "epochs": epochs, "batched_s": round(batched, 3), "course_loop_s": round(looped, 3),
            "batched_us_per_run_epoch": round(1e6 * per_run_epoch, 2),
            "course_loop_us_per_epoch": round(1e6 * per_epoch, 2),
            "ratio": round(per_epoch / per_run_epoch, 1), "target": 15.0, "same_accuracy": same}


SWEEP_BENCH = """
title = "sweep bench: five rules on the bowl"
steps = 1000
tolerance = 0.0
[problem]
type = "surface"
name = "bowl"
condition = 25.0
start = [-3.5, 1.5]
[[runs]]
optimizer = "gd"
[[runs]]
optimizer = "momentum"
[[runs]]
optimizer = "nesterov"
[[runs]]
optimizer = "rmsprop"
[[runs]]
optimizer = "adam"
"""


def sweep_ratio(points: int = 64, steps: int = 1000) -> dict:
    """5 rules x `points` learning rates x `steps` steps on the bowl: one batched race
    against the same runs stepped one at a time (a race of one run each) in a loop."""
    from .core.race import Race
    from .scenario import parse
    from .sweep import lr_grid, sweep_race

    sc = parse(SWEEP_BENCH, "sweep-bench")
    lrs = lr_grid(1e-4, 10.0, points)
    race = sweep_race(sc, lrs, steps)
    batched, _ = cpu_seconds(race.step, steps)

    def one_at_a_time():
        finals = []
        for run in race.runs:
            single = Race(race.problem, [run], race.start, tolerance=0.0, length=steps, keep_history=False)
            single.step(steps)
            finals.append(single.history.loss[-1, 0])
        return np.array(finals)

    looped, finals = cpu_seconds(one_at_a_time)
    same = bool(np.allclose(finals, race.history.loss[-1], rtol=1e-12, equal_nan=True))
    return {"runs": len(race.runs), "steps": steps, "batched_s": round(batched, 3), "target_batched_s": 0.5,
            "loop_s": round(looped, 3), "ratio": round(looped / batched, 1), "target_ratio": 20.0,
            "same_results": same}


def landscape_grid(cols: int = 60, rows: int = 40, repeat: int = 3) -> dict:
    """The loss over a cols × rows grid of the course net's PCA plane: every grid point a row
    of one batched evaluation, against the same points evaluated one network at a time."""
    from .core import landscape
    from .scenario import load

    race = load("course_moons").build_race()
    race.step(200)
    problem, paths = race.problem, race.history.params
    plane, box = landscape.fit_view("pca", paths, race.diverged_at, problem)
    xs, ys = landscape.grid(box, cols, rows)
    batched, grid_loss = min((cpu_seconds(landscape.plane_losses, problem, plane, xs, ys) for _ in range(repeat)),
                             key=lambda timed: timed[0])

    def one_by_one():
        return np.array([[problem.loss(plane.points(np.array([[x, y]])))[0] for x in xs] for y in ys])

    looped, single = cpu_seconds(one_by_one)
    return {"grid": f"{cols}x{rows}", "batched_s": round(batched, 4), "target_s": 0.3,
            "one_by_one_s": round(looped, 3), "ratio": round(looped / batched, 1),
            "same_results": bool(np.allclose(single, grid_loss, rtol=1e-12))}


def rendering_budget(frames: int = 200, size=(200, 60)) -> dict:
    """Playing ravine (five runs) at 200x60 through the real app: CPU time and bytes
    written per frame, in steady state (the first 30 frames are not counted)."""
    os.environ["COLORTERM"] = "truecolor"  # measure the true-colour output a modern terminal gets
    from .scenario import load
    from .ui.frames import play_frames

    stats = play_frames(load("ravine"), frames, size=size, warmup=30)
    return {
        "scenario": "ravine", "size": f"{size[0]}x{size[1]}", "frames": len(stats.cpu_ms),
        "median_cpu_ms": round(stats.median_cpu_ms(), 2), "target_cpu_ms": 5.0,
        "median_bytes": int(stats.median_bytes()), "target_bytes": 4096,
        "mean_bytes": int(stats.mean_bytes()), "max_bytes": max(stats.bytes) if stats.bytes else 0,
    }


def _wall_seconds(argv: list[str], repeat: int) -> float:
    """Median wall time of running `python -m gdtui ARGV` (a fresh process each time)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gdtui", *argv], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup(repeat: int = 3) -> dict:
    """From starting gdtui to its first frame (a whole process that shows one frame
    and exits: an upper bound), and `gdtui --help`."""
    return {
        "first_frame_s": round(_wall_seconds(["play", "ravine", "--headless", "--frames", "1"], repeat), 3),
        "target_first_frame_s": 1.0,
        "help_s": round(_wall_seconds(["--help"], repeat), 3),
        "target_help_s": 0.3,
    }


def run_all(quick: bool = False, progress=None) -> dict:
    """Every figure; `progress(text)` is told what is being measured, as it starts and ends
    (the command line prints it on stderr: a full run takes about a minute)."""
    say = progress or (lambda text: None)
    parts = [
        ("mlp_course", "course_moons: the course loop ×3 against the batched race",
         lambda: mlp_course_ratio(1000 if quick else 10000)),
        ("mlp_sweep", "course_moons: a sweep of 48 runs against the course loop, per run-epoch",
         lambda: mlp_sweep_ratio(16, 200 if quick else 1000)),
        ("sweep", "sweep: 320 runs batched against one at a time", lambda: sweep_ratio(64, 200 if quick else 1000)),
        ("landscape", "landscape: a 60x40 grid of the course net's loss, batched against one by one",
         lambda: landscape_grid(repeat=1 if quick else 3)),
        ("rendering", "rendering: ravine played at 200x60 through the app",
         lambda: rendering_budget(60 if quick else 200)),
        ("startup", "startup: gdtui to its first frame, and gdtui --help", lambda: startup(1 if quick else 3)),
    ]
    report = {"machine": machine()}
    for k, (key, what, measure) in enumerate(parts, 1):
        say(f"[{k}/{len(parts)}] {what}…")
        start = time.perf_counter()
        report[key] = measure()
        say(f"[{k}/{len(parts)}] done in {time.perf_counter() - start:.1f} s")
    return report


def print_report(report: dict, console=None):
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    m = report["machine"]
    console.print(f"[bold]gdtui bench[/] on {m['system']} {m['machine']}, {m['cpus']} CPUs, "
                  f"Python {m['python']}, numpy {m['numpy']} (CPU time of this process)")
    table = Table(show_edge=False)
    for col in ("figure", "measured", "target", "met"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    mlp = report["mlp_course"]
    table.add_row(f"course_moons, {mlp['epochs']} epochs: course loop ×3 / batched race",
                  f"{mlp['ratio']:.2f}× ({mlp['course_loop_s']:.2f} s / {mlp['batched_s']:.2f} s)",
                  f"≥ {mlp['target']:g}×", _met(mlp["ratio"] >= mlp["target"]))
    ms = report["mlp_sweep"]
    table.add_row(f"course_moons sweep, {ms['runs']} runs × {ms['epochs']} epochs: course loop / batched, "
                  "per run-epoch", f"{ms['ratio']:.1f}× ({ms['course_loop_us_per_epoch']:.0f} µs / "
                  f"{ms['batched_us_per_run_epoch']:.1f} µs)", f"≥ {ms['target']:g}×",
                  _met(ms["ratio"] >= ms["target"] and ms["same_accuracy"]))
    sw = report["sweep"]
    table.add_row(f"sweep: {sw['runs']} runs x {sw['steps']} steps on the bowl, batched",
                  f"{sw['batched_s']:.3f} s", f"≤ {sw['target_batched_s']:g} s",
                  _met(sw["batched_s"] <= sw["target_batched_s"]))
    table.add_row("sweep: one run at a time / batched", f"{sw['ratio']:.1f}× ({sw['loop_s']:.2f} s)",
                  f"≥ {sw['target_ratio']:g}×", _met(sw["ratio"] >= sw["target_ratio"]))
    g = report["landscape"]
    table.add_row(f"landscape: {g['grid']} grid of the course net's loss, batched",
                  f"{g['batched_s']:.3f} s", f"≤ {g['target_s']:g} s", _met(g["batched_s"] <= g["target_s"]))
    table.add_row("landscape: one network at a time / batched", f"{g['ratio']:.1f}× ({g['one_by_one_s']:.2f} s)",
                  "", _met(g["same_results"]))
    r = report["rendering"]
    table.add_row(f"{r['scenario']} at {r['size']}, median CPU per frame (simulation + rendering)",
                  f"{r['median_cpu_ms']:.2f} ms", f"≤ {r['target_cpu_ms']:g} ms",
                  _met(r["median_cpu_ms"] <= r["target_cpu_ms"]))
    table.add_row(f"{r['scenario']} at {r['size']}, median bytes written per frame",
                  f"{r['median_bytes']} B (mean {r['mean_bytes']}, max {r['max_bytes']})", f"≤ {r['target_bytes']} B",
                  _met(r["median_bytes"] <= r["target_bytes"]))
    st = report["startup"]
    table.add_row("gdtui start to first frame (whole process, upper bound)", f"{st['first_frame_s']:.2f} s",
                  f"≤ {st['target_first_frame_s']:g} s", _met(st["first_frame_s"] <= st["target_first_frame_s"]))
    table.add_row("gdtui --help", f"{st['help_s']:.2f} s", f"≤ {st['target_help_s']:g} s",
                  _met(st["help_s"] <= st["target_help_s"]))
    console.print(table)


def _met(ok: bool) -> str:
    return "yes" if ok else "[red]no[/]"
