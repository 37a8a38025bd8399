"""The image encoders, each checked by a decoder that is not ours: libsixel's sixel2png for
Sixel; for kitty and iTerm2 the sequences are taken apart and their PNG opened with Pillow."""

from __future__ import annotations

import base64
import io
import re
import shutil
import struct
import subprocess

import pytest
from PIL import Image

from hvtui.present.png import png, rgb888
from hvtui.ui.graphics import iterm, kitty, sixel
from hvtui.ui.graphics.detect import Graphics
from hvtui.ui.graphics.picture import Box, box_for, draw, frame_size


def gradient(width: int, height: int) -> bytes:
    """Thousands of colours: quantised to the fixed cube."""
    out = bytearray()
    for y in range(height):
        for x in range(width):
            r, g, b = x * 31 // width, y * 63 // height, (x + y) * 31 // (width + height)
            out += struct.pack("<H", (r << 11) | (g << 5) | b)
    return bytes(out)


def console_like(width: int, height: int) -> bytes:
    """A few colours, as a login screen has: kept exactly."""
    colours = [0x0010, 0xFFFF, 0xF800, 0x07E0]
    return b"".join(
        struct.pack("<H", colours[(x // 7 + y // 5) % len(colours)])
        for y in range(height)
        for x in range(width)
    )


def pixels(width: int, height: int, rgb565: bytes) -> list[tuple[int, int, int]]:
    rgb = rgb888(rgb565)
    return [tuple(rgb[i : i + 3]) for i in range(0, len(rgb), 3)]


def sixel2png(sequence: str, tmp_path) -> Image.Image:
    source, target = tmp_path / "frame.six", tmp_path / "frame.png"
    source.write_text(sequence)
    subprocess.run(["sixel2png", "-i", str(source), "-o", str(target)], check=True, capture_output=True)
    with Image.open(target) as picture:
        return picture.convert("RGB")


needs_libsixel = pytest.mark.skipif(
    shutil.which("sixel2png") is None, reason="sixel2png (libsixel-bin) is not installed; CI installs it"
)


@needs_libsixel
@pytest.mark.parametrize(("make", "tolerance"), [(console_like, 3), (gradient, 27)])
def test_sixel_decodes_to_the_frame_within_quantisation(make, tolerance, tmp_path):
    width, height = 64, 45  # 45: the last band is three rows
    frame = make(width, height)
    decoded = sixel2png(sixel.encode(width, height, frame, width, height), tmp_path)
    assert decoded.size == (width, height)
    worst = max(abs(a - b) for a, b in zip(decoded.tobytes(), rgb888(frame), strict=True))
    assert worst <= tolerance  # percentages of 100 in the palette, or the 6×7×6 cube's half step


@needs_libsixel
def test_sixel_resizes_to_the_box_by_nearest_pixel(tmp_path):
    frame = console_like(40, 30)
    decoded = sixel2png(sixel.encode(40, 30, frame, 80, 60), tmp_path)
    assert decoded.size == (80, 60)
    expected = pixels(40, 30, frame)
    for x, y in [(0, 0), (13, 7), (79, 59), (41, 33)]:
        got, want = decoded.getpixel((x, y)), expected[(y // 2) * 40 + x // 2]
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 3


def test_sixel_runs_are_counted_and_bands_are_six_rows():
    frame = struct.pack("<H", 0xFFFF) * (100 * 12)
    sequence = sixel.encode(100, 12, frame, 100, 12)
    assert sequence.startswith('\x1bP0;1;0q"1;1;100;12#0;2;100;100;100')
    assert sequence.endswith("\x1b\\")
    assert sequence.count("!100~") == 2 and sequence.count("-") == 2


def kitty_chunks(sequence: str) -> list[tuple[dict[str, str], str]]:
    return [
        (dict(kv.split("=") for kv in keys.split(",")), payload)
        for keys, payload in re.findall(r"\x1b_G([^;\x1b]*);?([^\x1b]*)\x1b\\", sequence)
    ]


def test_kitty_sends_the_png_in_4096_byte_chunks_after_deleting_the_last():
    width, height = 120, 90
    frame = gradient(width, height)
    sequence = kitty.place(png(width, height, frame), 77, 30, 11)
    chunks = kitty_chunks(sequence)
    assert chunks[0][0] == {"a": "d", "d": "I", "i": "77", "q": "2"}
    first, *rest = chunks[1:]
    assert first[0] | {"m": "1"} == {
        "a": "T",
        "f": "100",
        "i": "77",
        "c": "30",
        "r": "11",
        "C": "1",
        "q": "2",
        "m": "1",
    }
    assert rest and all(keys == {"m": "1"} for keys, _ in rest[:-1]) and rest[-1][0] == {"m": "0"}
    assert all(len(payload) == 4096 for _, payload in chunks[1:-1]) and len(chunks[-1][1]) <= 4096
    data = base64.b64decode("".join(payload for _, payload in chunks[1:]))
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.size == (width, height)
        assert picture.convert("RGB").tobytes() == rgb888(frame)


def test_iterm_sends_one_osc_with_the_png():
    frame = console_like(50, 40)
    data = png(50, 40, frame)
    match = re.fullmatch(r"\x1b\]1337;File=([^:]*):([A-Za-z0-9+/=]*)\x07", iterm.place(data, 20, 8))
    assert match
    args = dict(kv.split("=") for kv in match.group(1).split(";"))
    assert args == {
        "inline": "1",
        "size": str(len(data)),
        "width": "20",
        "height": "8",
        "preserveAspectRatio": "0",
    }
    with Image.open(io.BytesIO(base64.b64decode(match.group(2)))) as picture:
        assert picture.convert("RGB").tobytes() == rgb888(frame)


def test_the_box_keeps_the_screens_shape_in_pixels_and_is_centred():
    graphics = Graphics("kitty", (10, 20))
    box = box_for(graphics, (1024, 768), 1, 3, 78, 18)  # 780×360 px of cells
    assert box == Box(x=1 + (78 - 48) // 2, y=3, columns=48, rows=18)  # 480×360 px: 4:3
    assert frame_size(graphics, (1024, 768), box) == (480, 360)
    wide = box_for(graphics, (1920, 1080), 0, 0, 200, 60)
    assert frame_size(graphics, (1920, 1080), wide)[0] < 600  # capped by one WinRM reply


def test_a_picture_is_drawn_at_its_box_with_the_cursor_kept():
    graphics = Graphics("sixel", (8, 16))
    sequence = draw(graphics, Box(4, 2, 10, 5), 20, 15, console_like(20, 15), 1)
    assert sequence.startswith("\x1b7\x1b[3;5H\x1bP") and sequence.endswith("\x1b\\\x1b8")
    assert '"1;1;80;78' in sequence  # 10×8 wide, 5×16 = 80 rows cut to a multiple of six
