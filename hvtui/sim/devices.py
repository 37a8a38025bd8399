"""A VM's devices, as Hyper-V lists them in its settings (joined to its Msvm_VirtualSystemSettingData
through Msvm_VirtualSystemSettingDataComponent).

Per Microsoft's Hyper-V WMI provider (V2) reference and the way libvirt's Hyper-V driver reads
them for ``dumpxml``:

* Controllers are Msvm_ResourceAllocationSettingData: generation 1 has two "Emulated IDE
  Controller" channels (ResourceType 5, ``Address`` "0" and "1"); every VM has a "Synthetic SCSI
  Controller" (6).
* A drive (hard disk 17 "Synthetic Disk Drive", DVD 16 "Synthetic DVD Drive") is a RASD whose
  ``Parent`` is its controller's ``__PATH`` and ``AddressOnParent`` its location; the media in it is a
  Msvm_StorageAllocationSettingData (31, "Virtual Hard Disk" or "Virtual CD/DVD Disk") whose
  ``Parent`` is the drive's ``__PATH`` and ``HostResource`` the file. An empty DVD drive has no media.
* A NIC is a Msvm_SyntheticEthernetPortSettingData (10, ``Address`` the MAC) and its connection a
  Msvm_EthernetPortAllocationSettingData (33, "Ethernet Connection") whose ``Parent`` is the NIC's
  ``__PATH`` and ``HostResource`` the switch's; a disconnected one has EnabledState 3 and no host resource.
* COM 1 and COM 2 are Msvm_SerialPortSettingData (21, "Serial Port"), ``Connection`` the pipe.

InstanceIDs are ``Microsoft:<VM GUID>\\<device GUID>\\...`` as Hyper-V forms them. Devices change
only with the VM's configuration, so they are built once per host model, on first use.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hvtui.sim.hardware import DYNAMIC, DiskSpec, DvdSpec, Hardware
from hvtui.sim.hardware_seed import complete_host
from hvtui.sim.model import HostModel
from hvtui.sim.refs import object_path, setting_ref
from hvtui.sim.render import Ref
from hvtui.sim.switches import host_switches, switch_path, switch_port_allocations

IDE_CONTROLLER = "83F8638B-8DCA-4152-9EDA-2CA8B33039B4"
SCSI_CONTROLLER = "D422512D-2BF2-4752-809D-7B82B5FCB1B4"
SERIAL_CONTROLLER = "8E3A359F-559A-4B6A-98A9-1690A6100ED7"
RASD = "Msvm_ResourceAllocationSettingData"
SASD = "Msvm_StorageAllocationSettingData"
SEPSD = "Msvm_SyntheticEthernetPortSettingData"
EPASD = "Msvm_EthernetPortAllocationSettingData"
SERIAL = "Msvm_SerialPortSettingData"
VSSD = "Msvm_VirtualSystemSettingData"


@dataclass
class Attached:
    """A disk file on this host and the VMs that use it (a parent: those of its children)."""

    disk: DiskSpec
    users: list[str] = field(default_factory=list)


@dataclass
class DeviceTable:
    """Every device instance of one host, by class, and what Msvm_VirtualSystemSettingDataComponent joins."""

    by_class: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    components: list[dict[str, Ref]] = field(default_factory=list)  # GroupComponent, PartComponent
    files: dict[str, Attached] = field(default_factory=dict)  # lower-case path → disk


_tables: weakref.WeakKeyDictionary[HostModel, DeviceTable] = weakref.WeakKeyDictionary()
_hardware: weakref.WeakKeyDictionary[HostModel, dict[str, Hardware]] = weakref.WeakKeyDictionary()


def hardware_of(m: HostModel) -> dict[str, Hardware]:
    """Each VM's devices and guest facts, completed from the seed on first use."""
    found = _hardware.get(m)
    if found is None:
        vms = [vm.spec for vm in m.vms.values()]
        complete_host(m.spec, vms, m.seed)
        found = _hardware[m] = {spec.guid: spec.hardware for spec in vms}
    return found


def forget_devices(m: HostModel) -> None:
    """Build the device table again on next use: a VM was defined, changed or destroyed."""
    _tables.pop(m, None)


def device_table(m: HostModel) -> DeviceTable:
    table = _tables.get(m)
    if table is None:
        table = _tables[m] = _build(m)
    return table


