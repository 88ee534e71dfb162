"""The surface view: a contour heatmap with every run's trajectory (Line API).

It draws a frame and a view. The heatmap is made once per view box and size
and cached as colour codes; trails are rasterized incrementally as the frame's
tick moves on, with a stamp per cell so their older parts can fade; a frame
refreshes only the cells whose glyph or ink changed.

The view is drawn by narrow column tiles, each cropping the view's lines.
Textual repaints a changed cell by resending its line from the left edge of
the widget that holds it, so with one wide widget a head moving near the
right edge would resend nearly the whole row; with tiles it resends at most
a tile.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ...playback.view import ZOOM_STEP
from ...render import overlay
from ...render.axes import nice_ticks, tick_label
from ...render.legend import legend_texts
from ...render.palette import dim_color, heat_colors, old_color, run_look
from ...render.surface import PLAIN, StyleBook, heat_codes, row_segments
from ...render.trails import NEVER, PIECE, draw_paths, to_subpixels
from .base import PanelWidget

TILE = 8            # columns per tile
MARGIN = TILE       # columns for the y tick labels: exactly the first tile
TOP, BOTTOM = 1, 2  # legend line; x axis and its labels
FADE_STRIDE = 8     # ticks
MARK_COLOR = "#ffffff"
AXIS_STYLE = Style(color="#9e9e9e")
LABEL_STYLE = Style(color="#d0d0d0", bold=True)
HIDDEN_STYLE = Style(color="#6c6c6c")


class _Tile(Widget):
    """A band of TILE columns of the surface view (the first one is the y-axis margin).

    It keeps its finished lines itself and renders only the lines refreshed
    since (Textual's own per-widget line cache re-applies the line filters to
    every line of the repainted area, for every tile, on every frame)."""

    DEFAULT_CSS = "_Tile { height: 1fr; }"

    def __init__(self, surface: "SurfaceView", x0: int, width: int):
        super().__init__()
        self.surface, self.x0 = surface, x0
        self.styles.width = width
        self._lines: dict[int, Strip] = {}
        self._width = width

    def refresh(self, *regions, **kwargs):
        if regions:
            for region in regions:
                for y in region.line_range:
                    self._lines.pop(y, None)
        else:
            self._lines.clear()
        return super().refresh(*regions, **kwargs)

    def render_lines(self, crop: Region) -> list[Strip]:
        width = self.size.width
        if width != self._width:
            self._lines.clear()
            self._width = width
        lines = self._lines
        filters = self.app.get_line_filters()
        background = None
        strips = []
        for y in crop.line_range:
            strip = lines.get(y)
            if strip is None:
                strip = self.surface.line(y, self.x0, width)
                if filters:
                    background = background or self.background_colors[1]
                    for line_filter in filters:
                        strip = strip.apply_filter(line_filter, background)
                lines[y] = strip
            strips.append(strip)
        if crop.column_span != (0, width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips


class SurfaceView(PanelWidget):
    """Trajectories of every run over the loss surface of a two-parameter problem."""

    DEFAULT_CSS = "SurfaceView { width: 1fr; height: 1fr; layout: horizontal; }"

    class Clicked(Message):
        """A click inside the plot, in data coordinates."""

        def __init__(self, point: tuple[float, float]):
            super().__init__()
            self.point = point

    class Zoomed(Message):
        """The mouse wheel: zoom by `factor` about `centre` (data coordinates, or None)."""

        def __init__(self, factor: float, centre):
            super().__init__()
            self.factor, self.centre = factor, centre

    class RunClicked(Message):
        """A click on a run's name in the legend."""

        def __init__(self, run: int):
            super().__init__()
            self.run = run

    def __init__(self, monochrome: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.monochrome = monochrome
        self.book = StyleBook(heat_colors())
        self._heat_key = None        # (scene, box, cols, rows) the heatmap was made for
        self._shown_view = None      # the view last drawn in
        self._codes = None
        self._trail_key = None       # (generation, box, cols, rows) the trails were drawn for
        self._bits = self._stamps = None     # (R, rows, cols): each run's braille dots, and the tick that drew each cell
        self._drawn_to = -1          # the tick the trails reach
        self._glyphs = self._inks = None
        self._legend_key = None
        self._legend_spans: list[tuple[int, int, int]] = []   # (first column, last column, run)
        self._lines: dict[int, Strip] = {}   # legend and axes
        self._y_tick_rows: dict[int, str] = {}
        self._inks_table = []
        self._tiles: list[_Tile] = []
        self._tiled_width = -1

    # --- geometry -----------------------------------------------------------------

    @property
    def plot_size(self) -> tuple[int, int]:
        return max(self.size.width - MARGIN, 1), max(self.size.height - TOP - BOTTOM, 1)

    def cell_to_data(self, col: int, row: int) -> tuple[float, float]:
        """The data point at the centre of plot cell (col, row)."""
        cols, rows = self.plot_size
        (x0, x1), (y0, y1) = self._shown_view.box
        return x0 + (col + 0.5) / cols * (x1 - x0), y1 - (row + 0.5) / rows * (y1 - y0)

    # --- drawing ------------------------------------------------------------------------

    def on_resize(self, event: events.Resize):
        """One tile per TILE columns (the margin is the first tile); then the base class draws."""
        width = self.size.width
        if width != self._tiled_width:
            self._tiled_width = width
            self._tiles = [_Tile(self, x, min(TILE, width - x)) for x in range(0, width, TILE)]
            self.remove_children()
            self.mount_all(self._tiles)

    def draw(self, why: str):
        self.paint(self.frame, self.view)

    def paint(self, frame, view):
        """Draw `frame` in `view` (the landscape panel hands in the race on its plane)."""
        if not self.size.width or not self.size.height or view.box is None:
            return
        self._shown_view = view
        cols, rows = self.plot_size
        everything = False
        if (frame.scene, view.box, cols, rows) != self._heat_key:   # (a new scene: a new plane)
            self._heat_key = (frame.scene, view.box, cols, rows)
            self._codes = heat_codes(frame.scene.loss_field(view.box, cols, 2 * rows), frame.scene.f_star)
            self._lines = self._axes(frame, view)
            everything = True
        if (frame.generation, view.box, cols, rows) != self._trail_key or frame.tick < self._drawn_to:
            self._trail_key = (frame.generation, view.box, cols, rows)
            R = len(frame.runs)
            self._bits = np.zeros((R, rows, cols), dtype=np.uint8)
            self._stamps = np.full((R, rows, cols), NEVER, dtype=np.int32)
            self._inks_table = self._ink_table(R)
            self._drawn_to = -1
            everything = True
        self._draw_trails(frame)
        legend_key = (view.selected, view.hidden, view.spotlight, tuple(r.status for r in frame.runs))
        if legend_key != self._legend_key or everything:
            self._legend_key = legend_key
            self._lines[0] = self._legend(frame, view)
            for tile in self._tiles:
                tile.refresh(Region(0, 0, TILE, 1))
        glyphs, inks = self._overlay(frame, view)
        if everything or self._glyphs is None or self._glyphs.shape != glyphs.shape:
            self._glyphs, self._inks = glyphs, inks
            for tile in self._tiles:
                tile.refresh()
            return
        diff = (glyphs != self._glyphs) | (inks != self._inks)
        self._glyphs, self._inks = glyphs, inks
        changed: dict[int, list[Region]] = {}   # tile -> the lines of it to repaint
        for r in np.flatnonzero(diff.any(axis=1)):
            for tile in {(MARGIN + int(c)) // TILE for c in np.flatnonzero(diff[r])}:
                changed.setdefault(tile, []).append(Region(0, TOP + int(r), TILE, 1))
        for tile, regions in changed.items():
            if tile < len(self._tiles):
                self._tiles[tile].refresh(*regions)

    def _draw_trails(self, frame):
        """Rasterize each run's path from where the trails reach to the frame's tick."""
        if frame.path is None or frame.tick <= self._drawn_to:
            return
        cols, rows = self.plot_size
        # from the last kept tick the trails reach (it may have been thinned away since: the one before it)
        start = max(0, int(np.searchsorted(frame.ticks, max(self._drawn_to, 0), side="right")) - 1)
        for lo in range(start, max(len(frame.path) - 1, start + 1), PIECE):  # a long history: piece by piece
            new = frame.path[lo: lo + PIECE + 1]                             # (kept ticks, R, 2)
            subs = to_subpixels(new.reshape(-1, 2), self._shown_view.box, cols, rows).reshape(new.shape)
            draw_paths(self._bits, subs.transpose(1, 0, 2), self._stamps, ticks=frame.ticks[lo: lo + PIECE + 1])
        self._drawn_to = frame.tick

    def _overlay(self, frame, view):
        """Glyph (code point, 0 = heatmap) and ink index of every plot cell."""
        R = len(frame.runs)
        order = [r for r in range(R) if r not in view.hidden and r != view.selected]
        if view.selected not in view.hidden:
            order.append(view.selected)            # on top
        dimmed = {r for r in order if view.dimmed(r)}
        trails = order if view.trails != "heads" else [r for r in order if r == view.selected]
        fade = None if view.trails == "full" else view.fade_after
        glyphs_for = [run_look(r).trail for r in range(R)] if self.monochrome else None
        if trails:
            # the fading edge moves in jumps of FADE_STRIDE ticks: between them no old cell changes,
            # so a frame repaints the cells near the heads only
            faded_at = frame.tick - frame.tick % FADE_STRIDE
            glyphs, inks = overlay.trail_layer(self._bits, self._stamps, trails, faded_at, fade, dimmed, glyphs_for)
            if view.selected in trails:  # the selected run's own trail never fades
                mine = self._bits[view.selected] > 0
                inks[mine & (inks == overlay.ink(view.selected, overlay.OLD))] = overlay.ink(view.selected,
                                                                                          overlay.BRIGHT)
        else:
            glyphs = np.zeros(self.plot_size[::-1], dtype=np.int32)
            inks = np.zeros(self.plot_size[::-1], dtype=np.int16)
        mark = overlay.KINDS * R
        scene, box = frame.scene, view.box
        for point in scene.minima:
            overlay.put(glyphs, inks, point, box, "✕", mark)
        for point in scene.critical:
            overlay.put(glyphs, inks, point, box, "╳", mark)
        overlay.put(glyphs, inks, frame.start, box, "○", mark)
        for r in order:
            kind = overlay.HEAD_DIM if r in dimmed else overlay.HEAD
            overlay.put(glyphs, inks, frame.runs[r].params, box, run_look(r).head, overlay.ink(r, kind), clamp=True)
        return glyphs, inks

    def _ink_table(self, R: int):
        table = []
        for r in range(R):
            color = run_look(r).color
            table += [(color, False), (old_color(color), False), (dim_color(color), False),
                      (color, True), (dim_color(color), True)]
        return table + [(MARK_COLOR, True)]

    # --- the Line API -------------------------------------------------------------------

    def line(self, y: int, x0: int, width: int) -> Strip:
        """Columns x0 .. x0+width of line y (what the tile there shows). Only those
        cells are built: a frame rebuilds a few tiles' lines, never whole rows."""
        if self._codes is None or not self.size.width:
            return Strip.blank(width, PLAIN)
        if y in self._lines:
            return self._lines[y].crop(x0, x0 + width).extend_cell_length(width, PLAIN)
        row = y - TOP
        cols, rows = self.plot_size
        if not 0 <= row < rows or self._codes.shape != (2 * rows, cols):
            return Strip.blank(width, PLAIN)
        if x0 < MARGIN:  # the margin tile: the y axis and its tick labels
            return Strip([self._margin_segment(row)], MARGIN)
        c0, c1 = x0 - MARGIN, x0 - MARGIN + width
        segments = row_segments(self._codes[2 * row, c0:c1], self._codes[2 * row + 1, c0:c1],
                                self._glyphs[row, c0:c1], self._inks[row, c0:c1], self.book, self._inks_table)
        return Strip(segments, width)

    def _margin_segment(self, row: int) -> Segment:
        label = self._y_tick_rows.get(row)
        if label is None:
            return Segment(" " * (MARGIN - 1) + "│", AXIS_STYLE)
        return Segment(label[: MARGIN - 2].rjust(MARGIN - 2) + " ┤", AXIS_STYLE)

    def _legend(self, frame, view) -> Strip:
        """The y axis's name, then each run's glyph(s) and name (a click on a name selects it)."""
        width = self.size.width
        names = frame.scene.param_names
        legend = [Segment(f"{names[1]} ↑".rjust(MARGIN - 1) + " ", LABEL_STYLE)]
        x = MARGIN
        self._legend_spans = []
        entries = []
        for r, run in enumerate(frame.runs):
            look = run_look(r)
            mark = {"diverged": " ✗", "converged": " ✓"}.get(run.status, "")
            glyph = f"{look.head}{look.trail}" if self.monochrome else look.head
            entries.append((glyph, run.name, mark))
        texts = legend_texts(entries, width - MARGIN)
        for r, text in enumerate(texts):
            look = run_look(r)
            if r in view.hidden:
                style = HIDDEN_STYLE
            else:
                color = dim_color(look.color) if view.dimmed(r) else look.color
                style = Style(color=color, bold=r == view.selected, underline=r == view.selected)
            legend.append(Segment(text, style))
            legend.append(Segment("  ", PLAIN))
            self._legend_spans.append((x, x + len(text), r))
            x += len(text) + 2
        return Strip(legend).crop(0, width).extend_cell_length(width, PLAIN)

    def _axes(self, frame, view) -> dict[int, Strip]:
        """The y tick labels (in the margin), the x axis and its tick labels."""
        width = self.size.width
        cols, rows = self.plot_size
        (x0, x1), (y0, y1) = view.box
        self._y_tick_rows = {}
        for value in nice_ticks(y0, y1, max(2, rows // 4)):
            row = int((y1 - value) / (y1 - y0) * rows)
            if 0 <= row < rows:
                self._y_tick_rows[row] = tick_label(value)
        name = f" {frame.scene.param_names[0]} →"
        axis = ["─"] * cols
        labels = [" "] * cols
        for value in nice_ticks(x0, x1, max(2, cols // 12)):
            col = int((value - x0) / (x1 - x0) * cols)
            if 0 <= col < cols:
                axis[col] = "┬"
                text = tick_label(value)
                begin = max(0, min(cols - len(text), col - len(text) // 2))
                fits = begin + len(text) < cols - len(name)
                if fits and all(c == " " for c in labels[max(begin - 1, 0):begin + len(text) + 1]):
                    labels[begin:begin + len(text)] = list(text)
        name = name[-cols:]
        axis_strip = Strip([Segment(" " * (MARGIN - 1) + "└" + "".join(axis), AXIS_STYLE)], width)
        label_strip = Strip([Segment(" " * MARGIN, AXIS_STYLE), Segment("".join(labels[:-len(name)]), AXIS_STYLE),
                             Segment(name, LABEL_STYLE)], width)
        return {TOP + rows: axis_strip, TOP + rows + 1: label_strip}

    # --- the mouse ----------------------------------------------------------------------

    def _local(self, event: events.MouseEvent) -> tuple[int, int] | None:
        # from screen coordinates: the event arrives from a tile, with offsets relative to it
        region = self.content_region
        if event.screen_offset not in region:
            return None
        return int(event.screen_x) - region.x, int(event.screen_y) - region.y

    def _plot_cell(self, event: events.MouseEvent) -> tuple[int, int] | None:
        local = self._local(event)
        if local is None:
            return None
        col, row = local[0] - MARGIN, local[1] - TOP
        cols, rows = self.plot_size
        if 0 <= col < cols and 0 <= row < rows:
            return col, row
        return None

    def on_click(self, event: events.Click):
        local = self._local(event)
        if local is not None and local[1] == 0:
            for first, last, run in self._legend_spans:
                if first <= local[0] < last:
                    self.post_message(self.RunClicked(run))
            return
        cell = self._plot_cell(event)
        if cell is not None and self._shown_view is not None:
            self.post_message(self.Clicked(self.cell_to_data(*cell)))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp):
        self._wheel(event, ZOOM_STEP)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown):
        self._wheel(event, 1 / ZOOM_STEP)

    def _wheel(self, event, factor):
        cell = self._plot_cell(event)
        centre = self.cell_to_data(*cell) if cell is not None and self._shown_view is not None else None
        event.stop()
        self.post_message(self.Zoomed(factor, centre))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

