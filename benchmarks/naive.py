"""Case 2: the naive way, as libvirt's Hyper-V driver lists VMs — the reference line.

``virsh list --all`` on libvirt's driver is one WQL query for every VM
(``connectListAllDomains``), then, per VM, ``virDomainGetState``, which re-reads the VM
with ``SELECT * … WHERE Name = '<guid>'``. Every query is an Enumerate without
OptimizeEnumeration, then Pulls without MaxElements, so WinRM sends one item per Pull:
1 + N requests for the list and 2 per VM for the lookups, 3N + 1 in all. It is written
here with hvtui's own WS-Man client (``ClientOptions(max_elements=None)``), over the same
connection and authentication as hvtui's refresh, so only the way of asking differs. And
it learns less: name, ID and state, where hvtui's refresh also has vCPUs, memory, uptime,
load and heartbeat.

At large N the naive way takes minutes, so it can be capped: the list is timed over its
first ``list_cap`` Pulls and the lookups over ``lookup_cap`` VMs, and both are scaled to
N (each request costs the same whichever VM it names). Such rows say "extrapolated".
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from benchmarks.figures import BYTES, COUNT, RATIO, SECONDS, Row
from benchmarks.measure import Sample, column, sample
from benchmarks.simproc import SimProcess
from hvtui.hyperv import queries
from hvtui.uri import parse_uri
from hvtui.wsman import ClientOptions, Credentials, WSManClient

CASE = "2 naive"
LIST_WQL = f"SELECT * FROM Msvm_ComputerSystem WHERE {queries.VM_FILTER}"


def _lookup_wql(guid: str) -> str:
    return f"{LIST_WQL} AND Name = {queries.quote(guid)}"


def _client(sim: SimProcess) -> WSManClient:
    uri = parse_uri(sim.uris[0])
    options = ClientOptions(
        auth=uri.auth,
        max_elements=None,
        operation_timeout=120,
        read_timeout=130,
        total_timeout=150,
    )
    return WSManClient(uri.endpoint, Credentials(uri.user, sim.password), options)


async def _list(client: WSManClient, cap: int) -> tuple[list[str], AsyncGenerator[Any, None]]:
    """The first ``cap`` VMs' GUIDs, one Pull each. An enumeration cut short is handed back
    open, so that its Release (libvirt never cuts one short) happens outside the timing."""
    guids: list[str] = []
    enumeration = client.enumerate(queries.COMPUTER_SYSTEM, LIST_WQL, optimize=False)
    async for vm in enumeration:
        guids.append(str(vm["Name"]))
        if len(guids) >= cap:
            break
    return guids, enumeration


async def _lookups(client: WSManClient, guids: list[str]) -> int:
    found = 0
    for guid in guids:
        rows = await client.enumerate_all(queries.COMPUTER_SYSTEM, _lookup_wql(guid), optimize=False)
        found += len(rows)
    return found


def _scaled(part: Sample, factor: float) -> Sample:
    return Sample(
        part.wall * factor,
        part.cpu * factor,
        round(part.round_trips * factor),
        round(part.bytes_sent * factor),
        round(part.bytes_received * factor),
        None if part.server_cpu is None else part.server_cpu * factor,
    )


def _plus(a: Sample, b: Sample) -> Sample:
    server = None if a.server_cpu is None or b.server_cpu is None else a.server_cpu + b.server_cpu
    return Sample(
        a.wall + b.wall,
        a.cpu + b.cpu,
        a.round_trips + b.round_trips,
        a.bytes_sent + b.bytes_sent,
        a.bytes_received + b.bytes_received,
        server,
    )


async def measure(
    sim: SimProcess, vms: int, runs: int, list_cap: int, lookup_cap: int, hvtui: dict[str, Any]
) -> list[Row]:
    size = f"1 host x {vms:,} VMs"
    listed = min(vms, list_cap)
    looked = min(vms, lookup_cap)
    totals: list[Sample] = []
    async with _client(sim) as client:
        await client.identify()  # authenticate first: the handshake is not part of a refresh
        for _ in range(runs):
            list_part, (guids, enumeration) = await sample(
                lambda: _list(client, listed), client.stats, sim.cpu_seconds
            )
            await enumeration.aclose()
            if len(guids) != listed:
                raise RuntimeError(f"the naive list saw {len(guids)} of {listed} VMs")
            lookup_part, found = await sample(
                lambda g=guids[:looked]: _lookups(client, g), client.stats, sim.cpu_seconds
            )
            if found != looked:
                raise RuntimeError(f"the naive lookups found {found} of {looked} VMs")
            totals.append(
                _plus(
                    _scaled(list_part, (vms + 1) / (listed + 1)),
                    _scaled(lookup_part, vms / looked if looked else 0),
                )
            )
    note = ""
    if listed < vms or looked < vms:
        note = f"extrapolated to N: list timed over {listed:,} Pulls, lookups over {looked:,} VMs"
    latency = sim.latency_ms

    def row(metric: str, unit: str, name: str) -> Row:
        return Row(CASE, size, metric, unit, column(totals, name), latency)

    wall = row("naive: wall", SECONDS, "wall")
    cpu = row("naive: client CPU", SECONDS, "cpu")
    trips = row("naive: round trips", COUNT, "round_trips")
    received = row("naive: bytes received", BYTES, "bytes_received")
    trips.note = note
    server = row("naive: simulator CPU", SECONDS, "server_cpu")
    server.note = "the server's own process; it answers each lookup by scanning every VM"
    rows = [trips, received, row("naive: bytes sent", BYTES, "bytes_sent"), wall, cpu, server]
    for metric, key, naive_row in (
        ("hvtui / naive: wall", "wall", wall),
        ("hvtui / naive: client CPU", "cpu", cpu),
        ("hvtui / naive: round trips", "round_trips", trips),
        ("hvtui / naive: bytes received", "bytes_received", received),
    ):
        ratio = [hvtui[key] / value if value else float("nan") for value in naive_row.values]
        ratio_row = Row(CASE, size, metric, RATIO, ratio, latency)
        ratio_row.note = f"naive = {1 / ratio_row.median:,.3g}x hvtui"
        rows.append(ratio_row)
    return rows
