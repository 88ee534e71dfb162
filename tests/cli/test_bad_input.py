"""Bad input is expected input: one line on stderr naming file and field, exit 2."""

import pytest

from .conftest import BASE, gdtui_process

RUN_EXTRA = "\n[[runs]]\nname = \"X\"\noptimizer = \"adam\"\n"

CASES = {
    "unknown top key": (BASE.replace('title = "t"', 'titel = "t"'), "titel: unknown key (did you mean 'title'?)"),
    "unknown run key": (BASE.replace("lr = 0.05", "lr = 0.05\nbeat = 0.9"), "runs[0].beat: unknown key (did you mean 'beta'?)"),
    "misspelt problem key": (BASE.replace('name = "bowl"', 'name = "bowl"\nconditon = 3.0'), "problem.conditon: unknown key (did you mean 'condition'?)"),
    "wrong type": (BASE.replace("lr = 0.05", 'lr = "fast"'), "runs[0].lr: must be a number (got 'fast')"),
    "unknown optimizer": (BASE.replace('optimizer = "gd"', 'optimizer = "adma"'), "runs[0].optimizer: unknown value 'adma' (did you mean 'adam'?)"),
    "unknown surface": (BASE.replace('name = "bowl"', 'name = "bowel"'), "problem.name: unknown value 'bowel' (did you mean 'bowl'?)"),
    "unknown problem type": (BASE.replace('type = "surface"', 'type = "svm"'), "problem.type: unknown value 'svm'"),
    "lr zero": (BASE.replace("lr = 0.05", "lr = 0"), "runs[0].lr: must be > 0 (got 0.0)"),
    "lr negative": (BASE.replace("lr = 0.05", "lr = -0.1"), "runs[0].lr: must be > 0 (got -0.1)"),
    "beta one": (BASE.replace('optimizer = "gd"', 'optimizer = "momentum"\nbeta = 1.0'), "runs[0].beta: must be in [0, 1) (got 1.0)"),
    "beta2 negative": (BASE + RUN_EXTRA + "beta2 = -0.1\n", "runs[1].beta2: must be in [0, 1) (got -0.1)"),
    "beta on adam": (BASE + RUN_EXTRA + "beta = 0.9\n", "runs[1].beta: not a hyperparameter of adam (it takes: beta1, beta2, epsilon, bias_correction)"),
    "batch too big": (BASE.replace('type = "surface"\nname = "bowl"', 'type = "linreg"\nsamples = 50').replace("lr = 0.05", "lr = 0.05\nbatch = 64"), "runs[0].batch: larger than the data (64 > 50 samples)"),
    "batch zero": (BASE.replace("lr = 0.05", "lr = 0.05\nbatch = 0"), "runs[0].batch: must be >= 1 (got 0)"),
    "batch word": (BASE.replace("lr = 0.05", 'lr = 0.05\nbatch = "half"'), "runs[0].batch: must be \"full\" or an integer >= 1 (got 'half')"),
    "start length": (BASE.replace("start = [-3.0, 1.5]", "start = [1.0, 2.0, 3.0]"), "problem.start: must be a list of 2 numbers"),
    "non-finite": (BASE.replace("lr = 0.05", "lr = nan"), "runs[0].lr: must be a finite number (got nan)"),
    "infinite start": (BASE.replace("start = [-3.0, 1.5]", "start = [inf, 1.5]"), "problem.start[0]: must be a finite number (got inf)"),
    "malformed toml": (BASE.replace("lr = 0.05", "lr = = 0.05"), "invalid TOML: Invalid value (at line 11, column 6)"),
    "duplicate run": (BASE + '\n[[runs]]\nname = "GD"\noptimizer = "adam"\n', "runs[1].name: 'GD' is used twice"),
    "no runs": (BASE.split("[[runs]]")[0], "runs: missing"),
    "negative condition": (BASE.replace('name = "bowl"', 'name = "bowl"\ncondition = -2.0'), "problem.condition: must be > 0 (got -2.0)"),
    "epochs on a surface": (BASE.replace("steps = 20", "epochs = 20"), "epochs: epochs count passes over data; this problem has none: use steps"),
    "view reversed": (BASE + "[view]\nx = [1.0, -1.0]\ny = [-1.0, 1.0]\n", "view.x: low must be below high"),
    "schedule type": (BASE.replace("lr = 0.05", 'lr = 0.05\nschedule = { type = "steps" }'), "runs[0].schedule.type: unknown value 'steps' (did you mean 'step'?)"),
    "event unknown run": (BASE + '[[events]]\nat = 3\nset = { run = "Adma", lr = 0.1 }\n', "events[0].set.run: unknown value 'Adma'"),
    "event past the end": (BASE + '[[events]]\nat = 21\nsay = "late"\n', "events[0].at: past the end (21 > 20 steps)"),
    "event unknown key": (BASE + '[[events]]\nat = 3\nsai = "typo"\n', "events[0].sai: unknown key (did you mean 'say'?)"),
    "event set hyper of another rule": (BASE + '[[events]]\nat = 3\nset = { run = "GD", beta = 0.5 }\n', "events[0].set.beta: not a hyperparameter of gd"),
    "event set nothing": (BASE + '[[events]]\nat = 3\nset = { run = "GD" }\n', "events[0].set: names a run but changes nothing"),
    "event focus": (BASE + '[[events]]\nat = 3\nfocus = "Nobody"\n', "events[0].focus: unknown value 'Nobody'"),
    "event without at": (BASE + '[[events]]\nsay = "when?"\n', "events[0].at: missing"),
    "schedule key": (BASE.replace("lr = 0.05", 'lr = 0.05\nschedule = { type = "step", decay = 1.0 }'), "runs[0].schedule.decay: unknown key (did you mean 'decay_rate'?)"),
}


