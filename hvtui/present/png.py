"""A screenshot as a PNG file: RGB565 from the host to 8-bit RGB, written with zlib and struct.

PNG, not the PPM virsh writes: every image viewer and browser opens it, it is a tenth of the
size, and it needs nothing beyond the standard library.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array

# RGB565 -> three bytes, for every 16-bit value: a table of 64 K entries, built on first use.
_RGB888: list[bytes] = []


def _table() -> list[bytes]:
    if not _RGB888:
        for value in range(65536):
            r, g, b = value >> 11, (value >> 5) & 63, value & 31
            _RGB888.append(bytes(((r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2))))
    return _RGB888


def rgb888(rgb565: bytes) -> bytes:
    """RGB565 little-endian pixels as 8-bit RGB, each channel's high bits repeated into its low."""
    pixels = array("H", rgb565)
    if sys.byteorder != "little":
        pixels.byteswap()
    return b"".join(map(_table().__getitem__, pixels))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, rgb565: bytes) -> bytes:
    """A PNG (8-bit RGB, no interlace) of a ``width`` × ``height`` RGB565 picture."""
    if len(rgb565) != width * height * 2:
        raise ValueError(f"{len(rgb565)} bytes are not a {width}x{height} RGB565 picture")
    rgb = rgb888(rgb565)
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )
