"""How WMI compares two values in a WHERE clause, whatever their CIM types.

"WHERE Clause (WMI)": comparisons are case-insensitive; TRUE is the number 1 and FALSE is 0;
a NULL on either side never compares (use IS NULL). The operands meet in one domain: two numbers
compare as numbers, a string against a number is read as a number (no match if it is not one),
a boolean against ``1``/``0``/``'TRUE'``/``'FALSE'``, a reference or ``__PATH`` against a string
as object paths (see :mod:`hvtui.sim.wql.paths`), anything else as case-insensitive text (datetimes
and intervals in their DMTF form). "LIKE Operator (WMI)": ``%``, ``_``, ``[a-f]`` and ``[^a-f]``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from hvtui.sim.render import Ref
from hvtui.sim.wql.errors import WQLError
from hvtui.sim.wql.paths import ObjectPath, from_ref, parse_object_path

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_NUMBER = re.compile(r"\s*[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*")


def compare(op: str, a: Any, b: Any) -> bool:
    """``a op b`` as WMI evaluates it; False when either is NULL or the two cannot meet."""
    if a is None or b is None:
        return False
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int):  # the common cases, without the general coercion
        return _OPS[op](a.lower(), b.lower()) if ta is str else _OPS[op](a, b)
    pair = _meet(a, b)
    if pair is None:
        return False
    x, y = pair
    if isinstance(x, ObjectPath):
        same = x.same(y)
        if op in ("=", "<>"):
            return same if op == "=" else not same
        x, y = x.text().lower(), y.text().lower()
    return _OPS[op](x, y)


def _meet(a: Any, b: Any) -> tuple[Any, Any] | None:
    ka, kb = _kind(a), _kind(b)
    if ka == "array" or kb == "array":
        return None
    if ka == kb:
        if ka == "text":
            return text_of(a).lower(), text_of(b).lower()
        if ka == "path":
            return _path(a), _path(b)
        return a, b
    if {ka, kb} == {"num", "text"}:
        num = number_of(b if ka == "num" else a)
        if num is None:
            return None
        return (a, num) if ka == "num" else (num, b)
    if "bool" in (ka, kb):
        other = b if ka == "bool" else a
        flag = _bool_of(other)
        if flag is None:
            return None
        return (a, flag) if ka == "bool" else (flag, b)
    if {ka, kb} == {"path", "text"}:
        text = b if ka == "path" else a
        try:
            parsed = parse_object_path(text)
        except WQLError:
            path = _path(a if ka == "path" else b).text().lower()
            return (path, text.lower()) if ka == "path" else (text.lower(), path)
        return (_path(a), parsed) if ka == "path" else (parsed, _path(b))
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    if isinstance(value, Ref | ObjectPath):
        return "path"
    if isinstance(value, list):
        return "array"
    return "text"


def _path(value: Ref | ObjectPath) -> ObjectPath:
    return from_ref(value) if isinstance(value, Ref) else value


def number_of(value: Any) -> int | float | None:
    """A number from a number or from text that spells one (``'10'``, ``'0x1F'``, ``'2.5'``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    if not _NUMBER.fullmatch(text):
        return None
    body = text.strip()
    digits = body.lstrip("+-")
    if digits[:2].lower() == "0x":
        return (-1 if body.startswith("-") else 1) * int(digits, 16)
    return float(body) if any(c in body for c in ".eE") else int(body)


def _bool_of(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return False if value == 0 else True if value == 1 else None
    if isinstance(value, str):
        return {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
    return None


def text_of(value: Any) -> str:
    """The text WMI compares: DMTF forms for datetimes and intervals, TRUE/FALSE, paths."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return dmtf_datetime(value)
    if isinstance(value, timedelta):
        return dmtf_interval(value)
    if isinstance(value, Ref | ObjectPath):
        return _path(value).text()
    return str(value)


def dmtf_datetime(value: datetime) -> str:
    """``yyyymmddHHMMSS.mmmmmmsUUU`` ("CIM_DATETIME")."""
    off = value.utcoffset()
    minutes = int(off.total_seconds() // 60) if off else 0
    return value.strftime("%Y%m%d%H%M%S") + f".{value.microsecond:06d}{minutes:+04d}"


def dmtf_interval(value: timedelta) -> str:
    """``ddddddddHHMMSS.mmmmmm:000`` ("CIM_DATETIME", the interval form)."""
    micros = round(value.total_seconds() * 1_000_000)
    days, rest = divmod(micros, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, frac = divmod(rest, 1_000_000)
    return f"{days:08d}{hours:02d}{minutes:02d}{seconds:02d}.{frac:06d}:000"


@lru_cache(maxsize=1024)
def like_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression of a LIKE pattern; WBEM_E_INVALID_QUERY for an unclosed ``[``."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        elif c == "[":
            end = pattern.find("]", i + 2)  # "[]...]": a ] right after [ is a member of the set
            if end == -1:
                raise WQLError("a [ in a LIKE pattern has no closing ]")
            body = pattern[i + 1 : end]
            negate = body.startswith("^") and len(body) > 1
            if negate:
                body = body[1:]
            members = "".join(
                "-" if ch == "-" and 0 < j < len(body) - 1 else re.escape(ch) for j, ch in enumerate(body)
            )
            out.append(f"[{'^' if negate else ''}{members}]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out), re.IGNORECASE | re.DOTALL)
    except re.error as exc:
        raise WQLError(f"bad LIKE pattern {pattern!r}: {exc.msg}") from None
