"""The virtual machines' own classes: computer systems, their settings, and their devices.

One Msvm_ComputerSystem per VM (and the host's), its Msvm_VirtualSystemSettingData, the processor
and memory resource allocation settings (with the host's Definition ranges), the keyboard every
VM has and the shutdown component of a guest that offers it. Kept together because their instance
IDs share the VM's GUID and the GUIDs below, which methods and associations build references from.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hvtui.sim import snapshots
from hvtui.sim.elements import enabled_ok
from hvtui.sim.inventory import PAUSED, RUNNING, SAVED
from hvtui.sim.model import HostModel

PROCESSOR_RT = "b637f346-6a0e-4dec-af52-bd70cb80a21d"
MEMORY_RT = "4764334d-e001-4176-82ee-5594ec9b530e"
SHUTDOWN_IC = "9F8233AC-BE49-4C79-8EE3-E7E1985B2077"
KEYBOARD_DEV = "4A5D8D63-0C41-4A2B-9D4E-5D7E0C3B2A11"
MAX_VCPUS = {"2012r2": 64, "2016": 240, "2019": 240, "2022": 1024, "2025": 2048, "win10": 240, "win11": 240}


def computer_systems(m: HostModel) -> Iterator[dict[str, Any]]:
    now = m.now()
    facts = m.spec
    yield {
        "Caption": "Hosting Computer System",
        "Description": "Microsoft Hosting Computer System",
        "ElementName": facts.name,
        "Name": facts.name,
        "CreationClassName": "Msvm_ComputerSystem",
        **enabled_ok(),
        "TransitioningToState": 5,
        "ResetCapability": 1,
        "Roles": None,
        "NameFormat": "Other",
        "Dedicated": [14],
        "PrimaryOwnerName": "Administrator",
        "OnTimeInMilliseconds": int((now - m.boot_at) * 1000),
        "NumberOfNumaNodes": facts.sockets,
        "TimeOfLastStateChange": m.clock.wall(m.boot_at),
        "EnhancedSessionModeState": 3,
    }
    for vm in m.vms.values():
        s = vm.spec
        running = vm.state in (RUNNING, PAUSED) or vm.transition is not None
        yield {
            "InstanceID": f"Microsoft:{s.guid}",
            "Caption": "Virtual Machine",
            "Description": "Microsoft Virtual Machine",
            "ElementName": s.name,
            "InstallDate": s.created,
            "OperationalStatus": [2],
            "StatusDescriptions": ["Operating normally"],
            "HealthState": 5,
            "CommunicationStatus": 2 if vm.state == RUNNING else 1,
            "EnabledState": m.reported_state(vm),
            "RequestedState": m.requested_state(vm),
            "EnabledDefault": 2,
            "TimeOfLastStateChange": m.clock.wall(vm.changed_at),
            "TransitioningToState": vm.transition.target if vm.transition else 5,
            "CreationClassName": "Msvm_ComputerSystem",
            "Name": s.guid,
            "ResetCapability": 1,
            "OnTimeInMilliseconds": m.uptime_ms(vm, now),
            "ProcessID": vm.pid if running else None,
            "TimeOfLastConfigurationChange": m.clock.wall(vm.config_changed_at)
            if vm.config_changed_at
            else s.created,
            "NumberOfNumaNodes": 1,
            "ReplicationState": 0,
            "ReplicationHealth": 0,
            "ReplicationMode": 0,
            "FailedOverReplicationType": 0,
            "LastReplicationType": 0,
            "EnhancedSessionModeState": 2 if vm.state == RUNNING and s.generation == 2 else 3,
        }


def _vssd(m: HostModel, vm: Any) -> dict[str, Any]:
    s = vm.spec
    root = f"C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\{s.name}"
    return {
        "InstanceID": f"Microsoft:{s.guid}",
        "Caption": "Virtual Machine Settings",
        "Description": "Active settings for the virtual machine.",
        "ElementName": s.name,
        "VirtualSystemIdentifier": s.guid,
        "VirtualSystemType": "Microsoft:Hyper-V:System:Realized",
        "Notes": [s.notes],
        "CreationTime": s.created,
        "ConfigurationID": s.guid,
        "ConfigurationDataRoot": root,
        "ConfigurationFile": f"{root}\\Virtual Machines\\{s.guid}.vmcx",
        "SnapshotDataRoot": root,
        "SuspendDataRoot": root,
        "SwapFileDataRoot": root,
        "LogDataRoot": root,
        "AutomaticStartupAction": s.autostart,
        "AutomaticStartupActionDelay": timedelta(0),
        "AutomaticStartupActionSequenceNumber": 0,
        "AutomaticShutdownAction": 3,
        "AutomaticRecoveryAction": 3,
        "RecoveryFile": "",
        "BIOSGUID": "{" + s.guid + "}",
        "BIOSSerialNumber": f"{(s.load_seed * 7919) % 10**16:016d}",
        "BaseBoardSerialNumber": f"{s.load_seed:016d}"[:16],
        "ChassisSerialNumber": f"{s.load_seed:016d}"[:16],
        "ChassisAssetTag": f"{s.load_seed % 10**10:010d}",
        "BIOSNumLock": False,
        "BootOrder": [1, 2, 3, 0] if s.generation == 1 else None,
        "IsSaved": vm.state == SAVED,
        "AllowFullSCSICommandSet": False,
        "DebugChannelId": 0,
        "DebugPortEnabled": 0,
        "DebugPort": 0,
        "Version": s.version,
        "IncrementalBackupEnabled": False,
        "VirtualNumaEnabled": True,
        "AllowReducedFcRedundancy": False,
        "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{s.generation}",
        "BootSourceOrder": None,
        "PauseAfterBootFailure": False,
        "NetworkBootPreferredProtocol": 4096,
        "SecureBootEnabled": s.generation == 2 if s.secure_boot is None else s.secure_boot,
        "LowMmioGapSize": 128 if s.generation == 2 else 256,
        "Parent": snapshots.current_path(m, s.guid),
        "UserSnapshotType": s.checkpoint_type,
    }


def settings(m: HostModel) -> Iterator[dict[str, Any]]:
    for vm in m.vms.values():
        yield _vssd(m, vm)
    yield from snapshots.snapshot_settings(m)


def _rasd_common(instance_id: str, parent: str | None, caption: str) -> dict[str, Any]:
    return {
        "InstanceID": instance_id,
        "Caption": caption,
        "Description": f"Settings for Microsoft Virtual {caption.split(maxsplit=1)[0]}.",
        "ElementName": caption,
        "PoolID": "",
        "ConsumerVisibility": 3,
        "AutomaticAllocation": True,
        "AutomaticDeallocation": True,
        "Parent": parent,
        "MappingBehavior": None,
        "Address": None,
        "AddressOnParent": None,
    }


def processor_settings(m: HostModel) -> Iterator[dict[str, Any]]:
    limit = MAX_VCPUS.get(m.spec.release.key, 240)
    for role, qty in (("Default", 1), ("Minimum", 1), ("Maximum", limit), ("Increment", 1)):
        d = _rasd_common(f"Microsoft:Definition\\{PROCESSOR_RT}\\{role}", None, "Processor")
        d.update(_processor_values(m, qty), ElementName=f"{role} Processor Settings")
        yield d
    for vm in m.vms.values():
        d = _rasd_common(f"Microsoft:{vm.spec.guid}\\{PROCESSOR_RT}\\0", None, "Processor")
        d.update(_processor_values(m, vm.spec.vcpus))
        yield d


def _processor_values(m: HostModel, count: int) -> dict[str, Any]:
    """What every Msvm_ProcessorSettingData says alike, the capabilities' and the VMs'."""
    return {
        "ResourceType": 3,
        "ResourceSubType": "Microsoft:Hyper-V:Processor",
        "AllocationUnits": "percent / 1000",
        "VirtualQuantity": count,
        "VirtualQuantityUnits": "count",
        "Reservation": 0,
        "Limit": 100000,
        "Weight": 100,
        "LimitCPUID": False,
        "LimitProcessorFeatures": False,
        "MaxProcessorsPerNumaNode": m.spec.cores * m.spec.threads_per_core,
        "MaxNumaNodesPerSocket": 1,
    }


def memory_settings(m: HostModel) -> Iterator[dict[str, Any]]:
    for role, qty in (("Default", 1024), ("Minimum", 32), ("Maximum", m.spec.memory_mb), ("Increment", 2)):
        d = _rasd_common(f"Microsoft:Definition\\{MEMORY_RT}\\{role}", None, "Memory")
        d.update(
            ElementName=f"{role} Memory Settings",
            ResourceType=4,
            ResourceSubType="Microsoft:Hyper-V:Memory",
            AllocationUnits="byte * 2^20",
            VirtualQuantity=qty,
            VirtualQuantityUnits="byte * 2^20",
            Reservation=qty,
            Limit=qty,
            Weight=5000,
            DynamicMemoryEnabled=False,
            TargetMemoryBuffer=20,
            IsVirtualized=True,
            SwapFilesInUse=False,
            MaxMemoryBlocksPerNumaNode=m.spec.memory_mb // max(1, m.spec.sockets),
        )
        yield d
    for vm in m.vms.values():
        s = vm.spec
        d = _rasd_common(f"Microsoft:{s.guid}\\{MEMORY_RT}", None, "Memory")
        d.update(
            ResourceType=4,
            ResourceSubType="Microsoft:Hyper-V:Memory",
            AllocationUnits="byte * 2^20",
            VirtualQuantity=s.memory_mb,
            VirtualQuantityUnits="byte * 2^20",
            Reservation=s.min_mb if s.dynamic else s.memory_mb,
            Limit=s.max_mb if s.dynamic else s.memory_mb,
            Weight=5000,
            DynamicMemoryEnabled=s.dynamic,
            TargetMemoryBuffer=s.buffer,
            IsVirtualized=True,
            SwapFilesInUse=False,
            MaxMemoryBlocksPerNumaNode=m.spec.memory_mb // max(1, m.spec.sockets),
        )
        yield d


def _device(m: HostModel, vm: Any, cls: str, device_id: str, caption: str) -> dict[str, Any]:
    on = vm.state == RUNNING and vm.transition is None
    return {
        "Caption": caption,
        "Description": f"Microsoft Virtual Machine {caption}",
        "ElementName": caption,
        "Name": device_id.rsplit("\\", 1)[-1],
        "OperationalStatus": [2] if on else None,
        "StatusDescriptions": ["OK"] if on else None,
        "HealthState": 5,
        "EnabledState": 2 if on else 3,
        "RequestedState": 12,
        "EnabledDefault": 2,
        "TransitioningToState": 5,
        "SystemCreationClassName": "Msvm_ComputerSystem",
        "SystemName": vm.spec.guid,
        "CreationClassName": cls,
        "DeviceID": device_id,
    }


def shutdown_components(m: HostModel) -> Iterator[dict[str, Any]]:
    for vm in m.vms.values():
        if vm.spec.shutdown_service:
            yield _device(
                m, vm, "Msvm_ShutdownComponent", f"Microsoft:{vm.spec.guid}\\{SHUTDOWN_IC}", "Shutdown"
            )


def keyboards(m: HostModel) -> Iterator[dict[str, Any]]:
    for vm in m.vms.values():
        d = _device(m, vm, "Msvm_Keyboard", f"Microsoft:{vm.spec.guid}\\{KEYBOARD_DEV}", "Keyboard")
        d.update(IsLocked=False, Layout="00000409", NumberOfFunctionKeys=12, UnicodeSupported=True)
        yield d
