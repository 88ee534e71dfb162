"""Command line: gdtui [play|run|list|check|...].

Only argparse is imported at the top: `gdtui --help` must start fast, and the
headless commands never import textual. Every user error is one line on
stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from .limits import MAX_LENGTH, MAX_SEED   # (no numpy: the parser must start fast)

PROG = "gdtui"
DEFAULT_SCENARIO = "ravine"


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (no usage dump) and exits 2."""

    def error(self, message):
        raise UsageError(message)


def int_at_least(low: int, high: int = MAX_LENGTH):
    """An argparse type: an integer from low to high (gdtui.limits.MAX_LENGTH: steps, epochs,
    frames; more would not finish)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}")
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        if value > high:
            shown = text if len(text) <= 20 else f"{text[:6]}…({len(text)} digits)"
            raise argparse.ArgumentTypeError(f"must be <= {high}, got {shown}")
        return value
    return parse


positive_int, nonnegative_int = int_at_least(1), int_at_least(0)


def terminal_size(text: str) -> tuple[int, int]:
    try:
        cols, rows = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected COLSxROWS such as 120x40, got {text!r}")
    if not (20 <= cols <= 1000 and 5 <= rows <= 500):
        raise argparse.ArgumentTypeError(f"between 20x5 and 1000x500, got {text!r}")
    return cols, rows


def add_length(p, each: str | None = None):
    """--steps N | --epochs N: how long to run, in the scenario's own unit (`each`: per run of a
    sweep, per trial of a tuning)."""
    length = p.add_mutually_exclusive_group()
    if each is None:
        length.add_argument("--steps", type=positive_int, metavar="N", help="number of steps (step-clocked scenarios)")
        length.add_argument("--epochs", type=positive_int, metavar="N",
                            help="number of epochs (epoch-clocked scenarios)")
    else:
        length.add_argument("--steps", type=positive_int, metavar="N", help=f"steps per {each} (default: the scenario's)")
        length.add_argument("--epochs", type=positive_int, metavar="N",
                            help=f"epochs per {each} (epoch-clocked scenarios)")


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Race gradient-descent optimizers side by side in the terminal.",
                    epilog="With no command, opens the interactive app on the 'ravine' scenario.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("play", help="open the interactive app on a scenario (the default command)",
                       description="Open the interactive app. SCENARIO defaults to 'ravine'.")
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT_SCENARIO,
                   help="a .toml path or the name of a bundled scenario")
    p.add_argument("--headless", action="store_true",
                   help="no terminal: play --frames frames through the real app, print a summary, exit")
    p.add_argument("--frames", type=positive_int, metavar="N", help="with --headless: how many frames")
    p.add_argument("--size", type=terminal_size, default=(120, 40), metavar="COLSxROWS",
                   help="with --headless: the screen size (default 120x40)")

    p = sub.add_parser("run", help="run a scenario headless and report each run",
                       description="Run a scenario without a terminal UI and print a table of the runs. The race "
                                   "ends early once every run has converged or diverged.")
    p.add_argument("scenario", metavar="SCENARIO", help="a .toml path or the name of a bundled scenario")
    add_length(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--history", action="store_true", help="with --json: add each run's loss after every step "
                                                         "(kept in memory, like --sharpness: these outputs grow with the steps)")
    p.add_argument("--csv", metavar="PATH", help="write one row per step and run: step, run, loss, parameters "
                                                 "(an existing file is replaced; never the scenario itself)")
    p.add_argument("--sharpness", action="store_true",
                   help="with --json: add each run's sharpness (λmax of the full-batch Hessian) per recorded "
                        "step, and for Adam, RMSprop and Adagrad the preconditioned sharpness")
    p.add_argument("--sharpness-every", type=positive_int, default=1, metavar="N",
                   help="with --sharpness: only every N-th step (the others are null); default 1")

    p = sub.add_parser("snapshot", help="render the app at a step, without a terminal, to .svg or .txt",
                       description="Render the real app headless at step N and write an SVG screenshot "
                                   "or the screen as plain text.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--steps", type=nonnegative_int, metavar="N", help="the step (or epoch) to show; "
                   "default: the scenario's length")
    p.add_argument("--size", type=terminal_size, default=(120, 40), metavar="COLSxROWS",
                   help="screen size (default 120x40)")
    p.add_argument("--select", metavar="RUN", help="the run the inspector shows (its name or 1-based number)")
    p.add_argument("--out", required=True, metavar="FILE", help="output file: .svg or .txt (an existing file is "
                                                                "replaced; never the scenario itself)")

    p = sub.add_parser("sweep", help="every run of a scenario across a grid of learning rates",
                       description="Run every run of the scenario at N log-spaced learning rates (all in one "
                                   "batched race) and report the best rate and the stability window of each.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--lr", metavar="MIN:MAX", default="1e-4:10", help="the range of rates (default 1e-4:10)")
    p.add_argument("--points", type=int_at_least(2, 1000), default=32, metavar="N",
                   help="rates in the range, 2 to 1000 (default 32)")
    add_length(p, "run")
    p.add_argument("--range-test", action="store_true",
                   help="also run the LR range test (Smith 2017): each run once, its rate rising from MIN to MAX "
                        "over the steps; drawn as dots beside the sweep, with the rate it suggests")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the plot and table")

    p = sub.add_parser("tune", help="give every run the same budget of trials over its hyperparameters",
                       description="A fair race: every run of the scenario gets the same number of trials over its "
                                   "own hyperparameters (lr log-uniform from 1e-5 to 10; the decay rates β, β1, β2, "
                                   "ρ with 1 − β log-uniform), all trials in one batched race on each run's own "
                                   "batches and noise. Reports each run's best setting, the median over its "
                                   "trials, how many diverged, and the span of its stable rates in decades.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--budget", type=int_at_least(1, 1000), default=16, metavar="N",
                   help="trials per run, 1 to 1000 (default 16)")
    add_length(p, "trial")
    p.add_argument("--search", choices=("random", "grid"), default="random",
                   help="random (default): settings drawn at random; grid: a grid of them")
    p.add_argument("--seed", type=int_at_least(0, MAX_SEED), metavar="N",
                   help="the seed of the random search's draws (default: the scenario's seed, which still sets the "
                        "batches and noise)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the plot and table")

    p = sub.add_parser("serve", help="serve the app in a browser, for a class (needs gdtui[serve])",
                       description="Serve the app in the browser with textual-serve: every visitor gets their own "
                                   "app on SCENARIO, the terminal sized to their window. A teacher starts it, and "
                                   "students open http://HOST:PORT in a browser. It binds to 127.0.0.1 unless "
                                   "--host says otherwise; a visitor's s (save) downloads the file to their own "
                                   "browser; past --max-sessions visitors see a page saying the session is full. "
                                   "Install with: pip install 'gdtui[serve]'.")
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT_SCENARIO,
                   help="a .toml path or the name of a bundled scenario (default ravine)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine "
                                                       "only; 0.0.0.0 for every network it is on)")
    p.add_argument("--port", type=int_at_least(1, 65535), default=8000, metavar="N", help="default 8000")
    p.add_argument("--max-sessions", type=int_at_least(1, 1000), default=20, metavar="N",
                   help="visitors at once, each an app process of about 66 MB (default 20)")

    p = sub.add_parser("theory", help="each run's predicted rate and stable lr against the rate it achieved",
                       description="The linear theory of each run (GD, EMA momentum, Nesterov): the Hessian "
                                   "eigenvalues it uses, the predicted factor per update, the largest stable lr, "
                                   "and the rate measured from the run's own path. On non-quadratic problems "
                                   "the Hessian is taken at each run's end point (local).")
    p.add_argument("scenario", metavar="SCENARIO")
    add_length(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")

    p = sub.add_parser("landscape", help="a network race on one plane through parameter space",
                       description="Fit a plane to every run's path (PCA, or filter-normalised random "
                                   "directions), and report the loss over it, each run's projected path and its "
                                   "distance from the plane, and the loss along the line from the start to each "
                                   "run's end. Networks only (problem type mlp).")
    p.add_argument("scenario", metavar="SCENARIO")
    add_length(p)
    p.add_argument("--plane", choices=("pca", "random"), default="pca", help="the plane (default pca)")
    p.add_argument("--out", metavar="FILE", help="draw the app's landscape view to FILE.svg or FILE.txt "
                                                 "(an existing file is replaced; never the scenario itself)")
    p.add_argument("--size", type=terminal_size, default=(120, 40), metavar="COLSxROWS",
                   help="with --out: the screen size (default 120x40)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")

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
        argv = [f"{a}={argv[i + 1]}" if a in VALUE_MAY_START_WITH_MINUS and i + 1 < len(argv) else a
                for i, a in enumerate(argv) if i == 0 or argv[i - 1] not in VALUE_MAY_START_WITH_MINUS]
        if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
            argv = ["play", *argv]   # flags with no command are the app's (gdtui --size …)
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["play", *argv])
        code = COMMANDS[args.command](args)
        sys.stdout.flush()   # a full disk or a closed file shows here, not at exit
        return code
    except UsageError as e:
        return fail(str(e))
    except GdtuiError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:   # writing the output: a full disk, a read-only file
        sys.stdout = open(os.devnull, "w")   # (the interpreter would try to flush it again at exit)
        return fail(f"cannot write the output: {e.strerror or e}")


VALUE_MAY_START_WITH_MINUS = {"--lr"}   # "--lr -1:1" must reach the range check, not look like a flag


def fail(message: str) -> int:
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)
    return 2


def printable(text: str) -> str:
    """One line with no control characters: a key or file name quoted from bad input could hold
    a newline or an escape sequence, which must not reach the terminal as it is."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)


