"""A VM's screen drawn with half blocks (each cell shows two pixels, ``▀`` in the upper one's
colour over the lower one's), or in true pixels where the terminal shows images.

Works wherever text does (tmux, SSH, the Linux console): colours are true colour, and Rich
maps them to the nearest of the terminal's 256 or 16 when it has fewer. A frame asked for at
the widget's cells × 1 wide and × 2 tall fills it pixel for half-cell, which keeps the
screen's shape (a cell is about twice as tall as it is wide). Lines are built once per frame;
runs of one colour pair are one segment.

In pixel mode the cells stay blank and the picture is written through the driver right after
Textual has painted them (a callback after the refresh), so it lies over the cells Textual
believes are blank: redrawn whenever the widget is painted again (Textual's paint erases a
Sixel or iTerm2 picture) and removed when the view closes or another screen covers it.
"""

from __future__ import annotations

import asyncio
from array import array

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from hvtui.hyperv.console import fit
from hvtui.present.png import rgb888
from hvtui.ui.graphics import picture
from hvtui.ui.graphics.detect import Graphics

HALF = "▀"


class ScreenImage(Widget):
    """The last frame of a VM's screen, centred in the widget; blank until the first arrives."""

    DEFAULT_CSS = """
    ScreenImage { width: 1fr; height: 1fr; }
    """

    def __init__(self, graphics: Graphics | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graphics = graphics or Graphics()
        self.frame_size: tuple[int, int] | None = None
        self._lines: list[Strip] = []
        self._styles: dict[tuple[int, int], Style] = {}
        self._image_id = 0x4856  # kitty: one image per view, replaced by each frame
        self._picture: tuple[picture.Box, str] | None = None  # where, and the sequence
        self._draw_pending = False
        self.covered = False

    def on_mount(self) -> None:
        if self.graphics.pixels:
            self.border_subtitle = self.graphics.label

    @property
    def cells(self) -> tuple[int, int]:
        """How many pixels the widget can show: (columns, rows × 2)."""
        size = self.content_region.size if self.is_mounted else Size(0, 0)
        return max(1, size.width), max(2, size.height * 2)

    def frame_for(self, resolution: tuple[int, int]) -> tuple[int, int]:
        """The size of frame to ask for a screen of ``resolution``: what fills the widget."""
        if not self.graphics.pixels:
            return fit(resolution, *self.cells)
        return picture.frame_size(self.graphics, resolution, self._box(resolution))

    def _box(self, shape: tuple[int, int]) -> picture.Box:
        region = self.content_region
        return picture.box_for(self.graphics, shape, region.x, region.y, region.width, region.height)

    async def show_later(self, width: int, height: int, rgb565: bytes) -> None:
        """Draw a frame of ``width`` × ``height`` RGB565 pixels, the encoding (PNG, Sixel, the
        half-block lines: up to a few hundred milliseconds for a large box) done on a thread, so
        keys are answered meanwhile."""
        box = self._box((width, height)) if self.graphics.pixels else None
        drawn = await asyncio.to_thread(self._encode, box, width, height, rgb565)
        if self.is_mounted:
            self._present(width, height, box, drawn)

    def _encode(self, box: picture.Box | None, width: int, height: int, rgb565: bytes) -> str | list[Strip]:
        """The picture's sequence over ``box``, or the half-block lines when there is no box."""
        if box is not None:
            return picture.draw(self.graphics, box, width, height, rgb565, self._image_id)
        rgb = rgb888(rgb565)
        colours = array("I", (int.from_bytes(rgb[i : i + 3], "big") for i in range(0, len(rgb), 3)))
        lines = []
        for y in range(0, height, 2):
            top = colours[y * width : (y + 1) * width]
            bottom = colours[(y + 1) * width : (y + 2) * width] if y + 1 < height else top
            lines.append(self._line(top, bottom))
        return lines

    def _present(self, width: int, height: int, box: picture.Box | None, drawn: str | list[Strip]) -> None:
        self.frame_size = (width, height)
        if box is not None and isinstance(drawn, str):
            self._picture = box, drawn
        elif isinstance(drawn, list):
            self._lines = drawn
        self.refresh()

    def _line(self, top: array[int], bottom: array[int]) -> Strip:
        segments = []
        run_start = 0
        pairs = list(zip(top, bottom, strict=True))
        for x in range(1, len(pairs) + 1):
            if x == len(pairs) or pairs[x] != pairs[run_start]:
                segments.append(Segment(HALF * (x - run_start), self._style(*pairs[run_start])))
                run_start = x
        return Strip(segments, len(pairs))

    def _style(self, upper: int, lower: int) -> Style:
        style = self._styles.get((upper, lower))
        if style is None:
            style = self._styles[(upper, lower)] = Style.parse(f"#{upper:06x} on #{lower:06x}")
        return style

    # -- true pixels --------------------------------------------------------------------------

    def _draw(self) -> None:
        """Write the picture over the cells just painted, if they are still where it belongs."""
        self._draw_pending = False
        if self._picture is None or self.covered or not self.is_mounted or not self.screen.is_current:
            return
        box, sequence = self._picture
        region = self.content_region
        inside = region.x <= box.x and box.x + box.columns <= region.right
        if inside and region.y <= box.y and box.y + box.rows <= region.bottom:
            self._write(sequence)

    def cover(self) -> None:
        """Another screen is on top, or the view closes: take the picture away until uncovered."""
        self.covered = True
        self._write(picture.clear(self.graphics, self._image_id))

    def uncover(self) -> None:
        self.covered = False
        self.refresh()

    def on_unmount(self) -> None:
        if self.graphics.pixels and not self.covered:
            self.cover()

    def _write(self, sequence: str) -> None:
        driver = self.app._driver  # how Textual itself writes a bell or a pointer shape
        if sequence and driver is not None:
            driver.write(sequence)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.graphics.pixels:
            if y == 0 and self._picture is not None and not self._draw_pending:
                self._draw_pending = True
                self.call_after_refresh(self._draw)
            return Strip.blank(width, self.rich_style)
        if not self._lines:
            return Strip.blank(width, self.rich_style)
        top = max(0, (self.size.height - len(self._lines)) // 2)
        index = y - top
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, self.rich_style)
        line = self._lines[index]
        left = max(0, (width - line.cell_length) // 2)
        blank = Segment(" " * left, self.rich_style)
        return (
            Strip([blank, *line], left + line.cell_length)
            .extend_cell_length(width, self.rich_style)
            .crop(0, width)
        )
