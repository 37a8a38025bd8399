"""What the main screen says where there is no VM to show: no host yet, or none answered yet."""

from __future__ import annotations

from collections.abc import Iterable

from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.hostview import HostView

WAITING_LINES = 40  # hosts named in the waiting text: more would not fit any screen


def waiting_text(views: Iterable[HostView]) -> str:
    """No VM to show yet in All hosts: what each host is waiting for, one line each (the
    first few dozen: a fleet's thousand lines were wrapped again for every line drawn)."""
    lines = ["No VMs to show yet:"]
    every = list(views)
    for view in every[:WAITING_LINES]:
        status = view.status
        if status is HostStatus.AUTH_NEEDED:
            why = "needs a login: select it and press l"
        elif status is HostStatus.TLS_UNTRUSTED:
            why = "its TLS certificate is not trusted: select it to see it, C trusts it"
        elif status is HostStatus.CONNECTING:
            why = view.report.text() + "…"
        elif view.snapshot is not None:
            why = "no VMs"
        else:
            why = view.report.text()
        lines.append(f"  {view.short_name}: {why}")
    if len(every) > WAITING_LINES:
        lines.append(f"  … and {len(every) - WAITING_LINES:,} more hosts")
    return "\n".join(lines)


def first_run_text(config_path: str) -> str:
    return (
        "No Hyper-V hosts yet.\n\n"
        "Press a to add one by its URI, for example\n"
        "  hyperv://administrator@hv01.example.com/\n"
        "  hyperv://administrator@10.0.0.5/?transport=http\n\n"
        "hvtui asks for the password and can keep it in the system keyring;\n"
        f"the host list is saved in {config_path}.\n\n"
        "To look around first, quit (q) and run:  hvtui --demo"
    )
