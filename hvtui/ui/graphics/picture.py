"""A frame as true pixels over a box of cells: where the box goes, what size of frame to ask the
host for, and the escape sequence that draws it there.

The box keeps the screen's shape in pixels (cells are not square) and is centred in the space
the view has. The frame asked for fills the box's pixels, never more than the screen has, nor
more than one WinRM reply carries (500 KB unless raised); kitty and iTerm2 scale it to the box,
Sixel (which cannot) gets it resized here to the box's pixels, rows a multiple of six so that no
band spills into the cells below. The sequence saves the cursor, moves to the box, draws and
restores it, so Textual's idea of the cursor and attributes stays true.
"""

from __future__ import annotations

from dataclasses import dataclass

from hvtui.hyperv.console import DEFAULT_HOST_ENVELOPE, fit, fit_reply
from hvtui.present.png import png
from hvtui.ui.graphics import iterm, kitty, sixel
from hvtui.ui.graphics.detect import Graphics


@dataclass(frozen=True)
class Box:
    """Cells on the terminal: ``x``, ``y`` of the top left, ``columns`` × ``rows``."""

    x: int
    y: int
    columns: int
    rows: int


def box_for(graphics: Graphics, shape: tuple[int, int], x: int, y: int, columns: int, rows: int) -> Box:
    """The largest box of ``shape`` (width, height) within ``columns`` × ``rows`` cells at
    (``x``, ``y``), centred."""
    cell_w, cell_h = graphics.cell
    width, height = fit(shape, columns * cell_w, rows * cell_h) if shape[0] and shape[1] else (0, 0)
    used_columns = max(1, min(columns, round(width / cell_w)))
    used_rows = max(1, min(rows, round(height / cell_h)))
    return Box(x + (columns - used_columns) // 2, y + (rows - used_rows) // 2, used_columns, used_rows)


def frame_size(graphics: Graphics, resolution: tuple[int, int], box: Box) -> tuple[int, int]:
    """What to ask the host for: the box's pixels, within the screen and one reply."""
    cell_w, cell_h = graphics.cell
    width, height = fit(resolution, box.columns * cell_w, box.rows * cell_h)
    cap_w, cap_h = fit_reply(resolution, DEFAULT_HOST_ENVELOPE)
    return min(width, cap_w), min(height, cap_h)


def draw(graphics: Graphics, box: Box, width: int, height: int, rgb565: bytes, image_id: int) -> str:
    """The sequence that shows a ``width`` × ``height`` RGB565 frame over ``box``."""
    if graphics.mode == "kitty":
        payload = kitty.place(png(width, height, rgb565), image_id, box.columns, box.rows)
    elif graphics.mode == "iterm":
        payload = iterm.place(png(width, height, rgb565), box.columns, box.rows)
    elif graphics.mode == "sixel":
        cell_w, cell_h = graphics.cell
        to_height = max(6, box.rows * cell_h // 6 * 6)
        payload = sixel.encode(width, height, rgb565, box.columns * cell_w, to_height)
    else:
        raise ValueError(f"{graphics.mode} draws no pixels")
    return f"\x1b7\x1b[{box.y + 1};{box.x + 1}H{payload}\x1b8"


def clear(graphics: Graphics, image_id: int) -> str:
    """What removes the picture: kitty keeps images above the text until told; Sixel and iTerm2
    pictures are cells, gone once Textual paints over them."""
    return kitty.delete(image_id) if graphics.mode == "kitty" else ""
