"""How values read to a person, the same in the CLI's tables and the TUI's cells.

Plain functions on plain values (no Rich, no Textual), so both front ends share them and
a number never reads one way in ``hvtui ls`` and another on screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hvtui.hyperv.models import VM
from hvtui.hyperv.states import VMState

DASH = "—"


def memory(mib: int | None) -> str:
    """``512 MiB``, ``4.0 GiB``, ``1.5 TiB``; a dash when unknown."""
    if mib is None:
        return DASH
    if mib < 1024:
        return f"{mib} MiB"
    if mib < 1024 * 1024:
        return f"{mib / 1024:.1f} GiB"
    return f"{mib / 1024 / 1024:.1f} TiB"


def uptime(delta: timedelta | None) -> str:
    """``3d 04:12`` or ``04:12:09``, like Hyper-V Manager's column; empty when stopped."""
    if delta is None:
        return DASH
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def percent(value: int | None) -> str:
    return DASH if value is None else f"{value}%"


def short_host_name(name: str) -> str:
    """A host's name without its domain, as lists show it; an IPv4 address stays whole."""
    if "." not in name or name.replace(".", "").isdigit():
        return name
    return name.split(".", 1)[0]


def count(value: int | None) -> str:
    return DASH if value is None else str(value)


def state(vm: VM) -> str:
    """The state as Hyper-V Manager words it ("Running", "Saved", "Unknown (7)")."""
    label = vm.power.label
    return label[:1].upper() + label[1:]


def status(vm: VM, job: str | None = None) -> str:
    """The Status column: a job in progress first, then host tasks, then the heartbeat."""
    if job:
        return job
    if vm.host_job:
        return vm.host_job
    if vm.state is VMState.RUNNING and vm.heartbeat is not None:
        return f"Heartbeat {vm.heartbeat.label}" if vm.heartbeat.label != "OK" else "Running normally"
    return ""


def generation(value: int | None) -> str:
    return DASH if value is None else str(value)


def seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if value else DASH


def vm_rows(vm: VM, host_name: str, status_line: str | None = None) -> list[tuple[str, str]]:
    """Everything known about one VM, as label/value rows: ``hvtui vm`` and the VM detail screen.

    ``status_line`` overrides the Status row (the TUI passes a job in progress).
    """
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
        ("Generation", generation(vm.generation)),
        ("Configuration", vm.version or DASH),
        ("Autostart", vm.autostart_label or DASH),
        ("Shutdown service", {True: "yes", False: "no", None: DASH}[vm.has_shutdown_service]),
        ("Managed save", "yes" if vm.state in (VMState.SAVED, VMState.FAST_SAVED) else "no"),
        ("Persistent", "yes"),
        ("Guest OS", vm.guest_os or DASH),
        ("Host task", vm.host_job or DASH),
        ("Host", host_name),
        ("Status", status_line or status(vm) or DASH),
        ("Created", when(vm.created)),
        ("Notes", vm.notes or DASH),
    ]
