"""Writing files without losing the old one: into a temporary file beside it, then renamed
over it in one step, so a full disk or an error half-way leaves the old file as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, write) -> None:
    """Call `write(f)` on a new text file and put it at `path` only when it is complete."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two names are one existing file."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