# --- commands ---------------------------------------------------------------------

def cmd_run(args) -> int:
    from . import headless, scenario
    from .files import write_atomically

    sc = scenario.load(args.scenario)
    length = _length(sc, args)
    # every flag is checked before anything is computed or written
    if args.csv is not None:
        if not args.csv:
            raise UsageError("--csv: the file name is empty")
        _not_the_input("--csv", args.csv, args.scenario)
    if args.history and not args.json:
        raise UsageError("--history needs --json")
    if args.sharpness and not args.json:
        raise UsageError("--sharpness needs --json")
    if args.sharpness_every != 1 and not args.sharpness:
        raise UsageError("--sharpness-every needs --sharpness")
    # the race stops once every run has; only --history keeps every tick
    history = {} if args.history else headless.SUMMARY

    def compute(observe=None):
        if args.sharpness:
            return headless.simulate_with_sharpness(sc, length, args.sharpness_every, until_done=True,
                                                    observe=observe, **history)
        return headless.simulate(sc, length, until_done=True, observe=observe, **history), None

    if args.csv:
        computed = []
        try:   # the rows go to the file as the race runs: the whole file, or the old one if it fails
            write_atomically(args.csv, lambda f: computed.append(
                compute(headless.csv_recorder(f))))
        except OSError as e:
            raise UsageError(f"{args.csv}: cannot write: {e.strerror or e}")
        race, sharpness = computed[0]
    else:
        race, sharpness = compute()
    if args.json:
        doc = headless.result_json(sc, race, history=args.history)
        doc["length"] = length
        if sharpness is not None:
            headless.add_sharpness(doc, sharpness)
        print(headless.dumps(doc))
    else:
        headless.print_table(sc, race)
        if race.tick < length:
            unit = "epoch" if sc.clock == "epoch" else "step"
            print(f"every run had stopped by {unit} {race.tick}: the other {length - race.tick} were not computed")
    return 0


