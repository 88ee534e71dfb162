"""Tables for the headless commands: never a cut number.

Piped output has no width: it gets every column at its natural width. A
terminal narrower than the table loses whole columns, the least useful first
(each column says when it may go), never digits: a cell is never cropped or
ellipsised.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

PIPE_WIDTH = 100_000  # "no limit" for output that is not a terminal


@dataclass(frozen=True)
class Column:
    header: str
    justify: str = "left"
    drop: int = 0  # 0: always shown; otherwise dropped in this order (1 first) when the terminal is narrow


def output_console(file=None) -> Console:
    """A console for a command's report: the terminal's width, or unlimited when piped."""
    console = Console(file=file or sys.stdout)
    if not console.is_terminal:
        console = Console(file=file or sys.stdout, width=PIPE_WIDTH, color_system=None)
    return console


def fitted_table(console: Console, columns: list[Column], rows: list[list], styles: list | None = None,
                 **table_args) -> Table:
    """A SIMPLE_HEAD table of `rows` (with a style per row, optionally) that fits
    `console.width`, dropping columns by their `drop` order until it does (or until only
    the columns that always show are left)."""
    shown = list(range(len(columns)))
    styles = styles or [None] * len(rows)
    while True:
        table = _table([columns[i] for i in shown], [[row[i] for i in shown] for row in rows], styles, table_args)
        droppable = [i for i in shown if columns[i].drop]
        if natural_width(console, table) <= console.width or not droppable:
            return table
        shown.remove(min(droppable, key=lambda i: columns[i].drop))


def natural_width(console: Console, table: Table) -> int:
    """The width `table` takes when nothing limits it (a console measures within its own width)."""
    unlimited = console.options.update(width=PIPE_WIDTH, max_width=PIPE_WIDTH)
    return Measurement.get(console, unlimited, table).maximum


def _table(columns: list[Column], rows: list[list], styles: list, table_args: dict) -> Table:
    args = dict(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True,
                title_justify="left", title_style="bold")
    args.update(table_args)
    table = Table(**args)
    for col in columns:
        table.add_column(col.header, justify=col.justify, overflow="fold")  # fold, not crop: never a cut number
    for row, style in zip(rows, styles):
        table.add_row(*row, style=style)
    return table
