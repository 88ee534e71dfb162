"""A surface typed as a formula, f(x, y), checked and differentiated without eval.

The text is parsed by Python's `ast` and kept only if every node is a number, the variable x
or y, the constant pi or e, one of + − × / ** (and unary − or +), or a call of one of
FUNCTIONS with one argument; anything else is refused, naming the column of the offending
token. Nothing the person typed is ever executed.

The checked tree becomes an expression DAG of `Node`s, each unique subexpression one object,
so the derivatives (taken by the rules of calculus, from the tree itself: the rules are few and
a symbolic library would be a large dependency for them) stay small: the gradient and the
Hessian of a product of n factors are O(n) nodes, not O(n²) or worse. A node evaluates with
numpy over whole arrays, iteratively (no recursion limit), each unique node once.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import numpy as np

from .problem import Problem

MAX_LENGTH = 1000     # characters of a formula
MAX_NESTING = 100     # parentheses inside parentheses
MAX_DEPTH = 200       # depth of its expression (a sum of n terms is n deep)
MAX_NODES = 20_000    # unique subexpressions of the formula and its first and second derivatives

FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "arctan", "abs")
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
_NUMPY = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
          "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "arctan": np.arctan, "abs": np.abs,
          "sign": np.sign}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class FormulaError(ValueError):
    """What is wrong with a formula, and at which column (1-based; None: the whole formula)."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message if column is None else f"column {column}: {message}")
        self.column = column


# --- the expression DAG ------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Node:
    op: str              # "num", "x", "y", "+", "-", "*", "/", "**", "neg", or a function's name
    args: tuple = ()
    value: float = 0.0   # of a "num"


class Builder:
    """Makes nodes, each unique (op, args, value) once, folding constants and the identities
    of 0 and 1 as it goes (so that derivatives do not pile up zeros)."""

    def __init__(self):
        self.made: dict = {}

    def node(self, op: str, *args: Node, value: float = 0.0) -> Node:
        key = (op, tuple(id(a) for a in args), value)
        if key not in self.made:
            if len(self.made) >= MAX_NODES:
                raise FormulaError(f"too complex: its derivatives need more than {MAX_NODES} terms")
            self.made[key] = Node(op, args, value)
        return self.made[key]

    def num(self, value: float) -> Node:
        return self.node("num", value=float(value))

    def var(self, name: str) -> Node:
        return self.node(name)

    def apply(self, op: str, *args: Node) -> Node:
        """op(args), simplified where the result is plain."""
        if all(a.op == "num" for a in args):
            with np.errstate(all="ignore"):
                return self.num(_evaluate_op(op, [np.float64(a.value) for a in args]))
        if op in ("+", "-", "*", "/", "**"):
            a, b = args
            if op == "+":
                if _is(a, 0):
                    return b
                if _is(b, 0):
                    return a
            if op == "-":
                if _is(b, 0):
                    return a
                if _is(a, 0):
                    return self.apply("neg", b)
            if op == "*":
                if _is(a, 0) or _is(b, 0):
                    return self.num(0.0)
                if _is(a, 1):
                    return b
                if _is(b, 1):
                    return a
            if op == "/" and _is(b, 1):
                return a
            if op == "**":
                if _is(b, 1):
                    return a
                if _is(b, 0):
                    return self.num(1.0)
        if op == "neg" and args[0].op == "neg":
            return args[0].args[0]
        return self.node(op, *args)


def _is(node: Node, value: float) -> bool:
    return node.op == "num" and node.value == value


def _evaluate_op(op: str, values: list):
    """One operation, as numpy does it for an expression written out by hand (`u ** 2` with a
    scalar exponent is numpy's exact square, as in the built-in surfaces)."""
    if op == "+":
        return values[0] + values[1]
    if op == "-":
        return values[0] - values[1]
    if op == "*":
        return values[0] * values[1]
    if op == "/":
        return values[0] / values[1]
    if op == "**":
        return values[0] ** values[1]
    if op == "neg":
        return -values[0]
    return _NUMPY[op](values[0])


# --- parsing -----------------------------------------------------------------------------

