"""Case 9, a fleet: 1,000 hosts x 25 VMs in one TUI process, the way an estate's console runs.

The app runs headless (Textual's ``run_test``) in a fresh worker process, watching every host
of a simulator (a third process, 20 ms per request) at the default 2 s interval. Measured:

- first data: from the app's start until every host shows its VMs (and the median host);
- steady: the process's CPU (every thread: the UI's, the refresh scheduler's) over a window
  after that, as cores; how many refreshes hosts on screen and the rest had in it; the bytes
  and round trips a refresh costs; the simulator's CPU beside it;
- RSS (``VmRSS``) at the end, and the peak (``VmHWM``);
- keys: a cursor move in the VM table, from the key's arrival in the app's queue until the
  table's cursor moved -- what the person waits for, behind whatever refreshes are queued.

The password reaches the worker in a 0600 file, never in argv.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.figures import BYTES, COUNT, RATIO, SECONDS, Row, aim_at_most
from benchmarks.machine import current_rss_bytes, peak_rss_bytes, process_cpu_seconds
from benchmarks.simproc import SimProcess, write_private

CASE = "9 fleet"
AIM_HOSTS = 1000
AIM_FIRST = 60.0
AIM_CORES = 0.5
AIM_RSS = 600 * 1000 * 1000
AIM_KEY = 0.100
SIZE = (160, 50)
INTERVAL = 2.0
WORKER_TIMEOUT = 1800


def measure(hosts: int, vms: int, latency_ms: float, steady: float, presses: int) -> list[Row]:
    with SimProcess(hosts=hosts, vms=vms, latency_ms=latency_ms) as sim, tempfile.TemporaryDirectory(
        prefix="hvtui-bench-"
    ) as tmp:
        brief = Path(tmp) / "brief.json"
        write_private(
            brief,
            json.dumps(
                {
                    "uris": sim.uris,
                    "password": sim.password,
                    "vms": vms,
                    "steady": steady,
                    "presses": presses,
                    "server_pid": sim.pid,
                }
            ),
        )
        argv = [sys.executable, "-m", "benchmarks.fleet", str(brief)]
        env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "HVTUI_CONFIG": str(Path(tmp) / "config.toml")}
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=WORKER_TIMEOUT, check=False, env=env, cwd=Path.cwd()
        )
    if done.returncode != 0:
        raise RuntimeError(f"the fleet worker failed: {done.stderr.strip()[-1500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    size = f"{hosts:,} hosts x {vms} VMs"
    aims = hosts == AIM_HOSTS

    def row(metric: str, unit: str, values: list[float], note: str = "") -> Row:
        return Row(CASE, size, metric, unit, values, latency_ms, note=note)

    first = row("every host's first data", SECONDS, [result["first_all"]], "from the app's start")
    over = f"cores, over {result['window']:.0f} s, every thread"
    cores = row("steady: CPU", RATIO, [result["cores"]], over)
    rss = row("TUI RSS", BYTES, [result["rss"]], "VmRSS at the end")
    keys = row("key: cursor move handled", SECONDS, result["keys"], "from the key's arrival in the queue")
    if aims:
        aim_at_most(first, AIM_FIRST, f"<= {AIM_FIRST:g} s")
        aim_at_most(cores, AIM_CORES, f"<= {AIM_CORES:g} core")
        aim_at_most(rss, AIM_RSS, "<= 600 MB")
        aim_at_most(keys, AIM_KEY, f"<= {AIM_KEY * 1000:g} ms")
    window = result["window"]
    return [
        first,
        row("median host's first data", SECONDS, [result["first_median"]]),
        row("first data: client CPU", SECONDS, [result["cold_cpu"]], "the whole start, every thread"),
        cores,
        row("steady: simulator CPU", RATIO, [result["server_cores"]], "cores, the server's own process"),
        row(
            "steady: refreshes of a host on screen",
            COUNT,
            [result["focused_refreshes"]],
            f"median, in {window:.0f} s; {result['focused_hosts']} hosts on screen",
        ),
        row("steady: refreshes of a host off screen", COUNT, [result["other_refreshes"]], "median"),
        row("steady: refreshes/s, all hosts", RATIO, [result["refresh_rate"]]),
        row("steady: bytes received per refresh", BYTES, [result["bytes_per_refresh"]]),
        row("steady: round trips per refresh", RATIO, [result["trips_per_refresh"]]),
        rss,
        row("TUI peak RSS", BYTES, [result["peak"]], "VmHWM"),
        keys,
    ]


# ---------------------------------------------------------------------------- the worker


class _Watch:
    """Which hosts got a new snapshot, and when: checked whenever the app publishes a change."""

    def __init__(self, app: Any, started: float) -> None:
        self.app = app
        self.started = started
        self.first: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._seen: dict[str, int] = {}

    def check(self, _: None) -> None:
        now = time.perf_counter()
        for key, view in self.app.hosts.items():
            snapshot = view.snapshot
            if snapshot is None or self._seen.get(key) == id(snapshot):
                continue
            self._seen[key] = id(snapshot)
            self.counts[key] = self.counts.get(key, 0) + 1
            self.first.setdefault(key, now - self.started)


def _traffic(app: Any) -> tuple[int, int]:
    """(bytes received, round trips) over every host's connection so far."""
    received = trips = 0
    for link in list(app.scheduler.links.values()):
        host = link.host
        if host is not None:
            received += host.stats.bytes_received
            trips += host.stats.round_trips
    return received, trips


