"""Fuzzing the scenario files a user writes (issue #15 §6).

Hypothesis takes a bundled scenario and gets it wrong the way a user can: a value of another
type, a number at or past a limit (0, -0.0, 5e-324, 1e308, nan, inf, 2**63, a 5000-digit
integer), a string with control characters or a long one, a deleted key, an unknown key, a
run or event copied or dropped, a value from elsewhere in the file; or it damages the text
itself (cut short, a stray character, bytes that are not UTF-8). `gdtui check` and
`gdtui run --json` then run in-process on the file and must either refuse it with exit status
2 and one line on stderr, or accept it with exit status 0 and strict JSON (no NaN, no
Infinity); never a traceback, never a warning on stderr, and in bounded time.

The examples are derandomized, so CI sees the same ones every run; the `slow` test looks at
many more. Random changes seldom hit one field with one value, so every number field of the
bundled scenarios is also set to each of a few edge values (-0.0, 5e-324, nan, 10**400, ...).
Runs are cut to 50 steps or 1 epoch (--steps/--epochs) to keep each example quick.
"""

from __future__ import annotations

import copy
import io
import json
import math
import tempfile
import time
import tomllib
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from gdtui.cli import main
from gdtui.core.catalog import PROBLEM_TYPES, problem_params
from gdtui.core.optimizers import ALL_HYPER, RULES
from gdtui.core.schedules import SCHEDULES
from gdtui.core.surfaces import SURFACES
from gdtui.scenario import EVENT_KEYS, RUN_KEYS, TOP_KEYS

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SCENARIOS.glob("*.toml"))}
DOCS = {name: tomllib.loads(text) for name, text in BUNDLED.items()}
NAMES = sorted(BUNDLED)

STEPS, EPOCHS = "50", "1"     # every run is cut to this length, whatever the file says
TIME_LIMIT = 60.0             # seconds for one command on one file, to catch a hang: most take 0.02 s,
                              # the slowest the limits allow (an epoch of 100,000 examples in batches
                              # of 1, 100,000 updates) about 10 s


# --- a TOML writer (the project reads TOML but never needs to write this much of it) --------

class Raw(str):
    """A value written into the file as it is: literals Python's values cannot give
    (a 5000-digit integer, 1e400, dates)."""


