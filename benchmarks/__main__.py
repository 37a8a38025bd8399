"""``python -m benchmarks [--quick] [--json FILE] [--cases 1,2,...]``: every case, one table.

Each case runs against the simulator in its own process on loopback, at 0 ms and 20 ms
of injected per-request latency (a LAN and a WAN). The table shows the median of several
runs with min and max; ``--json`` writes every raw value with the machine it came from.
``--quick`` runs tiny sizes in well under a minute (a smoke test, not figures to quote).
Run it on a quiet machine: anything else busy on the CPU shows up in every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import (
    cold_ls,
    console,
    figures,
    fleet,
    machine,
    many_hosts,
    naive,
    parse_speed,
    refresh,
    startup,
    tui,
)
from benchmarks.figures import RATE, Row, aim_at_least
from benchmarks.simproc import SimProcess

PARSE_AIM = 50_000


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    latencies: tuple[float, ...]
    runs: int
    cold_runs: int
    naive_runs: int
    list_cap: int
    lookup_cap: int
    hosts: tuple[int, ...]
    host_vms: int
    cycles: int
    apply_vms: int
    ui_runs: int
    start_runs: int
    memory_hosts: int
    memory_vms: int
    console_frames: int
    fleet_hosts: int
    fleet_vms: int
    fleet_steady: float
    fleet_presses: int


FULL = Plan(
    sizes=(10, 100, 1000, 10_000),
    latencies=(0.0, 20.0),
    runs=7,
    cold_runs=3,
    naive_runs=3,
    list_cap=1000,
    lookup_cap=100,
    hosts=(10, 50, 100),
    host_vms=200,
    cycles=5,
    apply_vms=10_000,
    ui_runs=7,
    start_runs=5,
    memory_hosts=50,
    memory_vms=200,
    console_frames=10,
    fleet_hosts=1000,
    fleet_vms=25,
    fleet_steady=60.0,
    fleet_presses=20,
)
QUICK = Plan(
    sizes=(10, 100),
    latencies=(0.0, 20.0),
    runs=3,
    cold_runs=1,
    naive_runs=1,
    list_cap=30,
    lookup_cap=10,
    hosts=(3,),
    host_vms=20,
    cycles=2,
    apply_vms=500,
    ui_runs=2,
    start_runs=1,
    memory_hosts=3,
    memory_vms=20,
    console_frames=2,
    fleet_hosts=20,
    fleet_vms=5,
    fleet_steady=3.0,
    fleet_presses=4,
)


#: Progress lines with the load average when each step began: a busy machine shows here.
PROGRESS: list[dict[str, Any]] = []


def say(text: str) -> None:
    load = machine.load_average()
    PROGRESS.append({"time": time.strftime("%H:%M:%S"), "step": text, "load_average": load})
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text} (load average {load})\n")
    sys.stderr.flush()


def single_host(plan: Plan, cases: set[str]) -> list[Row]:
    """Cases 1 and 2 share one simulator per (N, latency)."""
    first: list[Row] = []
    second: list[Row] = []
    for latency in plan.latencies:
        for vms in plan.sizes:
            say(f"one host, {vms:,} VMs, {latency:g} ms")
            with SimProcess(vms=vms, latency_ms=latency) as sim:
                rows, medians = asyncio.run(refresh.measure(sim, vms, plan.runs, plan.cold_runs))
                if "1" in cases:
                    first += rows
                if "2" in cases:
                    second += asyncio.run(
                        naive.measure(sim, vms, plan.naive_runs, plan.list_cap, plan.lookup_cap, medians)
                    )
    return first + second


def many(plan: Plan) -> list[Row]:
    rows: list[Row] = []
    for latency in plan.latencies:
        for hosts in plan.hosts:
            say(f"{hosts} hosts x {plan.host_vms} VMs, {latency:g} ms")
            rows += many_hosts.measure(hosts, plan.host_vms, latency, plan.cycles)
    return rows


def parsing(quick: bool) -> list[Row]:
    say("parse speed")
    result = parse_speed.run(quick)
    size = f"{result['instances']:,} x {result['instance_bytes']:,} B"
    rows = []
    summary_size = f"{result['instances']:,} x {result['summary_bytes']:,} B"
    notes = {
        "libxml2": "libxml2 tree building alone: the floor",
        "summary": "GetSummaryInformation, as a steady refresh reads it",
        "summary libxml2": "the floor under summary",
    }
    for mode in (*parse_speed.MODES, *parse_speed.SUMMARY_MODES):
        row = Row(
            "4 parse",
            summary_size if mode.startswith("summary") else size,
            f"{mode}: instances/s",
            RATE,
            result[mode]["values"],
            note=notes.get(mode, ""),
        )
        if mode in ("parse", "summary"):
            aim_at_least(row, PARSE_AIM, f">= {PARSE_AIM:,}/s")
        rows.append(row)
    return rows


def skipped(case: str, size: str, reason: str) -> list[Row]:
    say(f"case {case} skipped: {reason}")
    return [Row(case, size, figures.SKIPPED, "", [0.0], note=reason)]


def ui(plan: Plan) -> list[Row]:
    say(f"UI: apply a refresh of {plan.apply_vms:,} VMs")
    rows = tui.measure_apply(plan.apply_vms, plan.ui_runs)
    reason = startup.available()
    if reason:
        return rows + skipped(startup.CASE, "demo", reason)
    say("UI: hvtui --demo start-up")
    return rows + startup.measure(plan.start_runs)


def memory(plan: Plan) -> list[Row]:
    say(f"memory: {plan.memory_hosts} hosts x {plan.memory_vms} VMs in the TUI")
    return tui.measure_memory(plan.memory_hosts, plan.memory_vms)


def console_frames(plan: Plan) -> list[Row]:
    rows: list[Row] = []
    for latency in plan.latencies:
        say(f"console: frames of 640x480 and 1920x1080 screens, {latency:g} ms")
        with console.simulator(latency) as sim:
            rows += asyncio.run(console.measure(sim, plan.console_frames))
    return rows


def cold_listing(plan: Plan, quick: bool) -> list[Row]:
    say("a cold hvtui ls")
    return cold_ls.measure(quick, plan.ui_runs)


def fleet_case(plan: Plan) -> list[Row]:
    say(f"a fleet: {plan.fleet_hosts:,} hosts x {plan.fleet_vms} VMs in the TUI, 20 ms")
    return fleet.measure(plan.fleet_hosts, plan.fleet_vms, 20.0, plan.fleet_steady, plan.fleet_presses)


CASES: dict[str, str] = {
    "1": "one host, N VMs: one refresh",
    "2": "the naive way (libvirt's), for the same N",
    "3": "many hosts refreshed at once",
    "4": "parse speed",
    "5": "UI: applying a refresh, and hvtui --demo start-up",
    "6": "memory of the TUI",
    "7": "a VM's console: bytes per frame and frames/s",
    "8": "a cold hvtui ls: wall with the interpreter's start, round trips, at 1.5 s latency",
    "9": "a fleet of 1,000 hosts x 25 VMs in the TUI: first data, CPU, memory, keys (minutes)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a smoke test (well under a minute)")
    parser.add_argument("--json", metavar="FILE", help="write every figure and the machine to FILE")
    parser.add_argument(
        "--cases",
        default=",".join(CASES),
        help="comma list of cases to run: " + "; ".join(f"{k} {v}" for k, v in CASES.items()),
    )
    args = parser.parse_args(argv)
    cases = {c.strip() for c in args.cases.split(",") if c.strip()}
    unknown = cases - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}: choose from {', '.join(CASES)}")
    plan = QUICK if args.quick else FULL
    info = machine.describe()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    say(f"machine: {machine.one_line(info)}")

    steps: list[tuple[set[str], Callable[[], list[Row]]]] = [
        ({"1", "2"}, lambda: single_host(plan, cases)),
        ({"3"}, lambda: many(plan)),
        ({"4"}, lambda: parsing(args.quick)),
        ({"5"}, lambda: ui(plan)),
        ({"6"}, lambda: memory(plan)),
        ({"7"}, lambda: console_frames(plan)),
        ({"8"}, lambda: cold_listing(plan, args.quick)),
        ({"9"}, lambda: fleet_case(plan)),
    ]
    rows: list[Row] = []
    for needs, step in steps:
        if needs & cases:
            rows += step()

    duration = time.perf_counter() - clock
    info["load_average_at_end"] = machine.load_average()
    print(f"hvtui benchmarks ({'quick' if args.quick else 'full'} run, {started:%Y-%m-%d %H:%M} UTC)")
    print(f"machine: {machine.one_line(info)}; at end {info['load_average_at_end']}")
    print("client CPU: time.process_time() of the client process; simulator in its own process\n")
    print(figures.table(rows))
    missed = [r for r in rows if r.met is False]
    print(f"\n{len([r for r in rows if r.aim])} aims, {len(missed)} missed; took {duration:.0f} s")
    if args.json:
        document: dict[str, Any] = {
            "mode": "quick" if args.quick else "full",
            "started": started.isoformat(),
            "duration_s": round(duration, 1),
            "machine": info,
            "plan": plan.__dict__,
            "progress": PROGRESS,
            "rows": [r.to_json() for r in rows],
        }
        Path(args.json).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
