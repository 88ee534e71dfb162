import os

# Snapshot and UI tests must not depend on the user's terminal settings.
os.environ.pop("NO_COLOR", None)
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
