"""Pure functions from arrays to rich Segments and Styles (no textual here)."""
