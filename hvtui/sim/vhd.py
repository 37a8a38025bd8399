"""The image management service and what it says of the disk files the VMs use (the Invoke
handlers are :mod:`hvtui.sim.vhd_methods`).

"Msvm_ImageManagementService class" (Name ``vhdsvc``) answers "GetVirtualHardDiskSettingData" with
an embedded "Msvm_VirtualHardDiskSettingData class" instance (Type 2 fixed, 3 dynamic, 4
differencing; Format 2 VHD, 3 VHDX; ParentPath; MaxInternalSize, the size the guest sees) and
"GetVirtualHardDiskState" with an embedded "Msvm_VirtualHardDiskState class" (FileSize on the
host, InUse), both CIM-XML strings in the output. Known files: every attached disk and the
parents of the differencing ones; any other path returns 32779 (File not found).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hvtui.sim.devices import Attached
from hvtui.sim.elements import enabled_ok
from hvtui.sim.hardware import DIFFERENCING, FIXED
from hvtui.sim.inventory import BASE_TIME, PAUSED, RUNNING
from hvtui.sim.model import HostModel

SERVICE = "Msvm_ImageManagementService"
MIB = 1 << 20
_TYPES = {FIXED: 2, DIFFERENCING: 4}


def image_services(m: HostModel) -> Iterator[dict[str, Any]]:
    yield {
        "Caption": "Hyper-V Image Management Service",
        "Description": "Provides Image Management servicing for Hyper-V",
        "ElementName": "Hyper-V Image Management Service",
        "Name": "vhdsvc",
        **enabled_ok(),
        "TransitioningToState": 5,
        "SystemCreationClassName": "Msvm_ComputerSystem",
        "SystemName": m.spec.name,
        "CreationClassName": SERVICE,
        "StartMode": "Automatic",
        "Started": True,
    }


def disk_settings(attached: Attached) -> dict[str, Any]:
    """Msvm_VirtualHardDiskSettingData of a file."""
    disk = attached.disk
    vhdx = disk.path.lower().endswith(".vhdx")
    dynamic = disk.kind != FIXED
    return {
        "Caption": "Virtual Hard Disk Setting Data",
        "Description": "Setting Data for a Virtual Hard Disk",
        "ElementName": disk.path.rsplit("\\", 1)[-1],
        "Type": _TYPES.get(disk.kind, 3),
        "Format": 3 if vhdx else 2,
        "Path": disk.path,
        "ParentPath": disk.parent or "",
        "ParentTimestamp": BASE_TIME - timedelta(days=200) if disk.parent else None,
        "ParentIdentifier": str(uuid.uuid5(uuid.NAMESPACE_URL, disk.parent)).upper() if disk.parent else "",
        "MaxInternalSize": disk.size_bytes,
        "BlockSize": (32 * MIB if vhdx else 2 * MIB) if dynamic else 0,
        "LogicalSectorSize": 512,
        "PhysicalSectorSize": 4096 if vhdx else 512,
        "VirtualDiskId": str(uuid.uuid5(uuid.NAMESPACE_URL, disk.path.lower())).upper(),
        "DataAlignment": MIB if vhdx else 0,
        "PmemAddressAbstractionType": 0,
        "IsPmemCompatible": False,
    }


def file_size(attached: Attached) -> int:
    disk = attached.disk
    vhdx = disk.path.lower().endswith(".vhdx")
    if disk.kind == FIXED:
        return disk.size_bytes + (4 * MIB if vhdx else 512)
    return int(disk.size_bytes * disk.used) // MIB * MIB + (4 * MIB if vhdx else 1536)


def disk_state(m: HostModel, attached: Attached) -> dict[str, Any]:
    """Msvm_VirtualHardDiskState of a file: in use while a VM that uses it runs."""
    return {
        "FileSize": file_size(attached),
        "InUse": any(m.vms[g].state in (RUNNING, PAUSED) for g in attached.users if g in m.vms),
        "MinInternalSize": int(attached.disk.size_bytes * attached.disk.used),
        "PhysicalSectorSize": 4096 if attached.disk.path.lower().endswith(".vhdx") else 512,
        "Alignment": 1,
        "FragmentationPercentage": 0,
        "Timestamp": None,
    }


PROVIDERS = {SERVICE: image_services}