def toml_string(s: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = []
    for c in s:
        if c in escapes:
            out.append(escapes[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_key(k: str) -> str:
    bare = k and all(c.isascii() and (c.isalnum() or c in "-_") for c in k)
    return k if bare else toml_string(k)


def toml_value(v) -> str:
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def to_toml(doc: dict) -> str:
    """Every top-level key on its own line; tables and arrays of tables inline."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())


def test_the_writer_round_trips_every_bundled_scenario():
    for name, doc in DOCS.items():
        assert tomllib.loads(to_toml(doc)) == doc, name
    odd = {"a\nb": ["\x00\x1b[31m\x7f\u2028", -0.0, 5e-324, 2**70, True], "": {"x y": {}}}
    assert tomllib.loads(to_toml(odd)) == odd
    assert math.isnan(tomllib.loads(to_toml({"x": math.nan}))["x"])


# --- what a user can get wrong -----------------------------------------------------------------

def _vocabulary():
    """Every key and word the files and the catalog know: misplaced, they reach deeper than noise."""
    keys, words = set(TOP_KEYS) | set(RUN_KEYS) | set(EVENT_KEYS) | set(ALL_HYPER), set()
    keys |= {"type", "name", "start", "x", "y", "run"} | {k for s in SCHEDULES.values() for k in s}
    for kind in PROBLEM_TYPES:
        for surface in (SURFACES if kind == "surface" else [None]):
            keys |= {p.name for p in problem_params(kind, surface)}
            words |= {c for p in problem_params(kind, surface) for c in p.choices}
    words |= set(PROBLEM_TYPES) | set(SURFACES) | set(SCHEDULES) | set(RULES) | {"full", "course"}

    def walk(v):
        if isinstance(v, dict):
            keys.update(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and len(v) < 40:
            words.add(v)
    for doc in DOCS.values():
        walk(doc)
    return sorted(keys), sorted(words)


KEYS, WORDS = _vocabulary()

EXTREMES = [
    0, 1, -1, 2, 0.0, -0.0, 1.0, -1.0, 0.5, 0.9999999999999999, 1e-300, 5e-324, -5e-324,
    2.2250738585072014e-308, 1e308, -1e308, 1.7976931348623157e308, math.nan, math.inf, -math.inf,
    1e6, 1e-6, 1.0000001e6, 9.9e-7, 1e16, 1e154, -1e154,
    # at and past the limits (gdtui/limits.py) and the machine's integers
    255, 256, 1023, 1024, 1025, 100_000, 100_001, 999_999, 1_000_000, 1_000_001,
    2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53 + 1, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 2**70, -2**70,
    # integers no float can hold, and past Python's 4300 digits of int(str)
    10**100, 10**400, -10**400, 10**4000, Raw("9" * 4300), Raw("9" * 4301), Raw("1" + "0" * 5000),
    Raw("-" + "9" * 5000),
    # TOML's other spellings, and the dates and times TOML has and a scenario never takes
    Raw("1e400"), Raw("-1e400"), Raw("1e-400"), Raw("0x7fffffffffffffff"), Raw("0b1"), Raw("0o777"), Raw("+nan"),
    Raw("-nan"), Raw("-inf"), Raw("1_000"), Raw("1979-05-27T07:32:00Z"), Raw("1979-05-27"), Raw("07:32:00"),
    Raw("1979-05-27T07:32:00"),
]
ODD_TEXT = [
    "", " ", "\x00", "\x07", "\x1b[31mred", "\x1b]0;title\x07", "a\nb", "\r", "line\r\n", "\t",
    "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\ufeff", "\u202eevil", "\u200b", "\U0010ffff",
    "FULL", "Full", "full ", " gd", "GD", "nan", "inf",
    "1e308", "-1", "0", "true", "[1, 2]", "{}", "runs[0]", "%s%n{0}", "'", '"', "\\",
]

long_texts = st.builds(lambda c, n: c * n, st.sampled_from(["x", "☃", "💥", "e\u0301", "\x1b"]),
                       st.sampled_from([300, 5000, 100_000]))
texts = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=30), st.sampled_from(WORDS), long_texts,
                  st.builds(lambda w, c: w + c, st.sampled_from(WORDS), st.sampled_from(ODD_TEXT)))
numbers = st.one_of(st.sampled_from(EXTREMES), st.integers(), st.integers(-3, 3000), st.floats(),
                    st.floats(-10, 10))
scalars = st.one_of(numbers, texts, st.booleans())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=3)),
    max_leaves=6)


def paths(node, prefix=()):
    """The path (keys and indices) of every value in the tree, at any depth."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield prefix + (k,)
        yield from paths(v, prefix + (k,))


def tables(node, prefix=()):
    """The path of every table, the document itself included."""
    if isinstance(node, dict):
        yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield from tables(v, prefix + (k,))


def at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def brief(value, n: int = 60) -> str:
    """A value as the file spells it, cut short."""
    text = toml_value(value)
    return text if len(text) <= n else f"{text[:n]}… ({len(text)} characters)"


def show(path) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".") or "<top>"


def other_types(v):
    """The same value as another type, as a user might write it."""
    out = [str(v), [v], {"value": v}, True, False, [], {}]
    if isinstance(v, bool):
        out += [int(v), float(v), "true" if v else "false"]
    elif isinstance(v, int):
        out += [-v, v + 1, v - 1, v * 1000, Raw(str(v) + ".0")]
        out += [float(v)] if abs(v) <= 1.7976931348623157e308 else []
    elif isinstance(v, float):
        out += [-v, v * 1e6, v / 1e6, v * 1e300, v * (1 + 2**-52)]
        if math.isfinite(v):
            out += [int(v), round(v) + 1, Raw(f"{v!r}".upper())]
    elif isinstance(v, str):
        out += [v.upper(), v + " ", v[:-1], v * 2, 1, 0.5]
    elif isinstance(v, list):
        out += [v[:1], v[1:], v * 2, v + v[-1:], list(reversed(v)), [v], v[0] if v else 0, {"x": v}]
    elif isinstance(v, dict):
        out += [[v], [v, v], "table", 1, dict(list(v.items())[:-1])]
    return out


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def nudged(v):
    """Numbers near a number, most of them still of the right type and often still valid: they
    get past the checks to the arithmetic (a rate of 1e300, β a hair below 1, ...)."""
    out = [0, 0.0, -0.0, -v, v + 1, v - 1, v * 2, 0.9999999999999999, 1e-300, 5e-324, 1e300, 1e308,
           1.7976931348623157e308, 10**400]
    if isinstance(v, int):
        out += [v * 1000, v * 10**6, v // 2, 2**31 - 1, 2**32 - 1, 1]
    if abs(v) <= 1.7976931348623157e308:   # (an integer a float cannot hold, from an earlier change)
        x = float(v)
        out += [x, x / 2, math.nextafter(x, math.inf), math.nextafter(x, -math.inf)]
        out += [x * 10.0**k for k in (-300, -30, -6, -1, 1, 6, 30, 300)]
    return out


ANY_OPS = ["replace", "retype", "extreme", "text", "delete", "add key", "copy", "array", "word", "nudge",
           "extreme number"]
PLAUSIBLE_OPS = ["nudge", "extreme number", "word", "array"]   # often still a valid file: reaches the arithmetic


@st.composite
def tree_mutation(draw, doc: dict, ops: list[str]) -> str:
    """Changes `doc` in place once; says how."""
    everything = list(paths(doc))
    numbers_in_it = [p for p in everything if is_number(at(doc, p))]
    op = draw(st.sampled_from(ops))
    if op in ("nudge", "extreme number") and numbers_in_it:
        path = draw(st.sampled_from(numbers_in_it))
        parent, key = at(doc, path[:-1]), path[-1]
        old = parent[key]
        parent[key] = draw(st.sampled_from(nudged(old) if op == "nudge" else EXTREMES))
        return f"{show(path)} = {brief(parent[key])} (was {brief(old, 30)})"
    if op == "add key" or not everything:
        where = draw(st.sampled_from(list(tables(doc))))
        key = draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=12), st.sampled_from(ODD_TEXT[:20])))
        value = draw(values)
        at(doc, where)[key] = value
        return f"{show(where + (key,))} = {brief(value)} (added)"
    strings_in_it = [p for p in everything if isinstance(at(doc, p), str)]
    path = draw(st.sampled_from(strings_in_it if op == "word" and strings_in_it else everything))
    parent, key = at(doc, path[:-1]), path[-1]
    old = parent[key]
    if op == "delete":
        del parent[key]
        return f"{show(path)} deleted"
    if op == "array":
        arrays = [p for p in everything if isinstance(at(doc, p), list) and at(doc, p)]
        if arrays:
            path = draw(st.sampled_from(arrays))
            array = at(doc, path)
            i = draw(st.integers(0, len(array) - 1))
            how = draw(st.sampled_from(["copy", "drop", "many", "empty", "swap"]))
            if how == "copy":
                array.insert(i, copy.deepcopy(array[i]))
            elif how == "drop":
                del array[i]
            elif how == "many":
                array.extend(copy.deepcopy(array[i]) for _ in range(draw(st.sampled_from([10, 200, 1001]))))
            elif how == "empty":
                array.clear()
            else:
                array[0], array[i] = array[i], array[0]
            return f"{show(path)}: {how} element {i}"
        op = "replace"
    if op == "copy":
        value = copy.deepcopy(at(doc, draw(st.sampled_from(everything))))
    elif op == "retype":
        value = draw(st.sampled_from(other_types(old)))
    elif op == "extreme":
        value = draw(st.sampled_from(EXTREMES))
    elif op == "text":
        value = draw(texts)
    elif op == "word":
        value = draw(st.sampled_from(WORDS))
    else:
        value = draw(values)
    parent[key] = value
    return f"{show(path)} = {brief(value)} (was {brief(old, 30)})"


