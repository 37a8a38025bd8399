"""A VM's screen drawn with half blocks: each cell shows two pixels, ``▀`` in the upper one's
colour over the lower one's.

Works wherever text does (tmux, SSH, the Linux console): colours are true colour, and Rich
maps them to the nearest of the terminal's 256 or 16 when it has fewer. A frame asked for at
the widget's cells × 1 wide and × 2 tall fills it pixel for half-cell, which keeps the
screen's shape (a cell is about twice as tall as it is wide). Lines are built once per frame;
runs of one colour pair are one segment.
"""

from __future__ import annotations

from array import array

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from hvtui.present.png import rgb888

HALF = "▀"


class ScreenImage(Widget):
    """The last frame of a VM's screen, centred in the widget; blank until the first arrives."""

    DEFAULT_CSS = """
    ScreenImage { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.frame_size: tuple[int, int] | None = None
        self._lines: list[Strip] = []
        self._styles: dict[tuple[int, int], Style] = {}

    @property
    def cells(self) -> tuple[int, int]:
        """How many pixels the widget can show: (columns, rows × 2)."""
        size = self.content_region.size if self.is_mounted else Size(0, 0)
        return max(1, size.width), max(2, size.height * 2)

    def show(self, width: int, height: int, rgb565: bytes) -> None:
        """Draw a frame of ``width`` × ``height`` RGB565 pixels."""
        rgb = rgb888(rgb565)
        colours = array("I", (int.from_bytes(rgb[i : i + 3], "big") for i in range(0, len(rgb), 3)))
        lines = []
        for y in range(0, height, 2):
            top = colours[y * width : (y + 1) * width]
            bottom = colours[(y + 1) * width : (y + 2) * width] if y + 1 < height else top
            lines.append(self._line(top, bottom))
        self.frame_size = (width, height)
        self._lines = lines
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

    def render_line(self, y: int) -> Strip:
        width = self.size.width
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
