"""How the inside of a VM reads: its Devices, Network and Guest sections, its interfaces'
addresses as ``virsh domifaddr`` lists them, the host's switches, and their JSON records.

``hvtui vm``, ``hvtui domifaddr``, ``hvtui net-list``, the TUI's VM screen and its host detail
all word these here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from hvtui.hyperv.devices import Drive, Nic, VMDetails
from hvtui.hyperv.models import Switch
from hvtui.present.formats import DASH

Pair = tuple[str, str]
Section = tuple[str, list[Pair]]

NOT_REPORTING = "not reporting (the VM is off, or its guest has no integration services)"


def size(value: int | None) -> str:
    """Bytes as people read disk sizes: ``40 GiB``, ``1.3 GiB``, ``512 MiB``."""
    if value is None:
        return DASH
    for unit, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= scale:
            amount = value / scale
            return f"{amount:.0f} {unit}" if amount >= 100 or amount.is_integer() else f"{amount:.1f} {unit}"
    return f"{value} B"


def _place(drive: Drive) -> str:
    """``hda (IDE 0:0)``: libvirt's name and where Hyper-V shows the drive."""
    return f"{drive.target} ({drive.bus.upper()} {drive.controller}:{drive.unit})"


def drive_text(drive: Drive) -> str:
    if drive.device == "cdrom":
        return f"DVD {drive.path}" if drive.path else "DVD drive, empty"
    text = drive.path or DASH
    disk = drive.file
    if disk is None:
        return text
    facts = [" ".join(filter(None, (disk.kind, disk.format)))]
    facts.append(f"{size(disk.size_bytes)}, file {size(disk.file_bytes)}")
    if disk.parent:
        facts.append(f"parent {disk.parent}")
    return f"{text} ({'; '.join(f for f in facts if f)})"


def nic_text(nic: Nic) -> str:
    where = f"on {nic.switch}" if nic.connected else "not connected"
    addresses = nic.guest.addresses if nic.guest else ()
    return f"{nic.mac} {where}" + (f": {', '.join(addresses)}" if addresses else "")


def nic_names(nics: Sequence[Nic]) -> list[str]:
    """Each NIC's name, numbered where several share one ("Network Adapter 2")."""
    seen: dict[str, int] = {}
    totals: dict[str, int] = {}
    for nic in nics:
        totals[nic.name] = totals.get(nic.name, 0) + 1
    names = []
    for nic in nics:
        seen[nic.name] = seen.get(nic.name, 0) + 1
        names.append(f"{nic.name} {seen[nic.name]}" if totals[nic.name] > 1 else nic.name)
    return names


def devices_rows(details: VMDetails) -> list[Pair]:
    controllers = ", ".join(f"{c.bus.upper()} {c.index}" for c in details.controllers) or DASH
    rows: list[Pair] = [("Controllers", controllers)]
    rows += [(_place(d), drive_text(d)) for d in details.drives]
    rows += [(f"COM {p.port}", p.connection or "not connected") for p in details.serial_ports]
    return rows


def network_rows(details: VMDetails) -> list[Pair]:
    if not details.nics:
        return [("Adapters", "none")]
    return [(name, nic_text(nic)) for name, nic in zip(nic_names(details.nics), details.nics, strict=True)]


def guest_rows(details: VMDetails) -> list[Pair]:
    guest = details.guest
    if guest is None:
        return [("Status", NOT_REPORTING)]
    os_text = guest.os_name or DASH
    if guest.os_version:
        os_text += f" ({guest.os_version}" + (f", {guest.architecture})" if guest.architecture else ")")
    return [
        ("FQDN", guest.fqdn or DASH),
        ("OS", os_text),
        ("Integration services", guest.services_version or DASH),
        ("IP addresses", ", ".join(details.ips) or DASH),
    ]


def vm_sections(details: VMDetails) -> list[Section]:
    """The three sections below a VM's facts, in ``hvtui vm`` and on the TUI's VM screen."""
    return [
        ("Devices", devices_rows(details)),
        ("Network", network_rows(details)),
        ("Guest", guest_rows(details)),
    ]