def _report(args, result: dict, print_report) -> int:
    """--json: one JSON object; otherwise the command's own report."""
    from .headless import dumps

    if args.json:
        print(dumps(result))
    else:
        print_report(result)
    return 0


def _picture_format(path: str) -> str:
    """"svg" or "txt", from the output file's name."""
    if not path:
        raise UsageError("--out: the file name is empty")
    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if fmt not in ("svg", "txt"):
        raise UsageError(f"{path}: the output must end in .svg or .txt")
    return fmt


def _write(path: str, text: str):
    """Write an output file whole or not at all (the old one stays if writing fails)."""
    from .files import write_atomically

    try:
        write_atomically(path, lambda f: f.write(text))
    except OSError as e:
        raise UsageError(f"{path}: cannot write: {e.strerror or e}")


def _not_the_input(flag: str, out: str, name: str):
    """An output must never replace the scenario file it came from."""
    from .files import same_file
    from .scenario import resolve

    if same_file(out, resolve(name)):
        raise UsageError(f"{flag} {out}: that is the scenario file itself; choose another name")


def _length(sc, args) -> int:
    if args.steps is not None and sc.clock == "epoch":
        raise UsageError(f"{args.scenario}: this scenario counts epochs: use --epochs")
    if args.epochs is not None and sc.clock == "step":
        raise UsageError(f"{args.scenario}: this scenario counts steps: use --steps")
    from .scenario import updates_text

    if args.epochs is not None and args.epochs * sc.updates_per_tick > MAX_LENGTH:
        raise UsageError(f"--epochs: {updates_text(args.epochs, sc.updates_per_tick)}")
    length = args.steps or args.epochs or sc.length
    copies, flag, what = {"sweep": (getattr(args, "points", 1), "--points", "rates"),
                          "tune": (getattr(args, "budget", 1), "--budget", "trials")}.get(args.command,
                                                                                     (1, "--steps", ""))
    _check_work(sc, length, copies, "--epochs" if args.epochs else "--steps" if args.steps else flag, what)
    return length


