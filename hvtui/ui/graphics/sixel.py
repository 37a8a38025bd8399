"""Sixel: a picture as at most 256 palette colours, six pixel rows a band, runs of one column
pattern written once with a count.

A VM's console mostly shows few colours (a background, text, a logo): when a frame has at most
256 it keeps them all; otherwise each pixel takes the nearest of a fixed 6×7×6 cube, which is
quick and needs no second pass. Sixel has no scaling, so the picture is resized here (nearest
pixel) to the box it fills. Within a band, every colour is one line: its six rows' pixels become
one bit each of a character from ``?`` (none) to ``~`` (all six).
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Sequence

from hvtui.present.png import rgb888

LEVELS = (6, 7, 6)  # red, green, blue steps of the fixed palette: 252 colours
_RUN = re.compile(rb"(.)\1{3,}")
_SIXEL_CHARS = bytes(range(63, 127)) + bytes(192)  # 0..63 -> "?".."~"
_CUBE: list[bytes] = []  # RGB565 -> index in the cube, built on first use


def _rgb(value: int) -> tuple[int, int, int]:
    colour = rgb888(value.to_bytes(2, "little"))
    return colour[0], colour[1], colour[2]


def _cube() -> bytes:
    if not _CUBE:
        table = bytearray(65536)
        steps = [n - 1 for n in LEVELS]
        for value in range(65536):
            r, g, b = (round(c * s / 255) for c, s in zip(_rgb(value), steps, strict=True))
            table[value] = (r * LEVELS[1] + g) * LEVELS[2] + b
        _CUBE.append(bytes(table))
    return _CUBE[0]


def _cube_colour(index: int) -> tuple[int, int, int]:
    r, rest = divmod(index, LEVELS[1] * LEVELS[2])
    g, b = divmod(rest, LEVELS[2])
    red, green, blue = (round(c * 255 / (n - 1)) for c, n in zip((r, g, b), LEVELS, strict=True))
    return red, green, blue


def quantise(rgb565: bytes) -> tuple[bytes, list[tuple[int, int, int]]]:
    """Each pixel's palette index, and the palette (8-bit RGB), at most 256 colours."""
    pixels = array("H", rgb565)
    if sys.byteorder != "little":
        pixels.byteswap()
    distinct = set(pixels)
    if len(distinct) <= 256:
        colours = sorted(distinct)
        index = {value: n for n, value in enumerate(colours)}
        return bytes(map(index.__getitem__, pixels)), [_rgb(value) for value in colours]
    cube = _cube()
    palette = [_cube_colour(n) for n in range(LEVELS[0] * LEVELS[1] * LEVELS[2])]
    return bytes(map(cube.__getitem__, pixels)), palette


def resize(indices: bytes, width: int, height: int, to_width: int, to_height: int) -> bytes:
    """Nearest-pixel resize of one byte a pixel."""
    if (width, height) == (to_width, to_height):
        return indices
    xs = [x * width // to_width for x in range(to_width)]
    rows: dict[int, bytes] = {}
    out = []
    for y in range(to_height):
        source = y * height // to_height
        row = rows.get(source)
        if row is None:
            line = indices[source * width : (source + 1) * width]
            row = rows[source] = bytes(map(line.__getitem__, xs))
        out.append(row)
    return b"".join(out)


def _runs(match: re.Match[bytes]) -> bytes:
    return b"!%d%c" % (len(match.group(0)), match.group(1)[0])


_ONLY: dict[int, bytes] = {}


def _only(colour: int) -> bytes:
    """A translation table: ``colour`` -> 1, every other byte -> 0."""
    table = _ONLY.get(colour)
    if table is None:
        table = _ONLY[colour] = bytes(colour) + b"\x01" + bytes(255 - colour)
    return table


def _band(rows: Sequence[bytes], width: int) -> bytes:
    """One band of up to six rows: a line per colour in it, ``$`` between them, ``-`` after."""
    lines = []
    for colour in sorted(set(b"".join(rows))):
        only = _only(colour)
        bits = 0
        for shift, row in enumerate(rows):
            bits |= int.from_bytes(row.translate(only), "big") << shift
        chars = bits.to_bytes(width, "big").translate(_SIXEL_CHARS).rstrip(b"?")
        lines.append(b"#%d" % colour + _RUN.sub(_runs, chars))
    return b"$".join(lines) + b"-"


def encode(width: int, height: int, rgb565: bytes, to_width: int, to_height: int) -> str:
    """The Sixel (DCS ... ST) of a ``width`` × ``height`` RGB565 picture, shown ``to_width`` ×
    ``to_height`` pixels at square pixel aspect."""
    if len(rgb565) != width * height * 2:
        raise ValueError(f"{len(rgb565)} bytes are not a {width}x{height} RGB565 picture")
    indices, palette = quantise(rgb565)
    indices = resize(indices, width, height, to_width, to_height)
    out = [b'\x1bP0;1;0q"1;1;%d;%d' % (to_width, to_height)]
    used = set(indices)
    for n, (r, g, b) in enumerate(palette):
        if n in used:
            out.append(b"#%d;2;%d;%d;%d" % (n, *(round(c * 100 / 255) for c in (r, g, b))))
    for top in range(0, to_height, 6):
        rows = [indices[y * to_width : (y + 1) * to_width] for y in range(top, min(top + 6, to_height))]
        out.append(_band(rows, to_width))
    out.append(b"\x1b\\")
    return b"".join(out).decode("ascii")
