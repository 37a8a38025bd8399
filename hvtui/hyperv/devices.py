"""One VM in full: its controllers, drives and disk files, NICs, COM ports and guest.

Read as libvirt's Hyper-V driver reads them for ``dumpxml``, in a fixed number of round trips:
one property-list enumeration per settings class, each limited to the VM's own settings by
their InstanceID prefix (``Microsoft:<VM GUID>``), the VM's guest network configurations and
KVP component, and the host's switches. Then two Invokes per disk file
(GetVirtualHardDiskSettingData and GetVirtualHardDiskState: type, parent, sizes): the only part
that grows with the VM, and only with its disks.

A drive hangs off its controller and a medium off its drive by ``Parent`` (the other one's
``__PATH``); libvirt names a drive from its controller's position and its own (``hda``, ``sdb``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hvtui.hyperv import queries
from hvtui.hyperv.guest import GuestFacts, GuestNetwork, facts_of, guest_reports
from hvtui.hyperv.lenient import as_guid, as_int, as_text
from hvtui.hyperv.models import Switch
from hvtui.hyperv.session import Props, Session
from hvtui.hyperv.switches import build_switches, path_keys, switch_of

IDE_CONTROLLER, SCSI_CONTROLLER, DVD_DRIVE, DISK_DRIVE, SERIAL_PORT = 5, 6, 16, 17, 21
_DVD_MEDIA = "Microsoft:Hyper-V:Virtual CD/DVD Disk"
_DISK_TYPES = {2: "fixed", 3: "dynamic", 4: "differencing"}
_DISK_FORMATS = {2: "VHD", 3: "VHDX", 4: "VHD Set"}


@dataclass(frozen=True, slots=True)
class Controller:
    """A storage controller: Hyper-V's two IDE channels are two of them, libvirt's one IDE controller."""

    bus: str  # "ide" or "scsi"
    index: int  # IDE channel (its Address), or the SCSI controller's place among the VM's


@dataclass(frozen=True, slots=True)
class DiskFile:
    """What the image management service says of a virtual hard disk file."""

    kind: str | None = None  # fixed, dynamic or differencing
    format: str | None = None  # VHD or VHDX
    size_bytes: int | None = None  # the size the guest sees
    file_bytes: int | None = None  # the file's size on the host
    parent: str | None = None  # a differencing disk's parent file


@dataclass(frozen=True, slots=True)
class Drive:
    """A hard disk or DVD drive, where it sits and what is in it."""

    device: str  # "disk" or "cdrom"
    bus: str  # "ide" or "scsi"
    controller: int  # Controller.index
    unit: int  # AddressOnParent
    target: str  # libvirt's name: hda, hdc, sda …
    path: str | None  # the VHD(X) or ISO; None: an empty DVD drive
    file: DiskFile | None = None


@dataclass(frozen=True, slots=True)
class Nic:
    name: str
    mac: str  # aa:bb:cc:dd:ee:ff
    static_mac: bool | None
    switch: str | None  # the switch's name; None when disconnected
    switch_guid: str | None
    guest: GuestNetwork | None = None  # what the guest reports of it (running with integration services)

    @property
    def connected(self) -> bool:
        return self.switch_guid is not None

    @property
    def ips(self) -> tuple[str, ...]:
        return self.guest.ips if self.guest else ()


@dataclass(frozen=True, slots=True)
class SerialPort:
    port: int  # 1 for COM 1
    connection: str  # the named pipe, "" when not connected


@dataclass(frozen=True, slots=True)
class VMDetails:
    """Everything inside one VM, as one read saw it."""

    guid: str
    controllers: tuple[Controller, ...] = ()
    drives: tuple[Drive, ...] = ()
    nics: tuple[Nic, ...] = ()
    serial_ports: tuple[SerialPort, ...] = ()
    guest: GuestFacts | None = None  # None: the guest does not report (off, or no integration services)

    @property
    def disks(self) -> tuple[Drive, ...]:
        return tuple(d for d in self.drives if d.device == "disk")

    @property
    def dvds(self) -> tuple[Drive, ...]:
        return tuple(d for d in self.drives if d.device == "cdrom")

    @property
    def ips(self) -> tuple[str, ...]:
        return tuple(ip for nic in self.nics for ip in nic.ips)


async def read_details(session: Session, guid: str, *, disk_files: bool = True) -> VMDetails:
    """One VM's devices and guest; ``disk_files`` False leaves out the per-disk Invokes."""
    found = {cls: await session.query(queries.devices_of(cls, guid)) for cls in queries.DEVICE_CLASSES}
    networks = await session.query(queries.guest_networks_of(guid))
    kvps = await session.query(queries.kvp_of(guid))
    rows = await session.query(queries.SWITCHES)
    switches = build_switches(rows, [], [])
    report = guest_reports(facts_of(kvps), networks).get(guid)
    controllers, drives = _storage(
        found["Msvm_ResourceAllocationSettingData"], found["Msvm_StorageAllocationSettingData"]
    )
    if disk_files:
        drives = [await _with_file(session, d) if d.device == "disk" and d.path else d for d in drives]
    return VMDetails(
        guid=guid,
        controllers=tuple(controllers),
        drives=tuple(drives),
        nics=_nics(
            found["Msvm_SyntheticEthernetPortSettingData"],
            found["Msvm_EthernetPortAllocationSettingData"],
            switches,
            report.networks if report else (),
        ),
        serial_ports=_serial_ports(found["Msvm_SerialPortSettingData"]),
        guest=report.facts if report else None,
    )


