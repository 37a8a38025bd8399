"""Case 3: many hosts (``hvtui sim --hosts K``), all refreshed at once from one client process.

What a TUI watching a whole estate does every cycle: one ``HyperVHost.snapshot()`` per
host, all concurrent on one asyncio loop. Reported per cycle: wall time, client CPU
seconds (and per VM, beside libxml2's own time to build one host's reply, per VM: the
floor), round trips and bytes; and the client's peak RSS.

The client runs in a fresh worker process per configuration, so its peak RSS (``VmHWM``
in /proc/self/status) is that configuration's alone and not the largest thing the
benchmark process ever held. The simulator is a third process. The password reaches the worker in
a 0600 file, never in argv.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.figures import BYTES, COUNT, SECONDS, Row, aim_at_most
from benchmarks.machine import current_rss_bytes, peak_rss_bytes, process_cpu_seconds
from benchmarks.parse_speed import libxml2_seconds_per_summary
from benchmarks.simproc import SimProcess, write_private
from hvtui.hyperv.host import HyperVHost
from hvtui.uri import parse_uri

CASE = "3 many hosts"
AIM_HOSTS = 50
AIM_LATENCY = 20.0
AIM_WALL = 1.5
AIM_CPU = 1.0
AIM_CPU_PER_VM = 30e-6
WORKER_TIMEOUT = 1800


def measure(hosts: int, vms: int, latency_ms: float, cycles: int) -> list[Row]:
    with SimProcess(hosts=hosts, vms=vms, latency_ms=latency_ms) as sim, tempfile.TemporaryDirectory() as tmp:
        brief = Path(tmp) / "hosts.json"
        write_private(brief, json.dumps({"uris": sim.uris, "password": sim.password, "vms": vms}))
        argv = [sys.executable, "-m", "benchmarks.many_hosts", "--worker", str(brief)]
        argv += ["--cycles", str(cycles), "--server-pid", str(sim.pid)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=WORKER_TIMEOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the many-hosts worker failed: {done.stderr.strip().splitlines()[-1:]}")
        result = json.loads(done.stdout)
    size = f"{hosts} hosts x {vms} VMs"

    def row(metric: str, unit: str, values: list[float], note: str = "") -> Row:
        return Row(CASE, size, metric, unit, values, latency_ms, note=note)

    steady = result["cycles"]
    wall = row("cycle: wall", SECONDS, [c["wall"] for c in steady])
    cpu = row("cycle: client CPU", SECONDS, [c["cpu"] for c in steady])
    per_vm = row("cycle: client CPU per VM", SECONDS, [c["cpu"] / (hosts * vms) for c in steady])
    floor = row(
        "libxml2 parse per VM", SECONDS, [result["libxml2_per_vm"]], "its own tree building: the floor"
    )
    if hosts == AIM_HOSTS and latency_ms == AIM_LATENCY:
        aim_at_most(wall, AIM_WALL, f"<= {AIM_WALL} s")
        aim_at_most(cpu, AIM_CPU, f"<= {AIM_CPU} CPU s")
        aim_at_most(per_vm, AIM_CPU_PER_VM, f"<= {AIM_CPU_PER_VM * 1e6:.0f} µs")
    return [
        wall,
        cpu,
        per_vm,
        floor,
        row("cycle: simulator CPU", SECONDS, [c["server_cpu"] for c in steady], "the server's own process"),
        row("cycle: round trips", COUNT, [c["round_trips"] for c in steady]),
        row("cycle: bytes received", BYTES, [c["bytes_received"] for c in steady]),
        row("client peak RSS", BYTES, [result["peak_rss"]], "VmHWM of the client process"),
        row("cold cycle: wall", SECONDS, [result["cold"]["wall"]], "connect, facts, inventory"),
        row("cold cycle: client CPU", SECONDS, [result["cold"]["cpu"]]),
    ]


# ---------------------------------------------------------------------------- the worker


async def _cycle(hosts: list[HyperVHost], vms: int, server_pid: int) -> dict[str, float]:
    before = [h.stats.snapshot() for h in hosts]
    server = process_cpu_seconds(server_pid)
    cpu = time.process_time()
    wall = time.perf_counter()
    snapshots = await asyncio.gather(*(h.snapshot() for h in hosts))
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    server_after = process_cpu_seconds(server_pid)
    for snap in snapshots:
        if len(snap.vms) != vms:
            raise RuntimeError(f"{snap.uri}: saw {len(snap.vms)} of {vms} VMs")
    after = [h.stats.snapshot() for h in hosts]
    totals = {
        key: sum(a[key] - b[key] for a, b in zip(after, before, strict=True))
        for key in ("round_trips", "bytes_received", "bytes_sent")
    }
    return {
        "wall": wall,
        "cpu": cpu,
        "server_cpu": (server_after or 0.0) - (server or 0.0),
        "inventory_reads": sum(s.inventory_refreshed for s in snapshots),
        **totals,
    }


async def _work(brief: dict[str, Any], cycles: int, server_pid: int) -> dict[str, Any]:
    import gc

    hosts = [
        HyperVHost(parse_uri(uri), brief["password"], inventory_interval=24 * 3600, timeout=120)
        for uri in brief["uris"]
    ]
    try:
        gc.collect()
        cold = await _cycle(hosts, brief["vms"], server_pid)
        steady = []
        for _ in range(cycles):
            gc.collect()
            steady.append(await _cycle(hosts, brief["vms"], server_pid))
        return {
            "cold": cold,
            "cycles": steady,
            "peak_rss": peak_rss_bytes(),
            "rss_after": current_rss_bytes(),
            # The same work's floor, in the same process: libxml2 building a reply of one
            # host's summaries (rendered as the simulator renders them), per VM.
            "libxml2_per_vm": libxml2_seconds_per_summary(brief["vms"]),
        }
    finally:
        await asyncio.gather(*(h.aclose() for h in hosts), return_exceptions=True)


def _worker_main() -> None:
    parser = argparse.ArgumentParser(description="many-hosts benchmark worker (internal)")
    parser.add_argument("--worker", required=True, help="JSON file: uris, password, vms")
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--server-pid", type=int, default=0)
    args = parser.parse_args()
    brief = json.loads(Path(args.worker).read_text())
    result = asyncio.run(_work(brief, args.cycles, args.server_pid))
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    _worker_main()
