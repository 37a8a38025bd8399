"""A VM's devices added, removed and changed: "AddResourceSettings", "RemoveResourceSettings" and
"ModifyResourceSettings" of Msvm_VirtualSystemManagementService, as Hyper-V's WMI v2 takes them.

* A drive is a Msvm_ResourceAllocationSettingData (17 hard drive, 16 DVD drive) whose Parent is
  its controller's path and AddressOnParent its place (the first free one when not given); its
  medium a Msvm_StorageAllocationSettingData whose Parent is the drive's path and HostResource the
  file. A NIC is a Msvm_SyntheticEthernetPortSettingData; its connection a
  Msvm_EthernetPortAllocationSettingData whose Parent is the NIC and HostResource the switch.
* Removing takes references; removing a medium ejects it, removing a drive takes its medium too.
  A disk taken out stays on the host as a file.
* Modifying changes a DVD's ISO, a NIC's switch (none: disconnected) or a COM port's pipe; the
  processor and memory are :func:`hvtui.sim.methods.modify_resource_settings`'s.

Windows' refusals: an IDE channel holds two drives and a SCSI controller 64 (a place taken or out
of range is 32773); IDE drives and their disks change only while the VM is off, SCSI ones and
DVD media also while it runs; a generation 1 VM's NICs only while it is off; nothing of a saved,
paused or changing VM (32775). Each call answers 4096 and a job; a file that is missing or in use
by another VM fails the job, and so does fault injection -- the change is then not made.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from hvtui.sim import methods
from hvtui.sim import soap_faults as faults
from hvtui.sim.devices import (
    EPASD,
    IDE_CONTROLLER,
    RASD,
    SASD,
    SCSI_CONTROLLER,
    SEPSD,
    SERIAL,
    SERIAL_CONTROLLER,
    device_table,
    forget_devices,
    hardware_of,
)
from hvtui.sim.guest import forget_guest_items
from hvtui.sim.hardware import DiskSpec, DvdSpec, Hardware, NicSpec
from hvtui.sim.hardware_seed import host_plan
from hvtui.sim.inventory import OFF, RUNNING
from hvtui.sim.methods import Output, embedded_param, job_param, prop, ref_param, selector_values
from hvtui.sim.model import INVALID_PARAMETER, INVALID_STATE, STARTED, VM, HostModel
from hvtui.sim.refs import setting_ref
from hvtui.sim.soap_request import child_any_ns
from hvtui.sim.switches import host_switches
from hvtui.sim.vhd_create import find_file, loose_files
from hvtui.sim.wql.paths import parse_object_path

_CONTROLLERS = {IDE_CONTROLLER: "ide", SCSI_CONTROLLER: "scsi"}
_CAPACITY = {"ide": 2, "scsi": 64}


class Refusal(Exception):
    """A return code instead of a change (32773, 32775)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class _Device:
    """What an InstanceID names in a VM: its kind and, for drives and media, where it sits."""

    vm: VM
    kind: str  # controller, drive, media, nic, port, serial
    slot: tuple[str, int] | None = None
    drive: DiskSpec | DvdSpec | None = None
    nic: NicSpec | None = None
    index: int = 0  # a COM port's number - 1

    @property
    def hw(self) -> Hardware:
        return self.vm.spec.hardware

    @property
    def iid(self) -> str:
        return f"Microsoft:{self.vm.guid}"


def _drives(hw: Hardware) -> list[DiskSpec | DvdSpec]:
    return [*(hw.disks or []), *(hw.dvds or [])]


def _off(vm: VM) -> bool:
    return vm.state == OFF and vm.transition is None


def _off_or_running(vm: VM) -> bool:
    return vm.transition is None and vm.state in (OFF, RUNNING)


def controller_iid(guid: str, key: str) -> str:
    bus, _, number = key.partition(":")
    ctrl = IDE_CONTROLLER if bus == "ide" else SCSI_CONTROLLER
    return f"Microsoft:{guid}\\{ctrl}\\{number}"


