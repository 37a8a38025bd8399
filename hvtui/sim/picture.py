"""The picture on a simulated VM's screen, drawn from its state, and scaled as Hyper-V's
thumbnail is: RGB565, little-endian, exactly width × height × 2 bytes.

A screen is composed on a small logical canvas (the head's resolution divided by a whole
factor, 320 to 639 pixels wide) in the simulator's own font, then scaled to the size asked
for: averaged where it shrinks, repeated where it grows. Rows that look alike are computed
once, and pictures are kept by what they show, so a host serving many consoles that poll
once a second mostly answers from the cache.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from hvtui.sim import font

_SWAP = sys.byteorder != "little"


def rgb(r: int, g: int, b: int) -> int:
    """An RGB565 pixel from 8-bit channels."""
    return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)


BLACK = 0
GREY = rgb(170, 170, 170)
WHITE = rgb(255, 255, 255)
BLUE = rgb(0, 120, 215)
DESKTOP = rgb(0, 45, 98)
PANEL = rgb(12, 24, 48)
DIM = rgb(150, 180, 210)


@dataclass(frozen=True)
class Scene:
    """Everything a picture shows: equal scenes draw equal pictures (the cache's key)."""

    kind: str  # "off", "bios", "uefi", "login", "message"
    size: tuple[int, int]  # the head's resolution
    name: str = ""
    clock: str = ""
    date: str = ""
    lines: tuple[str, ...] = ()
    prompt: str = ""
    step: int = 0  # progress dots while booting


class Canvas:
    """Rows of RGB565 pixels, with rectangles and text drawn into them."""

    def __init__(self, width: int, height: int, background: int) -> None:
        self.width, self.height = width, height
        blank = array("H", [background]) * width
        self.rows = [array("H", blank) for _ in range(height)]

    def fill(self, x: int, y: int, w: int, h: int, color: int) -> None:
        x0, x1 = max(0, x), min(self.width, x + w)
        if x1 <= x0:
            return
        span = array("H", [color]) * (x1 - x0)
        for row in self.rows[max(0, y) : max(0, min(self.height, y + h))]:
            row[x0:x1] = span

    def text(self, x: int, y: int, text: str, color: int, scale: int = 1) -> None:
        for i, char in enumerate(text):
            left = x + i * font.CELL_W * scale
            for dy, bits in enumerate(font.glyph(char)):
                for dx in range(font.WIDTH):
                    if bits & (0x10 >> dx):
                        self.fill(left + dx * scale, y + dy * scale, scale, scale, color)

    def centered(self, y: int, text: str, color: int, scale: int = 1) -> None:
        self.text((self.width - len(text) * font.CELL_W * scale) // 2, y, text, color, scale)


def logical_size(size: tuple[int, int]) -> tuple[int, int]:
    """The canvas a head of ``size`` is drawn on: divided by a whole factor to 320-639 wide."""
    factor = max(1, size[0] // 320)
    return max(1, size[0] // factor), max(1, size[1] // factor)


def draw(scene: Scene) -> Canvas:
    width, height = logical_size(scene.size)
    if scene.kind == "bios":
        canvas = Canvas(width, height, BLACK)
        canvas.text(4, 4, "Hyper-V BIOS", GREY)
        canvas.text(4, 14, "Copyright (c) Microsoft Corporation", GREY)
        canvas.text(4, 34, f"Booting {scene.name} from hard disk" + "." * scene.step, GREY)
        return canvas
    if scene.kind == "uefi":
        canvas = Canvas(width, height, BLACK)
        cx, cy = width // 2, height // 2 - 20
        for dx, dy in ((-17, -17), (1, -17), (-17, 1), (1, 1)):
            canvas.fill(cx + dx, cy + dy, 16, 16, BLUE)
        canvas.centered(cy + 30, "Starting" + "." * scene.step, WHITE)
        canvas.centered(height - 12, f"Hyper-V UEFI - {scene.name}", GREY)
        return canvas
    if scene.kind == "message":
        canvas = Canvas(width, height, DESKTOP)
        canvas.centered(height // 2 - 8, scene.prompt + "." * scene.step, WHITE, 2)
        return canvas
    return _login(scene, width, height)


def _login(scene: Scene, width: int, height: int) -> Canvas:
    """The lock screen: the clock, the date, the VM's name, and a panel with what was typed."""
    canvas = Canvas(width, height, DESKTOP)
    canvas.text(10, 8, scene.clock, WHITE, 3)
    canvas.text(10, 36, scene.date, DIM)
    canvas.text(10, 48, scene.name[: (width - 20) // (font.CELL_W * 2)], WHITE, 2)
    top, left = 70, 10
    canvas.fill(left, top, width - 2 * left, height - top - 8, PANEL)
    canvas.text(left + 4, top + 4, scene.prompt, DIM)
    columns = max(1, (width - 2 * left - 8) // font.CELL_W)
    rows = max(1, (height - top - 8 - 18) // font.CELL_H)
    for i, line in enumerate(wrap(scene.lines, columns)[-rows:]):
        canvas.text(left + 4, top + 16 + i * font.CELL_H, line, WHITE)
    return canvas


def wrap(lines: Sequence[str], columns: int) -> list[str]:
    """Typed lines as the panel shows them: long lines wrapped, a cursor after the last."""
    out: list[str] = []
    for i, line in enumerate(lines):
        text = line + ("_" if i == len(lines) - 1 else "")
        out.extend(text[k : k + columns] for k in range(0, max(1, len(text)), columns))
    return out


def scale(canvas: Canvas, width: int, height: int) -> bytes:
    """The canvas at ``width`` × ``height`` as RGB565 little-endian bytes."""
    sw, sh = canvas.width, canvas.height
    keys = [row.tobytes() for row in canvas.rows]
    colmap = [x * sw // width for x in range(width)] if width >= sw else None
    spans = (
        None
        if colmap
        else [(x * sw // width, max(x * sw // width + 1, (x + 1) * sw // width)) for x in range(width)]
    )
    done: dict[tuple[bytes, ...], bytes] = {}
    out = []
    for y in range(height):
        y0 = y * sh // height
        y1 = y0 + 1 if height >= sh else max(y0 + 1, (y + 1) * sh // height)
        band = tuple(keys[y0:y1])
        line = done.get(band)
        if line is None:
            row = canvas.rows[y0] if y1 - y0 == 1 else _average_rows(canvas.rows[y0:y1])
            pixels = array("H", map(row.__getitem__, colmap)) if colmap else _average_spans(row, spans or [])
            if _SWAP:
                pixels.byteswap()
            line = done[band] = pixels.tobytes()
        out.append(line)
    return b"".join(out)


def _average_rows(rows: Sequence[array[int]]) -> array[int]:
    n = len(rows)
    if all(r == rows[0] for r in rows[1:]):
        return rows[0]
    out = array("H")
    for pixels in zip(*rows, strict=True):
        r = sum(p >> 11 for p in pixels) // n
        g = sum((p >> 5) & 63 for p in pixels) // n
        b = sum(p & 31 for p in pixels) // n
        out.append((r << 11) | (g << 5) | b)
    return out


def _average_spans(row: array[int], spans: list[tuple[int, int]]) -> array[int]:
    out = array("H")
    for x0, x1 in spans:
        pixels = row[x0:x1]
        first = pixels[0]
        if pixels.count(first) == len(pixels):
            out.append(first)
            continue
        n = len(pixels)
        r = sum(p >> 11 for p in pixels) // n
        g = sum((p >> 5) & 63 for p in pixels) // n
        b = sum(p & 31 for p in pixels) // n
        out.append((r << 11) | (g << 5) | b)
    return out


def render(scene: Scene, width: int, height: int) -> bytes:
    """The scene as a thumbnail of ``width`` × ``height`` (black needs no drawing)."""
    if scene.kind == "off":
        return bytes(width * height * 2)
    return scale(draw(scene), width, height)
