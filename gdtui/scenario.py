"""Scenario files: TOML -> a validated Scenario.

Every mistake becomes a ScenarioError naming the file and the field path
(`runs[1].lr`, `problem.condition`, `events[0].set.run`), so the command line
can print one line and exit 2. The format is documented in scenarios/README.md.
"""

from __future__ import annotations

import difflib
import math
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import limits
from .core.batches import FULL
from .core.catalog import PROBLEM_TYPES, make_problem, problem_params
from .core.optimizers import ALL_HYPER, FLAGS, RULES
from .core.problem import Param, Problem
from .core.race import Race, RunConfig
from .core.schedules import SCHEDULES
from .core.surfaces import SURFACES
from .errors import ScenarioError

TOP_KEYS = ("title", "description", "seed", "steps", "epochs", "tolerance", "compat", "speed",
            "problem", "view", "runs", "events")
RUN_KEYS = ("name", "optimizer", "lr", "batch", "schedule", *ALL_HYPER)
EVENT_KEYS = ("at", "say", "pause", "set", "speed", "focus", "spotlight", "view")
UNIT_INTERVAL = {"beta", "beta1", "beta2", "rho"}   # must lie in [0, 1)
DEFAULT_STEPS = 200


@dataclass
class Event:
    """Something that happens when the clock reaches `at` (narration, a pause, a change)."""

    at: int
    say: str | None = None
    pause: bool = False
    set: dict | None = None          # {"run": index, name: value, ...}
    speed: int | None = None
    focus: int | None = None         # run index
    spotlight: bool | None = None    # true: the focused run alone in colour; false: every run again
    view: tuple | None = None        # ((x0, x1), (y0, y1))


def updates_per_tick(runs, samples: int) -> int:
    """The most updates any run makes in one epoch (1 without data or with the full batch)."""
    from .core.batches import FULL, batches_per_epoch

    return max([batches_per_epoch(samples, int(r.batch)) for r in runs if samples and r.batch != FULL], default=1)


def updates_text(epochs: int, per_epoch: int) -> str:
    """Why a length in epochs is refused: it is the updates that take the time."""
    return (f"{epochs} epochs × {per_epoch} updates per epoch (the smallest batch) = {epochs * per_epoch} updates: "
            f"the limit is {limits.MAX_LENGTH}")


def tick_work(runs, samples: int, dim: int, clock: str, noisy: bool = False, updates: int = 1,
              course: bool = False) -> tuple[int, int]:
    """limits.work of one tick, in two parts: (the runs' arithmetic: the full-batch loss recorded,
    all the examples, and the updates, an epoch of all the examples again or a step's batch; the
    streams' Python: each update of a run that draws its own batch or noise costs a step of Python
    per random stream, STREAM_STEP_WORK, shared by a sweep's copies of the run; in course mode
    every run takes the course's one batch)."""
    from .core.batches import FULL

    drawing = sum(r.batch != FULL for r in runs) if (samples or noisy) and not course else 0
    streams = limits.STREAM_STEP_WORK * drawing * updates
    if not samples:
        return 0, streams
    batch = samples if clock == "epoch" else max(samples if r.batch == FULL else min(int(r.batch), samples)
                                                 for r in runs)
    return limits.work(1, len(runs), dim, samples + batch), streams


def work_text(length: int, clock: str, work: int, copies: int = 1, what: str = "rates") -> str:
    """Why a race is refused: `work`, its multiply-adds (Scenario.work), is past the limit."""
    sweep = f" × {copies} {what}" if copies > 1 else ""
    return (f"{length} {clock}s{sweep} of this race are about {work:.2g} multiply-adds of work: the limit "
            f"is {limits.MAX_WORK:.2g} (fewer {clock}s, runs or examples, or a smaller network)")


