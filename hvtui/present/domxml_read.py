"""A libvirt domain XML read as a new VM: the subset libvirt's Hyper-V driver accepts for
``virsh define`` (name, description, memory, vcpu, file disks and cdroms, bridge interfaces,
pipe serial ports), so a definition written for virsh -- or ``hvtui dumpxml``'s -- works as is.

The generation follows the disks: IDE targets need generation 1; otherwise an ``efi`` firmware
(or nothing said) gives generation 2. A bridge names the switch by its GUID (as libvirt writes
it) or its name. ``uuid`` is left out: Hyper-V gives every new VM its own. Parsed with the
protocol's safe parser (no DTD, no entities, bounded nesting); each problem is one line.
"""

from __future__ import annotations

from typing import Any

from hvtui.hyperv.errors import HyperVError, Problem
from hvtui.hyperv.lifecycle import DiskPlan, NewVM, NicPlan
from hvtui.wsman.errors import WSManError
from hvtui.wsman.xmlparse import parse_xml

_UNITS = {
    "b": 1,
    "bytes": 1,
    "k": 1024,
    "kib": 1024,
    "kb": 1000,
    "m": 1 << 20,
    "mib": 1 << 20,
    "mb": 10**6,
    "g": 1 << 30,
    "gib": 1 << 30,
    "gb": 10**9,
    "t": 1 << 40,
    "tib": 1 << 40,
}


class DefinitionError(HyperVError):
    problem = Problem.USAGE


def _mib(text: str | None, unit: str | None, where: str) -> int:
    factor = _UNITS.get((unit or "KiB").lower())
    if factor is None or not (text or "").strip().isdigit():
        raise DefinitionError(f"{where}: {text!r} {unit or 'KiB'} is not a size libvirt knows")
    mib = int(text or "0") * factor // (1 << 20)
    return mib + (mib % 2)


def _attr(parent: Any, child: str, name: str, default: str = "") -> str:
    """An attribute of a child element, ``default`` when either is missing."""
    found = parent.find(child)
    return str(found.get(name, default)) if found is not None else default


def read_definition(data: bytes, source: str) -> NewVM:
    """The new VM a domain XML describes; DefinitionError naming the problem."""
    try:
        tree = parse_xml(data, what=source)
    except WSManError as exc:
        raise DefinitionError(f"{source}: not a readable XML document ({exc})") from None
    if tree.tag != "domain":
        raise DefinitionError(f"{source}: the root element is <{tree.tag}>, not <domain>")
    name = (tree.findtext("name") or "").strip()
    if not name:
        raise DefinitionError(f"{source}: <name> is missing")
    memory = tree.find("memory")
    if memory is None:
        raise DefinitionError(f"{source}: <memory> is missing")
    vcpu = (tree.findtext("vcpu") or "1").strip()
    if not vcpu.isdigit() or int(vcpu) < 1:
        raise DefinitionError(f"{source}: <vcpu> {vcpu!r} is not a number of processors")
    disks, isos, ide = [], [], False
    for disk in tree.iterfind("devices/disk"):
        device = disk.get("device", "disk")
        path = _attr(disk, "source", "file") or None
        target = disk.find("target")
        ide = ide or (
            target is not None and (target.get("bus") == "ide" or target.get("dev", "").startswith("hd"))
        )
        if device == "disk":
            if not path:
                raise DefinitionError(f"{source}: a <disk> has no <source file=...>")
            disks.append(DiskPlan(path=path))
        elif device == "cdrom" and path:
            isos.append(path)
        elif device not in ("cdrom", "floppy"):
            raise DefinitionError(f"{source}: a <disk device='{device}'> is not something Hyper-V has")
    nics = []
    for interface in tree.iterfind("devices/interface"):
        if interface.get("type") != "bridge":
            raise DefinitionError(
                f"{source}: Hyper-V takes <interface type='bridge'> (a switch), not {interface.get('type')!r}"
            )
        bridge, mac = _attr(interface, "source", "bridge"), _attr(interface, "mac", "address")
        nics.append(NicPlan(bridge or None, mac or None))
    pipes = ["", ""]
    for serial in tree.iterfind("devices/serial"):
        port = _attr(serial, "target", "port", "1")
        path = _attr(serial, "source", "path")
        if port in ("1", "2"):
            pipes[int(port) - 1] = "" if path == "-1" else path
    firmware = _attr(tree, "os", "firmware", "efi")
    return NewVM(
        name=name,
        generation=1 if ide or firmware == "bios" else 2,
        vcpus=int(vcpu),
        memory_mib=_mib(memory.text, memory.get("unit"), f"{source}: <memory>"),
        disks=tuple(disks),
        isos=tuple(isos),
        nics=tuple(nics),
        serial_pipes=tuple(pipes) if any(pipes) else (),
        notes=(tree.findtext("description") or "").strip(),
    )