def _check_work(sc, length: int, copies: int = 1, flag: str = "--steps", what: str = ""):
    """A length (× `copies` of every run: a sweep's rates, a tuning's trials, named by `what`) given
    on the command line within limits.MAX_WORK."""
    from .limits import MAX_WORK
    from .scenario import work_text

    if sc.work(length, copies) > MAX_WORK:
        raise UsageError(f"{flag}: {work_text(length, sc.clock, sc.work(length, copies), copies, what)}")


def cmd_list(args) -> int:
    from .listing import print_listing
    from .render.tables import output_console

    print_listing(output_console())
    return 0


def cmd_check(args) -> int:
    from . import scenario
    from .errors import GdtuiError

    bad = 0
    for name in args.scenarios:
        try:
            sc = scenario.load(name)
            sc.check()
            print(f"ok {printable(name)}: {sc.title}")
        except GdtuiError as e:
            bad += 1
            fail(str(e))
    return 2 if bad else 0


def cmd_play(args) -> int:
    from . import scenario

    if args.headless != (args.frames is not None):
        raise UsageError("--headless and --frames N go together")
    sc = scenario.load(args.scenario)
    sc.build_race(length=1)  # report a bad scenario before the screen switches
    served = "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")   # (gdtui serve: a browser is the terminal)
    if not args.headless and not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("play needs a terminal (for output without one: gdtui run, gdtui snapshot, "
                         "or play --headless --frames N)")
    if args.headless:
        from .ui.frames import play_frames

        stats = play_frames(sc, args.frames, size=args.size)
        print(f"{len(stats.cpu_ms)} frames at {args.size[0]}x{args.size[1]}: median {stats.median_cpu_ms():.2f} ms "
              f"CPU per frame; bytes per frame: median {stats.median_bytes():.0f}, mean {stats.mean_bytes():.0f}, "
              f"max {max(stats.bytes, default=0)}; first frame after {stats.first_frame_s:.2f} s")
        return 0
    from .ui.app import GdtuiApp

    GdtuiApp(sc).run()
    return 0


