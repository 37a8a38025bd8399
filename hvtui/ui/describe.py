"""Label/value lines for the host detail pane and the VM detail screen.

The words are :mod:`hvtui.present`'s (the same as ``hvtui info`` and ``hvtui vm``); this
module only adds what the TUI alone knows: the host's status between refreshes, and the
connection before the host has answered.
"""

from __future__ import annotations

from hvtui.hyperv.models import VM
from hvtui.present import host as present_host
from hvtui.present.devices import switches_short
from hvtui.present.host import Pair
from hvtui.present.vm import vm_rows
from hvtui.ui.hostview import HostView


def connection_lines(view: HostView) -> list[Pair]:
    """The URI, then one line: transport, the auth scheme in use, and TLS (verified or not)."""
    info = view.connection
    uri = view.uri
    transport = info.transport if info else (uri.transport if uri else "?")
    auth = info.auth if info else None
    if not auth and uri is not None:
        auth = uri.auth if uri.auth != "auto" else "auto (not yet negotiated)"
    verified = view.tls_verified
    protected = present_host.protection(
        https=verified is not None,
        tls_verified=verified,
        encrypted=info.encrypted if info else None,
        auth=auth,
    )
    return [("URI", view.key), ("Connection", present_host.connection_short(transport, str(auth), protected))]


def host_lines(view: HostView) -> list[Pair]:
    """Everything the host detail pane shows, in reading order."""
    snapshot = view.snapshot
    lines: list[Pair] = [("Host", view.name)]
    if snapshot is None:
        lines.append(("Status", view.report.text()))
        lines += connection_lines(view)
        return lines
    facts = snapshot.facts
    lines += present_host.release_short(facts.release)
    if facts.release.note:
        lines.append(("Note", facts.release.note))
    lines.append(("CPU", present_host.cpu_short(facts)))
    lines.append(("Memory", present_host.memory_short(facts)))
    lines.append(("Uptime", present_host.host_uptime(facts)))
    lines.append(("VMs", present_host.counts_short(view.state_counts)))
    lines.append(("Switches", switches_short(snapshot.switches)))
    if not view.status.healthy:
        lines.append(("Status", view.report.text()))
    lines += connection_lines(view)
    return lines


def vm_lines(vm: VM, host_name: str, job: str | None = None) -> list[Pair]:
    """Everything ``hvtui vm`` prints about a VM, with our job in progress as its status."""
    return vm_rows(vm, host_name, job)
