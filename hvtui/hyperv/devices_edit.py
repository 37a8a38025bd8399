"""A VM's media, disks and network adapters changed: insert or eject an ISO, add or remove a disk,
add, remove, connect or disconnect a NIC.

Each works as Hyper-V Manager (and libvirt's attach-disk) does it over WMI: a drive is added to a
controller, then its medium to the drive; a NIC is added, then its connection to a switch. The
VM's devices are read first (one query per settings class, limited to the VM by InstanceID), so
that a drive goes to a free place and a target names what is there. A change of two requests
whose second fails takes the first back, and says so.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from hvtui.hyperv.device_layout import (
    DISK_DRIVE,
    DVD_DRIVE,
    EPASD,
    RASD,
    SASD,
    SEPSD,
    DriveSlot,
    Layout,
    read_layout,
)
from hvtui.hyperv.errors import ActionFailed, ActionRefused, HyperVError
from hvtui.hyperv.models import VM
from hvtui.hyperv.session import Session
from hvtui.hyperv.states import VMState
from hvtui.hyperv.vsms import delete_file, embedded, object_path, send, setting_ref

_SUBTYPES = {
    DISK_DRIVE: "Microsoft:Hyper-V:Synthetic Disk Drive",
    DVD_DRIVE: "Microsoft:Hyper-V:Synthetic DVD Drive",
}
_MEDIA = {
    DISK_DRIVE: "Microsoft:Hyper-V:Virtual Hard Disk",
    DVD_DRIVE: "Microsoft:Hyper-V:Virtual CD/DVD Disk",
}
_RASD_TYPES = {"ResourceType": "uint16", "ResourceSubType": "string", "Parent": "string"}
GIB = 1 << 30


class DeviceEditor:
    """Changes to one VM's devices on one host; ``host_name`` goes into the object paths."""

    def __init__(self, session: Session, host_name: str, vm: VM) -> None:
        self.session = session
        self.host_name = host_name
        self.vm = vm

    def _path(self, class_name: str, instance_id: str) -> str:
        return object_path(self.host_name, class_name, instance_id)

    def _switch_path(self, guid: str) -> str:
        return (
            f"\\\\{self.host_name}\\root\\virtualization\\v2:Msvm_VirtualEthernetSwitch."
            f'CreationClassName="Msvm_VirtualEthernetSwitch",Name="{guid}"'
        )

    async def layout(self) -> Layout:
        return await read_layout(self.session, self.vm.guid)

    async def _add(self, class_name: str, values: dict[str, object], types: dict[str, str], what: str) -> str:
        """AddResourceSettings of one setting; the InstanceID of what it made."""
        instance = embedded(class_name, values, types)
        refs = await send(
            self.session,
            "AddResourceSettings",
            [
                (
                    "AffectedConfiguration",
                    setting_ref("Msvm_VirtualSystemSettingData", f"Microsoft:{self.vm.guid}"),
                ),
                ("ResourceSettings", [instance]),
            ],
            what,
        )
        made = refs.get("ResultingResourceSettings") or [{}]
        iid = next((v for k, v in made[0].items() if k.lower() == "instanceid"), None)
        if iid is None:
            raise ActionFailed(f"{what}: the host did not say what it added")
        return iid

    async def _remove(self, class_name: str, instance_id: str, what: str) -> None:
        await send(
            self.session,
            "RemoveResourceSettings",
            [("ResourceSettings", [setting_ref(class_name, instance_id)])],
            what,
        )

    async def add_drive(self, layout: Layout, device: str, *, ide: bool) -> tuple[str, str]:
        """A new empty drive in the first free place: its InstanceID and libvirt target."""
        place = layout.free_place(self.vm.generation or 2, ide=ide) or layout.free_place(2, ide=False)
        if place is None:
            raise ActionRefused(f"{self.vm.name} has no free place for another drive")
        controller, unit = place
        kind = DISK_DRIVE if device == "disk" else DVD_DRIVE
        iid = await self._add(
            RASD,
            {
                "ResourceType": kind,
                "ResourceSubType": _SUBTYPES[kind],
                "Parent": self._path(RASD, controller.instance_id),
                "AddressOnParent": str(unit),
            },
            {**_RASD_TYPES, "AddressOnParent": "string"},
            f"adding a {'hard' if kind == DISK_DRIVE else 'DVD'} drive to {self.vm.name}",
        )
        return iid, DriveSlot(iid, device, controller, unit, None, None).target

    async def put_media(self, drive_id: str, device: str, path: str) -> None:
        kind = DISK_DRIVE if device == "disk" else DVD_DRIVE
        await self._add(
            SASD,
            {
                "ResourceType": 31,
                "ResourceSubType": _MEDIA[kind],
                "Parent": self._path(RASD, drive_id),
                "HostResource": [path],
            },
            {**_RASD_TYPES, "HostResource": "string[]"},
            f"putting {path} into {self.vm.name}",
        )

    # --- media -------------------------------------------------------------------------------

    async def insert(self, iso: str) -> str:
        layout = await self.layout()
        dvds = [d for d in layout.drives if d.device == "cdrom"]
        empty = next((d for d in dvds if d.media_id is None), None)
        if empty is None and dvds and dvds[0].media_id:
            values = {"InstanceID": dvds[0].media_id, "HostResource": [iso]}
            await send(
                self.session,
                "ModifyResourceSettings",
                [
                    (
                        "ResourceSettings",
                        [embedded(SASD, values, {"InstanceID": "string", "HostResource": "string[]"})],
                    )
                ],
                f"changing the disc in {self.vm.name}",
            )
            return f"{self.vm.name}: {iso} inserted in {dvds[0].target} (it replaced {dvds[0].path})"
        if empty is None:
            drive_id, target = await self.add_drive(layout, "cdrom", ide=True)
            try:
                await self.put_media(drive_id, "cdrom", iso)
            except HyperVError as exc:
                raise await self._undo(
                    exc,
                    lambda: self._remove(RASD, drive_id, "removing the new DVD drive"),
                    "the new DVD drive was removed again",
                ) from None
            return f"{self.vm.name}: {iso} inserted in a new DVD drive ({target})"
        await self.put_media(empty.instance_id, "cdrom", iso)
        return f"{self.vm.name}: {iso} inserted in {empty.target}"

    async def eject(self) -> str:
        layout = await self.layout()
        loaded = [d for d in layout.drives if d.device == "cdrom" and d.media_id]
        if not loaded:
            raise ActionRefused(f"{self.vm.name} has no disc to eject")
        for drive in loaded:
            assert drive.media_id is not None
            await self._remove(SASD, drive.media_id, f"ejecting {drive.path} from {self.vm.name}")
        return f"{self.vm.name}: ejected " + ", ".join(f"{d.path} ({d.target})" for d in loaded)

    async def _undo(
        self, error: HyperVError, undo: Callable[[], Awaitable[None]], undone: str
    ) -> HyperVError:
        """The error of a failed step, saying whether what came before it was taken back."""
        try:
            await undo()
        except HyperVError as again:
            return ActionFailed(
                f"{error}; undoing what came before also failed ({again}): check {self.vm.name}"
            )
        return type(error)(f"{error}; {undone}")

    # --- disks -------------------------------------------------------------------------------

    async def add_disk(
        self, *, size_gib: int | None = None, path: str | None = None, folder: str = ""
    ) -> str:
        """A new dynamic VHDX of ``size_gib`` in ``folder``, or an existing file, on a new drive."""
        layout = await self.layout()
        created = None
        if size_gib is not None:
            taken = {(d.path or "").lower() for d in layout.drives}
            n = 1 + sum(1 for d in layout.drives if d.device == "disk")
            path = f"{folder.rstrip(chr(92))}\\{self.vm.name}-disk{n}.vhdx"
            while path.lower() in taken:
                n += 1
                path = f"{folder.rstrip(chr(92))}\\{self.vm.name}-disk{n}.vhdx"
            await create_vhd(self.session, path, size_gib)
            created = path
        assert path is not None
        try:
            drive_id, target = await self.add_drive(layout, "disk", ide=self.vm.state is VMState.OFF)
        except HyperVError as exc:
            if created is None:
                raise
            raise await self._undo(
                exc,
                lambda: delete_file(self.session, path, "deleting the new disk file"),
                f"the new file {created} was deleted",
            ) from None
        try:
            await self.put_media(drive_id, "disk", path)
        except HyperVError as exc:

            async def undo() -> None:
                await self._remove(RASD, drive_id, "removing the new drive")
                if created is not None:
                    await delete_file(self.session, created, "deleting the new disk file")

            undone = "the new drive and its file were" if created else "the new drive was"
            raise await self._undo(exc, undo, f"{undone} removed again") from None
        return f"{self.vm.name}: {path} attached as {target}" + (f" (new, {size_gib} GiB)" if created else "")

    async def remove_disk(self, target: str) -> str:
        layout = await self.layout()
        drive = next(
            (
                d
                for d in layout.drives
                if target in (d.target, d.path) or (d.path or "").lower() == target.lower()
            ),
            None,
        )
        if drive is None:
            names = ", ".join(f"{d.target} ({d.path or 'empty'})" for d in layout.drives) or "none"
            raise ActionRefused(f"{self.vm.name} has no drive {target!r} (its drives: {names})")
        await self._remove(RASD, drive.instance_id, f"removing {drive.target} from {self.vm.name}")
        kept = f"; the file {drive.path} stays on the host" if drive.device == "disk" and drive.path else ""
        return f"{self.vm.name}: {drive.target} removed{kept}"

    # --- network adapters ----------------------------------------------------------------------

    async def add_nic(self, switch: str | None = None, mac: str | None = None) -> str:
        layout = await self.layout()
        guid = layout.switch_guid(switch) if switch else None
        values: dict[str, object] = {
            "ResourceType": 10,
            "ResourceSubType": "Microsoft:Hyper-V:Synthetic Ethernet Port",
            "ElementName": "Network Adapter",
            "VirtualSystemIdentifiers": ["{" + str(uuid.uuid4()).upper() + "}"],
            "StaticMacAddress": mac is not None,
        }
        types = {
            "ResourceType": "uint16",
            "ResourceSubType": "string",
            "ElementName": "string",
            "VirtualSystemIdentifiers": "string[]",
            "StaticMacAddress": "boolean",
        }
        if mac is not None:
            values["Address"] = re.sub(r"[^0-9A-Fa-f]", "", mac).upper()
            types["Address"] = "string"
        nic_id = await self._add(SEPSD, values, types, f"adding a network adapter to {self.vm.name}")
        if guid is None:
            return f"{self.vm.name}: network adapter added, not connected"
        try:
            await self._connect_new(nic_id, guid, switch or "")
        except HyperVError as exc:
            raise await self._undo(
                exc,
                lambda: self._remove(SEPSD, nic_id, "removing the new adapter"),
                "the new adapter was removed again",
            ) from None
        return f"{self.vm.name}: network adapter added, connected to {switch}"

    async def _connect_new(self, nic_id: str, switch_guid: str, switch: str) -> None:
        await self._add(
            EPASD,
            {
                "ResourceType": 33,
                "ResourceSubType": "Microsoft:Hyper-V:Ethernet Connection",
                "Parent": self._path(SEPSD, nic_id),
                "HostResource": [self._switch_path(switch_guid)],
            },
            {**_RASD_TYPES, "HostResource": "string[]"},
            f"connecting {self.vm.name}'s adapter to {switch}",
        )

    async def remove_nic(self, mac: str) -> str:
        nic = (await self.layout()).nic(mac)
        await self._remove(SEPSD, nic.instance_id, f"removing {self.vm.name}'s adapter {nic.mac}")
        return f"{self.vm.name}: network adapter {nic.mac} removed"

    async def connect_nic(self, mac: str, switch: str) -> str:
        layout = await self.layout()
        nic, guid = layout.nic(mac), layout.switch_guid(switch)
        if nic.port_id is None:
            await self._connect_new(nic.instance_id, guid, switch)
        else:
            values = {"InstanceID": nic.port_id, "HostResource": [self._switch_path(guid)], "EnabledState": 2}
            types = {"InstanceID": "string", "HostResource": "string[]", "EnabledState": "uint16"}
            await send(
                self.session,
                "ModifyResourceSettings",
                [("ResourceSettings", [embedded(EPASD, values, types)])],
                f"connecting {self.vm.name}'s adapter {nic.mac} to {switch}",
            )
        return f"{self.vm.name}: network adapter {nic.mac} connected to {switch}"

    async def disconnect_nic(self, mac: str) -> str:
        nic = (await self.layout()).nic(mac)
        if nic.port_id is None or nic.switch is None:
            raise ActionRefused(f"{self.vm.name}'s adapter {nic.mac} is not connected")
        await self._remove(EPASD, nic.port_id, f"disconnecting {self.vm.name}'s adapter {nic.mac}")
        return f"{self.vm.name}: network adapter {nic.mac} disconnected from {nic.switch}"


async def create_vhd(session: Session, path: str, size_gib: int) -> None:
    """CreateVirtualHardDisk: a dynamic VHDX (or VHD, by the extension) of ``size_gib``."""
    if size_gib < 1:
        raise ActionRefused(f"{size_gib} GiB is too small for a disk (1 GiB at least)")
    values = {
        "Path": path,
        "Type": 3,
        "Format": 2 if path.lower().endswith(".vhd") else 3,
        "MaxInternalSize": size_gib * GIB,
    }
    types = {"Path": "string", "Type": "uint16", "Format": "uint16", "MaxInternalSize": "uint64"}
    await send(
        session,
        "CreateVirtualHardDisk",
        [("VirtualDiskSettingData", embedded("Msvm_VirtualHardDiskSettingData", values, types))],
        f"creating the disk {path}",
        image=True,
    )
