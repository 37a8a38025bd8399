"""Cases 5a and 6: the terminal UI itself, run headless with Textual's ``run_test``.

5a, applying a refresh: the app watches one simulated host of 10,000 VMs. Once it shows
them, a second snapshot of the same VMs with 5% of the table's visible cells changed
(CPU load, memory, uptime: what moves between refreshes) is handed to the app exactly as
its refresh scheduler hands one over: ``app.feed.host_snapshot()`` from another thread builds
the rows there and posts them. Snapshots alternate, so every hand-over changes the same
5% of cells. Two figures: the time spent in the VM table's own code on the UI thread
(``TableModel.apply``, ``VMTable.update_view`` and the ``render_line`` calls of the
repaint, timed by wrapping them), which the aim is about; and the CPU time of the whole
UI thread (``time.thread_time()`` on the event loop's thread) from the hand-over until
the app is idle again, which also counts the rest of the screen reacting (host pane,
footer, title) and Textual's own work. Building the rows, off the UI thread, is apart.

6, memory: the app watches 50 simulated hosts of 200 VMs each, refreshing every 2 s;
once every host has been refreshed three times, the resident set size of the process
(``VmRSS`` in /proc/self/status) is what the TUI holds, and ``VmHWM`` its peak.

Each runs in a fresh worker process (so RSS is the TUI's alone); the simulator is another
process; the password reaches the worker in a 0600 file.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.figures import BYTES, COUNT, SECONDS, Row, aim_at_most
from benchmarks.machine import current_rss_bytes, peak_rss_bytes
from benchmarks.simproc import SimProcess, write_private

CASE_UI = "5 UI"
CASE_MEMORY = "6 memory"
APPLY_AIM = 0.050
MEMORY_AIM = 250 * 1024 * 1024
CHANGED_SHARE = 0.05
SIZE = (160, 50)
WORKER_TIMEOUT = 900


def _run_worker(mode: str, sim: SimProcess, extra: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hvtui-bench-") as tmp:
        brief = Path(tmp) / "brief.json"
        write_private(brief, json.dumps({"uris": sim.uris, "password": sim.password, **extra}))
        argv = [sys.executable, "-m", "benchmarks.tui", mode, str(brief)]
        env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "HVTUI_CONFIG": str(Path(tmp) / "config.toml")}
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=WORKER_TIMEOUT, check=False, env=env, cwd=Path.cwd()
        )
    if done.returncode != 0:
        raise RuntimeError(f"the {mode} worker failed: {done.stderr.strip()[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_apply(vms: int, runs: int) -> list[Row]:
    with SimProcess(vms=vms) as sim:
        result = _run_worker("apply", sim, {"runs": runs, "vms": vms})
    size = f"1 host x {vms:,} VMs"
    share = f"{result['changed_cells']:,} of {result['visible_cells']:,} visible cells changed"
    table = Row(CASE_UI, size, "5% changed: VM table apply + paint", SECONDS, result["table"], note=share)
    return [
        aim_at_most(table, APPLY_AIM, f"<= {APPLY_AIM * 1000:g} ms"),
        Row(
            CASE_UI,
            size,
            "5% changed: UI thread CPU to idle",
            SECONDS,
            result["ui_thread"],
            note="the whole screen: table, host pane, footer, title",
        ),
        Row(
            CASE_UI,
            size,
            "nothing changed: UI thread CPU",
            SECONDS,
            result["unchanged"],
            note="the same snapshot handed over again",
        ),
        Row(CASE_UI, size, "5% changed: wall to idle", SECONDS, result["wall"]),
        Row(CASE_UI, size, "5% changed: rows built", SECONDS, result["build"], note="off the UI thread"),
    ]


def measure_memory(hosts: int, vms: int) -> list[Row]:
    with SimProcess(hosts=hosts, vms=vms) as sim:
        result = _run_worker("memory", sim, {"vms": vms})
    size = f"{hosts} hosts x {vms} VMs"
    rss = Row(CASE_MEMORY, size, "TUI RSS holding them", BYTES, [result["rss"]], note="VmRSS")
    return [
        aim_at_most(rss, MEMORY_AIM, "<= 250 MB"),
        Row(CASE_MEMORY, size, "TUI peak RSS", BYTES, [result["peak"]], note="VmHWM"),
        Row(CASE_MEMORY, size, "VMs shown", COUNT, [result["vms"]]),
    ]


# ---------------------------------------------------------------------------- the worker


def _app(brief: dict[str, Any], refresh: float) -> Any:
    from hvtui.ui.launch import HostSpec
    from hvtui.uri import parse_uri
    from tests.support.tui import make_app

    hosts = [HostSpec(parse_uri(uri), brief["password"]) for uri in brief["uris"]]
    # The terminal's own environment and the configured theme, as a person would run it.
    return make_app(
        hosts, refresh=refresh, title_note="benchmark", host_timeout=120.0, environ=None, theme=None
    )


def _changed_snapshot(app: Any, snapshot: Any, key: str) -> tuple[Any, int, int]:
    """The snapshot with VMs changed until 5% of the visible cells differ: (snapshot, changed, total)."""
    from hvtui.ui.rows import host_label, make_row

    label = host_label(snapshot, key)
    visible = list(app.model.column_indexes)
    total = len(snapshot.vms) * len(visible)
    target = int(total * CHANGED_SHARE)
    vms = list(snapshot.vms)
    changed = 0
    stride = 7  # spread over the table, not one block
    order = [i for start in range(stride) for i in range(start, len(vms), stride)]
    for index in order:
        if changed >= target:
            break
        vm = vms[index]
        if vm.cpu_load is None:
            continue
        new = dataclasses.replace(
            vm,
            cpu_load=(vm.cpu_load + 37) % 100,
            memory_mib=(vm.memory_mib or 0) + 2,
            uptime=(vm.uptime or timedelta()) + timedelta(seconds=61),
        )
        before = make_row(vm, label).cells
        after = make_row(new, label).cells
        changed += sum(1 for i in visible if before[i] != after[i])
        vms[index] = new
    if changed < target:
        raise RuntimeError(f"only {changed} of {target} cells could be changed: too few running VMs")
    return dataclasses.replace(snapshot, vms=tuple(vms)), changed, total


class _TableClock:
    """Time spent in the VM table's own code: the model's apply, the widget's update, its paint.

    The methods are wrapped on their classes, in the worker process only.
    """

    def __init__(self) -> None:
        from hvtui.ui.tablemodel import TableModel
        from hvtui.ui.widgets.vm_table import VMTable

        self.spent = 0.0
        for cls, name in ((TableModel, "apply"), (VMTable, "update_view"), (VMTable, "render_line")):
            setattr(cls, name, self._timed(getattr(cls, name)))

    def _timed(self, method: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started

        return timed


async def _apply(brief: dict[str, Any]) -> dict[str, Any]:
    from hvtui.ui.hoststatus import HostStatus
    from tests.support.tui import wait_for

    clock = _TableClock()
    app = _app(brief, refresh=24 * 3600)
    result: dict[str, Any] = {"table": [], "ui_thread": [], "wall": [], "build": [], "unchanged": []}
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            app,
            lambda: all(v.snapshot is not None and v.status is HostStatus.OK for v in app.hosts.values()),
            300,
        )
        await pilot.pause()
        key = next(iter(app.hosts))
        view = app.hosts[key]
        base = view.snapshot
        if len(base.vms) != brief["vms"]:
            raise RuntimeError(f"the app shows {len(base.vms)} of {brief['vms']} VMs")
        changed, cells, total = _changed_snapshot(app, base, key)
        result["changed_cells"], result["visible_cells"] = cells, total
        connection = view.connection

        async def hand_over(snapshot: Any) -> tuple[float, float, float, float]:
            """(table time, UI-thread CPU, wall to idle, row building off the UI thread)."""
            built: list[float] = []

            def build() -> None:  # what the scheduler's thread does with a refresh
                started = time.thread_time()
                app.feed.host_snapshot(key, snapshot, connection)
                built.append(time.thread_time() - started)

            clock.spent = 0.0
            cpu = time.thread_time()
            wall = time.perf_counter()
            worker = threading.Thread(target=build)
            worker.start()
            await wait_for(app, lambda: view.snapshot is snapshot, 60)
            await pilot.pause()
            wall = time.perf_counter() - wall
            cpu = time.thread_time() - cpu
            worker.join()
            return clock.spent, cpu, wall, built[0]

        await hand_over(changed)  # the first hand-over warms caches
        for run in range(brief["runs"] * 2):
            table, cpu, wall, build = await hand_over(base if run % 2 == 0 else changed)
            result["table"].append(table)
            result["ui_thread"].append(cpu)
            result["wall"].append(wall)
            result["build"].append(build)
        for _ in range(brief["runs"]):  # the same snapshot again: what a hand-over costs by itself
            result["unchanged"].append((await hand_over(changed))[1])
    return result


async def _memory(brief: dict[str, Any]) -> dict[str, Any]:
    from hvtui.ui.hoststatus import HostStatus
    from tests.support.tui import wait_for

    app = _app(brief, refresh=2.0)
    seen: dict[str, set[int]] = {}

    def refreshed_thrice() -> bool:
        for key, view in app.hosts.items():
            if view.snapshot is not None and view.status in (HostStatus.OK, HostStatus.REFRESHING):
                seen.setdefault(key, set()).add(id(view.snapshot))
        return len(seen) == len(brief["uris"]) and all(len(s) >= 3 for s in seen.values())

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(app, refreshed_thrice, 600)
        await pilot.pause()
        shown = sum(len(v.snapshot.vms) for v in app.hosts.values() if v.snapshot is not None)
        return {"rss": current_rss_bytes(), "peak": peak_rss_bytes(), "vms": shown}


def _worker_main() -> None:
    parser = argparse.ArgumentParser(description="TUI benchmark worker (internal)")
    parser.add_argument("mode", choices=("apply", "memory"))
    parser.add_argument("brief")
    args = parser.parse_args()
    brief = json.loads(Path(args.brief).read_text())
    work = _apply if args.mode == "apply" else _memory
    result = asyncio.run(work(brief))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    _worker_main()