def _locate(m: HostModel, instance_id: str) -> _Device:
    """The device an InstanceID names, or 32773."""
    head, _, rest = instance_id.partition("\\")
    vm = m.vms.get(head.split(":", 1)[-1].upper()) if head.lower().startswith("microsoft:") else None
    if vm is None or not rest:
        raise Refusal(INVALID_PARAMETER)
    device_table(m)  # gives every drive its place
    parts = rest.split("\\")
    hw = vm.spec.hardware
    bus = _CONTROLLERS.get(parts[0].upper())
    if bus is not None and len(parts) in (2, 4) and parts[1].isdigit():
        key = f"{bus}:{parts[1]}"
        if (bus == "ide" and vm.spec.generation != 1) or (bus == "scsi" and parts[1] != "0"):
            raise Refusal(INVALID_PARAMETER)
        if len(parts) == 2:
            return _Device(vm, "controller", (key, 0))
        if not parts[2].isdigit() or parts[3].upper() not in ("D", "L"):
            raise Refusal(INVALID_PARAMETER)
        slot = (key, int(parts[2]))
        drive = next((d for d in _drives(hw) if d.slot == slot), None)
        if drive is None:
            raise Refusal(INVALID_PARAMETER)
        empty = not (drive.path if isinstance(drive, DiskSpec) else drive.iso)
        if parts[3].upper() == "L" and empty:
            raise Refusal(INVALID_PARAMETER)
        return _Device(vm, "drive" if parts[3].upper() == "D" else "media", slot, drive)
    if parts[0].upper() == SERIAL_CONTROLLER and len(parts) == 2 and parts[1] in ("0", "1"):
        return _Device(vm, "serial", index=int(parts[1]))
    nic = next((n for n in hw.nics or [] if n.guid.upper() == parts[0].upper()), None)
    if nic is not None and (len(parts) == 1 or parts[1:] == ["C"]):
        return _Device(vm, "nic" if len(parts) == 1 else "port", nic=nic)
    raise Refusal(INVALID_PARAMETER)


def _path_iid(path: str) -> str:
    """The InstanceID in an object path (a Parent), or 32773."""
    try:
        keys = {k.lower(): v for k, v in parse_object_path(path).keys}
    except ValueError:
        raise Refusal(INVALID_PARAMETER) from None
    if "instanceid" not in keys:
        raise Refusal(INVALID_PARAMETER)
    return keys["instanceid"]


def _first(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def _switch_name(m: HostModel, path: str) -> str:
    try:
        keys = {k.lower(): v for k, v in parse_object_path(path).keys}
    except ValueError:
        raise Refusal(INVALID_PARAMETER) from None
    guid = keys.get("name", "").upper()
    switch = next((s for s in host_switches(m) if s.guid.upper() == guid), None)
    if switch is None:
        raise Refusal(INVALID_PARAMETER)
    return switch.name


# A staged change: applies it and names the resulting settings (class, InstanceID), or "" for none.
Change = Callable[[], tuple[str, str]]


def _add_drive(m: HostModel, vm: VM, props: dict[str, str | list[str]], hard_disk: bool) -> Change:
    parent = _locate(m, _path_iid(_first(prop(props, "Parent"))))
    if parent.vm is not vm or parent.kind != "controller" or parent.slot is None:
        raise Refusal(INVALID_PARAMETER)
    key = parent.slot[0]
    bus = key.split(":")[0]
    hw = vm.spec.hardware
    taken = {d.slot[1] for d in _drives(hw) if d.slot and d.slot[0] == key}
    address = _first(prop(props, "AddressOnParent"))
    free = [n for n in range(_CAPACITY[bus]) if n not in taken]
    location = int(address) if address.isdigit() else (free[0] if free else -1)
    if location not in free:
        raise Refusal(INVALID_PARAMETER)  # the channel is full or the place is taken
    if not (_off(vm) if bus == "ide" else _off_or_running(vm)):
        raise Refusal(INVALID_STATE)

    def apply() -> tuple[str, str]:
        if hard_disk:
            hw.disks = [*(hw.disks or []), DiskSpec("", slot=(key, location))]
        else:
            hw.dvds = [*(hw.dvds or []), DvdSpec(None, slot=(key, location))]
        return RASD, f"{controller_iid(vm.guid, key)}\\{location}\\D"

    return apply


def _attach_media(m: HostModel, vm: VM, props: dict[str, str | list[str]], errors: list[str]) -> Change:
    drive = _locate(m, _path_iid(_first(prop(props, "Parent"))))
    path = _first(prop(props, "HostResource"))
    if drive.vm is not vm or drive.kind != "drive" or drive.slot is None or not path:
        raise Refusal(INVALID_PARAMETER)
    slot, target = drive.slot, drive.drive
    iid = f"{controller_iid(vm.guid, slot[0])}\\{slot[1]}\\L"
    if isinstance(target, DvdSpec):
        if target.iso or not path.lower().endswith(".iso"):
            raise Refusal(INVALID_PARAMETER)
        if not _off_or_running(vm):
            raise Refusal(INVALID_STATE)

        def insert() -> tuple[str, str]:
            target.iso = path
            return SASD, iid

        return insert
    assert isinstance(target, DiskSpec)
    if target.path or not path.lower().endswith((".vhd", ".vhdx")):
        raise Refusal(INVALID_PARAMETER)
    if not (_off(vm) if slot[0].startswith("ide") else _off_or_running(vm)):
        raise Refusal(INVALID_STATE)
    found = find_file(m, path)
    if found is None:
        errors.append(f"The system cannot find the file '{path}'.")
    elif found.users:
        errors.append(f"'{path}' is in use by another virtual machine.")

    def attach() -> tuple[str, str]:
        disk = loose_files(m).pop(path.lower())
        target.path, target.size_bytes, target.kind = disk.path, disk.size_bytes, disk.kind
        target.parent, target.used = disk.parent, disk.used
        return SASD, iid

    return attach


def _add_nic(m: HostModel, vm: VM, props: dict[str, str | list[str]]) -> Change:
    if not (_off(vm) if vm.spec.generation == 1 else _off_or_running(vm)):
        raise Refusal(INVALID_STATE)
    static = str(prop(props, "StaticMacAddress") or "").lower() in ("true", "1")
    mac = _first(prop(props, "Address")).replace(":", "").replace("-", "").upper()
    if static and (len(mac) != 12 or any(c not in "0123456789ABCDEF" for c in mac)):
        raise Refusal(INVALID_PARAMETER)
    hw = vm.spec.hardware

    def apply() -> tuple[str, str]:
        guid = _new_nic_guid(m, vm)
        hw.nics = [*(hw.nics or []), NicSpec(guid, mac if static else _free_mac(m), static_mac=static)]
        return SEPSD, f"Microsoft:{vm.guid}\\{guid}"

    return apply


def _new_nic_guid(m: HostModel, vm: VM) -> str:
    count = sum(len(hw.nics or []) for hw in hardware_of(m).values())
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"hvtui-sim-nic:{m.spec.name}:{vm.guid}:{count}")).upper()


