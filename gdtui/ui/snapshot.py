"""`gdtui snapshot`: the real app rendered with no terminal, at a given step, to SVG or text."""

from __future__ import annotations

import asyncio
import io
import re

from rich.console import Console

from ..scenario import Scenario
from .app import GdtuiApp


def screen_text(app: GdtuiApp) -> str:
    """The screen as plain text, one line per row."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return "\n".join(line.rstrip() for line in console.export_text(styles=False).splitlines()) + "\n"


# what XML 1.0 allows in a document at all (even as &#…; references): no C0 control but tab and
# line ends, no lone surrogate, no U+FFFE or U+FFFF
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def svg_file(svg: str) -> str:
    """Textual's SVG as a file to keep: valid XML whatever text was on screen (a character XML
    forbids becomes U+FFFD), and with its spaces preserved: Textual relies on runs of spaces inside
    <text>, which standard renderers (rsvg-convert, some browsers) collapse unless told not to."""
    return NOT_XML.sub("\ufffd", svg.replace("<svg ", '<svg xml:space="preserve" ', 1))


async def settle(app: GdtuiApp, pilot):
    """Everything drawn for the playback's current state (snapshots and tests): the frame
    published as at rest, and two rounds of rendering."""
    app.publish()
    await pilot.pause()
    await pilot.pause()


async def _render(scenario: Scenario, steps: int, size: tuple[int, int], select: int | None, fmt: str,
                  landscape: bool = False) -> str:
    app = GdtuiApp(scenario, frame_rate=1e-3)  # the timer never fires: nothing moves but what we ask
    async with app.run_test(size=size) as pilot:
        if select is not None:
            app.playback.select(select)
        app.playback.step(steps)
        if landscape:
            app.playback.toggle_landscape()
        app.playback.say("")
        await settle(app, pilot)
        return svg_file(app.export_screenshot(title=scenario.title)) if fmt == "svg" else screen_text(app)


def render(scenario: Scenario, steps: int, size=(120, 40), select: int | None = None, fmt: str = "svg",
           landscape: bool = False) -> str:
    """The app at `steps` as SVG or text; `landscape`: in the landscape view (networks)."""
    return asyncio.run(_render(scenario, steps, size, select, fmt, landscape))
