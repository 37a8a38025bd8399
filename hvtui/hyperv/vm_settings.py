"""A VM's settings changed together (``hvtui set`` and the TUI's settings screen): what the VM's
state allows is sent, each part once, and what it does not allow is said, not sent.

Hyper-V changes the name, notes and automatic start action at any time (one
ModifySystemSettings); the vCPUs, the startup memory and turning dynamic memory on or off only
while the VM is off; a running VM's dynamic memory range only wider (the host decides that one).
"""

from __future__ import annotations

from dataclasses import dataclass

from hvtui.hyperv.errors import ActionFailed, ActionRefused
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import VM
from hvtui.hyperv.states import VMState
from hvtui.hyperv.vsms import embedded, send

AUTOSTART = {"none": 2, "restart": 3, "start": 4}
_WHILE_OFF = "%s change only while the VM is off"


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What to change; None leaves a setting as it is. ``dynamic`` False turns dynamic memory off."""

    vcpus: int | None = None
    memory_mib: int | None = None
    dynamic: tuple[int, int] | bool | None = None
    autostart: str | None = None  # none, restart or start
    notes: str | None = None
    name: str | None = None

    @property
    def empty(self) -> bool:
        return all(
            v is None
            for v in (self.vcpus, self.memory_mib, self.dynamic, self.autostart, self.notes, self.name)
        )


def locked(vm: VM) -> dict[str, str]:
    """The settings the VM's state does not let change now, each with why (the settings screen
    greys them): ``vcpus``, ``memory`` and ``dynamic`` (turning it on or off; a running VM's
    range stays open)."""
    if vm.state is VMState.OFF:
        return {}
    why = "only while the VM is off"
    reasons = {"vcpus": why, "memory": why}
    if not vm.dynamic_memory:
        reasons["dynamic"] = why
    return reasons


@dataclass(frozen=True, slots=True)
class PartOutcome:
    what: str
    ok: bool
    message: str


async def apply_settings(host: HyperVHost, vm: VM, change: SettingsChange) -> list[PartOutcome]:
    """Send each part the VM's state allows; one outcome per part, refused parts included."""
    target, cfg = await host.configured(vm)
    off = target.state is VMState.OFF
    outcomes: list[PartOutcome] = []
    system: dict[str, object] = {}
    types: dict[str, str] = {}
    if change.name is not None:
        if not change.name.strip():
            outcomes.append(PartOutcome("name", False, "a VM's name cannot be empty"))
        else:
            system["ElementName"], types["ElementName"] = change.name.strip(), "string"
    if change.notes is not None:
        system["Notes"], types["Notes"] = [change.notes], "string[]"
    if change.autostart is not None:
        system["AutomaticStartupAction"], types["AutomaticStartupAction"] = (
            AUTOSTART[change.autostart],
            "uint16",
        )
    if system:
        system["InstanceID"], types["InstanceID"] = (
            cfg.vssd_instance_id or f"Microsoft:{target.guid}",
            "string",
        )
        what = ", ".join(k.lower() for k in ("name", "notes", "autostart") if _asked(change, k))
        outcomes.append(
            await _part(
                host,
                what,
                "ModifySystemSettings",
                "SystemSettings",
                embedded("Msvm_VirtualSystemSettingData", system, types),
                target,
            )
        )
    if change.vcpus is not None:
        if not off:
            outcomes.append(
                PartOutcome(
                    "vcpus",
                    False,
                    f"{target.name}: {_WHILE_OFF % 'virtual processors'} (it is {target.power.label})",
                )
            )
        else:
            outcomes.append(
                await _resource(
                    host,
                    target,
                    "vcpus",
                    "Msvm_ProcessorSettingData",
                    cfg.processor_instance_id,
                    {"VirtualQuantity": change.vcpus},
                )
            )
    memory: dict[str, object] = {}
    if change.memory_mib is not None:
        memory["VirtualQuantity"] = change.memory_mib
    if isinstance(change.dynamic, tuple):
        memory.update(DynamicMemoryEnabled=True, Reservation=change.dynamic[0], Limit=change.dynamic[1])
    elif change.dynamic is False:
        memory["DynamicMemoryEnabled"] = False
    if memory:
        turning = "DynamicMemoryEnabled" in memory and memory["DynamicMemoryEnabled"] != bool(
            target.dynamic_memory
        )
        if not off and ("VirtualQuantity" in memory or turning):
            outcomes.append(
                PartOutcome(
                    "memory",
                    False,
                    f"{target.name}: {_WHILE_OFF % 'startup memory and dynamic memory on or off'} "
                    f"(it is {target.power.label})",
                )
            )
        else:
            outcomes.append(
                await _resource(
                    host, target, "memory", "Msvm_MemorySettingData", cfg.memory_instance_id, memory
                )
            )
    host.invalidate_inventory()
    return outcomes


def _asked(change: SettingsChange, key: str) -> bool:
    return getattr(change, key) is not None


async def _resource(
    host: HyperVHost, vm: VM, what: str, class_name: str, instance_id: str | None, values: dict[str, object]
) -> PartOutcome:
    if not instance_id:
        return PartOutcome(what, False, f"{vm.name}: its {what} settings could not be found on the host")
    if "VirtualQuantity" in values and class_name == "Msvm_MemorySettingData":
        mib = int(str(values["VirtualQuantity"]))
        if mib < 32 or mib % 2:
            return PartOutcome(what, False, f"{vm.name}: memory must be an even number of MiB, 32 at least")
    types = {
        "InstanceID": "string",
        "VirtualQuantity": "uint64",
        "DynamicMemoryEnabled": "boolean",
        "Reservation": "uint64",
        "Limit": "uint64",
    }
    values = {"InstanceID": instance_id, **values}
    instance = embedded(class_name, values, {k: types[k] for k in values})
    return await _part(host, what, "ModifyResourceSettings", "ResourceSettings", [instance], vm)


async def _part(host: HyperVHost, what: str, method: str, param: str, value: object, vm: VM) -> PartOutcome:
    try:
        await send(host.session, method, [(param, value)], f"{vm.name}: changing the {what}")
    except (ActionRefused, ActionFailed) as exc:
        return PartOutcome(what, False, str(exc))
    return PartOutcome(what, True, f"{vm.name}: {what} changed")
