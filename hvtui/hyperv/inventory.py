"""A host's VMs: slow-moving configuration merged with the live summary of one refresh.

A refresh reads one ``GetSummaryInformation`` for every VM (state, load, memory, heartbeat,
uptime). What it does not carry — libvirt's ID (ProcessID), generation, configuration
version, autostart, startup memory — changes only when someone reconfigures or starts a VM,
so it is read into an :class:`Inventory` now and then, and whenever the summary shows that
it went stale (a VM appeared, vanished, or started).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hvtui.hyperv.guest import Guests
from hvtui.hyperv.lenient import as_guid, as_int, as_text
from hvtui.hyperv.models import VM, Switch
from hvtui.hyperv.states import Heartbeat as HeartbeatState
from hvtui.hyperv.states import VMState, decode_enabled_state

Props = Mapping[str, Any]


@dataclass
class VMConfig:
    """What the inventory knows of one VM."""

    guid: str
    name: str = ""
    process_id: int | None = None
    vssd_instance_id: str | None = None
    generation: int | None = None
    version: str | None = None
    autostart: int | None = None
    notes: str = ""
    created: datetime | None = None
    startup_memory_mib: int | None = None
    maximum_memory_mib: int | None = None
    dynamic_memory: bool | None = None
    memory_instance_id: str | None = None
    vcpus: int | None = None
    processor_instance_id: str | None = None
    shutdown_device_id: str | None = None
    checkpoints: int | None = None


@dataclass
class Inventory:
    vms: dict[str, VMConfig] = field(default_factory=dict)
    #: Only the VMs' IDs were read (a listing's table): what the other classes tell is unknown.
    partial: bool = False
    read_at: float = field(default_factory=time.monotonic)
    guests: Guests = field(default_factory=Guests)  # the guests that report
    switches: tuple[Switch, ...] = ()
    #: By VM GUID: the summary each VM was last built from with this inventory, and the VM.
    #: A VM whose summary is unchanged (one that is off, say) is handed out again, not rebuilt.
    built: dict[str, tuple[Props, VM]] = field(default_factory=dict, repr=False, compare=False)

    def age(self) -> float:
        return time.monotonic() - self.read_at


def build_inventory(
    computer_systems: Iterable[Props],
    vssds: Iterable[Props],
    memory: Iterable[Props],
    processors: Iterable[Props],
    shutdown: Iterable[Props],
) -> Inventory:
    configs: dict[str, VMConfig] = {}
    for cs in computer_systems:
        guid = as_guid(cs.get("Name"))
        if not guid:
            continue
        configs[guid] = VMConfig(
            guid=guid,
            name=as_text(cs.get("ElementName")),
            process_id=as_int(cs.get("ProcessID")) or None,
        )
    for vssd in vssds:
        cfg = configs.get(as_guid(vssd.get("VirtualSystemIdentifier")) or "")
        if cfg is None:
            continue
        cfg.vssd_instance_id = as_text(vssd.get("InstanceID")) or None
        cfg.generation = _generation(vssd.get("VirtualSystemSubType"))
        cfg.version = as_text(vssd.get("Version")) or None
        cfg.autostart = as_int(vssd.get("AutomaticStartupAction"))
        cfg.notes = _notes(vssd.get("Notes"))
        created = vssd.get("CreationTime")
        cfg.created = created if isinstance(created, datetime) else None
    for msd in memory:
        cfg = configs.get(_owner(msd.get("InstanceID")))
        if cfg is None:
            continue
        cfg.memory_instance_id = as_text(msd.get("InstanceID"))
        cfg.startup_memory_mib = as_int(msd.get("VirtualQuantity"))
        cfg.maximum_memory_mib = as_int(msd.get("Limit"))
        dynamic = msd.get("DynamicMemoryEnabled")
        cfg.dynamic_memory = dynamic if isinstance(dynamic, bool) else None
    for psd in processors:
        cfg = configs.get(_owner(psd.get("InstanceID")))
        if cfg is None:
            continue
        cfg.processor_instance_id = as_text(psd.get("InstanceID"))
        cfg.vcpus = as_int(psd.get("VirtualQuantity"))
    for component in shutdown:
        cfg = configs.get(as_guid(component.get("SystemName")) or "")
        if cfg is not None:
            cfg.shutdown_device_id = as_text(component.get("DeviceID")) or None
    return Inventory(configs)


def count_checkpoints(inventory: Inventory, owners: Iterable[Props]) -> None:
    """Each VM's checkpoint count, from one settings row per checkpoint naming its VM."""
    for cfg in inventory.vms.values():
        cfg.checkpoints = 0
    for row in owners:
        owner = inventory.vms.get(as_guid(row.get("VirtualSystemIdentifier")) or "")
        if owner is not None:
            owner.checkpoints = (owner.checkpoints or 0) + 1


