"""Input that used to end in a traceback (issue #15, part 1): each is one line and exit 2 now."""

import os
import subprocess
import sys

import pytest

from gdtui import limits
from gdtui.scenario import load

from .conftest import gdtui_process

RAVINE = open(os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "ravine.toml")).read()
BOWL = open(os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "bowl.toml")).read()
SPIRAL = open(os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "spiral.toml")).read()


def variant(text, old, new):
    assert old in text
    return text.replace(old, new, 1)


CASES = {
    "problem seed -1": (variant(RAVINE, "[problem]\n", "[problem]\nseed = -1\n"), "problem.seed: must be >= 0"),
    "steps 2**70": (variant(RAVINE, "steps = 200", f"steps = {2**70}"), "steps: must be <= 100000"),
    "batch 2**70": (variant(RAVINE, "batch = 32", f"batch = {2**70}"), "batch: must be <= "),
    "samples 2**70": (variant(RAVINE, "samples = 256", f"samples = {2**70}"), "problem.samples: must be <= 100000"),
    "samples 10**7": (variant(RAVINE, "samples = 256", "samples = 10000000"), "problem.samples: must be <= 100000"),
    "x_mean 1e300": (variant(RAVINE, "x_mean = 0.0", "x_mean = 1e300"), "problem.x_mean: must be <= 1e+06"),
    "x_std 1e-300": (variant(RAVINE, "x_std = 0.1", "x_std = 1e-300"), "problem.x_std: must be >= 1e-06"),
    "nested 5000 deep": ("title = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    "nested 300 deep": ("title = " + "[" * 300 + "]" * 300 + "\n", "nested more than 200 levels"),
    "a layer of 2000": (variant(SPIRAL, "layers = [2, 16, 16, 1]", "layers = [2, 2000, 2000, 1]"), "must be <= 1024"),
    "a newline in a run name": (variant(RAVINE, 'name = "GD"', 'name = "G\\nD"'), "must not contain control characters"),
    "ESC in the title": (variant(RAVINE, 'title = "', 'title = "\\u001b[31m'), "title: must not contain control"),
    "an infinite start": (variant(BOWL, "start = [-3.5, 1.5]", "start = [1e154, 1e154]"),
                          "problem.start: the loss at [1e+154, 1e+154] is not a finite number"),
    "a network too big for one pass over its data": (
        variant(variant(SPIRAL, "layers = [2, 16, 16, 1]", "layers = [2, 256, 256, 1]"), "samples = 400", "samples = 100000"),
        # (256 + 1) + (256 + 1) + (1 + 1) units and bias rows per example
        "4 runs × 100000 samples × 516 units in one pass over the data: the limit is 16000000 numbers"),
    "an unknown key of control characters": (RAVINE + '"\\u001b[2J\\n\\u001f" = 0\n', "\\x1b[2J\\n\\x1f: unknown key"),
    "an integer of 5001 digits": ("steps = " + "9" * 5001 + "\n", "invalid TOML: an integer too long to read (more than 4300 digits)"),
    "epochs of 100000 one-example batches": (
        'title = "t"\nepochs = 100\n[problem]\ntype = "linreg"\nsamples = 100000\n'
        '[[runs]]\nname = "SGD"\noptimizer = "gd"\nlr = 0.01\nbatch = 1\n',
        "epochs: 100 epochs × 100000 updates per epoch (the smallest batch) = 10000000 updates: the limit is 100000"),
    "lr 1e300": (variant(BOWL, "lr = 0.075", "lr = 1e300"), "runs[0].lr: must be <= 1e+06"),
    "lr 1e-300": (variant(BOWL, "lr = 0.075", "lr = 1e-300"), "runs[0].lr: must be >= 1e-12"),
    "a name of 100000 characters": (variant(RAVINE, 'name = "GD"', 'name = "' + "G" * 100_000 + '"'),
                                    "runs[0].name: 100000 characters: the limit is 200"),
    "a view of a million numbers": (variant(BOWL, "[problem]", "view = { x = [" + "1, " * 10**6 + "2], y = [0, 1] }\n[problem]"),
                                    "view.x: must be a list of two numbers [low, high] (got [1, 1, 1"),
    "a cosine schedule down to 1e308": (variant(BOWL, "lr = 0.075", 'lr = 0.075\nschedule = {type = "cosine", lr_min = 1e308}'),
                                        "runs[0].schedule.lr_min: must be <= 1e+06"),
    "an integer beyond any float": (variant(BOWL, "condition = 25.0", "condition = 1" + "0" * 400),
                                    "problem.condition: must be a finite number (got 100000…(401 digits))"),
    "noise -0.0 on a network": (variant(SPIRAL, "noise = 0.1", "noise = -0.0"), None),
    "a million parameters": (variant(SPIRAL, "layers = [2, 16, 16, 1]", "layers = [2, 1000, 1000, 1]"),
                             "parameters per run: the limit is 100000"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_numbers_are_one_line(case, tmp_path):
    text, expected = CASES[case]
    f = tmp_path / "bad.toml"
    f.write_text(text)
    if expected is None:   # (a value that is fine, and used to end in a traceback)
        assert gdtui_process("check", f).code == 0
        return
    for command in (["check"], ["run", "--json"]):
        r = gdtui_process(*command, f, timeout=60)
        assert r.code == 2 and expected in r.err and r.err.count("\n") == 1, (case, r.err[-500:])
        assert all(ch.isprintable() for ch in r.err[:-1])      # no escape sequence reaches the terminal
        assert len(r.err) < 600                                # nor a megabyte of the file
        assert "Traceback" not in r.err


def test_flags_beyond_the_limits(tmp_path):
    r = gdtui_process("run", "bowl", "--steps", "99999999999999999999")
    assert r.code == 2 and "must be <= 100000" in r.err and r.err.count("\n") == 1
    r = gdtui_process("sweep", "bowl", "--points", str(2**70))
    assert r.code == 2 and "must be <= 1000" in r.err
    assert limits.MAX_LENGTH == 100_000
    r = gdtui_process("run", "batch_size_epochs", "--epochs", "100000")     # 256 one-example batches an epoch
    assert r.code == 2 and r.err.count("\n") == 1
    assert "--epochs: 100000 epochs × 256 updates per epoch (the smallest batch) = 25600000 updates" in r.err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "gdtui", "run", "bowl", "--json"], stdout=full,
                           stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2 and "No space left on device" in p.stderr and p.stderr.count("\n") == 1


def test_play_without_a_terminal_says_so():
    p = subprocess.run([sys.executable, "-m", "gdtui", "play", "bowl"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "needs a terminal" in p.stderr and p.stdout == ""


def test_a_sweep_too_large_for_memory_is_refused(tmp_path):
    f = tmp_path / "wide.toml"
    f.write_text('title = "wide"\nepochs = 1\n[problem]\ntype = "mlp"\ndataset = "spiral"\nsamples = 400\n'
                 'layers = [2, 300, 300, 1]\n[[runs]]\nname = "GD"\noptimizer = "gd"\nlr = 0.1\n')   # 3·300 + 301·300 + 301 = 91,501 parameters
    r = gdtui_process("sweep", f, "--points", "200")
    assert r.code == 2 and r.err.count("\n") == 1
    assert "a sweep of 1 runs × 200 rates × 91501 parameters: the limit is 10000000 numbers" in r.err


EDGE = open(os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "edge_of_stability.toml")).read()


def test_a_race_of_too_much_arithmetic_is_refused(gdtui, tmp_path):
    """3000 full-batch steps of three [2, 300, 300, 1] networks on 300 examples: each step
    passes over the 300 examples twice (the update and the loss recorded) with 91,501
    parameters per run: 3000 × 3 × 91501 × 600 = 4.9e11 multiply-adds."""
    f = tmp_path / "big.toml"
    f.write_text(variant(EDGE, "layers = [2, 5, 2, 1]", "layers = [2, 300, 300, 1]"))
    r = gdtui("check", f)
    assert r.code == 2 and "steps: 3000 steps of this race are about 4.9e+11 multiply-adds of work: the limit is 5e+10" in r.err
    many = tmp_path / "many.toml"     # 1000 course networks (3·5 + 6·2 + 3·1 = 30 parameters), 3000 steps: 5.4e10
    many.write_text(EDGE.split("[[runs]]")[0] + "".join(f'[[runs]]\nname = "GD {i}"\noptimizer = "gd"\nlr = 0.5\n'
                                                         for i in range(1000)))
    r = gdtui("check", many)
    assert r.code == 2 and "steps: 3000 steps of this race are about 5.4e+10 multiply-adds" in r.err
    r = gdtui("sweep", "course_moons", "--points", "1000")
    assert r.code == 2 and "--points: 10000 epochs × 1000 rates of this race are about" in r.err


@pytest.mark.parametrize("argv, expected", [
    (("sweep", "bowl", "--lr", "-1:1"), "--lr: both bounds must be finite and > 0 (got -1:1)"),
    (("--steps", "5"), "unrecognized arguments: --steps"),
    (("snapshot", "bowl", "--out", ""), "--out: the file name is empty"),
    (("check", ""), "'': an empty scenario name"),
])
def test_messages_say_what_is_wrong(argv, expected):
    r = gdtui_process(*argv)
    assert r.code == 2 and expected in r.err and r.err.count("\n") == 1, r.err


def test_no_command_writes_over_its_own_scenario(tmp_path):
    f = tmp_path / "copy.toml"
    f.write_text(BOWL)
    r = gdtui_process("run", f, "--csv", f)
    assert r.code == 2 and "that is the scenario file itself" in r.err and f.read_text() == BOWL
    r = gdtui_process("run", f, "--csv", tmp_path / "out.csv")     # an output file may be replaced
    assert r.code == 0 and (tmp_path / "out.csv").read_text().startswith("step,run,loss,x,y")


# --- work that cannot finish, memory that grows (parts 2 and 3) ---------------------------------

def test_run_stops_once_every_run_has_stopped(gdtui):
    from gdtui.headless import simulate
    from gdtui.scenario import load

    race = simulate(load("bowl"), 2000)        # every tick computed: when did the last run stop?
    assert race.done
    last = int(max(race.converged_at.max(), race.diverged_at.max()))
    r = gdtui("run", "bowl", "--steps", "100000", "--json")
    doc = r.json()
    assert r.code == 0 and doc["steps"] == last and doc["length"] == 100000
    at_last = gdtui("run", "bowl", "--steps", last, "--json").json()
    assert doc["runs"] == at_last["runs"]       # the steps not computed would have changed nothing
    table = gdtui("run", "bowl", "--steps", "100000")
    assert f"every run had stopped by step {last}: the other {100000 - last} were not computed" in table.out


def test_flags_are_checked_before_anything_is_written(gdtui, tmp_path):
    out = tmp_path / "new.csv"
    r = gdtui("run", "bowl", "--history", "--csv", out)
    assert r.code == 2 and "--history needs --json" in r.err and not out.exists()
    r = gdtui("run", "bowl", "--csv", "")
    assert r.code == 2 and "--csv: the file name is empty" in r.err


def test_the_csv_is_written_as_the_race_runs_and_matches_its_history(gdtui, tmp_path):
    import csv

    from gdtui.headless import simulate
    from gdtui.scenario import load

    out = tmp_path / "ravine.csv"
    assert gdtui("run", "ravine", "--steps", "30", "--csv", out).code == 0
    rows = list(csv.reader(out.open()))
    race = simulate(load("ravine"), 30)
    assert rows[0] == ["step", "run", "loss", "w", "b"] and len(rows) == 1 + 31 * race.R
    for line in rows[1:]:
        t, r = int(line[0]), [run.name for run in race.runs].index(line[1])
        assert float(line[2]) == race.history.loss[t, r]
        assert [float(v) for v in line[3:]] == race.history.params[t, r].tolist()


def test_check_builds_no_race(gdtui, monkeypatch):
    """check reads the file and builds the problem; the race (and a pass over all the data for
    every run) is not needed to say the file is good."""
    from gdtui.core import race

    def refuse(*args, **kwargs):
        raise AssertionError("check built a race")

    monkeypatch.setattr(race.Race, "__init__", refuse)
    assert gdtui("check", "spiral", "course_moons", "bowl").code == 0


def test_a_sweep_too_big_for_one_pass_of_the_network_is_refused(gdtui):
    r = gdtui("sweep", "spiral", "--points", "1000", "--epochs", "1")
    assert r.code == 2 and "a sweep of 4 runs × 1000 rates (4000 runs) over 400 samples" in r.err and "fewer --points" in r.err
    assert r.err.count("\n") == 1


def test_a_sweep_refuses_a_start_the_other_commands_refuse(gdtui, tmp_path):
    f = tmp_path / "far.toml"
    f.write_text(CASES["an infinite start"][0])
    r = gdtui("sweep", f)
    assert r.code == 2 and CASES["an infinite start"][1] in r.err


def test_every_bundled_scenario_and_its_default_sweep_fit_the_limits():
    from gdtui.scenario import bundled_dir, load

    for path in sorted(bundled_dir().glob("*.toml")):
        sc = load(str(path))
        assert sc.length * sc.updates_per_tick <= limits.MAX_LENGTH
        assert sc.work(sc.length, 32) <= limits.MAX_WORK, path.name   # gdtui sweep's 32 rates


def test_runs_that_draw_their_own_noise_count_their_streams(gdtui, tmp_path):
    """1000 runs with batch 1 on the noisy bowl: each update draws noise from 1000 streams in
    Python, counted as 4,000 multiply-adds each. 300 steps × 1000 × 4,000 = 1.2e9 is fine, and so
    is the sweep's 32 rates of it (the copies of a run share its stream); 100,000 steps (4e11) are not."""
    f = tmp_path / "noisy.toml"
    f.write_text(variant(BOWL.split("[[runs]]")[0], "start = [-3.5, 1.5]", "start = [-3.5, 1.5]\nnoise = 1.0")
                 + "".join(f'[[runs]]\nname = "r{i}"\noptimizer = "gd"\nlr = 0.01\nbatch = 1\n' for i in range(1000)))
    assert gdtui("check", f).code == 0
    sc = load(str(f))
    assert sc.work(300, 32) == 300 * 1000 * limits.STREAM_STEP_WORK == 1.2e9
    r = gdtui("run", f, "--steps", "100000")
    assert r.code == 2 and "100000 steps of this race are about 4e+11 multiply-adds of work" in r.err


def test_serve_refuses_a_bad_scenario_and_bad_flags_in_one_line(gdtui, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("title = 1\n")
    for argv, expected in ((["serve", bad], "title: must be a string"),
                           (["serve", "bowl", "--port", "0"], "--port: must be >= 1, got 0"),
                           (["serve", "bowl", "--max-sessions", "0"], "--max-sessions: must be >= 1, got 0")):
        r = gdtui(*argv)
        assert r.code == 2 and expected in r.err and r.err.count("\n") == 1, r.err


def test_serve_fixes_the_command_each_visitor_runs():
    """The visitor's process runs this Python's gdtui on the teacher's scenario file, quoted:
    nothing of a request goes into it."""
    import shlex
    import sys

    from gdtui.serve import command_for

    assert shlex.split(command_for("/tmp/a b;rm -rf x.toml")) == [sys.executable, "-m", "gdtui", "play",
                                                                  "/tmp/a b;rm -rf x.toml"]


def test_serve_without_textual_serve_says_how_to_install_it(gdtui, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve", None)   # (import fails, as when not installed)
    r = gdtui("serve", "bowl")
    assert r.code == 2 and "serve needs textual-serve: pip install 'gdtui[serve]'" in r.err


def test_serve_on_a_port_in_use_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = gdtui_process("serve", "bowl", "--port", port, timeout=60)
    assert r.code == 2 and f"cannot listen on 127.0.0.1:{port}: " in r.err and r.err.count("\n") == 1, r.err


def test_serve_on_every_network_warns_first(tmp_path):
    import socket

    with socket.socket() as taken:   # (taken, so that the command ends after its warning)
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = gdtui_process("serve", "bowl", "--host", "0.0.0.0", "--port", port, timeout=60)
    lines = r.err.strip().splitlines()
    assert lines[0] == (f"gdtui serve: warning: listening on 0.0.0.0: anyone who can reach this machine on port "
                        f"{port} can start an app on it (at most 20 at once)")
    assert r.code == 2 and lines[1].startswith(f"gdtui: error: cannot listen on 0.0.0.0:{port}") and len(lines) == 2