def cmd_snapshot(args) -> int:
    from . import scenario

    sc = scenario.load(args.scenario)
    fmt = _picture_format(args.out)
    _not_the_input("--out", args.out, args.scenario)
    select = None
    if args.select is not None:
        names = [r.name for r in sc.runs]
        if args.select in names:
            select = names.index(args.select)
        elif args.select.isdigit() and 1 <= int(args.select) <= len(names):
            select = int(args.select) - 1
        else:
            raise UsageError(f"--select: no run {args.select!r} (runs: {', '.join(names)})")
    sc.build_race(length=1)
    from .ui.snapshot import render

    if args.steps is not None:
        _check_work(sc, args.steps)
    _write(args.out, render(sc, sc.length if args.steps is None else args.steps, args.size, select, fmt))
    return 0


def cmd_sweep(args) -> int:
    from . import scenario, sweep

    lo, hi = sweep.parse_range(args.lr)
    sc = scenario.load(args.scenario)
    length = _length(sc, args)
    _, result = sweep.run_sweep(sc, sweep.lr_grid(lo, hi, args.points), length)
    if args.range_test:
        from .range_test import run_range_test

        result["range_test"] = run_range_test(sc, lo, hi, length)
    return _report(args, result, sweep.print_report)


def cmd_tune(args) -> int:
    from . import scenario, tune

    sc = scenario.load(args.scenario)
    if args.seed is not None and args.search == "grid":
        raise UsageError("--seed is for --search random (a grid has no draws)")
    _, result = tune.run_tune(sc, args.budget, _length(sc, args), args.search, args.seed)
    return _report(args, result, tune.print_report)


def cmd_serve(args) -> int:
    from . import scenario

    sc = scenario.load(args.scenario)
    sc.build_race(length=1)   # a bad scenario is reported here, not to every visitor
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError("serve needs textual-serve: pip install 'gdtui[serve]'")
    from .serve import LOCAL_HOSTS, make_server

    if args.host not in LOCAL_HOSTS:
        print(f"{PROG} serve: warning: listening on {args.host}: anyone who can reach this machine on port "
              f"{args.port} can start an app on it (at most {args.max_sessions} at once)", file=sys.stderr)
    server = make_server(str(scenario.resolve(args.scenario).resolve()), args.host, args.port, args.max_sessions)
    try:
        server.serve()
    except OSError as e:   # the port is taken, or the address is not this machine's
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}")
    return 0


def cmd_landscape(args) -> int:
    from . import landscape_report, scenario

    sc = scenario.load(args.scenario)
    landscape_report.check(sc)
    length = _length(sc, args)
    if args.out is not None:
        fmt = _picture_format(args.out)
        _not_the_input("--out", args.out, args.scenario)
        if args.plane != "pca":
            raise UsageError("--out draws the app's view, whose plane is PCA: leave out --plane")
        sc.build_race(length=1)   # a bad scenario is reported before the app is started
        from .ui.snapshot import render

        _write(args.out, render(sc, length, args.size, None, fmt, landscape=True))
        if not args.json:
            return 0
    return _report(args, landscape_report.analyse(sc, length, args.plane), landscape_report.print_report)


def cmd_theory(args) -> int:
    from . import scenario, theory_report

    sc = scenario.load(args.scenario)
    return _report(args, theory_report.analyse(sc, _length(sc, args)), theory_report.print_report)


def cmd_bench(args) -> int:
    from . import bench

    report = bench.run_all(quick=args.quick,
                           progress=lambda text: print(f"{PROG} bench: {text}", file=sys.stderr, flush=True))
    return _report(args, report, bench.print_report)


COMMANDS = {"play": cmd_play, "snapshot": cmd_snapshot, "run": cmd_run, "sweep": cmd_sweep, "tune": cmd_tune, "theory": cmd_theory,
            "landscape": cmd_landscape, "serve": cmd_serve, "list": cmd_list, "check": cmd_check, "bench": cmd_bench}