JUNK = ["\x00", "\x1b", "\r", "\n", "\t", "\ufeff", "\u2028", "[", "]", "[[", "{", "}", "=", '"', "'", '"""',
        "'''", "#", ",", ".", "\\", "\\u", "x", "1", "-", "+", " ", "é", "💥"]


@st.composite
def text_mutation(draw, text: str) -> tuple[bytes, str]:
    """Damage the file's text itself."""
    op = draw(st.sampled_from(["truncate", "insert", "delete", "duplicate line", "bytes", "line ends"]))
    p = draw(st.integers(0, len(text)))
    if op == "truncate":
        return text[:p].encode("utf-8"), f"cut after {p} characters"
    if op == "insert":
        junk = draw(st.one_of(st.sampled_from(JUNK), st.characters(codec="utf-8")))
        return (text[:p] + junk + text[p:]).encode("utf-8"), f"{junk!r} inserted at {p}"
    if op == "delete":
        n = draw(st.integers(1, 40))
        return (text[:p] + text[p + n:]).encode("utf-8"), f"{n} characters deleted at {p}"
    if op == "duplicate line":
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, len(lines) - 1))
        return "".join(lines[:i + 1] + lines[i:]).encode("utf-8"), f"line {i + 1} twice"
    if op == "bytes":
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x00", b"\x80\x81"]))
        data = text.encode("utf-8")
        p = draw(st.integers(0, len(data)))
        return data[:p] + junk + data[p:], f"bytes {junk!r} at byte {p}"
    ends = draw(st.sampled_from(["\r\n", "\r", "\n\n", "\x0b"]))
    return text.replace("\n", ends).encode("utf-8"), f"line ends {ends!r}"