def parse(text: str, builder: Builder | None = None) -> Node:
    """The checked expression of `text`, or FormulaError naming what and where."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("empty: write f in x and y, such as (1 - x)**2 + 100*(y - x**2)**2")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"{len(text)} characters: the limit is {MAX_LENGTH}")
    if "\n" in text.strip() or "\r" in text:
        raise FormulaError("one line, please")
    depth, deepest = 0, 0
    for ch in text:   # before the parser, whose own recursion a deep nesting could exhaust
        depth += {"(": 1, ")": -1}.get(ch, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise FormulaError(f"parentheses nested {deepest} deep: the limit is {MAX_NESTING}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise FormulaError(f"not a formula ({e.msg})", e.offset + len(text) - len(text.lstrip()) if e.offset else None)
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("not a formula this tool can read")
    builder = builder or Builder()
    indent = len(text) - len(text.lstrip())   # (columns count in the text as typed)
    expression = _Checker(builder, text.strip(), indent).node(tree.body, 1)
    if not _uses_a_variable(expression):
        raise FormulaError("f must depend on x or y")
    if any(n.op == "num" and not math.isfinite(n.value) for n in _post_order(expression)):
        raise FormulaError("a constant that is not a finite number (such as 1e999, 10**400 or 0/0)")
    return expression


class _Checker:
    def __init__(self, builder: Builder, text: str, indent: int = 0):
        self.b = builder
        self.text = text
        self.indent = indent

    def node(self, node: ast.AST, depth: int) -> Node:
        # (ast counts UTF-8 bytes; a person counts characters)
        offset = len(self.text.encode()[:getattr(node, "col_offset", 0)].decode(errors="ignore"))
        column = self.indent + offset + 1
        if depth > MAX_DEPTH:
            raise FormulaError(f"more than {MAX_DEPTH} operations deep (a sum or product counts each term)",
                               column)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"{type(node.value).__name__} is not allowed: numbers only", column)
            try:
                return self.b.num(float(node.value))
            except OverflowError:
                raise FormulaError("a number too large for a float", column)
        if isinstance(node, ast.Name):
            if node.id in VARIABLES:
                return self.b.var(node.id)
            if node.id in CONSTANTS:
                return self.b.num(CONSTANTS[node.id])
            raise FormulaError(f"unknown name {node.id!r}: use x, y, pi, e and {', '.join(FUNCTIONS)}",
                               column)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return self.b.apply(_OPERATORS[type(node.op)], self.node(node.left, depth + 1),
                                self.node(node.right, depth + 1))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.node(node.operand, depth + 1)
            return self.b.apply("neg", inner) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                shown = name or ast.get_source_segment(self.text, node.func) or "this"
                raise FormulaError(f"{shown!r} is not a function here: use {', '.join(FUNCTIONS)}", column)
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise FormulaError(f"{name} takes one argument", column)
            return self.b.apply(name, self.node(node.args[0], depth + 1))
        if isinstance(node, ast.BinOp):
            raise FormulaError(f"the operator {_symbol(node.op)} is not allowed: use + - * / **", column)
        what = {ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
                ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else",
                ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
                ast.SetComp: "a comprehension", ast.DictComp: "a comprehension", ast.Tuple: "a tuple",
                ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set", ast.NamedExpr: ":=",
                ast.JoinedStr: "a string", ast.Await: "await", ast.Yield: "yield"}.get(type(node))
        raise FormulaError(f"{what or type(node).__name__} is not allowed", column)


def _symbol(op) -> str:
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
            ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}.get(type(op), type(op).__name__)


def _post_order(root: Node) -> list[Node]:
    """Every unique node under root, each after its arguments (iteratively: a long chain of
    terms would exceed Python's recursion limit)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen:
            continue
        if expanded or not node.args:
            seen.add(id(node))
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.args) if id(a) not in seen)
    return order


def _uses_a_variable(root: Node) -> bool:
    return any(n.op in VARIABLES for n in _post_order(root))


# --- derivatives -------------------------------------------------------------------------

def derivative(root: Node, var: str, b: Builder) -> Node:
    """d root / d var, by the rules of calculus, each unique node differentiated once."""
    d: dict[int, Node] = {}
    for n in _post_order(root):
        a = n.args
        da = [d[id(x)] for x in a]
        if n.op == "num":
            out = b.num(0.0)
        elif n.op in VARIABLES:
            out = b.num(1.0 if n.op == var else 0.0)
        elif n.op in ("+", "-"):
            out = b.apply(n.op, *da)
        elif n.op == "neg":
            out = b.apply("neg", da[0])
        elif n.op == "*":
            out = b.apply("+", b.apply("*", da[0], a[1]), b.apply("*", a[0], da[1]))
        elif n.op == "/":   # (u'v − uv')/v²
            out = b.apply("/", b.apply("-", b.apply("*", da[0], a[1]), b.apply("*", a[0], da[1])),
                          b.apply("*", a[1], a[1]))
        elif n.op == "**":
            u, v = a
            if v.op == "num":   # v·u^(v−1)·u'
                out = b.apply("*", b.apply("*", v, b.apply("**", u, b.num(v.value - 1))), da[0])
            else:               # u^v·(v'·log u + v·u'/u)
                out = b.apply("*", n, b.apply("+", b.apply("*", da[1], b.apply("log", u)),
                                              b.apply("/", b.apply("*", v, da[0]), u)))
        else:
            out = b.apply("*", _outer_derivative(n, b), da[0])
        d[id(n)] = out
    return d[id(root)]


