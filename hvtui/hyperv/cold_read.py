"""A cold read of a host's VMs: the inventory's classes and the summary, all at once.

Read one after another, a new connection's first refresh waits one round trip per request:
five inventory classes of a page or more each, then the summary batches -- 27.7 s against a
host 1.5 s away. Here every class is asked for at once (over the session's few connections,
:mod:`hvtui.wsman.pool`), and the summary does not wait for the settings' enumeration: it
names the VMs' settings as Hyper-V names them (``Microsoft:<GUID>``,
:func:`~hvtui.hyperv.queries.realized_settings_id`) as each page of the VMs' own class
brings their GUIDs, and its batches go while the later pages travel. What is on the
critical path is then the handshake, the pages of the VMs' class and one summary batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from hvtui.hyperv import queries
from hvtui.hyperv.guest import read_guests
from hvtui.hyperv.inventory import Inventory, build_inventory, count_checkpoints
from hvtui.hyperv.lenient import as_guid, as_int, as_text
from hvtui.hyperv.models import Switch
from hvtui.hyperv.session import Props, Session
from hvtui.hyperv.states import decode_enabled_state
from hvtui.hyperv.summaries import Summaries
from hvtui.hyperv.switches import read_switches
from hvtui.hyperv.together import together

_SETTINGS = (queries.VSSDS, queries.MEMORY, queries.PROCESSOR_SETTINGS, queries.SHUTDOWN)


async def read_cold(
    session: Session,
    summaries: Summaries,
    *,
    full: bool,
    summarise: bool = True,
    previous: Inventory | None = None,
    guest_names: bool = True,
) -> tuple[Inventory, list[Props]]:
    """The inventory (every class, the guests' reports and the switches when ``full``, else
    only the VMs' IDs: a partial one) and, when ``summarise``, every VM's summary. The
    ``previous`` inventory's guests' facts are carried while they are fresh, and with
    ``guest_names`` False none are read without them (:mod:`~hvtui.hyperv.guest`)."""
    named: asyncio.Queue[list[Props] | None] = asyncio.Queue()
    async with together() as group:
        systems = group.create_task(_systems(session, queries.VMS if full else queries.VM_IDS, named))
        settings = [group.create_task(session.query(read)) for read in _SETTINGS if full]
        carried = previous.guests if previous is not None else None
        guests = (
            group.create_task(read_guests(session, carried, lambda: _running(systems), names=guest_names))
            if full
            else None
        )
        switches = group.create_task(_switches(session, systems)) if full else None
        owners = group.create_task(session.query(queries.CHECKPOINT_OWNERS)) if full else None
        summary = group.create_task(_summarise(summaries, named)) if summarise else None
    vssds, memory, processors, shutdown = (t.result() for t in settings) if full else ([], [], [], [])
    inventory = build_inventory(systems.result(), vssds, memory, processors, shutdown)
    inventory.partial = not full
    if guests is not None and switches is not None:
        inventory.guests, inventory.switches = guests.result(), switches.result()
    if owners is not None:
        count_checkpoints(inventory, owners.result())
    rows = summary.result() if summary is not None else []
    if summarise:
        rows += await _missing(session, summaries, inventory, rows)
    return inventory, rows


async def _running(systems: asyncio.Task[list[Props]]) -> list[str]:
    """The GUIDs of the VMs running or paused (whose guests may report), once the VMs' class is read."""
    running = [cs for cs in await systems if decode_enabled_state(as_int(cs.get("EnabledState"))).is_active]
    return [guid for guid in (as_guid(cs.get("Name")) for cs in running) if guid]


async def _switches(session: Session, systems: asyncio.Task[list[Props]]) -> tuple[Switch, ...]:
    return await read_switches(session, [g for g in (as_guid(cs.get("Name")) for cs in await systems) if g])


async def _systems(
    session: Session, read: queries.Read, named: asyncio.Queue[list[Props] | None]
) -> list[Props]:
    """The VMs' class, each page handed to ``named`` as it comes, then None."""
    try:
        return await session.query(read, each_page=named.put_nowait)
    finally:
        named.put_nowait(None)


async def _summarise(summaries: Summaries, named: asyncio.Queue[list[Props] | None]) -> list[Props]:
    # Every VM unnamed at once, while the VMs' class pages: on most hosts that is the summary.
    found = await summaries.read_all()
    if found is not None:
        return found
    return await summaries.read_as_named(_settings_named(named))


async def _settings_named(named: asyncio.Queue[list[Props] | None]) -> AsyncIterator[list[str]]:
    """The VMs' settings as Hyper-V names them, a page of the VMs' class at a time, each once
    (a restarted enumeration hands its pages again)."""
    seen: set[str] = set()
    while (page := await named.get()) is not None:
        guids = [guid for guid in (as_guid(cs.get("Name")) for cs in page) if guid and guid not in seen]
        seen.update(guids)
        yield [queries.realized_settings_id(guid) for guid in guids]


async def _missing(
    session: Session, summaries: Summaries, inventory: Inventory, rows: list[Props]
) -> list[Props]:
    """The summaries of VMs whose settings Hyper-V named otherwise (none on a stock host),
    asked for by the InstanceIDs the settings' enumeration found."""
    seen = {as_guid(row.get("Name")) for row in rows}
    missing = [guid for guid in inventory.vms if guid not in seen]
    if not missing:
        return []
    if inventory.partial:
        found = {as_guid(v.get("VirtualSystemIdentifier")): v for v in await session.query(queries.VSSDS)}
        named = [as_text(found[guid].get("InstanceID")) for guid in missing if guid in found]
    else:
        named = [inventory.vms[guid].vssd_instance_id or "" for guid in missing]
    tried = {queries.realized_settings_id(guid) for guid in missing}
    named = [name for name in named if name and name not in tried]
    return await summaries.read(len(named), named, at_once=True) if named else []