class Case:
    """A broken file: the bundled scenario it came from, its bytes, what was done to it."""

    def __init__(self, name: str, data: bytes, how: list[str]):
        self.name, self.data, self.how = name, data, how

    def __repr__(self):   # the file itself is in the notes of a failing example
        return f"Case({self.name!r}, {'; '.join(self.how)!r}, {len(self.data)} bytes)"


@st.composite
def broken_scenarios(draw) -> Case:
    name = draw(st.sampled_from(NAMES))
    kind = draw(st.sampled_from(["plausible", "any", "plausible", "any", "text"]))
    if kind == "text":
        data, how = draw(text_mutation(BUNDLED[name]))
        return Case(name, data, [how])
    doc = copy.deepcopy(DOCS[name])
    ops = PLAUSIBLE_OPS if kind == "plausible" else ANY_OPS
    how = [draw(tree_mutation(doc, ops)) for _ in range(draw(st.sampled_from([1, 1, 2, 3])))]
    return Case(name, to_toml(doc).encode("utf-8"), how)


# --- running the command line ------------------------------------------------------------------

HIDDEN = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)   # Python hides these


def invoke(argv):
    """main(argv) in-process: (status, stdout, stderr, warnings a user would see, seconds)."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, redirect_stdout(out), redirect_stderr(err):
        warnings.simplefilter("always")
        try:
            code = main(argv)           # anything it raises fails the test: a user would see a traceback
        except SystemExit as e:         # argparse's own exit (usage text) would be a bug too
            code = e.code
    seen = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})"
            for w in caught if not issubclass(w.category, HIDDEN)]
    return code, out.getvalue(), err.getvalue(), seen, time.perf_counter() - start


def _reject_constant(name):
    raise ValueError(f"not strict JSON: {name}")


def assert_one_error_line(err: str, what: str):
    assert err.startswith("gdtui: error: ") and err.endswith("\n"), f"{what}: stderr {err[-2000:]!r}"
    line = err[:-1]
    assert "\n" not in line and "\r" not in line, f"{what}: more than one line on stderr: {err[:2000]!r}"
    assert "Traceback" not in err, err
    raw = [c for c in line if (ord(c) < 32 and c != "\t") or 127 <= ord(c) < 160]
    assert not raw, f"{what}: control characters {raw!r} reach the terminal: {line[:2000]!r}"


def check_file(path: str, length_flag: list[str], history: bool, log=note):
    """`gdtui check FILE` and `gdtui run FILE --json`: each refuses (2, one line) or succeeds."""
    checked = invoke(["check", path])
    code, out, err, seen, elapsed = checked
    log(f"check: status {code}, stdout {out[:300]!r}, stderr {err[:300]!r}, {elapsed:.2f} s")
    assert elapsed < TIME_LIMIT, f"check took {elapsed:.1f} s"
    assert not seen, f"check: warnings reach stderr: {seen}"
    assert code in (0, 2), f"check: exit status {code!r}"
    if code == 2:
        assert_one_error_line(err, "check")
        assert out == ""
    else:
        assert err == "" and out.startswith(f"ok {path}: ") and out.count("\n") == 1, (out[:500], err[:500])

    argv = ["run", path, "--json", *length_flag] + (["--history"] if history else [])
    code, out, err, seen, elapsed = invoke(argv)
    log(f"{' '.join(argv)}: status {code}, stdout {out[:300]!r}, stderr {err[:300]!r}, {elapsed:.2f} s")
    assert elapsed < TIME_LIMIT, f"run took {elapsed:.1f} s"
    assert not seen, f"run: warnings reach stderr: {seen}"
    assert code in (0, 2), f"run: exit status {code!r}"
    if code == 2:
        assert_one_error_line(err, "run")
        assert out == "", f"run failed but printed {out[:300]!r}"
        assert checked[0] == 2 or any(flag in err for flag in ("--epochs", "--steps", "this scenario counts")), \
            f"check said the file is fine, run refused it (not for its --steps or --epochs): {err!r}"
    else:
        assert err == "", f"run succeeded but wrote to stderr: {err[:2000]!r}"
        assert checked[0] == 0, f"check refused the file ({checked[2]!r}), run accepted it"
        assert out.endswith("\n") and out.count("\n") == 1, "run --json must print one line"
        doc = json.loads(out, parse_constant=_reject_constant)
        assert isinstance(doc, dict) and isinstance(doc.get("runs"), list) and doc["runs"], out[:500]


def length_flag(data: bytes, name: str) -> list[str]:
    """A short run in the file's own unit (the bundled one's, if the file no longer parses)."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        doc = DOCS[name]
    return ["--epochs", EPOCHS] if "epochs" in doc else ["--steps", STEPS]


