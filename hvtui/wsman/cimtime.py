"""CIM date-times and intervals, in the two spellings WinRM uses.

* WS-Man (DSP0230): ``<cim:Datetime>2013-04-15T16:28:43.488171Z</cim:Datetime>`` (xs:dateTime,
  ``Z`` or ``+08:00``, fractional seconds of any length) and
  ``<cim:Interval>P0DT0H1M40S</cim:Interval>`` (xs:duration).
* DMTF strings (CIM-XML, WQL, MOF): ``20130415162843.488171+000`` (offset in minutes) and
  intervals ``00000001020304.000000:000``.

Every parsed date-time is timezone-aware: WinRM always sends an offset; a value without
one is taken as UTC rather than as "local time of some machine".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

_XS_DATETIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?",
    re.ASCII,
)
_XS_DURATION = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?",
    re.ASCII,
)
_DMTF_DATETIME = re.compile(
    r"(\d{4})(\d\d)(\d\d)([\d*]{2})([\d*]{2})([\d*]{2})\.([\d*]{6})([+-])(\d{3})", re.ASCII
)
_DMTF_INTERVAL = re.compile(r"(\d{8})(\d\d)(\d\d)(\d\d)\.(\d{6}):000", re.ASCII)

_OFFSETS: dict[str, timezone] = {"Z": UTC, "+00:00": UTC, "-00:00": UTC}


class CimTimeError(ValueError):
    """A value that is not a CIM date-time or interval."""


def _micros(fraction: str | None) -> int:
    # Any number of digits: keep microseconds, drop the rest (truncating, never rounding up
    # into the next second).
    if not fraction:
        return 0
    return int((fraction + "000000")[:6])


def _offset(text: str | None) -> timezone:
    if text is None:
        return UTC
    tz = _OFFSETS.get(text)
    if tz is None:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = int(text[1:3]), int(text[4:6])
        if hours > 14 or minutes > 59:
            raise CimTimeError(f"UTC offset {text!r} is out of range")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        if len(_OFFSETS) < 256:
            _OFFSETS[text] = tz
    return tz


def parse_datetime(text: str) -> datetime:
    """xs:dateTime (``cim:Datetime``) -> aware datetime."""
    match = _XS_DATETIME.fullmatch(text.strip())
    if match is None:
        raise CimTimeError(f"{text.strip()[:64]!r} is not a date-time such as 2024-03-01T10:22:33Z")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    end_of_day = hour == "24"
    if end_of_day:
        if minute != "00" or second != "00" or _micros(fraction):
            raise CimTimeError(f"{text.strip()!r}: 24:00 must be exactly midnight")
        hour = "00"
    try:
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            _micros(fraction),
            _offset(offset),
        )
    except ValueError as exc:
        raise CimTimeError(f"{text.strip()!r} is not a valid date-time ({exc})") from None
    return value + timedelta(days=1) if end_of_day else value


def parse_interval(text: str) -> timedelta:
    """xs:duration (``cim:Interval``, WinRM writes ``P{d}DT{h}H{m}M{s}S``) -> timedelta."""
    stripped = text.strip()
    match = _XS_DURATION.fullmatch(stripped)
    if match is None or stripped in ("P", "-P") or stripped.endswith("T"):
        raise CimTimeError(f"{stripped[:64]!r} is not an interval such as P0DT0H1M40S")
    negative, years, months, days, hours, minutes, seconds, fraction = match.groups()
    if (years and int(years)) or (months and int(months)):
        raise CimTimeError(f"{stripped!r} counts years or months, which have no fixed length")
    try:
        value = timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=_micros(fraction),
        )
    except OverflowError:
        raise CimTimeError(f"{stripped[:64]!r} is too long an interval") from None
    return -value if negative else value


def parse_dmtf(text: str) -> datetime | timedelta:
    """A DMTF string: ``yyyymmddHHMMSS.mmmmmmsUUU`` -> datetime, ``ddddddddHHMMSS.mmmmmm:000`` -> timedelta.

    Asterisks (unknown fields) are allowed in the time of day and the fraction and read as 0.
    """
    stripped = text.strip()
    match = _DMTF_INTERVAL.fullmatch(stripped)
    if match is not None:
        days, hours, minutes, seconds, micros = (int(g) for g in match.groups())
        if hours > 23 or minutes > 59 or seconds > 59:
            raise CimTimeError(f"{stripped!r} is not a valid DMTF interval")
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, microseconds=micros)
    match = _DMTF_DATETIME.fullmatch(stripped)
    if match is None:
        raise CimTimeError(f"{stripped[:64]!r} is not a DMTF date-time such as 20240301102233.000000+000")
    year, month, day, hour, minute, second, frac, sign, offset = match.groups()

    def num(field: str) -> int:
        return 0 if "*" in field else int(field)

    minutes_east = int(offset) * (-1 if sign == "-" else 1)
    if abs(minutes_east) > 14 * 60:
        raise CimTimeError(f"{stripped!r}: UTC offset {sign}{offset} minutes is out of range")
    tz = UTC if minutes_east == 0 else timezone(timedelta(minutes=minutes_east))
    try:
        return datetime(int(year), int(month), int(day), num(hour), num(minute), num(second), num(frac), tz)
    except ValueError as exc:
        raise CimTimeError(f"{stripped!r} is not a valid DMTF date-time ({exc})") from None


def format_datetime(value: datetime) -> str:
    """Aware datetime -> xs:dateTime in UTC, e.g. ``2024-03-01T10:22:33.5Z`` (naive means UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}"
    text += f":{value.second:02d}"
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def format_interval(value: timedelta) -> str:
    """timedelta -> ``P{d}DT{h}H{m}M{s}S`` the way WinRM writes it (fractions when needed)."""
    negative = value < timedelta(0)
    value = -value if negative else value
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    sec = f"{seconds}.{value.microseconds:06d}".rstrip("0") if value.microseconds else str(seconds)
    return f"{'-' if negative else ''}P{value.days}DT{hours}H{minutes}M{sec}S"


