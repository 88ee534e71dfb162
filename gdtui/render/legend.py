"""The legend of the surface view: each run's glyph and name, fitted to a width."""

from __future__ import annotations


def legend_texts(entries, width: int) -> list[str]:
    """Each run's "glyph name mark", two spaces apart. When they do not fit in `width`, the
    longest names are shortened (with "…", to 6 characters at least); when even that does not
    fit, each run is its glyph and its number in the runs table."""
    names = [name for _, name, _ in entries]

    def texts():
        return [f"{glyph} {name}{mark}" for (glyph, _, mark), name in zip(entries, names)]

    def fits():
        return sum(len(t) + 2 for t in texts()) <= width

    while not fits() and max(len(n) for n in names) > 6:
        longest = max(range(len(names)), key=lambda k: len(names[k]))
        names[longest] = names[longest][: len(names[longest]) - 2] + "…"
    if not fits():
        names = [str(r + 1) for r in range(len(entries))]
    return texts()