def _build(m: HostModel) -> DeviceTable:
    table = DeviceTable(by_class={RASD: [], SASD: [], SEPSD: [], EPASD: [], SERIAL: []})
    paths = {s.name: switch_path(m, s) for s in host_switches(m)}
    for guid, hw in hardware_of(m).items():
        generation = m.vms[guid].spec.generation
        _VMDevices(table, m.spec.name, guid, generation, paths).add(hw)
    return table


def _rasd(instance_id: str, caption: str, resource_type: int, subtype: str) -> dict[str, Any]:
    return {
        "InstanceID": instance_id,
        "Caption": caption,
        "Description": f"Settings for the Microsoft {caption}.",
        "ElementName": caption,
        "ResourceType": resource_type,
        "ResourceSubType": subtype,
        "PoolID": "",
        "ConsumerVisibility": 3,
        "AllocationUnits": "count",
        "VirtualQuantity": 1,
        "Reservation": 1,
        "Limit": 1,
        "Weight": 0,
        "AutomaticAllocation": True,
        "AutomaticDeallocation": True,
        "VirtualQuantityUnits": "count",
    }


class _VMDevices:
    """Adds one VM's devices to the table, each drive after its controller, media after its drive."""

    def __init__(self, table: DeviceTable, host: str, guid: str, generation: int, switches: dict[str, str]):
        self.table = table
        self.host = host
        self.guid = guid
        self.generation = generation
        self.switches = switches
        self.settings = setting_ref(VSSD, f"Microsoft:{guid}")

    def _add(self, cls: str, values: dict[str, Any]) -> str:
        """Record a device; its ``__PATH``, for the Parent of what hangs off it."""
        self.table.by_class[cls].append(values)
        ref = setting_ref(cls, values["InstanceID"])
        self.table.components.append({"GroupComponent": self.settings, "PartComponent": ref})
        return object_path(self.host, ref)

    def add(self, hw: Hardware) -> None:
        base = f"Microsoft:{self.guid}"
        controllers: dict[str, tuple[str, str]] = {}
        if self.generation == 1:
            for channel in (0, 1):
                iid = f"{base}\\{IDE_CONTROLLER}\\{channel}"
                values = _rasd(iid, "IDE Controller", 5, "Microsoft:Hyper-V:Emulated IDE Controller")
                values.update(ElementName=f"IDE Controller {channel}", Address=str(channel))
                controllers[f"ide:{channel}"] = (iid, self._add(RASD, values))
        scsi_iid = f"{base}\\{SCSI_CONTROLLER}\\0"
        controllers["scsi:0"] = (
            scsi_iid,
            self._add(
                RASD, _rasd(scsi_iid, "SCSI Controller", 6, "Microsoft:Hyper-V:Synthetic SCSI Controller")
            ),
        )
        drives: list[DiskSpec | DvdSpec] = [*(hw.disks or []), *(hw.dvds or [])]
        taken = {key: set[int]() for key in controllers}
        for spec in drives:
            if spec.slot is not None and spec.slot[0] in taken:
                taken[spec.slot[0]].add(spec.slot[1])

        def place(spec: DiskSpec | DvdSpec, prefer_ide: int | None) -> None:
            """Give a drive that has no place yet the first free one, kept from then on."""
            if spec.slot is not None and spec.slot[0] in controllers:
                return
            ide = f"ide:{prefer_ide}"
            key = ide if ide in taken and len(taken[ide]) < 2 else "scsi:0"
            location = next(n for n in range(len(taken[key]) + 1) if n not in taken[key])
            taken[key].add(location)
            spec.slot = (key, location)

        for n, disk in enumerate(hw.disks or []):
            place(disk, 0 if n < 2 else None)
        for dvd in hw.dvds or []:
            place(dvd, 1)
        for disk in hw.disks or []:
            assert disk.slot is not None
            self._drive(controllers[disk.slot[0]], disk.slot[1], disk.path or None, hard_disk=True)
            if not disk.path:
                continue
            self.table.files.setdefault(disk.path.lower(), Attached(disk)).users.append(self.guid)
            if disk.parent:
                parent = DiskSpec(disk.parent, disk.size_bytes, DYNAMIC, None, 0.09)
                self.table.files.setdefault(disk.parent.lower(), Attached(parent)).users.append(self.guid)
        for dvd in hw.dvds or []:
            assert dvd.slot is not None
            self._drive(controllers[dvd.slot[0]], dvd.slot[1], dvd.iso, hard_disk=False)
        for nic in hw.nics or []:
            self._nic(base, nic.guid, nic.mac, nic.static_mac, nic.switch)
        for n, connection in enumerate(hw.com_ports or []):
            values = _rasd(
                f"{base}\\{SERIAL_CONTROLLER}\\{n}", f"COM {n + 1}", 21, "Microsoft:Hyper-V:Serial Port"
            )
            values.update(
                Description="Settings for the Microsoft Serial Port.",
                Connection=[connection],
                DebuggerMode=False,
            )
            self._add(SERIAL, values)

    def _drive(
        self, controller: tuple[str, str], location: int, media: str | None, *, hard_disk: bool
    ) -> None:
        ctrl_iid, ctrl_path = controller
        iid = f"{ctrl_iid}\\{location}\\D"
        if hard_disk:
            values = _rasd(iid, "Hard Drive", 17, "Microsoft:Hyper-V:Synthetic Disk Drive")
        else:
            values = _rasd(iid, "DVD Drive", 16, "Microsoft:Hyper-V:Synthetic DVD Drive")
        values.update(Parent=ctrl_path, AddressOnParent=str(location))
        drive_path = self._add(RASD, values)
        if media is None:
            return
        caption = "Hard Disk Image" if hard_disk else "ISO Disk Image"
        subtype = (
            "Microsoft:Hyper-V:Virtual Hard Disk" if hard_disk else "Microsoft:Hyper-V:Virtual CD/DVD Disk"
        )
        values = _rasd(f"{ctrl_iid}\\{location}\\L", caption, 31, subtype)
        values.update(
            Description=f"Settings for the Microsoft {caption}.",
            HostResource=[media],
            Parent=drive_path,
            AllocationUnits="byte",
            VirtualQuantityUnits="count(fixed size block)",
            VirtualResourceBlockSize=512,
            HostResourceBlockSize=512,
            Access=3 if hard_disk else 1,
            CachingMode=2,
            SnapshotId="",
            IgnoreFlushes=False,
            WriteHardeningMethod=0,
            PersistentReservationsSupported=False,
            IOPSLimit=0,
            IOPSReservation=0,
            IOPSAllocationUnits="count per second",
        )
        self._add(SASD, values)

    def _nic(self, base: str, nic_guid: str, mac: str, static: bool, switch: str | None) -> None:
        iid = f"{base}\\{nic_guid}"
        values = _rasd(iid, "Virtual Ethernet Port", 10, "Microsoft:Hyper-V:Synthetic Ethernet Port")
        values.update(
            ElementName="Network Adapter",
            Description="Settings for the Microsoft Virtual Ethernet Port.",
            Address=mac,
            StaticMacAddress=static,
            VirtualSystemIdentifiers=["{" + nic_guid + "}"],
            DeviceNamingEnabled=False,
            AllowPacketDirect=False,
            ClusterMonitored=True,
        )
        nic_path = self._add(SEPSD, values)
        values = _rasd(
            f"{iid}\\C", "Ethernet Switch Port Settings", 33, "Microsoft:Hyper-V:Ethernet Connection"
        )
        values.update(
            ElementName="Dynamic Ethernet Switch Port",
            Description="Ethernet Switch Port Settings",
            Parent=nic_path,
            HostResource=[self.switches[switch]] if switch else None,
            EnabledState=2 if switch else 3,
            LastKnownSwitchName=switch or "",
            AllocationUnits=None,
            VirtualQuantity=None,
            Reservation=None,
            Limit=None,
        )
        self._add(EPASD, values)


def _provider(cls: str) -> Any:
    def provide(m: HostModel) -> Iterator[dict[str, Any]]:
        yield from device_table(m).by_class[cls]
        if cls == EPASD:
            yield from switch_port_allocations(m)

    return provide


PROVIDERS = {cls: _provider(cls) for cls in (RASD, SASD, SEPSD, EPASD, SERIAL)}


def settings_components(m: HostModel) -> Iterator[dict[str, Any]]:
    """Msvm_VirtualSystemSettingDataComponent instances that join each VM's settings to its devices."""
    yield from device_table(m).components
