"""A VM as libvirt domain XML, the way libvirt's Hyper-V driver writes it (``virsh dumpxml``),
so that tools which read libvirt's XML can read hvtui's.

Following ``hypervDomainGetXMLDesc``: the domain's ``id`` only while it is active; ``name``,
``uuid`` (lower case), the notes as ``description``; ``memory`` and ``currentMemory`` the startup
memory in KiB; ``vcpu``; ``<os><type>hvm</type></os>`` (with the guest's architecture when it
reports one, x86_64 otherwise); one IDE controller for Hyper-V's two IDE channels and one per
SCSI controller; a ``disk`` per medium (file disks and DVD ISOs, an empty DVD drive has none)
with ``<target dev='hda' bus='ide'/>`` (``sd*`` on SCSI) and its drive address; an
``<interface type='bridge'>`` per connected NIC with its MAC and the switch's GUID as the
bridge (a disconnected NIC is left out, as libvirt leaves it); a pipe ``serial`` per COM port
("-1" for one not connected). The XML is written with the standard library, never by hand.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hvtui.hyperv.devices import VMDetails
from hvtui.hyperv.models import VM

_ARCHES = {"x86_64", "i686", "aarch64"}


def domain_xml(vm: VM, details: VMDetails) -> str:
    domain = ET.Element("domain", {"type": "hyperv"})
    if vm.id is not None and vm.power.is_active:
        domain.set("id", str(vm.id))
    ET.SubElement(domain, "name").text = vm.name
    ET.SubElement(domain, "uuid").text = vm.guid.lower()
    if vm.notes:
        ET.SubElement(domain, "description").text = vm.notes
    kib = str((vm.startup_memory_mib or 0) * 1024)
    ET.SubElement(domain, "memory", {"unit": "KiB"}).text = kib
    ET.SubElement(domain, "currentMemory", {"unit": "KiB"}).text = kib
    ET.SubElement(domain, "vcpu", {"placement": "static"}).text = str(vm.vcpus or 1)
    os_element = ET.SubElement(domain, "os")
    arch = details.guest.architecture if details.guest else None
    ET.SubElement(os_element, "type", {"arch": arch if arch in _ARCHES else "x86_64"}).text = "hvm"
    ET.SubElement(domain, "clock", {"offset": "utc"})
    for event in ("on_poweroff", "on_reboot", "on_crash"):
        ET.SubElement(domain, event).text = "destroy"
    devices = ET.SubElement(domain, "devices")
    _disks(devices, details)
    _controllers(devices, details)
    _interfaces(devices, details)
    _serials(devices, details)
    ET.indent(domain, space="  ")
    return ET.tostring(domain, encoding="unicode") + "\n"


def _disks(devices: ET.Element, details: VMDetails) -> None:
    for drive in details.drives:
        if not drive.path:
            continue
        disk = ET.SubElement(devices, "disk", {"type": "file", "device": drive.device})
        ET.SubElement(disk, "source", {"file": drive.path})
        ET.SubElement(disk, "target", {"dev": drive.target, "bus": drive.bus})
        ide = drive.bus == "ide"
        ET.SubElement(
            disk,
            "address",
            {
                "type": "drive",
                "controller": "0" if ide else str(drive.controller),
                "bus": str(drive.controller) if ide else "0",
                "target": "0",
                "unit": str(drive.unit),
            },
        )


def _controllers(devices: ET.Element, details: VMDetails) -> None:
    if any(c.bus == "ide" for c in details.controllers):
        ET.SubElement(devices, "controller", {"type": "ide", "index": "0"})
    for controller in details.controllers:
        if controller.bus == "scsi":
            ET.SubElement(devices, "controller", {"type": "scsi", "index": str(controller.index)})


def _interfaces(devices: ET.Element, details: VMDetails) -> None:
    for nic in details.nics:
        if not nic.switch_guid:
            continue
        interface = ET.SubElement(devices, "interface", {"type": "bridge"})
        ET.SubElement(interface, "mac", {"address": nic.mac})
        ET.SubElement(interface, "source", {"bridge": nic.switch_guid})


def _serials(devices: ET.Element, details: VMDetails) -> None:
    for port in details.serial_ports:
        serial = ET.SubElement(devices, "serial", {"type": "pipe"})
        ET.SubElement(serial, "source", {"path": port.connection or "-1"})
        ET.SubElement(serial, "target", {"port": str(port.port)})
