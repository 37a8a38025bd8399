"""How a VM reads to a person: its state, its status, and everything ``hvtui vm`` prints.

The TUI's table, its VM screen, ``hvtui ls`` and ``hvtui vm`` all word a VM here, so a
fact never reads one way in one front end and another way in the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hvtui.hyperv.models import VM
from hvtui.hyperv.states import Heartbeat, VMState
from hvtui.present.formats import DASH, count, memory, percent, uptime, when


def state(vm: VM) -> str:
    """The state as Hyper-V Manager words it ("Running", "Saved", "Unknown (7)")."""
    label = vm.power.label
    return label[:1].upper() + label[1:]


def ambiguous_name(name: str, candidates: Sequence[VM], host_name: str) -> str:
    """ "2 VMs are named 'twin': name one by GUID: 1A2B… (off on hv01), 3C4D… (running on hv01)":
    enough of each to tell which one is meant without another command."""
    each = ", ".join(f"{vm.guid} ({vm.power.label} on {host_name})" for vm in candidates)
    return f"{len(candidates)} VMs are named {name!r}: name one by GUID: {each}"


@dataclass(frozen=True, slots=True)
class StatusWords:
    """One status in its two forms: ``short`` for a table cell, ``long`` for ``hvtui ls`` and details.

    The short form leaves the normal case blank, as Hyper-V Manager's Status column does,
    so that what is not normal stands out in a table of hundreds of VMs.
    """

    short: str
    long: str


_NOTHING = StatusWords("", "")
_CRITICAL = StatusWords("Critical", "Critical")
_HEARTBEAT = {
    Heartbeat.OK: StatusWords("", "Running normally"),
    Heartbeat.NO_CONTACT: StatusWords("no heartbeat", "Heartbeat no contact"),
    Heartbeat.LOST_COMMUNICATION: StatusWords("heartbeat lost", "Heartbeat lost communication"),
    Heartbeat.DEGRADED: StatusWords("heartbeat degraded", "Heartbeat degraded"),
    Heartbeat.ERROR: StatusWords("heartbeat error", "Heartbeat error"),
    Heartbeat.PAUSED: StatusWords("heartbeat paused", "Heartbeat paused"),
    Heartbeat.UNKNOWN: StatusWords("heartbeat ?", "Heartbeat unknown"),
}


def status(vm: VM, job: str | None = None) -> StatusWords:
    """What the VM is doing or suffering, most urgent first: a job of ours (``job``, such as
    "Saving 35%"), the host's own task, a critical state, then a running guest's heartbeat."""
    if job:
        return StatusWords(job, job)
    if vm.host_job:
        return StatusWords(vm.host_job, vm.host_job)
    if vm.power.critical:
        return _CRITICAL
    if vm.state is VMState.RUNNING and vm.heartbeat is not None:
        return _HEARTBEAT[vm.heartbeat]
    return _NOTHING


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: DASH}[value]


def vm_rows(vm: VM, host_name: str, job: str | None = None) -> list[tuple[str, str]]:
    """Everything known about one VM, as label/value rows: ``hvtui vm`` and the TUI's VM screen,
    which passes a job of ours in progress as ``job``."""
    dynamic = DASH
    if vm.dynamic_memory is not None:
        dynamic = "on" if vm.dynamic_memory else "off"
        if vm.dynamic_memory and vm.memory_buffer_pct is not None:
            dynamic += f" (buffer {vm.memory_buffer_pct}%, demand {memory(vm.memory_demand_mib)})"
    raw = vm.enabled_state if vm.enabled_state is not None else "unknown"
    return [
        ("Id", str(vm.id) if vm.id is not None else "-"),
        ("Name", vm.name),
        ("UUID", vm.guid),
        ("OS Type", "hvm"),
        ("State", f"{vm.power.label} (EnabledState {raw})"),
        ("CPU(s)", count(vm.vcpus)),
        ("CPU load", percent(vm.cpu_load)),
        ("Max memory", memory(vm.maximum_memory_mib)),
        ("Assigned memory", memory(vm.memory_mib)),
        ("Startup memory", memory(vm.startup_memory_mib)),
        ("Dynamic memory", dynamic),
        ("Uptime", uptime(vm.uptime) or DASH),
        ("Heartbeat", vm.heartbeat.label if vm.heartbeat else DASH),
        ("Health", vm.health_label or DASH),
        ("Generation", count(vm.generation)),
        ("Configuration", vm.version or DASH),
        ("Autostart", vm.autostart_label or DASH),
        ("Shutdown service", _yes_no(vm.has_shutdown_service)),
        ("Managed save", "yes" if vm.state in (VMState.SAVED, VMState.FAST_SAVED) else "no"),
        ("Persistent", "yes"),
        ("Guest OS", vm.guest_os or DASH),
        ("Host task", vm.host_job or DASH),
        ("Host", host_name),
        ("Status", status(vm, job).long or DASH),
        ("Created", when(vm.created)),
        ("Notes", vm.notes or DASH),
    ]