def merge(host: str, inventory: Inventory, summaries: Sequence[Props]) -> tuple[tuple[VM, ...], bool]:
    """The VMs of one refresh, and whether the inventory went stale and should be read again.

    A VM is a function of its summary and the inventory alone, so one whose summary equals
    the one it was last built from with this inventory is the VM built then.
    """
    vms: list[VM] = []
    stale = False
    seen: set[str] = set()
    built = inventory.built
    for summary in summaries:
        guid = as_guid(summary.get("Name"))
        if not guid or guid in seen:
            continue
        seen.add(guid)
        if guid not in inventory.vms:
            stale = True
        last = built.get(guid)
        if last is not None and last[0] == summary:  # an inventory is one host's
            vm = last[1]
        else:
            vm = _build(host, guid, inventory, summary)
            built[guid] = (summary, vm)
        if vm.id is None and vm.power.state is VMState.RUNNING:
            stale = True  # started since the inventory was read: its ID is not known yet
        vms.append(vm)
    if set(inventory.vms) - seen:
        stale = True
    return tuple(vms), stale


def _build(host: str, guid: str, inventory: Inventory, summary: Props) -> VM:
    """One VM from its summary and what the inventory knows of it."""
    cfg = inventory.vms.get(guid) or VMConfig(guid=guid)
    power = decode_enabled_state(as_int(summary.get("EnabledState")))
    running = power.is_active
    process_id = cfg.process_id if running else None
    uptime_ms = as_int(summary.get("UpTime"))
    guest = inventory.guests.reports.get(guid) if running else None
    return VM(
        host=host,
        guid=guid,
        name=as_text(summary.get("ElementName")) or cfg.name or guid,
        power=power,
        id=process_id,
        vcpus=as_int(summary.get("NumberOfProcessors")) or cfg.vcpus,
        memory_mib=as_int(summary.get("MemoryUsage")) if running else 0,
        startup_memory_mib=cfg.startup_memory_mib,
        maximum_memory_mib=cfg.maximum_memory_mib,
        dynamic_memory=cfg.dynamic_memory,
        memory_available_pct=as_int(summary.get("MemoryAvailable")) if running else None,
        memory_buffer_pct=as_int(summary.get("AvailableMemoryBuffer")) if running else None,
        uptime=timedelta(milliseconds=uptime_ms) if uptime_ms is not None else None,
        cpu_load=as_int(summary.get("ProcessorLoad")) if running else None,
        heartbeat=HeartbeatState.from_value(as_int(summary.get("Heartbeat"))),
        health=as_int(summary.get("HealthState")),
        generation=cfg.generation,
        version=cfg.version or as_text(summary.get("Version")) or None,
        autostart=cfg.autostart,
        notes=cfg.notes,
        guest_os=as_text(summary.get("GuestOperatingSystem"))
        or (guest.facts.os_name if guest else None),
        created=cfg.created,
        has_shutdown_service=(
            (cfg.shutdown_device_id is not None) if inventory.vms and not inventory.partial else None
        ),
        host_job=_host_job(summary.get("AsynchronousTasks")),
        ips=guest.ips if guest else (),
        fqdn=guest.facts.fqdn if guest else None,
        checkpoints=cfg.checkpoints,
    )


def _host_job(tasks: Any) -> str | None:
    """A one-line description of a task the host runs on the VM (backup, merge, export …)."""
    if not tasks:
        return None
    if not isinstance(tasks, list | tuple):
        tasks = [tasks]
    for task in tasks:
        if not isinstance(task, Mapping):  # not an embedded instance: nothing to describe
            continue
        state = as_int(task.get("JobState"))
        if state is not None and state >= 7:
            continue
        name = as_text(task.get("Caption")) or as_text(task.get("ElementName")) or "Task"
        percent = as_int(task.get("PercentComplete"))
        return f"{name} {percent}%" if percent is not None else name
    return None


def _owner(instance_id: Any) -> str:
    """The VM GUID inside a settings InstanceID such as ``Microsoft:<GUID>\\<device>\\0``."""
    if not isinstance(instance_id, str):
        return ""
    text = instance_id.removeprefix("Microsoft:")
    return text.split("\\", 1)[0].strip("{}").upper()


def _generation(sub_type: Any) -> int | None:
    if isinstance(sub_type, str) and sub_type.rsplit(":", 1)[-1].isdigit():
        return int(sub_type.rsplit(":", 1)[-1])
    return None


def _notes(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(v for v in value if isinstance(v, str)).strip()
    return value.strip() if isinstance(value, str) else ""
