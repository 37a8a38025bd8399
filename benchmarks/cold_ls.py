"""Case 8: a cold ``hvtui ls`` of one host -- the round-trip floor of a first read.

*Wall*: the real command as a subprocess (``hvtui ls URI --password-file F``), interpreter
start and imports included, against ``hvtui sim --vms N --latency-ms L`` in another process;
output to a pipe. *Round trips*: the same read in process (``HyperVHost.list_vms``, what the
table needs), counted by the client: every HTTP exchange, handshakes included. *Critical
path*: the wall time of that read at a long latency, in round trips of that latency.

Aims (issue: speed on real networks): 1,000 VMs at 20 ms in <= 0.3 s wall; <= 15 round trips
for 1,000 VMs and <= 60 for 10,000; against a host 1.5 s away, ``ls`` in <= 7 s.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.figures import COUNT, SECONDS, Row, aim_at_most
from benchmarks.measure import sample
from benchmarks.simproc import SimProcess, write_private
from hvtui.hyperv.host import HyperVHost
from hvtui.uri import parse_uri

CASE = "8 cold ls"
WALL_AIM = 0.3
FAR_AIM = 7.0
TRIPS_AIMS = {1000: 15, 10_000: 60}


def run_ls(sim: SimProcess, password_file: Path) -> float:
    hvtui = Path(sys.executable).with_name("hvtui")
    argv = [str(hvtui), "ls", sim.uris[0], "--password-file", str(password_file), "--no-keyring"]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0 or done.stdout.count(b"\n") < sim.vms + 2:
        raise RuntimeError(f"hvtui ls failed: {done.stderr.decode(errors='replace').strip()}")
    return wall


def wall_rows(vms: int, latency: float, runs: int, aim: float | None, tmp: Path) -> list[Row]:
    size = f"1 host x {vms:,} VMs"
    with SimProcess(vms=vms, latency_ms=latency) as sim:
        password_file = tmp / f"password-{vms}-{latency:g}"
        write_private(password_file, sim.password + "\n")
        run_ls(sim, password_file)  # warms the file cache: imports are measured, not the disk
        walls = [run_ls(sim, password_file) for _ in range(runs)]
        trips, critical = asyncio.run(_in_process(sim, runs))
    wall = Row(CASE, size, "hvtui ls: wall, interpreter start included", SECONDS, walls, latency)
    if aim is not None:
        aim_at_most(wall, aim, f"<= {aim:g} s")
    rows = [wall, Row(CASE, size, "cold ls: round trips", COUNT, trips, latency)]
    if latency >= 100:
        rows.append(
            Row(CASE, size, "cold ls: critical path, round trips of latency", COUNT, critical, latency)
        )
    return rows


async def _in_process(sim: SimProcess, runs: int) -> tuple[list[float], list[float]]:
    trips: list[float] = []
    critical: list[float] = []
    for _ in range(max(1, runs // 2)):
        async with HyperVHost(parse_uri(sim.uris[0]), sim.password, timeout=600) as host:
            measured, vms = await sample(lambda h=host: h.list_vms(full=False), host.stats)
            if len(vms) != sim.vms:
                raise RuntimeError(f"cold ls saw {len(vms)} of {sim.vms} VMs")
            trips.append(measured.round_trips)
            if sim.latency_ms:
                critical.append(round(measured.wall / (sim.latency_ms / 1000), 1))
    return trips, critical


def trips_rows(vms: int) -> list[Row]:
    with SimProcess(vms=vms) as sim:
        trips, _ = asyncio.run(_in_process(sim, 2))
    row = Row(CASE, f"1 host x {vms:,} VMs", "cold ls: round trips", COUNT, trips, 0.0)
    if vms in TRIPS_AIMS:
        aim_at_most(row, TRIPS_AIMS[vms], f"<= {TRIPS_AIMS[vms]}")
    return [row]


def measure(quick: bool, runs: int) -> list[Row]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hvtui-bench-") as tmp:
        rows = wall_rows(100 if quick else 1000, 20.0, runs, None if quick else WALL_AIM, Path(tmp))
        rows += wall_rows(
            10, 200.0 if quick else 1500.0, 1 if quick else 3, None if quick else FAR_AIM, Path(tmp)
        )
    for vms in (100,) if quick else (1000, 10_000):
        rows += trips_rows(vms)
    return rows