def details_record(details: VMDetails, guest_os: str | None = None) -> dict[str, Any]:
    """The fields ``hvtui vm --json`` adds to a VM's record (``guest_os``: the summary's, if any)."""
    guest = details.guest
    return {
        "controllers": [{"bus": c.bus, "index": c.index} for c in details.controllers],
        "disks": [
            {
                "target": d.target,
                "bus": d.bus,
                "controller": d.controller,
                "unit": d.unit,
                "path": d.path,
                "type": d.file.kind if d.file else None,
                "format": d.file.format if d.file else None,
                "size_bytes": d.file.size_bytes if d.file else None,
                "file_bytes": d.file.file_bytes if d.file else None,
                "parent": d.file.parent if d.file else None,
            }
            for d in details.disks
        ],
        "dvds": [{"target": d.target, "bus": d.bus, "iso": d.path} for d in details.dvds],
        "nics": [
            {
                "name": name,
                "mac": nic.mac,
                "static_mac": nic.static_mac,
                "switch": nic.switch,
                "connected": nic.connected,
                "ips": list(nic.ips),
                "addresses": list(nic.guest.addresses) if nic.guest else [],
            }
            for name, nic in zip(nic_names(details.nics), details.nics, strict=True)
        ],
        "serial_ports": [{"port": p.port, "connection": p.connection or None} for p in details.serial_ports],
        "fqdn": guest.fqdn if guest else None,
        "guest_os": (guest.os_name if guest else None) or guest_os,
        "guest_os_version": guest.os_version if guest else None,
        "integration_services": guest.services_version if guest else None,
    }


def interface_rows(details: VMDetails) -> list[tuple[str, str, str, str]]:
    """``virsh domifaddr``'s rows: name, MAC, protocol, address/prefix; name and MAC only on an
    interface's first row ("-" after), as virsh prints them."""
    rows = []
    for name, nic in zip(nic_names(details.nics), details.nics, strict=True):
        for index, address in enumerate(nic.guest.addresses if nic.guest else ()):
            first = index == 0
            rows.append((name if first else "-", nic.mac if first else "-", protocol(address), address))
    return rows


def interface_records(details: VMDetails) -> list[dict[str, Any]]:
    """Each interface with its addresses, shaped as libvirt's ``interfaceAddresses`` (name,
    hwaddr, addrs of type/addr/prefix), plus the switch it is on."""
    records = []
    for name, nic in zip(nic_names(details.nics), details.nics, strict=True):
        addrs = []
        for address in nic.guest.addresses if nic.guest else ():
            addr, _, prefix = address.partition("/")
            addrs.append({"type": protocol(address), "addr": addr, "prefix": int(prefix) if prefix else None})
        records.append({"name": name, "hwaddr": nic.mac, "switch": nic.switch, "addrs": addrs})
    return records


def protocol(address: str) -> str:
    try:
        return f"ipv{ipaddress.ip_interface(address).version}"
    except ValueError:
        return "?"


def switch_rows(switches: Sequence[Switch]) -> list[tuple[str, str, str, str]]:
    """``hvtui net-list``'s rows: name, type, GUID, VMs connected."""
    return [(s.name, s.kind, s.guid, str(len(s.vms))) for s in switches]


def switch_records(switches: Sequence[Switch], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """``hvtui net-list --json``: ``names`` maps a VM's GUID to its name."""
    return [
        {
            "name": s.name,
            "type": s.kind,
            "guid": s.guid,
            "healthy": s.healthy,
            "vms": sorted((names.get(g, g) for g in s.vms), key=str.casefold),
        }
        for s in switches
    ]


def switches_short(switches: Sequence[Switch]) -> str:
    """One line for the host detail: ``LAN (external, 4 VMs), Storage (private, 1 VM)``."""
    if not switches:
        return "none"
    return ", ".join(
        f"{s.name} ({s.kind}, {len(s.vms)} VM{'' if len(s.vms) == 1 else 's'})" for s in switches
    )
