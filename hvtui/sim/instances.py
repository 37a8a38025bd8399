"""The WMI provider of the simulator: CIM instances of every served class, built from the model.

Each provider returns plain dicts keyed by property name; the renderer fills in every other
property of the class as null. Values follow what Hyper-V and Windows report (each class's page on
Microsoft Learn: Hyper-V WMI v2, Win32 classes) where known; guesses are kept plausible and
consistent across classes. The providers live in modules by family (virtual systems, the
management service and its jobs, the host's Win32 classes, devices, the guest, VHDs, host files,
switches); this module registers them and builds the association instances that tie them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hvtui.sim import devices, display, guest, hostfiles, switches, vhd
from hvtui.sim.management_service import jobs, management_services
from hvtui.sim.model import HostModel
from hvtui.sim.render import Ref
from hvtui.sim.schema import CimClass, find_class
from hvtui.sim.virtual_systems import (
    KEYBOARD_DEV,
    MEMORY_RT,
    PROCESSOR_RT,
    SHUTDOWN_IC,
    computer_systems,
    keyboards,
    memory_settings,
    processor_settings,
    settings,
    shutdown_components,
)
from hvtui.sim.win32_host import (
    computer_system_products,
    computer_system_win32,
    operating_systems,
    processors,
)


@dataclass
class Instance:
    cls: CimClass
    values: dict[str, Any]

    def selectors(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, _key_text(self.values.get(k))) for k in self.cls.keys)

    def ref(self) -> Ref:
        return Ref(self.cls.uri, self.selectors())

    def key_matches(self, selectors: dict[str, str]) -> bool:
        """True when every given selector equals the key, names and values case-insensitively."""
        for name, value in selectors.items():
            actual = next((v for k, v in self.values.items() if k.lower() == name.lower()), None)
            if _key_text(actual).lower() != value.lower():
                return False
        return True


def _key_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Ref):
        return value.uri
    return str(value)


def _cls(name: str) -> CimClass:
    cls = find_class(name)
    assert cls is not None, name
    return cls


PROVIDERS: dict[str, Callable[[HostModel], Iterator[dict[str, Any]]]] = {
    "Msvm_ComputerSystem": computer_systems,
    "Msvm_VirtualSystemSettingData": settings,
    "Msvm_ProcessorSettingData": processor_settings,
    "Msvm_MemorySettingData": memory_settings,
    "Msvm_ConcreteJob": jobs,
    "Msvm_VirtualSystemManagementService": management_services,
    "Msvm_ShutdownComponent": shutdown_components,
    "Msvm_Keyboard": keyboards,
    "Win32_OperatingSystem": operating_systems,
    "Win32_ComputerSystem": computer_system_win32,
    "Win32_ComputerSystemProduct": computer_system_products,
    "Win32_Processor": processors,
}
PROVIDERS.update(
    devices.PROVIDERS
    | guest.PROVIDERS
    | vhd.PROVIDERS
    | hostfiles.PROVIDERS
    | {switches.SWITCH: switches.switches}
)
PROVIDERS.update(display.PROVIDERS)


# --- associations -----------------------------------------------------------------------------


def _ref(cls_name: str, **keys: str) -> Ref:
    cls = _cls(cls_name)
    return Ref(cls.uri, tuple((k, keys[k]) for k in cls.keys))


def vm_ref(guid: str) -> Ref:
    return _ref("Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)


def vssd_ref(guid: str) -> Ref:
    return _ref("Msvm_VirtualSystemSettingData", InstanceID=f"Microsoft:{guid}")


def job_ref(job_id: str) -> Ref:
    return _ref("Msvm_ConcreteJob", InstanceID=job_id)


def association_instances(m: HostModel, assoc: str) -> Iterator[dict[str, Any]]:
    """Instances of an association class, REF properties as Ref values."""
    key = assoc.lower()
    if key == "msvm_settingsdefinestate":
        for g in m.vms:
            yield {"ManagedElement": vm_ref(g), "SettingData": vssd_ref(g)}
    elif key == "msvm_virtualsystemsettingdatacomponent":
        for g in m.vms:
            yield {
                "GroupComponent": vssd_ref(g),
                "PartComponent": _ref(
                    "Msvm_ProcessorSettingData", InstanceID=f"Microsoft:{g}\\{PROCESSOR_RT}\\0"
                ),
            }
            yield {
                "GroupComponent": vssd_ref(g),
                "PartComponent": _ref("Msvm_MemorySettingData", InstanceID=f"Microsoft:{g}\\{MEMORY_RT}"),
            }
        yield from devices.settings_components(m)
    elif key == "msvm_systemdevice":
        for g, vm in m.vms.items():
            parts = [("Msvm_Keyboard", f"Microsoft:{g}\\{KEYBOARD_DEV}")]
            if vm.spec.shutdown_service:
                parts.append(("Msvm_ShutdownComponent", f"Microsoft:{g}\\{SHUTDOWN_IC}"))
            for cls, dev in parts:
                yield {
                    "GroupComponent": vm_ref(g),
                    "PartComponent": _ref(
                        cls,
                        CreationClassName=cls,
                        DeviceID=dev,
                        SystemCreationClassName="Msvm_ComputerSystem",
                        SystemName=g,
                    ),
                }
        yield from guest.system_devices(m)
        yield from display.system_devices(m)
    elif key == "msvm_settingdatacomponent":
        yield from guest.setting_data_components(m)
    elif key == "msvm_elementsettingdata":
        yield from hostfiles.element_settings(m)
    elif key == "msvm_videoheadoncontroller":
        yield from display.heads_on_controllers(m)
    elif key == "win32_computersystemprocessor":
        for i in range(m.spec.sockets):
            yield {
                "GroupComponent": _ref("Win32_ComputerSystem", Name=m.spec.name),
                "PartComponent": _ref("Win32_Processor", DeviceID=f"CPU{i}"),
            }


def instances_of(m: HostModel, cls: CimClass) -> list[Instance]:
    """Every instance of a class on this host (the model must be ticked by the caller)."""
    if cls.association:
        return [Instance(cls, v) for v in association_instances(m, cls.name)]
    provider = PROVIDERS.get(cls.name)
    if provider is None:
        return []
    return [Instance(cls, v) for v in provider(m)]