def _free_mac(m: HostModel) -> str:
    """The host's next dynamic MAC address (from the top half of its range, clear of the seed's)."""
    prefix = f"00155D{host_plan(m.spec, m.seed).mac:02X}"
    used = {n.mac.upper() for hw in hardware_of(m).values() for n in hw.nics or []}
    return next(f"{prefix}{n:04X}" for n in range(0x8000, 0x10000) if f"{prefix}{n:04X}" not in used)


def _connect(m: HostModel, vm: VM, props: dict[str, str | list[str]], iid_from: str) -> Change:
    nic = _locate(m, iid_from)
    if nic.vm is not vm or nic.nic is None:
        raise Refusal(INVALID_PARAMETER)
    target = nic.nic
    path = _first(prop(props, "HostResource"))
    enabled = str(prop(props, "EnabledState") or "2")
    switch = _switch_name(m, path) if path and enabled != "3" else None

    def apply() -> tuple[str, str]:
        target.switch = switch
        return EPASD, f"Microsoft:{vm.guid}\\{target.guid}\\C"

    return apply


def _staged_add(m: HostModel, vm: VM, el: etree._Element, machine: str, errors: list[str]) -> Change:
    cls_name, props = embedded_param(el, machine)
    kind = cls_name.lower()
    subtype = str(prop(props, "ResourceSubType") or "").lower()
    if kind == RASD.lower() and subtype.endswith(("synthetic disk drive", "synthetic dvd drive")):
        return _add_drive(m, vm, props, hard_disk=subtype.endswith("disk drive"))
    if kind == SASD.lower():
        return _attach_media(m, vm, props, errors)
    if kind == SEPSD.lower():
        return _add_nic(m, vm, props)
    if kind == EPASD.lower():
        return _connect(m, vm, props, _path_iid(_first(prop(props, "Parent"))))
    raise Refusal(INVALID_PARAMETER)


def _finish(m: HostModel, vm: VM, changes: list[Change], errors: list[str], caption: str) -> Output:
    job = m.change_job(vm.guid, caption, error=" ".join(errors))
    refs = []
    if not job.fail:
        for change in changes:
            cls, iid = change()
            if iid:
                refs.append(ref_param("ResultingResourceSettings", setting_ref(cls, iid)))
        forget_devices(m)
        forget_guest_items(m)
    return Output(STARTED, [*refs, *job_param(job)])