async def _with_file(session: Session, drive: Drive) -> Drive:
    assert drive.path is not None
    settings = await session.disk_image("GetVirtualHardDiskSettingData", drive.path)
    state = await session.disk_image("GetVirtualHardDiskState", drive.path)
    if settings is None and state is None:
        return drive
    settings = settings or {}
    return Drive(
        drive.device,
        drive.bus,
        drive.controller,
        drive.unit,
        drive.target,
        drive.path,
        DiskFile(
            kind=_DISK_TYPES.get(as_int(settings.get("Type")) or 0),
            format=_DISK_FORMATS.get(as_int(settings.get("Format")) or 0),
            size_bytes=as_int(settings.get("MaxInternalSize")),
            file_bytes=as_int((state or {}).get("FileSize")),
            parent=as_text(settings.get("ParentPath")) or None,
        ),
    )


def _storage(rasds: Sequence[Props], media: Sequence[Props]) -> tuple[list[Controller], list[Drive]]:
    """Controllers, then drives in libvirt's order: its passes over the media, in the host's order."""
    by_id = {as_text(r.get("InstanceID")): r for r in rasds}
    places: dict[str, Controller] = {}
    scsi = 0
    for iid, r in by_id.items():
        kind = as_int(r.get("ResourceType"))
        if kind == IDE_CONTROLLER:
            places[iid] = Controller("ide", as_int(r.get("Address")) or 0)
        elif kind == SCSI_CONTROLLER:
            places[iid] = Controller("scsi", scsi)
            scsi += 1
    filled: set[str] = set()
    drives: list[Drive] = []
    for medium in media:
        drive_id = _parent_id(medium)
        drive = by_id.get(drive_id)
        if drive is None:
            continue
        placed = _placed(drive, places)
        if placed is None:
            continue
        resources = medium.get("HostResource") or []
        device = "cdrom" if as_text(medium.get("ResourceSubType")) == _DVD_MEDIA else "disk"
        drives.append(_drive(device, placed, drive, as_text(resources[0]) if resources else None))
        filled.add(drive_id)
    for iid, drive in by_id.items():  # an empty DVD drive has no medium
        if as_int(drive.get("ResourceType")) == DVD_DRIVE and iid not in filled:
            placed = _placed(drive, places)
            if placed is not None:
                drives.append(_drive("cdrom", placed, drive, None))
    controllers = sorted(places.values(), key=lambda c: (c.bus, c.index))
    return controllers, drives


def _placed(drive: Props, places: Mapping[str, Controller]) -> Controller | None:
    return places.get(_parent_id(drive))


def _drive(device: str, controller: Controller, drive: Props, path: str | None) -> Drive:
    unit = as_int(drive.get("AddressOnParent")) or 0
    if controller.bus == "ide":
        target = disk_name(controller.index * 2 + unit, "hd")
    else:
        target = disk_name(controller.index * 64 + unit, "sd")
    return Drive(device, controller.bus, controller.index, unit, target, path or None)


def disk_name(index: int, prefix: str) -> str:
    """libvirt's virIndexToDiskName: 0 -> hda, 25 -> hdz, 26 -> hdaa."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return prefix + letters


def _parent_id(props: Props) -> str:
    return path_keys(as_text(props.get("Parent"))).get("InstanceID", "")


def _nics(
    ports: Sequence[Props],
    connections: Sequence[Props],
    switches: Sequence[Switch],
    networks: Sequence[GuestNetwork],
) -> tuple[Nic, ...]:
    by_guid = {s.guid: s for s in switches}
    reaching: dict[str, Props] = {_parent_id(c): c for c in connections if as_text(c.get("Parent"))}
    guest = {n.nic_guid: n for n in networks}
    nics = []
    for port in ports:
        iid = as_text(port.get("InstanceID"))
        connection = reaching.get(iid)
        target = switch_of(connection) if connection is not None else None
        switch = by_guid.get(target) if target else None
        static = port.get("StaticMacAddress")
        nics.append(
            Nic(
                name=as_text(port.get("ElementName")) or "Network Adapter",
                mac=format_mac(as_text(port.get("Address"))),
                static_mac=static if isinstance(static, bool) else None,
                switch=(switch.name if switch else target) if target else None,
                switch_guid=target,
                guest=guest.get(as_guid(iid.rsplit("\\", 1)[-1]) or ""),
            )
        )
    return tuple(nics)


def format_mac(address: str) -> str:
    """Hyper-V's ``00155D0A0B0C`` as libvirt writes it: ``00:15:5d:0a:0b:0c``."""
    text = address.replace(":", "").replace("-", "").lower()
    if len(text) != 12:
        return address
    return ":".join(text[i : i + 2] for i in range(0, 12, 2))


def _serial_ports(rows: Sequence[Props]) -> tuple[SerialPort, ...]:
    """COM ports by the digit in their ElementName ("COM 1"), as libvirt numbers them."""
    ports = []
    for row in rows:
        name = as_text(row.get("ElementName"))
        digit = name[4:5] if name.upper().startswith("COM ") else ""
        if not digit.isdigit() or int(digit) < 1:
            continue
        connection = [as_text(c) for c in (row.get("Connection") or [])]
        ports.append(SerialPort(int(digit), connection[0] if connection else ""))
    return tuple(sorted(ports, key=lambda p: p.port))