@dataclass
class Scenario:
    source: str                      # the file as the user named it (for messages)
    title: str
    description: str
    seed: int
    clock: str                       # "step" or "epoch"
    length: int                      # number of ticks
    tolerance: float
    compat: str | None
    problem_type: str
    problem_name: str | None
    problem_params: dict
    start: tuple | None
    view: tuple | None
    runs: list[RunConfig]
    events: list[Event] = field(default_factory=list)
    speed: int = 1
    updates_per_tick: int = 1        # the most updates one tick makes (an epoch of the smallest batches)
    work_per_tick: int = 0           # multiply-adds of one tick of every run (limits.work; 0 without data)
    stream_work_per_tick: int = 0    # and the Python of its random streams' draws, in multiply-adds

    def work(self, length: int, copies: int = 1) -> int:
        """The work of `length` ticks of `copies` of every run (a sweep's rates, a tuning's
        trials): the copies of a run share its stream, so its draws are made once."""
        return length * (self.work_per_tick * copies + self.stream_work_per_tick)

    @property
    def course(self) -> bool:
        return self.compat == "course"

    def build_problem(self) -> Problem:
        with np.errstate(all="ignore"):
            problem = make_problem(self.problem_type, self.problem_name, self.problem_params, self.seed, self.course)
        if problem.f_star is not None and not math.isfinite(problem.f_star):   # a last line of defence
            raise ScenarioError("the data make the loss overflow (its minimum is not a finite number)",
                                self.source, "problem")
        return problem

    def check(self) -> Problem:
        """Everything that can be wrong with the scenario, without building its race (`gdtui
        check`: fast, nothing big allocated): the problem, and a start where the loss is finite."""
        problem = self.build_problem()
        if self.start is not None:
            with np.errstate(all="ignore"):
                loss = problem.loss(np.asarray(self.start, dtype=float).reshape(1, problem.dim))
            self.check_start(loss)
        return problem

    def check_start(self, loss):
        """A start where the loss (at tick 0, for every run) is not finite is bad input."""
        if not np.all(np.isfinite(loss)):
            raise ScenarioError(f"the loss at {list(self.start)} is not a finite number: start nearer",
                                self.source, "problem.start")

    def build_race(self, problem: Problem | None = None, length: int | None = None, **history) -> Race:
        """The race at tick 0; `history` is Race's keep_history and history_rows."""
        problem = problem or self.build_problem()
        start = self.start
        if start is None:
            start = problem.initial_params() if hasattr(problem, "initial_params") else problem.start
        race = Race(problem, self.runs, start, seed=self.seed, clock=self.clock,
                    tolerance=self.tolerance, length=length or self.length, course=self.course, **history)
        if self.start is not None:
            self.check_start(race.history.loss[0])
        return race

    def run_index(self, name: str) -> int:
        return [r.name for r in self.runs].index(name)


# --- locating files ------------------------------------------------------------

def bundled_dir() -> Path:
    """Where the bundled scenarios are: installed as gdtui/scenarios (pyproject maps the
    top-level scenarios/ there), or the top-level scenarios/ of a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "scenarios"
    return installed if installed.is_dir() else here.parent / "scenarios"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.toml"))


def resolve(name: str) -> Path:
    """A path, or the name of a bundled scenario (with or without .toml)."""
    if not name.strip():
        raise ScenarioError(f"an empty scenario name (bundled: {', '.join(bundled_names())})", repr(name))
    path = Path(name)
    if path.is_file():
        return path
    stem = name[:-5] if name.endswith(".toml") else name
    if "/" not in name and (bundled_dir() / f"{stem}.toml").is_file():
        return bundled_dir() / f"{stem}.toml"
    if path.exists():
        raise ScenarioError("not a file (a directory?)", name)
    hint = _did_you_mean(stem, bundled_names())
    raise ScenarioError(f"no such file or bundled scenario{hint} (bundled: {', '.join(bundled_names())})", name)


def load(name: str) -> Scenario:
    path = resolve(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(f"cannot read: {getattr(e, 'strerror', None) or e}", name)
    return parse(text, name, path.parent)


def parse(text: str, source: str = "<scenario>", directory: Path | None = None) -> Scenario:
    """A scenario from its TOML `text`; `source` names it in errors, `directory` is where the
    files it names (problem.data) are (default: the current directory)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"invalid TOML: {e}", source)
    except RecursionError:   # tomllib recurses per level of nesting
        raise ScenarioError(f"invalid TOML: arrays or tables nested too deeply (more than "
                            f"{limits.MAX_NESTING} levels)", source)
    except ValueError as e:  # Python refuses to read an integer of more than 4300 digits
        raise ScenarioError(f"invalid TOML: an integer too long to read (more than {sys.get_int_max_str_digits()} "
                            f"digits)", source)
    if _depth(doc) > limits.MAX_NESTING:
        raise ScenarioError(f"arrays or tables nested more than {limits.MAX_NESTING} levels deep", source)
    return _Reader(source, directory or Path(".")).scenario(doc)


