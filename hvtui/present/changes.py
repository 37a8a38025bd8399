"""How changes to VMs read in the TUI: the settings' choices and current values, and one line
for what a settings change did (and did not do), said once for the notification and the task log.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvtui.hyperv.models import VM
from hvtui.hyperv.vm_settings import PartOutcome
from hvtui.present.formats import memory

# AutomaticStartupAction as Hyper-V Manager offers it, by the names `hvtui set --autostart` takes.
AUTOSTART_CHOICES: tuple[tuple[str, str], ...] = (
    ("Nothing", "none"),
    ("If it was on", "restart"),
    ("Always start", "start"),
)
AUTOSTART_BY_CODE = {2: "none", 3: "restart", 4: "start"}


def dynamic_now(vm: VM) -> str:
    """ "now on, up to 8.0 GiB" or "now off": the dynamic memory the VM has."""
    if not vm.dynamic_memory:
        return "now off"
    top = f", up to {memory(vm.maximum_memory_mib)}" if vm.maximum_memory_mib else ""
    return f"now on{top}"


def settings_report(name: str, outcomes: Sequence[PartOutcome]) -> tuple[str, bool]:
    """One line for a settings change, and whether all of it was done.

    "web-01: vcpus, memory changed" / "web-01: name changed; not changed: web-01: virtual
    processors change only while the VM is off (it is Running)".
    """
    done = [o.what for o in outcomes if o.ok]
    refused = [o.message for o in outcomes if not o.ok]
    parts = []
    if done:
        parts.append(f"{name}: {', '.join(done)} changed")
    if refused:
        parts.append(("not changed: " if done else "") + "; ".join(refused))
    return "; ".join(parts) or f"{name}: nothing to change", not refused


# A device change as the task log and the Status cell name it: (kind, verb) -> (title, progressive).
DEVICE_VERBS: dict[tuple[str, str], tuple[str, str]] = {
    ("media", "insert"): ("Insert media", "Inserting media"),
    ("media", "eject"): ("Eject media", "Ejecting media"),
    ("disk", "add"): ("Add disk", "Adding a disk"),
    ("disk", "remove"): ("Remove disk", "Removing a disk"),
    ("nic", "add"): ("Add adapter", "Adding an adapter"),
    ("nic", "remove"): ("Remove adapter", "Removing an adapter"),
    ("nic", "connect"): ("Connect adapter", "Connecting"),
    ("nic", "disconnect"): ("Disconnect adapter", "Disconnecting"),
}
