"""Label/value lines for the host detail pane and the VM detail screen.

Pure functions of the models, so what a person reads is tested without a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hvtui.hyperv.models import VM, HostFacts
from hvtui.hyperv.states import VMState
from hvtui.ui.columns import format_memory, format_uptime, status_text
from hvtui.ui.hostview import HostView

Pair = tuple[str, str]

_STATE_WORDS = (
    (VMState.RUNNING, "running"),
    (VMState.OFF, "off"),
    (VMState.SAVED, "saved"),
    (VMState.PAUSED, "paused"),
)


def format_gib(mib: int | None) -> str:
    return "?" if mib is None else f"{mib / 1024:.1f} GiB"


def vm_counts(counts: Mapping[VMState, int]) -> str:
    """ "12 running · 20 off · 3 saved · 1 paused · 2 other" (zeros left out, total last)."""
    parts = [f"{counts[state]} {word}" for state, word in _STATE_WORDS if counts.get(state)]
    other = sum(n for state, n in counts.items() if state not in dict(_STATE_WORDS))
    if other:
        parts.append(f"{other} other")
    total = sum(counts.values())
    return (" · ".join(parts) + f"  ({total} in all)") if parts else "none"


def release_lines(facts: HostFacts) -> list[Pair]:
    release = facts.release
    name = release.display_name
    if release.feature_update:
        name = f"{name} ({release.feature_update})"
    version = str(release.kernel) if release.kernel else f"unrecognised ({release.raw_version!r})"
    packed = release.libvirt_version
    if packed is not None:
        version += f" · libvirt {release.libvirt_version_text} ({packed})"
    lines = [("Windows", name), ("Version", version)]
    if release.note:
        lines.append(("Note", release.note))
    return lines


def cpu_line(facts: HostFacts) -> str:
    shape = []
    if facts.sockets:
        shape.append(f"{facts.sockets} socket{'s' if facts.sockets != 1 else ''}")
    if facts.cores:
        shape.append(f"{facts.cores} cores")
    if facts.threads:
        shape.append(f"{facts.threads} thread{'s' if facts.threads != 1 else ''}")
    model = facts.cpu_model or "unknown CPU"
    mhz = f" @ {facts.mhz} MHz" if facts.mhz else ""
    return f"{model}{mhz} · {' × '.join(shape)}" if shape else f"{model}{mhz}"


def connection_lines(view: HostView) -> list[Pair]:
    lines: list[Pair] = [("URI", view.key)]
    info = view.connection
    uri = view.uri
    transport = str(info.get("transport") or (uri.transport if uri else "?"))
    auth = next((str(v) for k, v in info.items() if "auth" in k.lower() and v), None)
    if auth is None and uri is not None:
        auth = uri.auth if uri.auth != "auto" else "auto (not yet negotiated)"
    lines.append(("Transport", f"{transport} · auth {auth}"))
    verified = view.tls_verified
    if verified is None:
        encrypted = info.get("encrypted")
        note = " (NTLM message encryption)" if encrypted is True else ""
        lines.append(("TLS", f"not used{note}"))
    else:
        lines.append(("TLS", "verified" if verified else "NOT verified (no_verify=1)"))
    return lines


def host_lines(view: HostView) -> list[Pair]:
    """Everything the host detail pane shows, in reading order."""
    snapshot = view.snapshot
    lines: list[Pair] = [("Host", view.name)]
    if snapshot is None:
        lines.append(("Status", view.report.text()))
        lines += connection_lines(view)
        return lines
    facts = snapshot.facts
    lines += release_lines(facts)
    lines.append(("CPU", cpu_line(facts)))
    lines.append(
        ("Memory", f"{format_gib(facts.memory_mib)} total · {format_gib(facts.free_memory_mib)} free")
    )
    lines.append(("Uptime", format_uptime(facts.uptime) or "?"))
    lines.append(("VMs", vm_counts(snapshot.counts())))
    if not view.status.healthy:
        lines.append(("Status", view.report.text()))
    lines += connection_lines(view)
    return lines


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if value else ""


def _or_dash(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def vm_lines(vm: VM, host_name: str, job: str | None = None) -> list[Pair]:
    """Everything known about a VM (what ``hvtui vm`` prints), label by label."""
    memory = []
    memory.append(("Assigned memory", format_memory(vm.memory_mib) or "—"))
    memory.append(("Startup memory", format_memory(vm.startup_memory_mib) or "—"))
    if vm.dynamic_memory is not None:
        dynamic = "on" if vm.dynamic_memory else "off"
        if vm.dynamic_memory and vm.maximum_memory_mib:
            dynamic += f" (maximum {format_memory(vm.maximum_memory_mib)})"
        memory.append(("Dynamic memory", dynamic))
    memory.append(("Memory demand", format_memory(vm.memory_demand_mib) or "—"))
    memory.append(("Memory buffer", f"{vm.memory_buffer_pct}%" if vm.memory_buffer_pct is not None else "—"))
    state = vm.power.label
    raw = f"EnabledState {vm.enabled_state}" if vm.enabled_state is not None else "EnabledState unknown"
    lines: list[Pair] = [
        ("Name", vm.name),
        ("Host", host_name),
        ("GUID", vm.guid),
        ("ID", _or_dash(vm.id)),
        ("State", f"{state} ({raw})"),
        ("Status", job or status_text(vm) or "—"),
        ("vCPUs", _or_dash(vm.vcpus)),
        *memory,
        ("Uptime", format_uptime(vm.uptime) or "—"),
        ("CPU", f"{vm.cpu_load}%" if vm.cpu_load is not None else "—"),
        ("Heartbeat", vm.heartbeat.label if vm.heartbeat else "—"),
        ("Health", vm.health_label or "—"),
        ("Generation", _or_dash(vm.generation)),
        ("Version", _or_dash(vm.version)),
        ("Autostart", vm.autostart_label or "—"),
        ("Guest OS", _or_dash(vm.guest_os)),
        ("Shutdown service", {True: "yes", False: "no", None: "—"}[vm.has_shutdown_service]),
        ("Created", _when(vm.created) or "—"),
        ("Host task", vm.host_job or "—"),
        ("Notes", vm.notes or "—"),
    ]
    return lines
