"""Command line: gdtui [play|run|list|check|...].

Only argparse is imported at the top: `gdtui --help` must start fast, and the
headless commands never import textual. Every user error is one line on
stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys

PROG = "gdtui"
DEFAULT_SCENARIO = "ravine"


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (no usage dump) and exits 2."""

    def error(self, message):
        raise UsageError(message)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Race gradient-descent optimizers side by side in the terminal.",
                    epilog="With no command, opens the interactive app on the 'ravine' scenario.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario headless and report each run",
                       description="Run a scenario without a terminal UI and print a table of the runs.")
    p.add_argument("scenario", metavar="SCENARIO", help="a .toml path or the name of a bundled scenario")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, metavar="N", help="number of steps (step-clocked scenarios)")
    length.add_argument("--epochs", type=positive_int, metavar="N", help="number of epochs (epoch-clocked scenarios)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--history", action="store_true", help="with --json: add each run's loss after every step")
    p.add_argument("--csv", metavar="PATH", help="write one row per step and run: step, run, loss, parameters")

    sub.add_parser("list", help="problems, optimizers and bundled scenarios",
                   description="List problems with their parameters, optimizers with their "
                               "hyperparameters, and the bundled scenarios.")

    p = sub.add_parser("check", help="validate scenario files", description="Validate scenario files.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")

    p = sub.add_parser("bench", help="speed figures, measured as ratios side by side",
                       description="Measure gdtui's speed figures (ratios against baselines computed "
                                   "in the same process) and print them.")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="smaller workloads (about 10x faster, noisier)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    from .errors import GdtuiError  # light: no numpy

    try:
        args = parser.parse_args(argv)
        command = args.command
        if command is None:
            raise UsageError("the interactive app is not available yet; try 'gdtui run ravine'")
        return COMMANDS[command](args)
    except UsageError as e:
        return fail(str(e))
    except GdtuiError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


# --- commands ---------------------------------------------------------------------

def cmd_run(args) -> int:
    from . import headless, scenario

    sc = scenario.load(args.scenario)
    length = _length(sc, args)
    race = headless.simulate(sc, length)
    if args.csv:
        try:
            headless.write_csv(race, args.csv)
        except OSError as e:
            raise UsageError(f"{args.csv}: cannot write: {e.strerror}")
    if args.json:
        print(headless.dumps(headless.result_json(sc, race, history=args.history)))
    else:
        if args.history:
            raise UsageError("--history needs --json")
        headless.print_table(sc, race)
    return 0


def _length(sc, args) -> int:
    if args.steps is not None and sc.clock == "epoch":
        raise UsageError(f"{args.scenario}: this scenario counts epochs: use --epochs")
    if args.epochs is not None and sc.clock == "step":
        raise UsageError(f"{args.scenario}: this scenario counts steps: use --steps")
    return args.steps or args.epochs or sc.length


def cmd_list(args) -> int:
    from rich.console import Console

    from .listing import print_listing
    print_listing(Console())
    return 0


def cmd_check(args) -> int:
    from . import scenario
    from .errors import GdtuiError

    bad = 0
    for name in args.scenarios:
        try:
            sc = scenario.load(name)
            sc.build_race(length=1)
            print(f"ok {name}: {sc.title}")
        except GdtuiError as e:
            bad += 1
            print(f"{PROG}: error: {e}", file=sys.stderr)
    return 2 if bad else 0


def cmd_bench(args) -> int:
    from . import bench
    from .headless import dumps

    report = bench.run_all(quick=args.quick)
    if args.json:
        print(dumps(report))
    else:
        bench.print_report(report)
    return 0


COMMANDS = {"run": cmd_run, "list": cmd_list, "check": cmd_check, "bench": cmd_bench}
