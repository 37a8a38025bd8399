"""Lenient readers for CIM property values: a host may send a number as text, or nothing."""

from __future__ import annotations

from typing import Any


def as_int(value: Any) -> int | None:
    """An int from an int or a decimal string; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_text(value: Any) -> str:
    """A stripped string, or "" for anything that is not one."""
    return value.strip() if isinstance(value, str) else ""


def as_guid(value: Any) -> str | None:
    """A VM GUID in Hyper-V's form: upper case, without braces."""
    text = as_text(value).strip("{}")
    return text.upper() or None
