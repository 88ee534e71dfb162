"""Your own data: labelled points from a CSV file, for a network (x1, x2) or a logistic
regression (x) to classify.

The file has a header row naming the columns, x1, x2 and label (or x and label; in any order,
other columns ignored), then one row per point: finite numbers and a label of 0 or 1. Anything
else is one line naming the row and the column, so a person can find it in their spreadsheet.
"""

from __future__ import annotations

import csv
import math
import stat
from pathlib import Path

import numpy as np

COLUMNS = ("x1", "x2", "label")   # a network's points in the plane
LINE_COLUMNS = ("x", "label")      # a logistic regression's points on a line
MAX_ROWS = 10_000        # points: past this a network's view no longer redraws interactively
MAX_BYTES = 2 * 2**20    # of the file (10,000 rows of numbers need a fraction of it)


class PointsError(ValueError):
    pass


def load_points(path: str | Path, columns: tuple[str, ...] = COLUMNS) -> tuple[np.ndarray, np.ndarray]:
    """(X (m, len(columns) − 1), y (m,) of 0.0 and 1.0) from a CSV file, or PointsError saying
    what is wrong where: 'row 7, column x2: "abc" is not a number' (rows counted as a
    spreadsheet shows them, the header being row 1)."""
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):   # a FIFO or a device would never end
            raise PointsError("not a regular file")
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)   # (never more, whatever the file grew to since)
        if len(data) > MAX_BYTES:
            raise PointsError(f"more than {MAX_BYTES} bytes: the limit ({MAX_ROWS} points need far less)")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PointsError(f"not UTF-8 text (byte {e.start})")
    except OSError as e:
        raise PointsError(f"cannot read it: {e.strerror or e}")
    try:
        return _parse(text, columns)
    except csv.Error as e:
        raise PointsError(f"not a CSV file this tool can read ({_clip(str(e))})")


def _parse(text: str, columns: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    rows = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(rows, [])]
    twice = sorted({c for c in columns if header.count(c) > 1})
    if twice:
        raise PointsError(f"row 1: the column {twice[0]} is named twice")
    missing = [c for c in columns if c not in header]
    if missing:
        raise PointsError(f"row 1: the header must name the columns {', '.join(columns[:-1])} and label "
                          f"(missing: {', '.join(missing)}; found: {_clip(', '.join(header) or 'nothing')})")
    at = {c: header.index(c) for c in columns}
    X, y = [], []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue   # a blank line
        if len(X) == MAX_ROWS:
            raise PointsError(f"row {number}: more than {MAX_ROWS} points: the view would no longer keep up")
        values = []
        for column in columns:
            if at[column] >= len(row):
                raise PointsError(f"row {number}, column {column}: missing (the row has {len(row)} cells)")
            cell = row[at[column]].strip()
            try:
                value = float(cell)
            except ValueError:
                raise PointsError(f"row {number}, column {column}: {_clip(repr(cell))} is not a number")
            if not math.isfinite(value):
                raise PointsError(f"row {number}, column {column}: {_clip(cell)} is not finite")
            if column == "label" and value not in (0.0, 1.0):
                raise PointsError(f"row {number}, column label: must be 0 or 1 (got {_clip(cell)})")
            if column != "label" and abs(value) > 1e6:   # (features: the label is checked above)
                raise PointsError(f"row {number}, column {column}: {_clip(cell)} is beyond ±1e6 (scale the data)")
            values.append(value)
        X.append(values[:-1])
        y.append(values[-1])
    if len(X) < 2:
        raise PointsError(f"{len(X)} point{'s' * (len(X) != 1)}: at least 2 are needed")
    y = np.array(y)
    if y.min() == y.max():
        raise PointsError(f"every label is {int(y[0])}: a classifier needs points of both classes")
    return np.array(X), y


def _clip(text: str, n: int = 40) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= n else text[: n - 1] + "…"
