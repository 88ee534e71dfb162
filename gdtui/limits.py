"""What gdtui accepts, so that it stays interactive and fits the machine: checked when a
scenario is read (and for the flags that change the same numbers), each refused with a line
that names the limit. The README lists them."""

MAX_LENGTH = 100_000          # steps or epochs of one scenario, and updates of any run
MAX_SAMPLES = 100_000         # examples of a generated data set
MAX_LAYER = 1_024             # units in one layer of a network
MAX_PARAMETERS = 100_000      # parameters of one network
MAX_RUNS = 1_000              # runs of one scenario
MAX_NUMBERS = 10_000_000      # runs × parameters (× rates in a sweep): 80 MB of float64 per array (a race holds a dozen)
MIN_LR, MAX_LR = 1e-12, 1e6   # learning rates (the app's l and L stop at them: a saved file must load)
MAX_SEED = 2**32 - 1          # seeds: 0 .. 2³² − 1
MAX_INTEGER = 2**31 - 1       # any other integer field
MAX_ACTIVATIONS = 16_000_000  # runs × examples × units (hidden and output) in one full-batch pass of a network
MAX_WORK = 5 * 10**10            # multiply-adds of a whole race on data: ticks × runs × parameters × examples per tick
STREAM_STEP_WORK = 4_000      # a random stream's draw of a batch or noise for one update: a step of Python (~2 µs here)
MAX_NESTING = 200             # TOML arrays and tables nested deeper than this are refused
HISTORY_BYTES = 64 * 2**20    # the history the app (and a snapshot of it) keeps; past it, older ticks are thinned


def activations(runs: int, layers, samples: int) -> int:
    """The numbers one layer-by-layer pass of every run over the whole data set holds: each
    unit's value (and its bias row) for every example of every run."""
    return runs * samples * sum(n + 1 for n in layers[1:])


def work(ticks: int, runs: int, dim: int, examples_per_tick: int) -> int:
    """The multiply-adds of a race on data, roughly: every tick each run passes over
    `examples_per_tick` examples (its batches and the full-batch loss the race records), each
    costing about one multiply-add per parameter."""
    return ticks * runs * dim * examples_per_tick


def history_rows(R: int, D: int) -> int:
    """The ticks the app's history keeps of a race of R runs of D parameters (HISTORY_BYTES)."""
    from .core.race import History

    return max(64, HISTORY_BYTES // History.bytes_per_tick(R, D))
