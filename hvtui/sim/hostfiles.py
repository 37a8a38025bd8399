"""The host's Hyper-V files and folders.

* "CIM_DataFile class" (root/cimv2) for ``vmms.exe`` and ``vmwp.exe`` in ``c:\\windows\\system32\\``,
  whose ``Version`` (the file version, with the update revision) inventory tools read as the
  Hyper-V version. Name is the full lower-case path, Path the folder with both backslashes.
* "Msvm_VirtualSystemManagementServiceSettingData class": the default folders for VM
  configurations (DefaultExternalDataRoot) and virtual hard disks (DefaultVirtualHardDiskPath)
  and the host's dynamic MAC range, joined to Msvm_VirtualSystemManagementService by
  "Msvm_ElementSettingData class".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hvtui.sim.hardware_seed import VHD_FOLDER, host_plan
from hvtui.sim.inventory import BASE_TIME
from hvtui.sim.model import HostModel
from hvtui.sim.refs import class_ref, setting_ref

VSMSSD = "Msvm_VirtualSystemManagementServiceSettingData"
VSMSSD_ID = "Microsoft:host"
_FOLDER = "\\windows\\system32\\"
_FILES = (("vmms", 2_441_216), ("vmwp", 1_873_920))
_REVISIONS = {
    "2012r2": 20719,
    "2016": 7428,
    "2019": 6414,
    "2022": 2849,
    "2025": 2894,
    "win10": 4894,
    "win11": 3880,
}


def data_files(m: HostModel) -> Iterator[dict[str, Any]]:
    release = m.spec.release
    version = f"{release.version}.{_REVISIONS.get(release.key, 1)}"
    built = BASE_TIME - timedelta(days=60)
    for stem, size in _FILES:
        name = f"c:{_FOLDER}{stem}.exe"
        yield {
            "AccessMask": 1179817,
            "Archive": True,
            "Caption": name,
            "Compressed": False,
            "CreationClassName": "CIM_LogicalFile",
            "CreationDate": built,
            "CSCreationClassName": "Win32_ComputerSystem",
            "CSName": m.spec.name,
            "Description": name,
            "Drive": "c:",
            "EightDotThreeFileName": name,
            "Encrypted": False,
            "Extension": "exe",
            "FileName": stem,
            "FileSize": size,
            "FileType": "Application",
            "FSCreationClassName": "Win32_FileSystem",
            "FSName": "NTFS",
            "Hidden": False,
            "InstallDate": built,
            "LastAccessed": m.clock.wall(m.boot_at),
            "LastModified": built,
            "Manufacturer": "Microsoft Corporation",
            "Name": name,
            "Path": _FOLDER,
            "Readable": True,
            "Status": "OK",
            "System": False,
            "Version": version,
            "Writeable": True,
        }


def service_settings(m: HostModel) -> Iterator[dict[str, Any]]:
    mac = host_plan(m.spec, m.seed).mac
    yield {
        "InstanceID": VSMSSD_ID,
        "Caption": "Hyper-V Virtual System Management Service",
        "Description": "Settings for the Virtual System Management Service",
        "ElementName": "Hyper-V Virtual System Management Service",
        "BiosLockString": "",
        "DefaultExternalDataRoot": "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
        "DefaultVirtualHardDiskPath": VHD_FOLDER,
        "MinimumMacAddress": f"00155D{mac:02X}0000",
        "MaximumMacAddress": f"00155D{mac:02X}FFFF",
        "NumaSpanningEnabled": True,
        "PrimaryOwnerContact": "",
        "PrimaryOwnerName": "Administrators",
        "HbaLunTimeout": 90,
        "MinimumWWPNAddress": "C003FF0000FFFF00",
        "MaximumWWPNAddress": "C003FF4CB2C2FFFF",
        "CurrentWWNNAddress": "C003FF0000FFFF00",
        "DefaultVirtualHardDiskCachingMode": 2,
        "HypervisorRootSchedulerEnabled": False,
        "EnhancedSessionModeEnabled": False,
    }


def element_settings(m: HostModel) -> Iterator[dict[str, Any]]:
    """Msvm_ElementSettingData: the management service and its settings."""
    service = class_ref(
        "Msvm_VirtualSystemManagementService",
        CreationClassName="Msvm_VirtualSystemManagementService",
        Name="vmms",
        SystemCreationClassName="Msvm_ComputerSystem",
        SystemName=m.spec.name,
    )
    yield {
        "ManagedElement": service,
        "SettingData": setting_ref(VSMSSD, VSMSSD_ID),
        "IsDefault": 1,
        "IsCurrent": 1,
        "IsNext": 1,
    }


PROVIDERS = {"CIM_DataFile": data_files, VSMSSD: service_settings}
