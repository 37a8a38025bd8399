"""Where a VM's drives and NICs sit: its controllers, the drives on them and what is in each,
its network adapters and the switches they connect to, read in a fixed number of round trips
(one property-list query per settings class, limited to the VM by its InstanceID prefix).

A drive hangs off its controller and a medium off its drive by ``Parent``, the other's object
path; libvirt names a drive from its controller's position and its own (``hda``, ``sdb``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hvtui.hyperv import queries
from hvtui.hyperv.errors import ActionRefused
from hvtui.hyperv.lenient import as_int, as_text
from hvtui.hyperv.session import Props, Session

IDE_CONTROLLER, SCSI_CONTROLLER, DVD_DRIVE, DISK_DRIVE = 5, 6, 16, 17
RASD, SASD = "Msvm_ResourceAllocationSettingData", "Msvm_StorageAllocationSettingData"
SEPSD, EPASD = "Msvm_SyntheticEthernetPortSettingData", "Msvm_EthernetPortAllocationSettingData"
_IID_IN_PATH = re.compile(r'InstanceID="((?:[^"\\]|\\.)*)"', re.IGNORECASE)


def parent_iid(path: str | None) -> str | None:
    """The InstanceID inside an object path (what Parent holds), unescaped."""
    found = _IID_IN_PATH.search(path or "")
    return re.sub(r"\\(.)", r"\1", found.group(1)) if found else None


@dataclass(frozen=True, slots=True)
class Controller:
    instance_id: str
    bus: str  # ide or scsi
    index: int  # the IDE channel, or the SCSI controller's place


@dataclass(frozen=True, slots=True)
class DriveSlot:
    instance_id: str
    device: str  # disk or cdrom
    controller: Controller
    unit: int
    media_id: str | None  # the medium's InstanceID; None: an empty drive
    path: str | None

    @property
    def target(self) -> str:
        """libvirt's name for it: hda..hdd on the IDE channels, sda.. on SCSI."""
        if self.controller.bus == "ide":
            return "hd" + chr(ord("a") + self.controller.index * 2 + self.unit)
        return (
            "sd" + chr(ord("a") + self.controller.index * 64 + self.unit)
            if self.unit < 26
            else f"sd{self.unit}"
        )


@dataclass(frozen=True, slots=True)
class NicSlot:
    instance_id: str
    mac: str  # twelve hex digits, as Hyper-V writes it
    port_id: str | None  # its connection's InstanceID; None when it never had one
    switch: str | None  # the switch's name while connected


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a VM's drives and NICs are, as one read saw them."""

    controllers: tuple[Controller, ...]
    drives: tuple[DriveSlot, ...]
    nics: tuple[NicSlot, ...]
    switches: dict[str, str]  # name -> GUID

    def free_place(self, generation: int, *, ide: bool) -> tuple[Controller, int] | None:
        """The first free place on IDE (generation 1, when ``ide``) or on the SCSI controller."""
        for controller in self.controllers:
            if (controller.bus == "ide") != (ide and generation == 1):
                continue
            used = {d.unit for d in self.drives if d.controller == controller}
            free = [n for n in range(2 if controller.bus == "ide" else 64) if n not in used]
            if free:
                return controller, free[0]
        return None

    def switch_guid(self, name: str) -> str:
        for switch_name, guid in self.switches.items():
            if name in (switch_name, guid) or name.upper() == guid.upper():
                return guid
        known = ", ".join(sorted(self.switches)) or "none"
        raise ActionRefused(f"no switch named {name!r} on this host (its switches: {known})")

    def nic(self, mac: str) -> NicSlot:
        wanted = re.sub(r"[^0-9A-Fa-f]", "", mac).upper()
        for nic in self.nics:
            if nic.mac.upper() == wanted:
                return nic
        raise ActionRefused(f"no network adapter with MAC {mac}")


async def read_layout(session: Session, guid: str) -> Layout:
    rasds = await session.query(queries.devices_of(RASD, guid))
    media = await session.query(queries.devices_of(SASD, guid))
    nics = await session.query(queries.devices_of(SEPSD, guid))
    ports = await session.query(queries.devices_of(EPASD, guid))
    switches = await session.query(queries.SWITCHES)
    names = {as_text(s.get("Name")) or "": as_text(s.get("ElementName")) or "" for s in switches}
    controllers: dict[str, Controller] = {}
    scsi = 0
    for row in rasds:
        kind, iid = as_int(row.get("ResourceType")), as_text(row.get("InstanceID")) or ""
        if kind == IDE_CONTROLLER:
            controllers[iid] = Controller(iid, "ide", as_int(row.get("Address")) or 0)
        elif kind == SCSI_CONTROLLER:
            controllers[iid] = Controller(iid, "scsi", scsi)
            scsi += 1
    by_parent: dict[str, Props] = {parent_iid(as_text(m.get("Parent"))) or "": m for m in media}
    drives = []
    for row in rasds:
        kind, iid = as_int(row.get("ResourceType")), as_text(row.get("InstanceID")) or ""
        controller = controllers.get(parent_iid(as_text(row.get("Parent"))) or "")
        if kind not in (DISK_DRIVE, DVD_DRIVE) or controller is None:
            continue
        medium = by_parent.get(iid)
        resource = medium.get("HostResource") if medium else None
        drives.append(
            DriveSlot(
                iid,
                "disk" if kind == DISK_DRIVE else "cdrom",
                controller,
                as_int(row.get("AddressOnParent")) or 0,
                as_text(medium.get("InstanceID")) if medium else None,
                as_text(resource[0]) if isinstance(resource, list) and resource else None,
            )
        )
    port_of = {parent_iid(as_text(p.get("Parent"))) or "": p for p in ports}
    nic_slots = []
    for row in nics:
        iid = as_text(row.get("InstanceID")) or ""
        port = port_of.get(iid)
        host_resource = port.get("HostResource") if port else None
        switch = None
        if (
            isinstance(host_resource, list)
            and host_resource
            and as_int(port.get("EnabledState") if port else 2) != 3
        ):
            found = re.search(r'[.,]Name="([^"]*)"', str(host_resource[0]))
            switch = names.get(found.group(1), found.group(1)) if found else None
        nic_slots.append(
            NicSlot(
                iid,
                as_text(row.get("Address")) or "",
                as_text(port.get("InstanceID")) if port else None,
                switch,
            )
        )
    by_name = {name: guid for guid, name in names.items()}
    return Layout(tuple(controllers.values()), tuple(drives), tuple(nic_slots), by_name)