def add_resource_settings(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    target = child_any_ns(body, "AffectedConfiguration")
    settings = child_any_ns(body, "ResourceSettings")
    if not target or not settings:
        raise faults.invalid_parameter(machine, "AffectedConfiguration and ResourceSettings are required")
    iid = {k.lower(): v for k, v in selector_values(target[0]).items()}.get("instanceid", "")
    vm = m.vms.get(iid.split(":", 1)[-1].upper()) if iid.lower().startswith("microsoft:") else None
    if vm is None:
        return Output(INVALID_PARAMETER)
    errors: list[str] = []
    try:
        changes = [_staged_add(m, vm, el, machine, errors) for el in settings]
    except Refusal as exc:
        return Output(exc.code)
    return _finish(m, vm, changes, errors, "Add Virtual Machine Device")


def _staged_remove(m: HostModel, device: _Device) -> Change:
    vm, hw = device.vm, device.hw
    if device.kind in ("drive", "media") and device.slot is not None:
        ide = device.slot[0].startswith("ide")
        dvd_media = device.kind == "media" and isinstance(device.drive, DvdSpec)
        if not (_off(vm) if ide and not dvd_media else _off_or_running(vm)):
            raise Refusal(INVALID_STATE)
        drive = device.drive

        def take_out() -> tuple[str, str]:
            if isinstance(drive, DiskSpec):
                if drive.path:
                    loose_files(m)[drive.path.lower()] = DiskSpec(
                        drive.path, drive.size_bytes, drive.kind, drive.parent, drive.used
                    )
                drive.path = ""
                if device.kind == "drive":
                    hw.disks = [d for d in hw.disks or [] if d is not drive]
            elif isinstance(drive, DvdSpec):
                drive.iso = None
                if device.kind == "drive":
                    hw.dvds = [d for d in hw.dvds or [] if d is not drive]
            return "", ""

        return take_out
    if device.kind == "nic" and device.nic is not None:
        if not (_off(vm) if vm.spec.generation == 1 else _off_or_running(vm)):
            raise Refusal(INVALID_STATE)
        nic = device.nic

        def remove_nic() -> tuple[str, str]:
            hw.nics = [n for n in hw.nics or [] if n is not nic]
            return "", ""

        return remove_nic
    if device.kind == "port" and device.nic is not None:
        port = device.nic

        def disconnect() -> tuple[str, str]:
            port.switch = None
            return "", ""

        return disconnect
    raise Refusal(INVALID_PARAMETER)


def remove_resource_settings(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    settings = child_any_ns(body, "ResourceSettings")
    if not settings:
        raise faults.invalid_parameter(machine, "ResourceSettings is missing")
    try:
        devices = [
            _locate(m, {k.lower(): v for k, v in selector_values(el).items()}.get("instanceid", ""))
            for el in settings
        ]
        if len({d.vm.guid for d in devices}) != 1:
            raise Refusal(INVALID_PARAMETER)
        changes = [_staged_remove(m, d) for d in devices]
    except Refusal as exc:
        return Output(exc.code)
    return _finish(m, devices[0].vm, changes, [], "Remove Virtual Machine Device")


def _staged_modify(m: HostModel, cls_name: str, props: dict[str, str | list[str]]) -> tuple[VM, Change]:
    device = _locate(m, str(prop(props, "InstanceID") or ""))
    vm, kind = device.vm, cls_name.lower()
    if kind == SASD.lower() and device.kind == "media" and isinstance(device.drive, DvdSpec):
        path = _first(prop(props, "HostResource"))
        if not path.lower().endswith(".iso"):
            raise Refusal(INVALID_PARAMETER)
        if not _off_or_running(vm):
            raise Refusal(INVALID_STATE)
        dvd, iid = device.drive, str(prop(props, "InstanceID"))

        def change_iso() -> tuple[str, str]:
            dvd.iso = path
            return SASD, iid

        return vm, change_iso
    if kind == EPASD.lower() and device.kind == "port":
        return vm, _connect(m, vm, props, f"Microsoft:{vm.guid}\\{device.nic.guid if device.nic else ''}")
    if kind == SERIAL.lower() and device.kind == "serial":
        pipe = _first(prop(props, "Connection"))
        ports, n = device.hw.com_ports, device.index
        iid = str(prop(props, "InstanceID"))

        def change_pipe() -> tuple[str, str]:
            if ports is not None:
                ports[n] = pipe
            return SERIAL, iid

        return vm, change_pipe
    raise Refusal(INVALID_PARAMETER)


def modify_resource_settings(m: HostModel, body: etree._Element | None, machine: str) -> Output:
    """Devices here; processor and memory (every setting one of those) in :mod:`methods`."""
    settings = child_any_ns(body, "ResourceSettings")
    parsed = [embedded_param(el, machine) for el in settings]
    own = {"msvm_processorsettingdata", "msvm_memorysettingdata"}
    if not parsed or all(cls.lower() in own for cls, _ in parsed):
        return methods.modify_resource_settings(m, body, machine)
    try:
        if any(cls.lower() in own for cls, _ in parsed):
            raise Refusal(INVALID_PARAMETER)
        staged = [_staged_modify(m, cls, props) for cls, props in parsed]
        if len({vm.guid for vm, _ in staged}) != 1:
            raise Refusal(INVALID_PARAMETER)
    except Refusal as exc:
        return Output(exc.code)
    return _finish(m, staged[0][0], [c for _, c in staged], [], "Modify Virtual Machine Device")
