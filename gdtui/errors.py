"""The one error type a user ever sees: a file, a field and what is wrong."""

from __future__ import annotations


class GdtuiError(Exception):
    """Printed as `gdtui: error: <file>: <field>: <message>`, exit status 2."""

    def __init__(self, message: str, file: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.field = field

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.field) if p]
        return ": ".join(parts + [self.message])


class ScenarioError(GdtuiError):
    pass
