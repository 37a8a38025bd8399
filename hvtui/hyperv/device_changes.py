"""One change to a VM's media, disks or network adapters, as ``hvtui media|disk|nic`` and the
TUI's device dialogs both ask for it: one rule for what each verb does."""

from __future__ import annotations

from dataclasses import dataclass

from hvtui.hyperv.devices_edit import DeviceEditor
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.lifecycle import default_folders


@dataclass(frozen=True)
class DeviceChange:
    """``media insert PATH``, ``disk add SIZE|PATH``, ``nic connect MAC SWITCH``…, as the CLI says it."""

    kind: str  # media, disk or nic
    verb: str
    operands: tuple[str, ...] = ()
    switch: str | None = None  # nic add: connect the new adapter to it


async def apply_device_change(host: HyperVHost, editor: DeviceEditor, change: DeviceChange) -> str:
    """Send the change (once) and say what was done; a new disk of a size goes to the host's folder."""
    verb, operands = change.verb, change.operands
    if change.kind == "media":
        return await editor.insert(operands[0]) if verb == "insert" else await editor.eject()
    if change.kind == "disk":
        if verb == "remove":
            return await editor.remove_disk(operands[0])
        if operands[0].isdigit():
            _, folder = await default_folders(host)
            return await editor.add_disk(size_gib=int(operands[0]), folder=folder)
        return await editor.add_disk(path=operands[0])
    if verb == "add":
        return await editor.add_nic(change.switch)
    if verb == "remove":
        return await editor.remove_nic(operands[0])
    if verb == "connect":
        return await editor.connect_nic(operands[0], operands[1])
    return await editor.disconnect_nic(operands[0])