def _outer_derivative(n: Node, b: Builder) -> Node:
    """f'(u) for n = f(u)."""
    u = n.args[0]
    if n.op == "sin":
        return b.apply("cos", u)
    if n.op == "cos":
        return b.apply("neg", b.apply("sin", u))
    if n.op == "tan":
        return b.apply("+", b.num(1.0), b.apply("*", n, n))
    if n.op == "exp":
        return n
    if n.op == "log":
        return b.apply("/", b.num(1.0), u)
    if n.op == "sqrt":
        return b.apply("/", b.num(0.5), n)
    if n.op == "tanh":
        return b.apply("-", b.num(1.0), b.apply("*", n, n))
    if n.op == "sinh":
        return b.apply("cosh", u)
    if n.op == "cosh":
        return b.apply("sinh", u)
    if n.op == "arctan":
        return b.apply("/", b.num(1.0), b.apply("+", b.num(1.0), b.apply("*", u, u)))
    if n.op == "abs":
        return b.apply("sign", u)
    if n.op == "sign":
        return b.num(0.0)
    raise AssertionError(n.op)


def plan(roots: list[Node]) -> list[Node]:
    """Every unique node under `roots`, each after its arguments: the order `evaluate` computes
    them in (worked out once per formula, not at every step of a race)."""
    order, seen = [], set()
    for root in roots:
        for n in _post_order(root):
            if id(n) not in seen:
                seen.add(id(n))
                order.append(n)
    return order


def evaluate(roots: list[Node], x, y, order: list[Node] | None = None) -> list[np.ndarray]:
    """Each of `roots` at the points (x, y) (arrays of one shape), sharing the nodes they share;
    `order`: their plan, if already made."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    values: dict[int, np.ndarray] = {}
    with np.errstate(all="ignore"):   # off its domain a formula is NaN or ±inf
        for n in order if order is not None else plan(roots):
            if n.op == "num":
                values[id(n)] = np.float64(n.value)   # a scalar, broadcast as numpy does a literal
            elif n.op == "x":
                values[id(n)] = x
            elif n.op == "y":
                values[id(n)] = y
            else:
                values[id(n)] = _evaluate_op(n.op, [values[id(a)] for a in n.args])
    return [np.broadcast_to(np.asarray(values[id(r)], dtype=float), x.shape) for r in roots]


class Formula:
    """f, its gradient and its Hessian, from a formula's text."""

    def __init__(self, text: str):
        b = Builder()
        self.text = text.strip()
        self.f = parse(text, b)
        self.fx, self.fy = derivative(self.f, "x", b), derivative(self.f, "y", b)
        self.fxx, self.fxy = derivative(self.fx, "x", b), derivative(self.fx, "y", b)
        self.fyy = derivative(self.fy, "y", b)
        self._plans = {what: (roots, plan(roots)) for what, roots in (
            ("value", [self.f]), ("grad", [self.f, self.fx, self.fy]), ("hessian", [self.fxx, self.fxy, self.fyy]))}

    def _evaluate(self, what: str, x, y) -> list[np.ndarray]:
        roots, order = self._plans[what]
        return evaluate(roots, x, y, order)

    def value(self, x, y):
        return self._evaluate("value", x, y)[0]

    def value_and_grad(self, x, y):
        f, fx, fy = self._evaluate("grad", x, y)
        return f, fx, fy

    def hessian(self, x, y):
        return tuple(self._evaluate("hessian", x, y))


# --- the problem -------------------------------------------------------------------------

DEFAULT_VIEW = ((-3.0, 3.0), (-3.0, 3.0))
DEFAULT_START = (-2.0, 2.0)


class FormulaSurface(Problem):
    """A formula's surface as a problem, like a built-in one: the exact gradient (plus optional
    noise, N(0, noise²/k) for a run with a batch of k), the exact Hessian, a default view and
    start, and, when the scenario names it, the minimum and its value f*."""

    kind = "surface"

    def __init__(self, f: str, minimum=None, noise: float = 0.0):
        self.formula = Formula(f)
        self.name = f"f = {self.formula.text}"
        self.noise = float(noise)
        self.view = DEFAULT_VIEW
        self.start = DEFAULT_START
        self.minima = () if minimum is None else (tuple(float(v) for v in minimum),)
        self.critical = ()
        self.f_star = None
        if minimum is not None:
            value = float(self.formula.value(np.array([self.minima[0][0]]), np.array([self.minima[0][1]]))[0])
            self.f_star = value if math.isfinite(value) else None

    def f(self, x, y):
        return self.formula.value(x, y)

    def loss(self, P):
        return self.formula.value(P[:, 0], P[:, 1])

    def value_and_grad(self, P, batch=None):
        f, fx, fy = self.formula.value_and_grad(P[:, 0], P[:, 1])
        return np.array(f), np.stack([fx, fy], axis=1)

    def hessian(self, P):
        hxx, hxy, hyy = self.formula.hessian(P[:, 0], P[:, 1])
        return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)
