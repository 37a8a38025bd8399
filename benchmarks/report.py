"""``python -m benchmarks.report FILE.json``: the figures of a run as Markdown tables.

What ``benchmarks/README.md`` shows under "Latest figures" is this output for the last
full run, so the README's numbers come from a measured run and nowhere else.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from benchmarks.figures import fmt

Rows = list[dict[str, Any]]


def _find(rows: Rows, case: str, size: str, latency: float | None, metric: str) -> dict[str, Any] | None:
    for row in rows:
        if (
            row["case"] == case
            and row["size"] == size
            and row["latency_ms"] == latency
            and row["metric"] == metric
        ):
            return row
    return None


def _cell(row: dict[str, Any] | None, *, spread: bool = True) -> str:
    if row is None:
        return "–"
    text = fmt(row["median"], row["unit"])
    if spread and row["runs"] > 1 and row["min"] != row["max"]:
        text += f" ({fmt(row['min'], row['unit'])}–{fmt(row['max'], row['unit'])})"
    return text


def _table(headers: Iterable[str], lines: Iterable[Iterable[str]]) -> str:
    headers = list(headers)
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(out)


def _sizes(rows: Rows, case: str) -> list[tuple[str, float | None]]:
    seen: list[tuple[str, float | None]] = []
    for row in rows:
        key = (row["size"], row["latency_ms"])
        if row["case"] == case and key not in seen:
            seen.append(key)
    return seen


def _latency(value: float | None) -> str:
    return "" if value is None else f"{value:g} ms"


def refresh_table(rows: Rows) -> str:
    case = "1 refresh"
    lines = []
    for size, latency in _sizes(rows, case):

        def get(metric: str, size: str = size, latency: float | None = latency) -> dict[str, Any] | None:
            return _find(rows, case, size, latency, metric)

        trips = get("steady: round trips")
        bound = (trips or {}).get("aim") or ""
        lines.append(
            [
                size,
                _latency(latency),
                f"{_cell(trips, spread=False)} (aim {bound.rsplit('= ', 1)[-1]})",
                _cell(get("steady: bytes received"), spread=False),
                _cell(get("steady: wall")),
                _cell(get("steady: client CPU")),
                _cell(get("steady: simulator CPU"), spread=False),
                _cell(get("cold: round trips"), spread=False),
                _cell(get("cold: wall")),
            ]
        )
    return _table(
        [
            "Host",
            "Latency",
            "Round trips",
            "Reply bytes",
            "Wall",
            "Client CPU",
            "Simulator CPU",
            "Cold: round trips",
            "Cold: wall",
        ],
        lines,
    )


def naive_table(rows: Rows) -> str:
    case = "2 naive"
    lines = []
    for size, latency in _sizes(rows, case):

        def get(metric: str, size: str = size, latency: float | None = latency) -> dict[str, Any] | None:
            return _find(rows, case, size, latency, metric)

        def times(metric: str) -> str:
            row = get(metric)
            return "–" if row is None else f"{1 / row['median']:,.0f}x"

        trips = get("naive: round trips")
        lines.append(
            [
                size,
                _latency(latency),
                _cell(trips, spread=False),
                _cell(get("naive: wall")),
                _cell(get("naive: client CPU")),
                _cell(get("naive: simulator CPU"), spread=False),
                times("hvtui / naive: round trips"),
                times("hvtui / naive: wall"),
                times("hvtui / naive: client CPU"),
                times("hvtui / naive: bytes received"),
                "yes" if trips and trips.get("note") else "",
            ]
        )
    return _table(
        [
            "Host",
            "Latency",
            "Naive round trips",
            "Naive wall",
            "Naive client CPU",
            "Simulator CPU",
            "Round trips: naive ÷ hvtui",
            "Wall: naive ÷ hvtui",
            "Client CPU: naive ÷ hvtui",
            "Bytes: naive ÷ hvtui",
            "Extrapolated",
        ],
        lines,
    )


def many_table(rows: Rows) -> str:
    case = "3 many hosts"
    lines = []
    for size, latency in _sizes(rows, case):

        def get(metric: str, size: str = size, latency: float | None = latency) -> dict[str, Any] | None:
            return _find(rows, case, size, latency, metric)

        lines.append(
            [
                size,
                _latency(latency),
                _cell(get("cycle: wall")),
                _cell(get("cycle: client CPU")),
                _cell(get("cycle: client CPU per VM")),
                _cell(get("libxml2 parse per VM"), spread=False),
                _cell(get("cycle: simulator CPU"), spread=False),
                _cell(get("cycle: round trips"), spread=False),
                _cell(get("cycle: bytes received"), spread=False),
                _cell(get("client peak RSS")),
                _cell(get("cold cycle: wall")),
            ]
        )
    return _table(
        [
            "Hosts",
            "Latency",
            "Wall per cycle",
            "Client CPU per cycle",
            "Client CPU per VM",
            "libxml2 per VM (floor)",
            "Simulator CPU",
            "Round trips",
            "Bytes",
            "Client peak RSS",
            "Cold cycle wall",
        ],
        lines,
    )


def plain_table(rows: Rows, case: str) -> str:
    lines = [
        [r["size"], r["metric"], _cell(r), r.get("note") or ""]
        for r in rows
        if r["case"] == case and r["metric"] != "skipped"
    ]
    skipped = [r for r in rows if r["case"] == case and r["metric"] == "skipped"]
    if skipped and not lines:
        return f"Not measured in this run: {skipped[0].get('note')}."
    return _table(["Size", "Metric", "Median (min–max)", "Note"], lines)


def aims_table(rows: Rows) -> str:
    lines = [
        [
            r["case"],
            r["size"],
            _latency(r["latency_ms"]),
            r["metric"],
            r["aim"],
            _cell(r),
            "met" if r["met"] else "**missed**",
        ]
        for r in rows
        if r.get("aim")
    ]
    return _table(["Case", "Size", "Latency", "Metric", "Aim", "Median (min–max)", ""], lines)


def render(report: dict[str, Any]) -> str:
    rows: Rows = report["rows"]
    machine = report["machine"]
    parts: list[tuple[str, Callable[[], str]]] = [
        ("Aims", lambda: aims_table(rows)),
        ("1. One host, N VMs: one refresh", lambda: refresh_table(rows)),
        ("2. The naive way, and hvtui against it", lambda: naive_table(rows)),
        ("3. Many hosts at once", lambda: many_table(rows)),
        (
            "4. Parse speed (Msvm_ComputerSystem instances per second, one core)",
            lambda: plain_table(rows, "4 parse"),
        ),
        ("5. UI", lambda: plain_table(rows, "5 UI")),
        ("6. Memory", lambda: plain_table(rows, "6 memory")),
        ("9. A fleet in one TUI", lambda: plain_table(rows, "9 fleet")),
    ]
    head = (
        f"Full run of {report['started'][:16].replace('T', ' ')} UTC, {report['duration_s']:.0f} s, on "
        f"{machine['cpu']} ({machine['cores']} cores, {machine['memory_gib']} GiB), {machine['python']}, "
        f"{machine['os']}, lxml {machine['lxml']} with libxml2 {machine['libxml2']}. Load average at the "
        f"start {machine['load_average_at_start']}, at the end {machine.get('load_average_at_end')}."
    )
    body = [head]
    for title, make in parts:
        body += ["", f"#### {title}", "", make()]
    return "\n".join(body) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="a file written by python -m benchmarks --json")
    args = parser.parse_args()
    print(render(json.loads(Path(args.json).read_text(encoding="utf-8"))), end="")


if __name__ == "__main__":
    main()
