"""Label/value lines for the host detail pane and the VM detail screen.

The words are :mod:`hvtui.present`'s (the same as ``hvtui info`` and ``hvtui vm``); this
module only adds what the TUI alone knows: the host's status between refreshes, and the
connection before the host has answered.
"""

from __future__ import annotations

from hvtui.hyperv.models import VM
from hvtui.hyperv.trust import CertificateInfo
from hvtui.present import host as present_host
from hvtui.present.devices import switches_short
from hvtui.present.host import Pair
from hvtui.present.vm import vm_rows
from hvtui.ui.hoststatus import HostStatus
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
    if view.tls_trusted is False:
        protected = "TLS certificate NOT trusted"
    elif verified and view.tls_trusted is None:
        protected = "TLS (certificate not yet checked)"
    else:
        protected = present_host.protection(
            https=verified is not None,
            tls_verified=verified,
            encrypted=info.encrypted if info else None,
            auth=auth,
            pinned=bool(info.tls_pin) if info else False,
        )
    return [("URI", view.key), ("Connection", present_host.connection_short(transport, str(auth), protected))]


def certificate_lines(certificate: CertificateInfo, *, pinned: bool) -> list[Pair]:
    """The certificate an untrusted host showed: what a person compares before trusting it."""
    digest = certificate.fingerprint.removeprefix("sha256:")
    half = len(digest) // 2 + 1  # at a colon: 16 bytes a line, so it fits 80 columns
    lines: list[Pair] = [
        ("SHA-256", digest[: half - 1]),
        ("", digest[half:]),
        ("Subject", certificate.subject),
    ]
    if not certificate.self_signed:
        lines.append(("Issuer", certificate.issuer))
    else:
        lines[-1] = ("Subject", f"{certificate.subject} (self-signed)")
    lines.append(("Valid", certificate.validity()))
    if certificate.names:
        lines.append(("Names", ", ".join(certificate.names)))
    what = "trust this new certificate" if pinned else "trust this certificate"
    lines.append(("Keys", f"c {what} for this host · e edit the host"))
    return lines


def host_lines(view: HostView) -> list[Pair]:
    """Everything the host detail pane shows, in reading order."""
    snapshot = view.snapshot
    lines: list[Pair] = [("Host", view.name)]
    certificate = view.report.certificate if view.status is HostStatus.TLS_UNTRUSTED else None
    if snapshot is None:
        lines.append(("Status", view.report.text()))
        lines += connection_lines(view)
        if certificate is not None:
            lines += certificate_lines(certificate, pinned=view.tls_pin is not None)
        return lines
    facts = snapshot.facts
    lines += present_host.release_short(facts.release)
    if facts.release.note:
        lines.append(("Note", facts.release.note))
    lines.append(("CPU", present_host.cpu_short(facts)))
    load = snapshot.cpu_load
    if load is not None:  # of the logical processors the line above counts
        lines.append(("CPU load", f"{load}% used by the running VMs"))
    lines.append(("Memory", present_host.memory_short(facts)))
    lines.append(("Uptime", present_host.host_uptime(facts)))
    lines.append(("VMs", present_host.counts_short(view.state_counts)))
    lines.append(("Switches", switches_short(snapshot.switches)))
    if not view.status.healthy:
        lines.append(("Status", view.report.text()))
    lines += connection_lines(view)
    if certificate is not None:
        lines += certificate_lines(certificate, pinned=view.tls_pin is not None)
    return lines


def vm_lines(vm: VM, host_name: str, job: str | None = None) -> list[Pair]:
    """Everything ``hvtui vm`` prints about a VM, with our job in progress as its status."""
    return vm_rows(vm, host_name, job)
