"""Label/value lines for the host detail pane and the VM detail screen.

Pure functions of the models, so what a person reads is tested without a screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from hvtui import display
from hvtui.hyperv.models import VM, HostFacts
from hvtui.hyperv.states import VMState
from hvtui.ui.columns import format_uptime, status_text
from hvtui.ui.hostview import HostView

Pair = tuple[str, str]

_STATE_WORDS = (
    (VMState.RUNNING, "running"),
    (VMState.OFF, "off"),
    (VMState.SAVED, "saved"),
    (VMState.PAUSED, "paused"),
)


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
    """The URI, then one line: transport, the auth scheme in use, and TLS (verified or not)."""
    info = view.connection
    uri = view.uri
    transport = str(info.get("transport") or (uri.transport if uri else "?"))
    auth = info.get("auth")
    if not auth and uri is not None:
        auth = uri.auth if uri.auth != "auto" else "auto (not yet negotiated)"
    verified = view.tls_verified
    if verified is None:
        tls = "no TLS" + (" (NTLM message encryption)" if info.get("encrypted") is True else "")
    else:
        tls = "TLS verified" if verified else "TLS NOT verified (no_verify=1)"
    return [("URI", view.key), ("Connection", f"{transport} · auth {auth} · {tls}")]


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
        ("Memory", f"{display.memory(facts.memory_mib)} total · {display.memory(facts.free_memory_mib)} free")
    )
    lines.append(("Uptime", format_uptime(facts.uptime) or "?"))
    lines.append(("VMs", vm_counts(view.state_counts)))
    if not view.status.healthy:
        lines.append(("Status", view.report.text()))
    lines += connection_lines(view)
    return lines


def vm_lines(vm: VM, host_name: str, job: str | None = None) -> list[Pair]:
    """Everything ``hvtui vm`` prints about a VM, with our job in progress as its status."""
    return display.vm_rows(vm, host_name, job or status_text(vm) or None)