async def _key_latency(app: Any, presses: int) -> list[float]:
    """Cursor down then up, alternately: seconds from the key's arrival until the cursor moved."""
    from textual import events

    table = app.main.table
    table.focus()
    times = []
    for n in range(presses):
        key = "down" if n % 2 == 0 else "up"
        before = app.model.cursor
        started = time.perf_counter()
        event = events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)
        while app.model.cursor == before:
            await asyncio.sleep(0.001)
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.2)
    return times


async def _work(brief: dict[str, Any]) -> dict[str, Any]:
    from hvtui.ui.launch import HostSpec
    from hvtui.uri import parse_uri
    from tests.support.tui import make_app, wait_for

    specs = [HostSpec(parse_uri(uri), brief["password"]) for uri in brief["uris"]]
    app = make_app(
        specs, refresh=INTERVAL, title_note="benchmark", host_timeout=120.0, environ=None, theme=None
    )
    cpu = time.process_time()
    started = time.perf_counter()
    watch = _Watch(app, started)
    async with app.run_test(size=SIZE) as pilot:
        app.state_changed.subscribe(app, watch.check, immediate=True)
        await wait_for(app, lambda: len(watch.first) == len(specs), WORKER_TIMEOUT)
        first_all = time.perf_counter() - started
        cold_cpu = time.process_time() - cpu
        await pilot.pause()
        # The steady window: what the app costs once every host is shown.
        counts = dict(watch.counts)
        traffic = _traffic(app)
        server = process_cpu_seconds(brief["server_pid"]) or 0.0
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.sleep(brief["steady"])
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        server = (process_cpu_seconds(brief["server_pid"]) or 0.0) - server
        received, trips = (a - b for a, b in zip(_traffic(app), traffic, strict=True))
        refreshed = {key: watch.counts.get(key, 0) - counts.get(key, 0) for key in app.hosts}
        on_screen = app.scheduler.focused
        focused = set(app.hosts) if on_screen is None else set(on_screen)
        total = sum(refreshed.values()) or 1
        keys = await _key_latency(app, brief["presses"])
        shown = [refreshed[k] for k in refreshed if k in focused] or [0]
        hidden = [refreshed[k] for k in refreshed if k not in focused] or [0]
        return {
            "first_all": first_all,
            "first_median": statistics.median(watch.first.values()),
            "cold_cpu": cold_cpu,
            "window": wall,
            "cores": cpu / wall,
            "server_cores": server / wall,
            "focused_hosts": len(focused),
            "focused_refreshes": statistics.median(shown),
            "other_refreshes": statistics.median(hidden),
            "refresh_rate": total / wall,
            "bytes_per_refresh": received / total,
            "trips_per_refresh": trips / total,
            "rss": current_rss_bytes(),
            "peak": peak_rss_bytes(),
            "keys": keys,
        }


def _worker_main() -> None:
    parser = argparse.ArgumentParser(description="fleet benchmark worker (internal)")
    parser.add_argument("brief")
    args = parser.parse_args()
    brief = json.loads(Path(args.brief).read_text())
    result = asyncio.run(_work(brief))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    _worker_main()
