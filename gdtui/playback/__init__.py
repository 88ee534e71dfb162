"""The app's state without Textual: a cursor over the race's history, the view, and
the runs' setup; it produces the frames the widgets draw (see frame.py)."""

from .frame import Frame, Narration, PlayState, RunRow, Scene, Stability
from .playback import FRAME_RATE, SPEEDS, Playback, reading_seconds, speed_text
from .setup import Edit, Setup
from .view import TRAILS, ZOOM_STEP, View

__all__ = ["FRAME_RATE", "SPEEDS", "TRAILS", "ZOOM_STEP", "Edit", "Frame", "Narration", "PlayState", "Playback",
           "RunRow", "Scene", "Setup", "Stability", "View", "reading_seconds", "speed_text"]
