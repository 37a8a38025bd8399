"""How single values read to a person: memory, uptime, percentages, counts, times.

Each has a long form (a dash when unknown: ``hvtui ls``, ``hvtui info``, detail screens) and,
where a table needs it, a cell form that leaves the unknown blank so that what is known
stands out in the TUI's columns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DASH = "—"


def memory(mib: int | None) -> str:
    """``512 MiB``, ``4.0 GiB``, ``1.5 TiB``; a dash when unknown."""
    if mib is None:
        return DASH
    if mib < 1024:
        return f"{mib} MiB"
    if mib < 1024 * 1024:
        return f"{mib / 1024:.1f} GiB"
    return f"{mib / 1024 / 1024:.1f} TiB"


def memory_cell(mib: int | None) -> str:
    """Memory in a table cell: nothing for none (a VM that holds no memory)."""
    return memory(mib) if mib else ""


def uptime(delta: timedelta | None) -> str:
    """``3d 04:12`` or ``04:12:09``, like Hyper-V Manager's column; empty when stopped."""
    if delta is None:
        return DASH
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def uptime_cell(delta: timedelta | None) -> str:
    """Uptime in a table cell: nothing when unknown or not running."""
    return uptime(delta) if delta is not None else ""


def percent(value: int | None) -> str:
    return DASH if value is None else f"{value}%"


def percent_cell(value: int | None) -> str:
    return "" if value is None else percent(value)


def count(value: int | None) -> str:
    return DASH if value is None else str(value)


def seconds(delta: timedelta | None) -> int | None:
    """Whole seconds, for the JSON/CSV records."""
    return None if delta is None else int(delta.total_seconds())


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if value else DASH


def age_text(seconds: float) -> str:
    """How old a silent host's data is, as its VMs' Status cells say it: "stale 45 s"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"stale {seconds} s"
    if seconds < 3600:
        return f"stale {seconds // 60} min"
    if seconds < 86400:
        return f"stale {seconds // 3600} h"
    return f"stale {seconds // 86400} d"
