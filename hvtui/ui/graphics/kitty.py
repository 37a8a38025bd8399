"""The kitty graphics protocol: a PNG sent base64 in 4096-byte chunks, placed over a box of cells.

Each frame replaces the last under one image id: the old image is deleted (``d=I`` frees its
data too) before the new one arrives, so the terminal keeps one picture per view, not one per
second. ``C=1`` leaves the cursor where it was; ``q=2`` keeps the terminal from answering,
which would reach the app as keys. The terminal scales the picture to ``c`` × ``r`` cells.
"""

from __future__ import annotations

import base64

CHUNK = 4096
_START, _END = "\x1b_G", "\x1b\\"


def delete(image_id: int) -> str:
    """Remove the image and every placement of it."""
    return f"{_START}a=d,d=I,i={image_id},q=2{_END}"


def place(png: bytes, image_id: int, columns: int, rows: int) -> str:
    """Transmit ``png`` and show it over ``columns`` × ``rows`` cells at the cursor."""
    data = base64.standard_b64encode(png).decode("ascii")
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [""]
    keys = f"a=T,f=100,i={image_id},c={columns},r={rows},C=1,q=2"
    parts = []
    for n, chunk in enumerate(chunks):
        more = int(n < len(chunks) - 1)
        head = f"{keys},m={more}" if n == 0 else f"m={more}"
        parts.append(f"{_START}{head};{chunk}{_END}")
    return delete(image_id) + "".join(parts)
