import pytest

from gdtui.scenario import load, parse
from gdtui.ui.app import GdtuiApp


@pytest.fixture
def make_app():
    """A GdtuiApp on a bundled scenario (or TOML text) whose timer never fires on its own."""
    def make(scenario="ravine", **kwargs):
        sc = parse(scenario, "test.toml") if "\n" in scenario else load(scenario)
        return GdtuiApp(sc, frame_rate=kwargs.pop("frame_rate", 1e-3), **kwargs)
    return make
