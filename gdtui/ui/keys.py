"""Every key of the race screen, declared once: the bindings, the footer, the help
screen and the command palette all read this table."""

from __future__ import annotations

from textual.binding import Binding

# (keys, action, footer label, what it does, shown in the footer)
KEYS = [
    ("space", "toggle_play", "play/pause", "play or pause", True),
    ("n,right", "step", "step", "one step forward", True),
    ("left", "back", "back", "one step back through the history (nothing is recomputed)", True),
    ("right_square_bracket", "next_event", "next event", "jump to the lesson's next event (narration, pause, …)", True),
    ("left_square_bracket", "previous_event", "prev event", "back to the lesson's previous event", False),
    ("e", "narration_log", "narration", "every narration so far, and the scenario's description", False),
    ("r", "reset", "reset", "every run back to the start, with the settings as they now are", True),
    ("plus,equals_sign", "faster", "faster", "more steps per frame", False),
    ("minus,underscore", "slower", "slower", "fewer steps per frame (down to one step every 8 frames)", False),
    ("tab", "select_next", "next run", "select the next run", False),
    ("f", "spotlight", "focus", "the selected run alone in colour, the others dimmed; again: all", True),
    ("t", "trails", "trails", "trails: fading, full, or heads only", False),
    ("v", "toggle_visible", "hide", "hide or show the selected run", False),
    ("l", "lr(0.5)", "lr ½", "halve the selected run's learning rate from this step on", False),
    ("L,shift+l", "lr(2.0)", "lr ×2", "double the selected run's learning rate from this step on", False),
    ("b", "beta(True)", "β↑", "the selected run's β towards 1 (1 − β halves)", False),
    ("B,shift+b", "beta(False)", "β↓", "the selected run's β towards 0 (1 − β doubles)", False),
    ("i", "toggle_inspector", "inspector", "inspector on or off (small screens: inspector or loss plot)", False),
    ("z", "zoom(True)", "zoom in", "zoom in (also the mouse wheel)", False),
    ("Z,shift+z", "zoom(False)", "zoom out", "zoom out", False),
    ("shift+left", "pan(-0.1,0)", "pan", "pan left", False),
    ("shift+right", "pan(0.1,0)", "pan", "pan right", False),
    ("shift+up", "pan(0,0.1)", "pan", "pan up", False),
    ("shift+down", "pan(0,-0.1)", "pan", "pan down", False),
    ("0", "home_view", "view", "back to the scenario's view", False),
    ("p", "pick_problem", "problem", "choose another problem, surface or scenario, or type a formula", True),
    ("s", "save", "save", "save the current setup as a scenario file", False),
    ("m", "landscape", "landscape", "networks: every run on one plane through parameter space (PCA), or back "
     "to the decision boundaries", False),
    ("M,shift+m", "freeze_plane", "freeze plane", "landscape: keep the plane as it is, or let it follow the runs",
     False),
    ("w", "sweep", "sweep", "sweep every run over learning rates from the current start (t there: tune)", False),
    ("y", "theory", "why", "why: the theory beside the race (rate map, eigen-directions, sharpness, gradient noise)",
     True),
    ("question_mark", "help", "help", "this help: every key and each rule's equations", True),
    ("q", "quit", "quit", "quit", True),
]
SELECT_KEYS = [(str(k), f"select({k - 1})", f"select run {k}") for k in range(1, 10)]


def bindings() -> list[Binding]:
    """The race screen's bindings; their actions are the app's (`app.` prefix)."""
    out = [Binding(keys, f"app.{action}", label, show=show, priority=keys in ("tab", "space"))
           for keys, action, label, _, show in KEYS]
    out += [Binding(key, f"app.{action}", label, show=False) for key, action, label in SELECT_KEYS]
    return out


KEY_NAMES = {"right": "→", "left": "←", "plus": "+", "equals_sign": "=", "minus": "−", "underscore": "_",
             "question_mark": "?", "shift+left": "shift+←", "shift+right": "shift+→", "shift+up": "shift+↑",
             "shift+down": "shift+↓", "right_square_bracket": "]", "left_square_bracket": "["}


def key_label(keys: str) -> str:
    """"L,shift+l" -> "L": shift+<letter> only repeats the upper-case key for some terminals."""
    shown = [k for k in keys.split(",") if not (k.startswith("shift+") and len(k) == 7)]
    return " / ".join(KEY_NAMES.get(k, k) for k in shown)