def format_dmtf(value: datetime | timedelta) -> str:
    """datetime -> ``yyyymmddHHMMSS.mmmmmm+000`` (UTC); timedelta -> ``ddddddddHHMMSS.mmmmmm:000``."""
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise CimTimeError("a DMTF interval cannot be negative")
        hours, rest = divmod(value.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if value.days > 99999999:
            raise CimTimeError("a DMTF interval cannot exceed 99999999 days")
        return f"{value.days:08d}{hours:02d}{minutes:02d}{seconds:02d}.{value.microseconds:06d}:000"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}{value.hour:02d}{value.minute:02d}{value.second:02d}"
        f".{value.microsecond:06d}+000"
    )


def decode(kind: str, text: str) -> Any:
    """The value of a typed date-time child element: ``Datetime``, ``Interval``, ``Date``,
    ``Time`` (DSP0230) or ``CIM_DateTime`` (a DMTF string)."""
    if kind == "Datetime":
        return parse_datetime(text)
    if kind == "Interval":
        return parse_interval(text)
    if kind == "CIM_DateTime":
        return parse_dmtf(text)
    if kind == "Date":
        match = _XS_DATE.fullmatch(text.strip())
        if match is None:
            raise CimTimeError(f"{text.strip()[:64]!r} is not a date such as 2024-03-01")
        year, month, day = (int(g) for g in match.groups()[:3])
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise CimTimeError(f"{text.strip()!r} is not a valid date ({exc})") from None
    if kind == "Time":
        match = _XS_TIME.fullmatch(text.strip())
        if match is None:
            raise CimTimeError(f"{text.strip()[:64]!r} is not a time of day such as 10:22:33Z")
        hour, minute, second, fraction, offset = match.groups()
        try:
            return time(int(hour), int(minute), int(second), _micros(fraction), _offset(offset))
        except ValueError as exc:
            raise CimTimeError(f"{text.strip()!r} is not a valid time ({exc})") from None
    raise CimTimeError(f"unknown CIM date-time kind {kind!r}")


_XS_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?", re.ASCII)
_XS_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?", re.ASCII)