def fuzz_once(case: Case, history: bool):
    name, data, how = case.name, case.data, case.how
    note(f"from {name}: {'; '.join(how)}")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "fuzz.toml")
        Path(path).write_bytes(data)
        shown = data[:3000].decode("utf-8", "replace").splitlines(keepends=True)
        note("the file:\n" + "".join(line if len(line) < 300 else line[:300] + f"… ({len(line)} characters)\n"
                                     for line in shown))
        check_file(path, length_flag(data, name), history)


FUZZ = dict(deadline=None, derandomize=True, database=None, print_blob=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@given(case=broken_scenarios(), history=st.booleans())
@settings(max_examples=800, **FUZZ)
def test_a_broken_scenario_is_one_line_or_strict_json(case, history):
    fuzz_once(case, history)


@pytest.mark.slow
@given(case=broken_scenarios(), history=st.booleans())
@settings(max_examples=2000, **FUZZ)
def test_a_broken_scenario_is_one_line_or_strict_json_many_more(case, history):
    fuzz_once(case, history)


# --- every number field at its edges -----------------------------------------------------------

EDGES = {"-0.0": -0.0, "0": 0, "-1": -1, "5e-324": 5e-324, "1-2**-53": 0.9999999999999999, "1e308": 1e308,
         "nan": math.nan, "10**400": 10**400}


def number_fields() -> list[tuple[str, tuple]]:
    """Each number field of the bundled scenarios once for each kind of problem and clock (the
    first scenario that has it): random mutations rarely hit one field with one value."""
    fields = {}
    for name, doc in DOCS.items():
        problem = doc["problem"]
        kind = (problem.get("type", "surface"), problem.get("name"), "epochs" in doc)
        for path in paths(doc):
            if is_number(at(doc, path)):
                generic = tuple("*" if isinstance(k, int) else k for k in path)
                fields.setdefault((kind, generic), (name, path))
    return sorted(fields.values(), key=str)


@pytest.mark.parametrize("value", list(EDGES.values()), ids=list(EDGES))
def test_every_number_field_at_its_edges(value, tmp_path):
    failures = []
    for name, path in number_fields():
        doc = copy.deepcopy(DOCS[name])
        at(doc, path[:-1])[path[-1]] = value
        data = to_toml(doc).encode("utf-8")
        (tmp_path / "edge.toml").write_bytes(data)
        log = []
        try:
            check_file(str(tmp_path / "edge.toml"), length_flag(data, name), False, log.append)
        except Exception as e:
            frames = traceback.extract_tb(e.__traceback__)
            where = ([f for f in frames if "gdtui" in Path(f.filename).parts] or frames)[-1]
            failures.append(f"{name}: {show(path)}: {type(e).__name__}: {str(e)[:300]} "
                            f"({Path(where.filename).name}:{where.lineno}) {' '.join(log)}")
    assert not failures, f"{len(failures)} fields at {brief(value)}:\n" + "\n".join(failures)
