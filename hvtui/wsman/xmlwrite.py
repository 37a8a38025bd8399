"""Escaping for the XML this layer writes by hand (requests are small templates, built fast).

Characters that XML 1.0 cannot carry at all (NUL and most C0 controls, lone surrogates)
are refused with a ConfigurationError instead of being sent for the host to choke on.
"""

from __future__ import annotations

import re

from hvtui.wsman.errors import ConfigurationError

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_TABLE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def _check(value: str, what: str) -> None:
    bad = _INVALID.search(value)
    if bad is not None:
        raise ConfigurationError(
            f"{what} contains the character U+{ord(bad.group()):04X}, which XML cannot carry: remove it"
        )


def text(value: str, what: str = "a value") -> str:
    """Escape ``value`` for element content."""
    _check(value, what)
    return value.translate(_TEXT_TABLE)


def attr(value: str, what: str = "an attribute") -> str:
    """Escape ``value`` for a double-quoted attribute."""
    _check(value, what)
    return value.translate(_ATTR_TABLE)
