"""A surface typed as a formula, through the scenario file and the command line: hostile text
is refused in one line naming the file, the field and the column, fast; Rosenbrock typed as a
formula races like the built-in one."""

import json
import time

import numpy as np
import pytest

from gdtui.scenario import load

FORMULA_SCENARIO = '''title = "typed"
steps = 300
[problem]
type = "formula"
f = {f}
minimum = [1, 1]
start = [-2.0, 2.0]
[[runs]]
name = "GD"
optimizer = "gd"
lr = 0.0005
[[runs]]
name = "Momentum"
optimizer = "momentum"
lr = 0.002
[[runs]]
name = "Adam"
optimizer = "adam"
lr = 0.05
'''


def hostile_formulas() -> list[str]:
    """At least 200 formulas a checker must refuse: code, not arithmetic; unknown names and
    calls; huge powers of constants; 10,000 characters; deep nesting; stray syntax."""
    out = []
    payloads = ["__import__('os').system('true')", "open('/etc/passwd').read()", "eval('1')", "exec('x=1')",
                "globals()", "locals()", "vars()", "dir()", "getattr(x, 'real')", "breakpoint()", "input()",
                "compile('1', '', 'eval')", "print(1)", "exit()", "quit()", "help()", "type(x)", "id(x)"]
    shapes = ["{p}", "x + {p}", "sin({p})", "({p}) * y", "x**2 + 0*{p}"]
    out += [shape.format(p=p) for p in payloads for shape in shapes]                      # 90
    out += [f"x{suffix}" for suffix in [".real", ".__class__", ".__class__.__mro__", "[0]", "[1:2]", "()",
                                        ".imag + y", "().__dict__"]]                        # 8
    out += ["lambda: x", "(lambda x: x)(1)", "[x for x in (1, 2)]", "{x for x in (1,)}", "{x: y}",
            "(x for x in (1,))", "x if y else 1", "x and y", "x or y", "not x", "x < y", "x == y",
            "x is y", "x in y", "(x, y)", "[x, y]", "{x, y}", "x := 1", "(z := x)", "await x",
            "f'{x}'", "'x'", "b'x'", "1j * x", "True * x", "None", "...", "x @ y", "x // y", "x % y",
            "x ^ y", "x | y", "x & y", "x << 1", "x >> 1", "~x", "x; y", "x = 1", "import os",
            "del x", "x +", "* x", "(x", "x)", "sin()", "sin(x, y)", "sin(x=1)", "sin(*x)", "foo(x)",
            "sum(x)", "min(x, y)", "max(x)", "pow(x, 2)", "exp", "sin", "z", "t * x", "X + y",
            "e ** pi", "pi", "9**9**9", "10**400", "2**2**2**2**2", "1e400 * 0", "(9**9)**(9**9)",
            "\x1b[31m x", "x\ny", "x\r", "x\ty"]                                            # 74
    out += ["x" * 10_000, "x+" * 5000 + "x", "1" * 10_000, "sin(" * 2000 + "x" + ")" * 2000,
            "(" * 500 + "x" + ")" * 500, "-" * 5000 + "x", "+".join(["x"] * 300), "*".join(["y"] * 400)]  # 8
    out += [f"{fn}(x)" for fn in ("sinx", "Sin", "SIN", "ln", "log10", "log2", "exp2", "expm1", "floor",
                                  "ceil", "round", "int", "float", "str", "len", "abs2", "sqr", "cbrt",
                                  "arcsin", "asin", "atan2", "hypot", "gamma", "erf", "acos", "sec")]  # 26
    return out


def test_there_are_at_least_200_hostile_formulas():
    assert len(hostile_formulas()) >= 200 and len(set(hostile_formulas())) == len(hostile_formulas())


@pytest.mark.parametrize("text", hostile_formulas())
def test_a_hostile_formula_is_one_line_and_exit_2_within_a_second(gdtui, tmp_path, text):
    path = tmp_path / "hostile.toml"
    path.write_text(FORMULA_SCENARIO.format(f=json.dumps(text)))
    start = time.perf_counter()
    r = gdtui("check", path)
    took = time.perf_counter() - start
    assert r.code == 2 and r.out == "", r.out
    line = r.err.strip()
    assert "\n" not in line and line.startswith(f"gdtui: error: {path}: problem.f: "), line
    assert len(line) < 400 and took < 1.0, (len(line), took)


def test_rosenbrock_typed_as_a_formula_races_exactly_like_the_built_in_one(tmp_path):
    """The same runs from the same start on both, step for step, bit for bit: the built-in
    gradient is written in the order the chain rule takes the formula (−2(1 − x) +
    100·(2(y − x²)·(−2x))), and a formula's `u**2` is numpy's square, as the built-in's is."""
    typed = tmp_path / "typed.toml"
    typed.write_text(FORMULA_SCENARIO.format(f='"(1 - x)**2 + 100*(y - x**2)**2"'))
    built_in = tmp_path / "built_in.toml"
    built_in.write_text(FORMULA_SCENARIO.format(f="0").replace('type = "formula"\nf = 0\nminimum = [1, 1]',
                                                                   'type = "surface"\nname = "rosenbrock"'))
    a, b = load(str(typed)).build_race(), load(str(built_in)).build_race()
    a.step(300)
    b.step(300)
    assert a.problem.f_star == b.problem.f_star == 0.0 and a.problem.minima == b.problem.minima == ((1.0, 1.0),)
    np.testing.assert_array_equal(a.history.params, b.history.params)
    np.testing.assert_array_equal(a.history.loss, b.history.loss)
    np.testing.assert_array_equal(a.history.grad_norm, b.history.grad_norm)
    assert a.status.tolist() == b.status.tolist()


def test_a_formula_scenario_runs_headless_and_reports_its_formula(gdtui, tmp_path):
    path = tmp_path / "typed.toml"
    path.write_text(FORMULA_SCENARIO.format(f='"x**2 + 10*y**2"').replace("minimum = [1, 1]", "minimum = [0, 0]"))
    doc = gdtui("run", path, "--json").json()
    assert doc["problem"] == "f = x**2 + 10*y**2" and doc["f_star"] == 0.0


@pytest.mark.parametrize("extra,expected", [
    ('', ""),                                                       # (fine)
    ('minimum = "here"', "problem.minimum: must be a list of 2 numbers"),
    ('name = "bowl"', "problem.name: unknown key"),
])
def test_formula_fields_are_checked(gdtui, tmp_path, extra, expected):
    text = FORMULA_SCENARIO.format(f='"x**2 + y**2"').replace("minimum = [1, 1]", extra)
    path = tmp_path / "s.toml"
    path.write_text(text)
    r = gdtui("check", path)
    assert (r.code == 0) if not expected else (r.code == 2 and expected in r.err), r.err


def test_a_formula_is_required(gdtui, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(FORMULA_SCENARIO.replace("f = {f}\n", ""))
    r = gdtui("check", path)
    assert r.code == 2 and "problem.f: missing" in r.err


def test_a_formula_scenario_saves_and_loads_back(tmp_path):
    from gdtui.scenario import parse
    from gdtui.scenario_writer import dumps

    path = tmp_path / "typed.toml"
    path.write_text(FORMULA_SCENARIO.format(f='"sin(x)*cos(y) + 0.1*(x**2 + y**2)"'))
    sc = load(str(path))
    again = parse(dumps(sc), "saved.toml")
    assert again.problem_type == "formula" and again.problem_params == sc.problem_params
    a, b = sc.build_race(), again.build_race()
    a.step(50)
    b.step(50)
    np.testing.assert_array_equal(a.P, b.P)
