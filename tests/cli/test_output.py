"""What the headless commands print: never cut, markup-safe, honest units, strict types.

Each test here was written against a defect a user hit (issue #10, part 2).
"""

import io
import re

import pytest
from rich.console import Console

from gdtui import headless, sweep
from gdtui.scenario import load

from .conftest import BASE

NUMBER = re.compile(r"-?\d+(\.\d+)?(e[+-]\d+)?")


def test_piped_run_tables_are_never_cut(gdtui):
    """batch_size's table is wider than 80 columns: piped, it used to read "best lo…", "7.69e-…"."""
    r = gdtui("run", "batch_size")
    assert r.code == 0 and "…" not in r.out
    doc = gdtui("run", "batch_size", "--json").json()
    for run in doc["runs"]:
        gap = f"{run['final_loss'] - doc['f_star']:.2e}"
        assert any(run["name"] in line and gap in line for line in r.out.splitlines()), gap
    assert "best loss" in r.out and "f − f*" in r.out


def _visible_numbers(text: str) -> list[str]:
    return [m.group(0) for m in NUMBER.finditer(text)]


def test_a_narrow_terminal_drops_columns_never_digits():
    sc = load("batch_size")
    race = headless.simulate(sc)
    wide, narrow = io.StringIO(), io.StringIO()
    headless.print_table(sc, race, Console(file=wide, width=200, force_terminal=True, color_system=None))
    headless.print_table(sc, race, Console(file=narrow, width=60, force_terminal=True, color_system=None))
    out = narrow.getvalue()
    assert "…" not in out
    assert all(len(line) <= 60 for line in out.splitlines())
    # every number shown on the narrow terminal is shown whole: it appears on the wide one too
    wide_numbers = set(_visible_numbers(wide.getvalue()))
    assert set(_visible_numbers(out)) <= wide_numbers
    for run in sc.runs:  # every run is still there, by its whole name
        assert run.name in out


LONG_NAMES = BASE.replace('name = "GD"', 'name = "plain gradient descent at a small rate"') + """
[[runs]]
name = "Adam with the seed's defaults and a much larger rate"
optimizer = "adam"
lr = 0.3
"""


def test_piped_sweep_table_is_never_cut(gdtui, scenario_file):
    r = gdtui("sweep", scenario_file(LONG_NAMES), "--points", "6", "--steps", "40")
    assert r.code == 0
    table = r.out[r.out.index("run "):]
    assert "…" not in table and "stable from" in table
    assert "plain gradient descent at a small rate" in table and "much larger rate" in table


def test_list_keeps_the_square_brackets_of_toml_tables(gdtui):
    r = gdtui("list")
    assert "[problem]" in r.out and "[[runs]]" in r.out


def test_sweep_of_an_epoch_clocked_scenario_counts_epochs(gdtui):
    r = gdtui("sweep", "spiral", "--points", "3", "--epochs", "4")
    assert r.code == 0
    assert "4 epochs" in r.out and "steps" not in r.out


def test_sweep_explains_its_plot_on_a_narrow_terminal(gdtui):
    """The plot's explanation used to be its plotext title, cut below ~110 columns."""
    r = gdtui("sweep", "bowl", "--points", "6", "--steps", "40")
    flat = " ".join(r.out.split())
    assert "vertical lines: each run's largest stable lr" in flat
    assert "2/λmax" in flat


def test_piped_sweep_plot_marks_each_run_with_its_own_glyph(gdtui):
    r = gdtui("sweep", "bowl", "--points", "6", "--steps", "40")
    legend = [line for line in r.out.splitlines() if "GD" in line and "Adam" in line][0]
    marks = re.findall(r"(\S) (GD|Momentum tuned|Momentum 0\.9|Adam)\b", legend)
    glyphs = [m[0] for m in marks]
    assert len(glyphs) == 4 and len(set(glyphs)) == 4
    plot = r.out[: r.out.index(legend)]
    drawn = [glyph for glyph in glyphs if glyph in plot]  # (a run can lie under another everywhere)
    assert len(drawn) >= 3


def test_json_booleans_are_booleans(gdtui):
    doc = gdtui("run", "adam_bias", "--json", "--steps", "2").json()
    flags = [run["hyper"]["bias_correction"] for run in doc["runs"]]
    assert flags == [True, False] and all(type(flag) is bool for flag in flags)


def test_bench_shows_progress_on_stderr(gdtui, monkeypatch):
    from gdtui import bench

    monkeypatch.setattr(bench, "mlp_course_ratio", lambda epochs: {"epochs": epochs, "course_loop_s": 2.0,
                        "batched_s": 1.0, "ratio": 2.0, "target": 5.0, "same_accuracy": True})
    monkeypatch.setattr(bench, "mlp_sweep_ratio", lambda points, epochs: {"runs": 48, "epochs": epochs,
                        "batched_s": 1.0, "course_loop_s": 1.0, "batched_us_per_run_epoch": 20.0,
                        "course_loop_us_per_epoch": 600.0, "ratio": 30.0, "target": 15.0, "same_accuracy": True})
    monkeypatch.setattr(bench, "sweep_ratio", lambda points, steps: {"runs": 5, "steps": steps, "batched_s": 0.1,
                        "target_batched_s": 0.5, "loop_s": 1.0, "ratio": 10.0, "target_ratio": 20.0,
                        "same_results": True})
    monkeypatch.setattr(bench, "rendering_budget", lambda frames: {"scenario": "ravine", "size": "200x60",
                        "frames": frames, "median_cpu_ms": 1.0, "target_cpu_ms": 5.0, "median_bytes": 100,
                        "mean_bytes": 100, "target_bytes": 4096, "max_bytes": 200})
    monkeypatch.setattr(bench, "landscape_grid", lambda repeat: {"grid": "60x40", "batched_s": 0.03, "target_s": 0.3,
                        "one_by_one_s": 0.1, "ratio": 3.3, "same_results": True})
    monkeypatch.setattr(bench, "startup", lambda repeat: {"first_frame_s": 0.5, "target_first_frame_s": 1.0,
                        "help_s": 0.05, "target_help_s": 0.3})
    r = gdtui("bench", "--quick")
    assert r.code == 0
    lines = r.err.splitlines()
    assert len(lines) >= 4 and all(line.startswith("gdtui bench: ") for line in lines)
    assert "1/6" in r.err and "6/6" in r.err


def test_the_mlp_sweep_bench_compares_the_same_computation():
    """The course loop's run and the sweep's copy of it end at the same accuracy (no timing is
    asserted: these machines are shared)."""
    from gdtui import bench

    figure = bench.mlp_sweep_ratio(points=4, epochs=20)
    assert figure["runs"] == 12 and figure["epochs"] == 20 and figure["same_accuracy"] is True


def test_snapshot_svg_keeps_its_spaces(gdtui, tmp_path):
    out = tmp_path / "s.svg"
    assert gdtui("snapshot", "bowl", "--steps", "1", "--out", out).code == 0
    head = out.read_text()[:400]
    assert re.search(r"<svg[^>]*xml:space=\"preserve\"", head)


def test_sweep_plot_text_fits_the_console():
    result = sweep.run_sweep(load("bowl"), sweep.lr_grid(1e-3, 1, 4), 10)[1]
    out = io.StringIO()
    sweep.print_report(result, Console(file=out, width=70, force_terminal=True, color_system=None))
    assert all(len(line) <= 70 for line in out.getvalue().splitlines())
