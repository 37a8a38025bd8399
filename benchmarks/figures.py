"""Rows of the benchmark table: one metric of one case at one size, over several runs.

Every row keeps its raw values so the JSON output can be re-read later; the table shows
the median with min and max. Values are kept in base units (seconds, bytes, counts,
per second, plain ratios) and formatted only when printed.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SECONDS = "s"
BYTES = "B"
COUNT = ""
RATE = "/s"
RATIO = "x"
#: The metric of a row that stands for a case that could not run here (the note says why).
SKIPPED = "skipped"


@dataclass
class Row:
    case: str
    size: str
    metric: str
    unit: str
    values: list[float]
    latency_ms: float | None = None
    #: The aim as text ("<= 0.5 s") and whether the median meets it; None: no aim on this row.
    aim: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "size": self.size,
            "latency_ms": self.latency_ms,
            "metric": self.metric,
            "unit": self.unit,
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "runs": len(self.values),
            "values": self.values,
            "aim": self.aim or None,
            "met": self.met,
            "note": self.note or None,
            **({"extra": self.extra} if self.extra else {}),
        }


def fmt(value: float, unit: str) -> str:
    if unit == SECONDS:
        if value < 0.0001:
            return f"{value * 1e6:.0f} µs"
        if value < 10:
            return f"{value * 1000:.1f} ms"
        return f"{value:.1f} s"
    if unit == BYTES:
        for scale, name in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
            if value >= scale:
                return f"{value / scale:.2f} {name}"
        return f"{value:.0f} B"
    if unit == RATE:
        return f"{value:,.0f}/s"
    if unit == RATIO:
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


HEADERS = ("Case", "Size", "Latency", "Metric", "Median", "Min", "Max", "Aim")


def table(rows: Sequence[Row]) -> str:
    """One aligned text table of every row; a blank line between cases."""
    lines: list[list[str]] = []
    for row in rows:
        aim = ""
        if row.aim:
            mark = "met" if row.met else "MISSED"
            aim = f"{row.aim}: {mark}"
        if row.note:
            aim = f"{aim}  ({row.note})" if aim else f"({row.note})"
        latency = "" if row.latency_ms is None else f"{row.latency_ms:g} ms"
        if row.metric == SKIPPED:
            lines.append([row.case, row.size, latency, row.metric, "", "", "", aim])
            continue
        same = len(row.values) == 1
        lines.append(
            [
                row.case,
                row.size,
                latency,
                row.metric,
                fmt(row.median, row.unit),
                "" if same else fmt(row.low, row.unit),
                "" if same else fmt(row.high, row.unit),
                aim,
            ]
        )
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(HEADERS)]
    numeric = {4, 5, 6}

    def render(cells: Iterable[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == len(HEADERS) - 1:
                out.append(cell)
            elif i in numeric:
                out.append(cell.rjust(widths[i]))
            else:
                out.append(cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    text = [render(HEADERS), render("-" * w for w in widths)]
    previous = None
    for row, line in zip(rows, lines, strict=True):
        if previous is not None and row.case != previous:
            text.append("")
        previous = row.case
        text.append(render(line))
    return "\n".join(text)


def aim_at_most(row: Row, limit: float, text: str) -> Row:
    row.aim = text
    row.met = row.median <= limit
    return row


def aim_at_least(row: Row, limit: float, text: str) -> Row:
    row.aim = text
    row.met = row.median >= limit
    return row
