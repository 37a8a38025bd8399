"""Reading the change forms' fields: whole numbers, sizes and MiB ranges, each wrong value one
line that names the field (the forms show it under their fields; nothing is sent)."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


class FieldError(ValueError):
    """A field that does not hold what it should: its message is shown as it is."""


def whole(label: str, text: str, *, least: int = 1) -> int:
    """A whole number of at least ``least``."""
    text = text.strip()
    if not text.isdigit() or int(text) < least:
        raise FieldError(f"{label}: {text or 'nothing'} is not a whole number of {least} or more")
    return int(text)


def mib_range(label: str, text: str) -> tuple[int, int]:
    """ "512-8192": a dynamic memory range in MiB, minimum first."""
    found = _RANGE.match(text)
    if not found or int(found.group(1)) > int(found.group(2)):
        raise FieldError(f"{label}: {text.strip()!r} is not a range MIN-MAX in MiB, such as 512-8192")
    return int(found.group(1)), int(found.group(2))


def size_or_path(text: str) -> tuple[int | None, str | None]:
    """A disk field: a size in GiB ("40"), a file on the host ("D:\\vhd\\a.vhdx"), or neither."""
    text = text.strip()
    if not text:
        return None, None
    if text.isdigit():
        return whole("Disk", text), None
    if "\\" not in text and "/" not in text:
        raise FieldError(f"Disk: {text!r} is neither a size in GiB nor a path on the host")
    return None, text
