"""Case 1: one host with N VMs — the cost of one full refresh (``HyperVHost.snapshot()``).

*Steady*: the refresh the TUI makes every few seconds, on a connected host whose inventory
is fresh: GetSummaryInformation for every VM (batched by envelope size) and one small
Win32_OperatingSystem read. *Cold*: the first refresh of a new connection: the NTLM
handshake, the host facts, the inventory (IDs, settings, memory) and then the steady part.

The inventory interval is set far beyond the run so that no steady sample re-reads it;
a sample that did anyway is reported rather than hidden.

*Cold, names later*: the cold refresh as the TUI makes it, the guests' names left to the
next refresh (``HyperVHost.guest_names_later``).

*Inventory*: the re-read a connected host makes every 30 s (and after an action), with the
refresh it comes with: the settings classes, the guests' addresses and the switches, the
guests' names and OS carried from the read before. *Inventory, all KVP*: the same re-read
when every guest's KVP items are read again, as every 5 minutes.
"""

from __future__ import annotations

from typing import Any

from benchmarks.figures import BYTES, COUNT, SECONDS, Row, aim_at_most
from benchmarks.measure import Sample, column, sample
from benchmarks.simproc import SimProcess
from hvtui.hyperv import guest
from hvtui.hyperv.host import HyperVHost
from hvtui.uri import parse_uri

CASE = "1 refresh"
MAX_ENVELOPE_SIZE = 512_000
WALL_AIM_VMS = 1000
WALL_AIM_LATENCY = 20.0
WALL_AIM_SECONDS = 0.5


def _host(sim: SimProcess) -> HyperVHost:
    return HyperVHost(
        parse_uri(sim.uris[0]),
        sim.password,
        inventory_interval=24 * 3600,
        timeout=120,
        max_envelope_size=MAX_ENVELOPE_SIZE,
    )


async def measure(sim: SimProcess, vms: int, runs: int, cold_runs: int) -> tuple[list[Row], dict[str, Any]]:
    """Rows for one (N, latency), and the steady medians the naive comparison divides by."""
    size = f"1 host x {vms:,} VMs"
    latency = sim.latency_ms

    cold: list[Sample] = []
    later: list[Sample] = []
    for samples in (cold, later):
        for _ in range(cold_runs):
            async with _host(sim) as host:
                host.guest_names_later = samples is later
                measured, snap = await sample(host.snapshot, host.stats, sim.cpu_seconds)
                if len(snap.vms) != vms or not snap.inventory_refreshed:
                    raise RuntimeError(f"cold refresh saw {len(snap.vms)} of {vms} VMs")
                samples.append(measured)

    steady: list[Sample] = []
    reread = 0
    async with _host(sim) as host:
        await host.snapshot()
        auth = host.connection.auth
        encrypted = host.connection.encrypted
        for _ in range(runs):
            measured, snap = await sample(host.snapshot, host.stats, sim.cpu_seconds)
            if len(snap.vms) != vms:
                raise RuntimeError(f"steady refresh saw {len(snap.vms)} of {vms} VMs")
            reread += snap.inventory_refreshed
            steady.append(measured)

        carried = await _inventories(host, sim, cold_runs, every_kvp=False)
        every_kvp = await _inventories(host, sim, cold_runs, every_kvp=True)

    def row(metric: str, unit: str, samples: list[Sample], name: str, note: str = "") -> Row:
        return Row(CASE, size, metric, unit, column(samples, name), latency, note=note)

    trips = row("steady: round trips", COUNT, steady, "round_trips")
    limits = [3 + s.bytes_received / MAX_ENVELOPE_SIZE for s in steady]
    trips.aim = f"<= 3 + reply bytes / {MAX_ENVELOPE_SIZE} = {min(limits):.1f}"
    trips.met = all(s.round_trips <= limit for s, limit in zip(steady, limits, strict=True))
    wall = row("steady: wall", SECONDS, steady, "wall")
    received = row("steady: bytes received", BYTES, steady, "bytes_received")
    sent = row("steady: bytes sent", BYTES, steady, "bytes_sent")
    cpu = row("steady: client CPU", SECONDS, steady, "cpu")
    if vms == WALL_AIM_VMS and latency == WALL_AIM_LATENCY:
        aim_at_most(wall, WALL_AIM_SECONDS, f"<= {WALL_AIM_SECONDS} s")
    rows = [
        trips,
        received,
        sent,
        wall,
        cpu,
        row("steady: simulator CPU", SECONDS, steady, "server_cpu", "the server's own process"),
        row("cold: round trips", COUNT, cold, "round_trips", "with facts, inventory, NTLM handshake"),
        row("cold: bytes received", BYTES, cold, "bytes_received"),
        row("cold: wall", SECONDS, cold, "wall"),
        row("cold: client CPU", SECONDS, cold, "cpu"),
        row("cold, names later: round trips", COUNT, later, "round_trips", "as the TUI's first refresh"),
        row("cold, names later: bytes received", BYTES, later, "bytes_received"),
        row("cold, names later: wall", SECONDS, later, "wall"),
    ]
    for label, samples in (("inventory", carried), ("inventory, all KVP", every_kvp)):
        rows += [
            row(f"{label}: round trips", COUNT, samples, "round_trips"),
            row(f"{label}: bytes received", BYTES, samples, "bytes_received"),
            row(f"{label}: wall", SECONDS, samples, "wall"),
            row(f"{label}: client CPU", SECONDS, samples, "cpu"),
        ]
    if reread:
        trips.note = f"{reread} of {runs} steady refreshes re-read the inventory"
    medians = {
        "wall": wall.median,
        "cpu": cpu.median,
        "round_trips": trips.median,
        "bytes_received": received.median,
        "bytes_sent": sent.median,
        "auth": f"{auth}{', sealed' if encrypted else ''}",
    }
    return rows, medians


async def _inventories(host: HyperVHost, sim: SimProcess, runs: int, *, every_kvp: bool) -> list[Sample]:
    """Refreshes that re-read the inventory; ``every_kvp`` reads every guest's KVP items again."""
    samples = []
    interval = guest.FACTS_INTERVAL
    guest.FACTS_INTERVAL = 0.0 if every_kvp else 24 * 3600.0
    try:
        for _ in range(runs):
            host.invalidate_inventory()
            measured, snap = await sample(host.snapshot, host.stats, sim.cpu_seconds)
            if not snap.inventory_refreshed:
                raise RuntimeError("the inventory was not read again")
            samples.append(measured)
    finally:
        guest.FACTS_INTERVAL = interval
    return samples