MLP = '''
epochs = 5
[problem]
type = "mlp"
layers = [2, 5, 2, 1]
dataset = "moons"
samples = 100
[[runs]]
name = "GD"
optimizer = "gd"
lr = 0.1
batch = 32
'''

MLP_CASES = {
    "first layer": (MLP.replace("[2, 5, 2, 1]", "[3, 5, 1]"), "problem.layers: must start with the data dimension 2 (got 3)"),
    "last layer": (MLP.replace("[2, 5, 2, 1]", "[2, 5, 2]"), "problem.layers: must end in 1 output unit for binary classification (got 2)"),
    "zero width": (MLP.replace("[2, 5, 2, 1]", "[2, 0, 1]"), "problem.layers[1]: must be >= 1 (got 0)"),
    "layers not a list": (MLP.replace("[2, 5, 2, 1]", "5"), "problem.layers: must be a list of at least two layer sizes"),
    "unknown dataset": (MLP.replace('"moons"', '"moon"'), "problem.dataset: unknown value 'moon' (did you mean 'moons'?)"),
    "unknown activation": (MLP.replace('dataset = "moons"', 'dataset = "moons"\nactivation = "relu6"'), "problem.activation: unknown value 'relu6' (did you mean 'relu'?)"),
    "samples": (MLP.replace("samples = 100", "samples = 1"), "problem.samples: must be >= 2 (got 1)"),
    "batch above samples": (MLP.replace("batch = 32", "batch = 101"), "runs[0].batch: larger than the data (101 > 100 samples)"),
    "start on mlp": (MLP.replace('samples = 100', 'samples = 100\nstart = [0.0, 0.0]'), "problem.start: the MLP starts from its initialisation"),
    "course with steps": (MLP.replace("epochs = 5", 'steps = 5\ncompat = "course"'), "compat: course mode trains for a number of epochs"),
    "course on a surface": (BASE.replace('title = "t"', 'compat = "course"'), "compat: 'course' applies to problem.type = 'mlp' (got 'surface')"),
}

@pytest.mark.parametrize("case", list(CASES) + list(MLP_CASES))
def test_bad_scenario(gdtui, scenario_file, case):
    text, expected = CASES.get(case) or MLP_CASES[case]
    path = scenario_file(text)
    r = gdtui("run", path)
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith(f"gdtui: error: {path}: ")
    assert expected in lines[0]


@pytest.mark.parametrize("argv,expected", [
    (["run", "nothere.toml"], "nothere.toml: no such file or bundled scenario"),
    (["run", "ravin"], "ravin: no such file or bundled scenario (did you mean 'ravine'?)"),
    (["run", "bowl", "--fast"], "unrecognized arguments: --fast"),
    (["run", "bowl", "--steps", "0"], "argument --steps: must be >= 1, got 0"),
    (["run", "bowl", "--steps", "ten"], "argument --steps: expected an integer >= 1, got 'ten'"),
    (["run", "bowl", "--epochs", "5"], "bowl: this scenario counts steps: use --steps"),
    (["run", "bowl", "--steps", "3", "--epochs", "5"], "not allowed with argument"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["run"], "the following arguments are required: SCENARIO"),
])
def test_bad_command_line(gdtui, argv, expected):
    r = gdtui(*argv)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdtui: error: ") and expected in lines[0], r.err


def test_no_traceback_from_the_real_entry_point(scenario_file):
    path = scenario_file(BASE.replace("lr = 0.05", "lr = -3"))
    for argv in (["run", path], ["run", "missing.toml"], ["run", "bowl", "--nope"], ["check", path]):
        r = gdtui_process(*argv)
        assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1



def test_mlp_json_reports_accuracy_and_epochs(gdtui, scenario_file):
    doc = gdtui("run", scenario_file(MLP), "--json").json()
    run = doc["runs"][0]
    assert run["epochs"] == 5 and run["updates"] == 5 * 4
    assert 0 <= run["accuracy"] <= 1 and len(run["params"]) == 15 + 12 + 3