def _depth(value, level: int = 0) -> int:
    """How deep arrays and tables nest (iteratively: a deep document must not recurse here)."""
    deepest, stack = level, [(value, level)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limits.MAX_NESTING:
            break
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


# --- validation ------------------------------------------------------------------

def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _short(value: int) -> str:
    """A huge integer as a line can hold it."""
    text = str(value)
    return text if len(text) <= 20 else f"{text[:6]}…({len(text)} digits)"


def _show(value, most: int = 60) -> str:
    """A value from the file as an error line quotes it: never longer than `most` characters
    (a million-element list or a long string must not become a megabyte of error)."""
    return _clip(repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value),
                 most)


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else f"{text[:most - 1]}… ({len(text)} characters)"


MAX_TEXT = {False: 200, True: 10_000}   # characters of a name or title; of a description or narration


class _Reader:
    """Validates a parsed TOML document field by field, naming the path of each error."""

    def __init__(self, source: str, directory: Path):
        self.source = source
        self.directory = directory

    def fail(self, path: str, message: str):
        raise ScenarioError(message, self.source, path)

    # typed accessors
    def table(self, value, path) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"must be a table (got {_show(value)})")
        return value

    def keys(self, table: dict, allowed, path: str):
        for key in table:
            if key not in allowed:
                name = _clip(key, 60)
                self.fail(f"{path}.{name}" if path else name, f"unknown key{_did_you_mean(key, allowed)}")

    def number(self, value, path, *, positive=False, minimum=None, maximum=None, unit=False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"must be a number (got {_show(value)})")
        try:
            value = float(value) + 0.0   # (+ 0.0: -0.0 is 0, which numpy takes as a scale)
        except OverflowError:            # an integer beyond any float
            self.fail(path, f"must be a finite number (got {_short(value)})")
        if not math.isfinite(value):
            self.fail(path, f"must be a finite number (got {_show(value)})")
        if positive and value <= 0:
            self.fail(path, f"must be > 0 (got {_show(value)})")
        if minimum is not None and value < minimum:
            self.fail(path, f"must be >= {minimum:g} (got {_show(value)})")
        if maximum is not None and value > maximum:
            self.fail(path, f"must be <= {maximum:g} (got {_show(value)})")
        if unit and not 0 <= value < 1:
            self.fail(path, f"must be in [0, 1) (got {_show(value)})")
        return value

    def integer(self, value, path, minimum=None, maximum=limits.MAX_INTEGER) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"must be an integer (got {_show(value)})")
        if minimum is not None and value < minimum:
            self.fail(path, f"must be >= {minimum} (got {value})")
        if value > maximum:
            self.fail(path, f"must be <= {maximum} (got {_short(value)})")
        return value

    def string(self, value, path, choices=None, lines: bool = False) -> str:
        """A string; control characters (ESC, BEL, …) would reach the terminal raw and make SVG
        exports invalid XML, so they are refused (`lines`: newlines and tabs allowed)."""
        if not isinstance(value, str):
            self.fail(path, f"must be a string (got {_show(value)})")
        if len(value) > MAX_TEXT[lines]:
            self.fail(path, f"{len(value)} characters: the limit is {MAX_TEXT[lines]}")
        allowed = "\n\t" if lines else ""
        bad = next((c for c in value if (ord(c) < 32 or 127 <= ord(c) < 160) and c not in allowed), None)
        if bad is not None:
            self.fail(path, f"must not contain control characters (found {bad!r})")
        if choices is not None and value not in choices:
            self.fail(path, f"unknown value {_show(value)}{_did_you_mean(value, choices)}; "
                            f"expected one of: {_clip(', '.join(choices), 300)}")
        return value

    def boolean(self, value, path) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false (got {_show(value)})")
        return value

    def pair(self, value, path) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            self.fail(path, f"must be a list of two numbers [low, high] (got {_show(value)})")
        lo, hi = (self.number(v, f"{path}[{i}]") for i, v in enumerate(value))
        if lo >= hi:
            self.fail(path, f"low must be below high (got [{lo:g}, {hi:g}])")
        return lo, hi

    def param(self, p: Param, value, path):
        if p.kind is int:
            maximum = {"seed": limits.MAX_SEED, "samples": limits.MAX_SAMPLES}.get(p.name, limits.MAX_INTEGER)
            return self.integer(value, path, 0 if p.name == "seed" else None if p.minimum is None else int(p.minimum),
                                maximum)
        if p.kind is str:
            return self.string(value, path, p.choices or None)
        if p.kind is list:
            return self.layer_list(value, path)
        return self.number(value, path, positive=p.positive, minimum=p.minimum, maximum=p.maximum)

    def layer_list(self, value, path) -> list[int]:
        if not isinstance(value, list) or len(value) < 2:
            self.fail(path, f"must be a list of at least two layer sizes (got {_show(value)})")
        return [self.integer(v, f"{path}[{i}]", minimum=1, maximum=limits.MAX_LAYER) for i, v in enumerate(value)]

    # the document
    def scenario(self, doc: dict) -> Scenario:
        self.keys(doc, TOP_KEYS, "")
        title = self.string(doc.get("title", Path(self.source).stem), "title")
        description = self.string(doc.get("description", ""), "description", lines=True)
        seed = self.integer(doc.get("seed", 0), "seed", minimum=0, maximum=limits.MAX_SEED)
        tolerance = self.number(doc.get("tolerance", 1e-6), "tolerance", minimum=0.0)
        compat = doc.get("compat")
        if compat is not None:
            compat = self.string(compat, "compat", ["course"])
        speed = self.integer(doc.get("speed", 1), "speed", minimum=1)
        if "problem" not in doc:
            self.fail("problem", "missing: every scenario needs a [problem] table")
        kind, name, params, start, samples = self.problem(self.table(doc["problem"], "problem"))
        if compat == "course" and kind != "mlp":
            self.fail("compat", f"'course' applies to problem.type = 'mlp' (got {kind!r})")
        if compat == "course" and "data" in params:
            self.fail("compat", "'course' uses the course's own moons: leave out compat or problem.data")
        if "steps" in doc and "epochs" in doc:
            self.fail("epochs", "give steps or epochs, not both")
        if "epochs" in doc:
            if not samples:
                self.fail("epochs", "epochs count passes over data; this problem has none: use steps")
            clock, length = "epoch", self.integer(doc["epochs"], "epochs", minimum=1, maximum=limits.MAX_LENGTH)
        else:
            clock, length = "step", self.integer(doc.get("steps", DEFAULT_STEPS), "steps", minimum=1,
                                                 maximum=limits.MAX_LENGTH)
        if compat == "course" and clock != "epoch":
            self.fail("compat", "course mode trains for a number of epochs: use epochs = N, not steps")
        view = self.view(doc["view"], "view") if "view" in doc else None
        if "runs" not in doc:
            self.fail("runs", "missing: add at least one [[runs]] table")
        runs_doc = doc["runs"]
        if not isinstance(runs_doc, list) or not runs_doc:
            self.fail("runs", "must be a non-empty array of [[runs]] tables")
        if len(runs_doc) > limits.MAX_RUNS:
            self.fail("runs", f"{len(runs_doc)} runs: the limit is {limits.MAX_RUNS}")
        runs = [self.run(r, f"runs[{i}]", i, samples) for i, r in enumerate(runs_doc)]
        dim = self.network_size(params, len(runs), samples) if kind == "mlp" else 2
        per_tick = updates_per_tick(runs, samples) if clock == "epoch" else 1
        if length * per_tick > limits.MAX_LENGTH:
            self.fail("epochs", updates_text(length, per_tick))
        noisy = kind in ("surface", "formula") and float(params.get("noise", 0.0)) > 0
        work_per_tick, stream_work = tick_work(runs, samples, dim, clock, noisy, per_tick, compat == "course")
        if length * (work_per_tick + stream_work) > limits.MAX_WORK:
            self.fail("epochs" if clock == "epoch" else "steps",
                      work_text(length, clock, length * (work_per_tick + stream_work)))
        names = [r.name for r in runs]
        for i, n in enumerate(names):
            if n in names[:i]:
                self.fail(f"runs[{i}].name", f"{_show(n)} is used twice; run names must be unique")
        events = [self.event(e, f"events[{i}]", runs, length, clock)
                  for i, e in enumerate(self.event_list(doc.get("events", [])))]
        events.sort(key=lambda e: e.at)
        return Scenario(self.source, title, description, seed, clock, length, tolerance, compat,
                        kind, name, params, start, view, runs, events, speed, per_tick, work_per_tick, stream_work)

    def problem(self, t: dict):
        kind = self.string(t.get("type", "surface"), "problem.type", PROBLEM_TYPES)
        name = None
        base_keys = ["type", "start"]
        if kind == "surface":
            base_keys.append("name")
            if "name" not in t:
                self.fail("problem.name", f"missing: which surface? ({', '.join(SURFACES)})")
            name = self.string(t["name"], "problem.name", list(SURFACES))
        spec = {p.name: p for p in problem_params(kind, name)}
        self.keys(t, base_keys + list(spec), "problem")
        params = {}
        for key, p in spec.items():
            if key in t and kind == "formula" and key in ("f", "minimum"):
                params[key] = self.formula(t[key]) if key == "f" else self.point(t[key], "problem.minimum")
            elif key in t and key == "data":
                generated = [k for k in spec if k not in ("data", "layers", "activation", "init") and k in t]
                params[key], points = self.points_file(t[key], generated, kind)
            elif key in t:
                params[key] = self.param(p, t[key], f"problem.{key}")
        if kind == "formula" and "f" not in params:
            self.fail("problem.f", 'missing: the surface as a formula in x and y, such as f = "x**2 + 10*y**2"')
        if kind == "mlp":
            from .core.mlp import check_params
            problem_error = check_params(params)
            if problem_error:
                self.fail(f"problem.{problem_error[0]}", problem_error[1])
        dim = None if kind == "mlp" else 2
        start = None
        if "start" in t:
            if dim is None:
                self.fail("problem.start", "the MLP starts from its initialisation (see problem.init)")
            start = self.point(t["start"], "problem.start")
        samples = 0
        if "data" in params:
            samples = points
        elif kind not in ("surface", "formula"):
            samples = params.get("samples", spec["samples"].default)
        return kind, name, params, start, samples

    def point(self, value, path) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            self.fail(path, f"must be a list of 2 numbers (got {_show(value)})")
        return tuple(self.number(x, f"{path}[{i}]") for i, x in enumerate(value))

    def points_file(self, value, clashes: list[str], kind: str) -> tuple[str, int]:
        """(the path of a CSV of points, relative to the scenario file; how many it holds), read
        and checked here, so that a bad cell is reported with the file, row and column."""
        from .core.points import COLUMNS, LINE_COLUMNS, PointsError, load_points

        text = self.string(value, "problem.data")
        if clashes:
            self.fail(f"problem.{clashes[0]}", "the points come from problem.data: leave out what generates them "
                                               f"({', '.join(clashes)})")
        path = (Path(text) if Path(text).is_absolute() else self.directory / text).absolute()   # (saved as such)
        try:
            X, _ = load_points(path, LINE_COLUMNS if kind == "logreg" else COLUMNS)
        except PointsError as e:
            self.fail("problem.data", f"{_show(text)}: {e}")
        return str(path), len(X)

    def formula(self, value) -> str:
        """A formula's text, checked (parsed and differentiated: never run) here, so that a
        mistake is reported with the file and its column."""
        from .core.formula import MAX_LENGTH, Formula, FormulaError

        if isinstance(value, str) and len(value) > MAX_LENGTH:
            self.fail("problem.f", f"{len(value)} characters: the limit is {MAX_LENGTH}")
        text = self.string(value, "problem.f", lines=True)   # (the formula refuses a second line itself)
        try:
            Formula(text)
        except FormulaError as e:
            self.fail("problem.f", f"{e} in {_show(text)}")
        return text

    def network_size(self, params: dict, runs: int, samples: int):
        """A network small enough to step interactively, for every run at once: checked from the
        numbers alone, before anything is allocated."""
        layers = params.get("layers", [2, 5, 2, 1])
        size = sum((a + 1) * b for a, b in zip(layers, layers[1:]))
        if size > limits.MAX_PARAMETERS:
            self.fail("problem.layers", f"{size} parameters per run: the limit is {limits.MAX_PARAMETERS}")
        if size * runs > limits.MAX_NUMBERS:
            self.fail("problem.layers", f"{runs} runs × {size} parameters: the limit is {limits.MAX_NUMBERS} numbers")
        activations = limits.activations(runs, layers, samples)
        if activations > limits.MAX_ACTIVATIONS:
            self.fail("problem.layers", f"{runs} run{'s' * (runs != 1)} × {samples} samples × {activations // (runs * samples)} units "
                                        f"in one pass over the data: the limit is {limits.MAX_ACTIVATIONS} numbers")
        return size

    def view(self, value, path):
        t = self.table(value, path)
        self.keys(t, ("x", "y"), path)
        for axis in ("x", "y"):
            if axis not in t:
                self.fail(f"{path}.{axis}", "missing: a view needs both x and y ranges")
        return self.pair(t["x"], f"{path}.x"), self.pair(t["y"], f"{path}.y")

    def run(self, value, path, index, samples) -> RunConfig:
        t = self.table(value, path)
        self.keys(t, RUN_KEYS, path)
        if "optimizer" not in t:
            self.fail(f"{path}.optimizer", f"missing: which update rule? ({', '.join(RULES)})")
        rule = RULES[self.string(t["optimizer"], f"{path}.optimizer", list(RULES))]
        name = self.string(t.get("name", f"{rule.name}-{index + 1}"), f"{path}.name")
        if not name.strip():
            self.fail(f"{path}.name", "must not be empty")
        lr = self.number(t.get("lr", rule.lr), f"{path}.lr", positive=True, minimum=limits.MIN_LR,
                         maximum=limits.MAX_LR)
        batch = t.get("batch", FULL)
        if batch != FULL:
            if isinstance(batch, str):
                self.fail(f"{path}.batch", f"must be \"full\" or an integer >= 1 (got {_show(batch)})")
            batch = self.integer(batch, f"{path}.batch", minimum=1)
            if samples and batch > samples:
                self.fail(f"{path}.batch", f"larger than the data ({batch} > {samples} samples)")
        hyper = {key: self.hyper_value(rule.name, key, t[key], f"{path}.{key}")
                 for key in ALL_HYPER if key in t}
        schedule = self.schedule(t["schedule"], f"{path}.schedule") if "schedule" in t else {"type": "constant"}
        return RunConfig(name=name, rule=rule.name, lr=lr, batch=batch, hyper=hyper, schedule=schedule)

    def hyper_value(self, rule: str, key: str, value, path: str) -> float:
        """A hyperparameter of `rule`, checked against its range."""
        if key not in RULES[rule].hyper:
            takes = ", ".join(RULES[rule].hyper) or "no hyperparameters besides lr"
            self.fail(path, f"not a hyperparameter of {rule} (it takes: {takes})")
        if key in FLAGS:
            return float(self.boolean(value, path))
        if key in UNIT_INTERVAL:
            return self.number(value, path, unit=True)
        return self.number(value, path, positive=key == "epsilon", minimum=0.0)

    def schedule(self, value, path) -> dict:
        t = self.table(value, path)
        kind = self.string(t.get("type", "constant"), f"{path}.type", list(SCHEDULES))
        allowed = SCHEDULES[kind]
        self.keys(t, ["type", *allowed], path)
        spec = {"type": kind}
        for key in allowed:
            if key in t:
                if key == "interval":
                    spec[key] = self.integer(t[key], f"{path}.{key}", minimum=1)
                elif key == "period":
                    spec[key] = self.integer(t[key], f"{path}.{key}", minimum=1)
                elif key == "gamma":
                    spec[key] = self.number(t[key], f"{path}.{key}", positive=True, maximum=1.0)   # a decay
                elif key == "lr_min":
                    spec[key] = self.number(t[key], f"{path}.{key}", minimum=0.0, maximum=limits.MAX_LR)
                else:
                    spec[key] = self.number(t[key], f"{path}.{key}", minimum=0.0, maximum=1e6)
        return spec

    def event_list(self, value):
        if not isinstance(value, list):
            self.fail("events", "must be an array of [[events]] tables")
        return value

    def event(self, value, path, runs, length, clock) -> Event:
        names = [r.name for r in runs]
        t = self.table(value, path)
        self.keys(t, EVENT_KEYS, path)
        if "at" not in t:
            self.fail(f"{path}.at", f"missing: the {clock} at which the event happens")
        at = self.integer(t["at"], f"{path}.at", minimum=0)
        if at > length:
            self.fail(f"{path}.at", f"past the end ({at} > {length} {clock}s)")
        ev = Event(at=at)
        if "say" in t:
            ev.say = self.string(t["say"], f"{path}.say", lines=True)
        if "pause" in t:
            ev.pause = self.boolean(t["pause"], f"{path}.pause")
        if "speed" in t:
            ev.speed = self.integer(t["speed"], f"{path}.speed", minimum=1)
        if "focus" in t:
            ev.focus = names.index(self.string(t["focus"], f"{path}.focus", names))
        if "spotlight" in t:
            ev.spotlight = self.boolean(t["spotlight"], f"{path}.spotlight")
        if "view" in t:
            ev.view = self.view(t["view"], f"{path}.view")
        if "set" in t:
            s = self.table(t["set"], f"{path}.set")
            if "run" not in s:
                self.fail(f"{path}.set.run", "missing: which run to change")
            run = names.index(self.string(s["run"], f"{path}.set.run", names))
            change = {"run": run}
            self.keys(s, ["run", "lr", *ALL_HYPER], f"{path}.set")
            for key, v in s.items():
                if key == "lr":
                    change[key] = self.number(v, f"{path}.set.lr", positive=True,
                                                minimum=limits.MIN_LR, maximum=limits.MAX_LR)
                elif key != "run":
                    change[key] = self.hyper_value(runs[run].rule, key, v, f"{path}.set.{key}")
            if len(change) == 1:
                self.fail(f"{path}.set", "names a run but changes nothing (add lr = ... or a hyperparameter)")
            ev.set = change
        return ev
