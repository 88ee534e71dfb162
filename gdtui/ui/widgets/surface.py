"""The surface view: a contour heatmap with each run's trajectory, Line API.

The heatmap is rendered once per view and size and cached as colour codes;
a frame rebuilds only the rows whose overlay (trails, heads, marks) changed,
and refreshes only the cells that changed, so little is sent to the terminal.

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

TILE = 8           # columns per tile

from ...playback import ZOOM_STEP, Playback
from ...render.axes import nice_ticks, tick_label
from ...render.palette import heat_colors, run_look
from ...render.surface import PLAIN, StyleBook, heat_codes, row_segments
from ...render.trails import BRAILLE_BASE, draw_path, to_subpixels

MARGIN = TILE       # columns for the y tick labels: exactly the first tile
TOP, BOTTOM = 1, 2  # legend line; x axis and its labels
MARK_COLOR = "#ffffff"
AXIS_STYLE = Style(color="#9e9e9e")
LABEL_STYLE = Style(color="#d0d0d0", bold=True)


class _Tile(Widget):
    """A band of TILE columns of the surface view (the first one is the y-axis margin).

    It keeps its finished lines itself and renders only the lines refreshed
    since (Textual's own per-widget line cache re-applies the line filters to
    every line of the repainted area, for every tile, on every frame)."""

    DEFAULT_CSS = "_Tile { height: 1fr; }"

    def __init__(self, view: "SurfaceView", x0: int, width: int):
        super().__init__()
        self.view, self.x0 = view, x0
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
                strip = self.view.line(y, self.x0, width)
                if filters:
                    background = background or self.background_colors[1]
                    for line_filter in filters:
                        strip = strip.apply_filter(line_filter, background)
                lines[y] = strip
            strips.append(strip)
        if crop.column_span != (0, width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips


class SurfaceView(Widget):
    """Trajectories of every run over the loss surface of a two-parameter problem."""

    DEFAULT_CSS = "SurfaceView { width: 1fr; height: 1fr; layout: horizontal; }"

    class Clicked(Message):
        """A click inside the plot, in data coordinates."""

        def __init__(self, point: tuple[float, float]):
            super().__init__()
            self.point = point

    def __init__(self, playback: Playback, monochrome: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.playback = playback
        self.monochrome = monochrome
        self.book = StyleBook(heat_colors())
        self._key = None             # (view, cols, rows): what the heatmap and trails were made for
        self._codes = None
        self._trails: list[np.ndarray] = []
        self._drawn_to = -1
        self._glyphs = self._inks = None
        self._frame_lines: dict[int, Strip] = {}
        self._tiles: list[_Tile] = []
        self._tiled_width = -1

    # --- geometry -----------------------------------------------------------------

    @property
    def plot_size(self) -> tuple[int, int]:
        return max(self.size.width - MARGIN, 1), max(self.size.height - TOP - BOTTOM, 1)

    def cell_to_data(self, col: int, row: int) -> tuple[float, float]:
        """The data point at the centre of plot cell (col, row)."""
        cols, rows = self.plot_size
        (x0, x1), (y0, y1) = self.playback.view
        return x0 + (col + 0.5) / cols * (x1 - x0), y1 - (row + 0.5) / rows * (y1 - y0)

    def data_to_cell(self, x: float, y: float) -> tuple[int, int]:
        cols, rows = self.plot_size
        (x0, x1), (y0, y1) = self.playback.view
        return int(np.floor((x - x0) / (x1 - x0) * cols)), int(np.floor((y1 - y) / (y1 - y0) * rows))

    # --- drawing ------------------------------------------------------------------------

    def sync(self, full: bool = False):
        """Bring the picture up to the playback's cursor; refresh only the lines that changed."""
        if not self.size.width or not self.size.height:
            return
        if self._rebuild(full):
            self._refresh_all()
            return
        glyphs, inks = self._overlay()
        diff = (glyphs != self._glyphs) | (inks != self._inks)
        self._glyphs, self._inks = glyphs, inks
        changed: dict[int, list[Region]] = {}   # tile -> the lines of it to repaint
        for r in np.flatnonzero(diff.any(axis=1)):
            for tile in {(MARGIN + int(c)) // TILE for c in np.flatnonzero(diff[r])}:
                changed.setdefault(tile, []).append(Region(0, TOP + int(r), TILE, 1))
        for tile, regions in changed.items():
            if tile < len(self._tiles):
                self._tiles[tile].refresh(*regions)

    def _refresh_all(self):
        for tile in self._tiles:
            tile.refresh()

    def on_resize(self, event: events.Resize):
        """One tile per TILE columns (the margin is the first tile)."""
        width = self.size.width
        if width != self._tiled_width:
            self._tiled_width = width
            self._tiles = [_Tile(self, x, min(TILE, width - x)) for x in range(0, width, TILE)]
            self.remove_children()
            self.mount_all(self._tiles)
        self.sync(full=True)

    def _rebuild(self, full: bool = False) -> bool:
        """Heatmap, trails and every row anew if the view or size changed (or `full`)."""
        pb = self.playback
        cols, rows = self.plot_size
        key = (pb.view, cols, rows)
        if not full and key == self._key:
            return False
        self._key = key
        self._codes = heat_codes(pb.problem.loss, pb.view, cols, rows, pb.problem.f_star)
        self._trails = [np.zeros((rows, cols), dtype=np.uint8) for _ in range(pb.race.R)]
        self._drawn_to = -1
        self._frame_lines = self._frame()
        self._inks_table = self._ink_table()
        self._glyphs, self._inks = self._overlay()
        return True

    def refresh_frame(self):
        """The legend and axes (after a change of selection or visibility)."""
        self._frame_lines = self._frame()
        for tile in self._tiles:
            tile.refresh(Region(0, 0, tile.size.width, 1))

    def _draw_trails(self):
        pb = self.playback
        cursor = pb.cursor
        params = pb.race.history.params
        cols, rows = self.plot_size
        if cursor < self._drawn_to:
            for grid in self._trails:
                grid[:] = 0
            self._drawn_to = -1
        start = max(self._drawn_to, 0)
        if cursor <= self._drawn_to:
            return
        for r, grid in enumerate(self._trails):
            sub = to_subpixels(params[start:cursor + 1, r], pb.view, cols, rows)
            draw_path(grid, sub)
        self._drawn_to = cursor

    def _overlay(self):
        """Glyph (code point, 0 = heatmap) and ink index of every plot cell."""
        self._draw_trails()
        pb = self.playback
        cols, rows = self.plot_size
        R = pb.race.R
        glyphs = np.zeros((rows, cols), dtype=np.int32)
        inks = np.zeros((rows, cols), dtype=np.int16)
        order = [r for r in range(R) if r not in pb.hidden and r != pb.selected]
        if pb.selected not in pb.hidden:
            order.append(pb.selected)
        bits = np.zeros((rows, cols), dtype=np.uint8)
        for r in order:
            mask = self._trails[r] > 0
            if self.monochrome:
                glyphs[mask] = ord(run_look(r).trail)
            else:
                bits |= self._trails[r]
                glyphs[mask] = BRAILLE_BASE
            inks[mask] = r
        if not self.monochrome:
            glyphs[glyphs == BRAILLE_BASE] += bits[glyphs == BRAILLE_BASE]
        # marks over the trails, heads over everything
        mark_ink = 2 * R
        for point in pb.problem.minima:
            self._put(glyphs, inks, point, "✕", mark_ink)
        for point in pb.problem.critical:
            self._put(glyphs, inks, point, "╳", mark_ink)
        self._put(glyphs, inks, pb.race.start, "○", mark_ink)
        params = pb.params_at()
        for r in order:
            self._put(glyphs, inks, params[r], run_look(r).head, R + r, clamp=True)
        return glyphs, inks

    def _put(self, glyphs, inks, point, glyph, ink, clamp=False):
        x, y = float(point[0]), float(point[1])
        if not (np.isfinite(x) and np.isfinite(y)):
            return
        rows, cols = glyphs.shape
        col, row = self.data_to_cell(x, y)
        if not (0 <= col < cols and 0 <= row < rows):
            if not clamp:
                return
            # off the view: an arrow at the edge, pointing where the run went
            glyph = "◀" if col < 0 else "▶" if col >= cols else "▲" if row < 0 else "▼"
            col, row = min(max(col, 0), cols - 1), min(max(row, 0), rows - 1)
        glyphs[row, col] = ord(glyph)
        inks[row, col] = ink

    def _ink_table(self):
        R = self.playback.race.R
        return ([(run_look(r).color, False) for r in range(R)] + [(run_look(r).color, True) for r in range(R)]
                + [(MARK_COLOR, True)])

    # --- the Line API -------------------------------------------------------------------

    def line(self, y: int, x0: int, width: int) -> Strip:
        """Columns x0 .. x0+width of line y (what the tile there shows). Only those
        cells are built: a frame rebuilds a few tiles' lines, never whole rows."""
        if not self.size.width or not self.size.height:
            return Strip.blank(width, PLAIN)
        self._rebuild()  # a resize may arrive before the next sync
        if y in self._frame_lines:
            return self._frame_lines[y].crop(x0, x0 + width)
        row = y - TOP
        cols, rows = self.plot_size
        if not 0 <= row < rows:
            return Strip.blank(width, PLAIN)
        if x0 < MARGIN:  # the margin tile: the y axis and its tick labels
            return Strip([self._margin_segment(row)], MARGIN)
        c0, c1 = x0 - MARGIN, x0 - MARGIN + width
        segments = row_segments(self._codes[2 * row, c0:c1], self._codes[2 * row + 1, c0:c1],
                                self._glyphs[row, c0:c1], self._inks[row, c0:c1], self.book, self._inks_table)
        return Strip(segments, width)

    def _y_ticks(self) -> dict[int, str]:
        cols, rows = self.plot_size
        (y0, y1) = self.playback.view[1]
        ticks = {}
        for value in nice_ticks(y0, y1, max(2, rows // 4)):
            row = int((y1 - value) / (y1 - y0) * rows)
            if 0 <= row < rows:
                ticks[row] = tick_label(value)
        return ticks

    def _margin_segment(self, row: int) -> Segment:
        label = self._y_tick_rows.get(row) if hasattr(self, "_y_tick_rows") else None
        if label is None:
            return Segment(" " * (MARGIN - 1) + "│", AXIS_STYLE)
        return Segment(label[: MARGIN - 2].rjust(MARGIN - 2) + " ┤", AXIS_STYLE)

    def _frame(self) -> dict[int, Strip]:
        """Legend line, x axis and x tick labels."""
        pb = self.playback
        width = self.size.width
        cols, rows = self.plot_size
        self._y_tick_rows = self._y_ticks()
        names = pb.problem.param_names[:2]
        # legend: y axis name, then each run's glyph and name
        legend = [Segment(f"{names[1]} ↑".rjust(MARGIN - 1) + " ", LABEL_STYLE)]
        for r, run in enumerate(pb.race.runs):
            look = run_look(r)
            hidden = r in pb.hidden
            style = Style(color="#6c6c6c" if hidden else look.color, bold=r == pb.selected,
                          underline=r == pb.selected)
            legend.append(Segment(f"{look.head} {run.name}", style))
            legend.append(Segment("  ", PLAIN))
        legend_strip = Strip(legend).crop(0, width).extend_cell_length(width, PLAIN)
        # x axis; the axis name takes the right end, tick labels keep clear of it
        (x0, x1) = pb.view[0]
        name = f" {names[0]} →"
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
        return {0: legend_strip, TOP + rows: axis_strip, TOP + rows + 1: label_strip}

    # --- the mouse ----------------------------------------------------------------------

    def _plot_cell(self, event: events.MouseEvent) -> tuple[int, int] | None:
        # from screen coordinates: the event arrives from a tile, with offsets relative to it
        region = self.content_region
        if event.screen_offset not in region:
            return None
        col, row = int(event.screen_x) - region.x - MARGIN, int(event.screen_y) - region.y - TOP
        cols, rows = self.plot_size
        if 0 <= col < cols and 0 <= row < rows:
            return col, row
        return None

    def on_click(self, event: events.Click):
        cell = self._plot_cell(event)
        if cell is not None:
            self.post_message(self.Clicked(self.cell_to_data(*cell)))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp):
        self._wheel(event, ZOOM_STEP)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown):
        self._wheel(event, 1 / ZOOM_STEP)

    def _wheel(self, event, factor):
        cell = self._plot_cell(event)
        centre = self.cell_to_data(*cell) if cell is not None else None
        self.playback.zoom(factor, centre)
        event.stop()
        self.sync()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height
