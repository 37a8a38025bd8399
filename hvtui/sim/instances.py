"""The WMI provider of the simulator: CIM instances of every served class, built from the model.

Each provider returns plain dicts keyed by property name; the renderer fills in every other
property of the class as null. Values follow what Hyper-V and Windows report (each class's page on
Microsoft Learn: Hyper-V WMI v2, Win32 classes) where known; guesses are kept plausible and
consistent across classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hvtui.sim import devices, guest, hostfiles, switches, vhd
from hvtui.sim.inventory import BASE_TIME, OFF, PAUSED, RUNNING, SAVED
from hvtui.sim.model import HostModel, Job
from hvtui.sim.render import Ref
from hvtui.sim.schema import CimClass, find_class

PROCESSOR_RT = "b637f346-6a0e-4dec-af52-bd70cb80a21d"
MEMORY_RT = "4764334d-e001-4176-82ee-5594ec9b530e"
SHUTDOWN_IC = "9F8233AC-BE49-4C79-8EE3-E7E1985B2077"
KEYBOARD_DEV = "4A5D8D63-0C41-4A2B-9D4E-5D7E0C3B2A11"
MAX_VCPUS = {"2012r2": 64, "2016": 240, "2019": 240, "2022": 1024, "2025": 2048, "win10": 240, "win11": 240}


@dataclass
class Instance:
    cls: CimClass
    values: dict[str, Any]

    def selectors(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, _key_text(self.values.get(k))) for k in self.cls.keys)

    def ref(self) -> Ref:
        return Ref(self.cls.uri, self.selectors())

    def key_matches(self, selectors: dict[str, str]) -> bool:
        """True when every given selector equals the key, names and values case-insensitively."""
        for name, value in selectors.items():
            actual = next((v for k, v in self.values.items() if k.lower() == name.lower()), None)
            if _key_text(actual).lower() != value.lower():
                return False
        return True


def _key_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Ref):
        return value.uri
    return str(value)


def _cls(name: str) -> CimClass:
    cls = find_class(name)
    assert cls is not None, name
    return cls


# --- per-class providers ----------------------------------------------------------------------


def computer_systems(m: HostModel) -> Iterator[dict[str, Any]]:
    now = m.now()
    facts = m.spec
    yield {
        "Caption": "Hosting Computer System",
        "Description": "Microsoft Hosting Computer System",
        "ElementName": facts.name,
        "Name": facts.name,
        "CreationClassName": "Msvm_ComputerSystem",
        "OperationalStatus": [2],
        "StatusDescriptions": ["OK"],
        "HealthState": 5,
        "EnabledState": 2,
        "RequestedState": 12,
        "EnabledDefault": 2,
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
        "SecureBootEnabled": s.generation == 2,
        "LowMmioGapSize": 128 if s.generation == 2 else 256,
    }


def settings(m: HostModel) -> Iterator[dict[str, Any]]:
    for vm in m.vms.values():
        yield _vssd(m, vm)


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
        d.update(
            ElementName=f"{role} Processor Settings",
            ResourceType=3,
            ResourceSubType="Microsoft:Hyper-V:Processor",
            AllocationUnits="percent / 1000",
            VirtualQuantity=qty,
            VirtualQuantityUnits="count",
            Reservation=0,
            Limit=100000,
            Weight=100,
            LimitCPUID=False,
            LimitProcessorFeatures=False,
            MaxProcessorsPerNumaNode=m.spec.cores * m.spec.threads_per_core,
            MaxNumaNodesPerSocket=1,
        )
        yield d
    for vm in m.vms.values():
        s = vm.spec
        d = _rasd_common(f"Microsoft:{s.guid}\\{PROCESSOR_RT}\\0", None, "Processor")
        d.update(
            ResourceType=3,
            ResourceSubType="Microsoft:Hyper-V:Processor",
            AllocationUnits="percent / 1000",
            VirtualQuantity=s.vcpus,
            VirtualQuantityUnits="count",
            Reservation=0,
            Limit=100000,
            Weight=100,
            LimitCPUID=False,
            LimitProcessorFeatures=False,
            MaxProcessorsPerNumaNode=m.spec.cores * m.spec.threads_per_core,
            MaxNumaNodesPerSocket=1,
        )
        yield d


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


def job_values(m: HostModel, job: Job, now: float) -> dict[str, Any]:
    state, pct = job.state_at(now)
    end = min(now, job.submitted + job.duration)
    finished = state in (7, 10)
    return {
        "InstanceID": job.instance_id,
        "Caption": job.caption,
        "Description": job.caption,
        "ElementName": job.caption,
        "Name": job.caption,
        "OperationalStatus": [2] if not job.fail or not finished else [6],
        "StatusDescriptions": ["Job is running"] if not finished else ["Job failed"] if job.fail else ["OK"],
        "Status": "OK" if not (finished and job.fail) else "Error",
        "HealthState": 5,
        "JobStatus": "Job is running"
        if not finished
        else ("Job failed" if job.fail else "Job completed successfully"),
        "TimeSubmitted": m.clock.wall(job.submitted),
        "StartTime": m.clock.wall(job.submitted),
        "ElapsedTime": timedelta(seconds=max(0.0, end - job.submitted)),
        "JobRunTimes": 1,
        "LocalOrUtcTime": 2,
        "Priority": 0,
        "PercentComplete": pct,
        "DeleteOnCompletion": True,
        "ErrorCode": job.error_code if finished else 0,
        "ErrorDescription": job.error_description if finished and job.fail else None,
        "ErrorSummaryDescription": job.error_description if finished and job.fail else None,
        "JobState": state,
        "TimeOfLastStateChange": m.clock.wall(end),
        "TimeBeforeRemoval": timedelta(minutes=5),
        "Cancellable": job.kind not in ("modify", "discard"),
        "JobType": {"shutdown": 11, "modify": 2}.get(job.kind, 1),
        "RecoveryAction": 2,
        "Owner": "Administrator",
    }


def jobs(m: HostModel) -> Iterator[dict[str, Any]]:
    now = m.now()
    for job in list(m.jobs.values()):
        yield job_values(m, job, now)


def management_services(m: HostModel) -> Iterator[dict[str, Any]]:
    yield {
        "Caption": "Hyper-V Virtual Machine Management Service",
        "Description": "Service for managing virtual machines",
        "ElementName": "Msvm_VirtualSystemManagementService",
        "Name": "vmms",
        "OperationalStatus": [2],
        "StatusDescriptions": ["OK"],
        "HealthState": 5,
        "EnabledState": 2,
        "RequestedState": 12,
        "EnabledDefault": 2,
        "TransitioningToState": 5,
        "SystemCreationClassName": "Msvm_ComputerSystem",
        "SystemName": m.spec.name,
        "CreationClassName": "Msvm_VirtualSystemManagementService",
        "StartMode": "Automatic",
        "Started": True,
    }


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


def operating_systems(m: HostModel) -> Iterator[dict[str, Any]]:
    r = m.spec.release
    s = m.spec
    now = m.now()
    used = sum(m.assigned_memory_mb(vm, now) for vm in m.vms.values())
    total_kb = s.memory_mb * 1024
    free_kb = max(total_kb // 50, total_kb - used * 1024 - total_kb // 16)
    server = r.product_type != 1
    yield {
        "BootDevice": "\\Device\\HarddiskVolume1",
        "BuildNumber": r.build,
        "BuildType": "Multiprocessor Free",
        "Caption": r.caption,
        "CodeSet": "1252",
        "CountryCode": "1",
        "CreationClassName": "Win32_OperatingSystem",
        "CSCreationClassName": "Win32_ComputerSystem",
        "CSDVersion": None,
        "CSName": s.name,
        "CurrentTimeZone": 0,
        "DataExecutionPrevention_Available": True,
        "DataExecutionPrevention_32BitApplications": True,
        "DataExecutionPrevention_Drivers": True,
        "DataExecutionPrevention_SupportPolicy": 3 if server else 2,
        "Debug": False,
        "Description": "",
        "Distributed": False,
        "EncryptionLevel": 256,
        "ForegroundApplicationBoost": 2,
        "FreePhysicalMemory": free_kb,
        "FreeSpaceInPagingFiles": 8_388_608,
        "FreeVirtualMemory": free_kb + 8_000_000,
        "InstallDate": BASE_TIME - timedelta(days=400),
        "LargeSystemCache": None,
        "LastBootUpTime": m.clock.wall(m.boot_at),
        "LocalDateTime": m.clock.wall(now),
        "Locale": "0409",
        "Manufacturer": "Microsoft Corporation",
        "MaxNumberOfProcesses": 4294967295,
        "MaxProcessMemorySize": 137438953344,
        "MUILanguages": ["en-US"],
        "Name": f"{r.caption}|C:\\Windows|\\Device\\Harddisk0\\Partition2",
        "NumberOfLicensedUsers": 0,
        "NumberOfProcesses": 80 + 2 * len(m.vms),
        "NumberOfUsers": 1,
        "OperatingSystemSKU": r.sku,
        "Organization": "",
        "OSArchitecture": "64-bit",
        "OSLanguage": 1033,
        "OSProductSuite": r.os_suite,
        "OSType": 18,
        "OtherTypeDescription": None,
        "PAEEnabled": None,
        "PlusProductID": None,
        "PlusVersionNumber": None,
        "PortableOperatingSystem": False,
        "Primary": True,
        "ProductType": r.product_type,
        "RegisteredUser": "Windows User",
        "SerialNumber": r.serial,
        "ServicePackMajorVersion": 0,
        "ServicePackMinorVersion": 0,
        "SizeStoredInPagingFiles": 8_388_608,
        "Status": "OK",
        "SuiteMask": r.os_suite,
        "SystemDevice": "\\Device\\HarddiskVolume2",
        "SystemDirectory": "C:\\Windows\\system32",
        "SystemDrive": "C:",
        "TotalSwapSpaceSize": None,
        "TotalVirtualMemorySize": total_kb + 8_388_608,
        "TotalVisibleMemorySize": total_kb,
        "Version": r.version,
        "WindowsDirectory": "C:\\Windows",
    }


def computer_system_win32(m: HostModel) -> Iterator[dict[str, Any]]:
    s = m.spec
    yield {
        "AdminPasswordStatus": 3,
        "AutomaticManagedPagefile": True,
        "AutomaticResetBootOption": True,
        "AutomaticResetCapability": True,
        "BootROMSupported": True,
        "BootupState": "Normal boot",
        "Caption": s.name,
        "ChassisBootupState": 3,
        "CreationClassName": "Win32_ComputerSystem",
        "CurrentTimeZone": 0,
        "Description": "AT/AT COMPATIBLE",
        "DNSHostName": s.name.lower(),
        "Domain": s.domain,
        "DomainRole": 2 if s.release.product_type != 1 else 0,
        "EnableDaylightSavingsTime": True,
        "FrontPanelResetStatus": 3,
        "HypervisorPresent": True,
        "InfraredSupported": False,
        "InitialLoadInfo": [],  # an empty array is absent on the wire, as Windows sends it
        "KeyboardPasswordStatus": 3,
        "Manufacturer": "Dell Inc.",
        "Model": "PowerEdge R750",
        "Name": s.name,
        "NetworkServerModeEnabled": True,
        "NumberOfLogicalProcessors": s.sockets * s.cores * s.threads_per_core,
        "NumberOfProcessors": s.sockets,
        "OEMLogoBitmap": [],
        "OEMStringArray": [],
        "PartOfDomain": False,
        "PauseAfterReset": -1,
        "PCSystemType": 4,
        "PowerManagementCapabilities": [],
        "PowerOnPasswordStatus": 3,
        "PowerState": 0,
        "PowerSupplyState": 3,
        "PrimaryOwnerName": "Windows User",
        "ResetCapability": 1,
        "ResetCount": -1,
        "ResetLimit": -1,
        "Roles": ["LM_Workstation", "LM_Server", "NT", "Server_NT"]
        if s.release.product_type != 1
        else ["LM_Workstation", "LM_Server", "NT"],
        "Status": "OK",
        "SupportContactDescription": [],
        "SystemStartupOptions": [],
        "SystemType": "x64-based PC",
        "ThermalState": 3,
        "TotalPhysicalMemory": s.memory_mb * 1024 * 1024 - 1_572_864,
        "WakeUpType": 6,
        "Workgroup": s.domain,
    }


def computer_system_products(m: HostModel) -> Iterator[dict[str, Any]]:
    s = m.spec
    yield {
        "Caption": "Computer System Product",
        "Description": "Computer System Product",
        "IdentifyingNumber": f"SVC{s.uuid[:4]}",
        "Name": "PowerEdge R750",
        "SKUNumber": "SKU=0A6A;ModelName=PowerEdge R750",
        "UUID": s.uuid,
        "Vendor": "Dell Inc.",
        "Version": "",
    }


def processors(m: HostModel) -> Iterator[dict[str, Any]]:
    s = m.spec
    for i in range(s.sockets):
        yield {
            "AddressWidth": 64,
            "Architecture": 9,
            "Availability": 3,
            "Caption": "Intel64 Family 6 Model 106 Stepping 6",
            "ConfigManagerErrorCode": 0,
            "ConfigManagerUserConfig": False,
            "CpuStatus": 1,
            "CreationClassName": "Win32_Processor",
            "CurrentClockSpeed": s.cpu_mhz,
            "CurrentVoltage": 18,
            "DataWidth": 64,
            "Description": "Intel64 Family 6 Model 106 Stepping 6",
            "DeviceID": f"CPU{i}",
            "Family": 179,
            "L2CacheSize": 1280 * s.cores,
            "L3CacheSize": 1536 * s.cores,
            "L3CacheSpeed": 0,
            "Level": 6,
            "LoadPercentage": 7 + 3 * i,
            "Manufacturer": s.cpu_vendor,
            "MaxClockSpeed": s.cpu_mhz,
            "Name": s.cpu_model,
            "NumberOfCores": s.cores,
            "NumberOfLogicalProcessors": s.cores * s.threads_per_core,
            "PowerManagementSupported": False,
            "ProcessorId": "BFEBFBFF000606A6",
            "ProcessorType": 3,
            "Role": "CPU",
            "SocketDesignation": f"CPU{i + 1}",
            "Status": "OK",
            "StatusInfo": 3,
            "Stepping": None,
            "SystemCreationClassName": "Win32_ComputerSystem",
            "SystemName": s.name,
            "UpgradeMethod": 1,
            "VoltageCaps": None,
        }


PROVIDERS: dict[str, Callable[[HostModel], Iterator[dict[str, Any]]]] = {
    "Msvm_ComputerSystem": computer_systems,
    "Msvm_VirtualSystemSettingData": settings,
    "Msvm_ProcessorSettingData": processor_settings,
    "Msvm_MemorySettingData": memory_settings,
    "Msvm_ConcreteJob": jobs,
    "Msvm_VirtualSystemManagementService": management_services,
    "Msvm_ShutdownComponent": shutdown_components,
    "Msvm_Keyboard": keyboards,
    "Win32_OperatingSystem": operating_systems,
    "Win32_ComputerSystem": computer_system_win32,
    "Win32_ComputerSystemProduct": computer_system_products,
    "Win32_Processor": processors,
}
PROVIDERS.update(
    devices.PROVIDERS
    | guest.PROVIDERS
    | vhd.PROVIDERS
    | hostfiles.PROVIDERS
    | {switches.SWITCH: switches.switches}
)


# --- associations -----------------------------------------------------------------------------


def _ref(cls_name: str, **keys: str) -> Ref:
    cls = _cls(cls_name)
    return Ref(cls.uri, tuple((k, keys[k]) for k in cls.keys))


def vm_ref(guid: str) -> Ref:
    return _ref("Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)


def vssd_ref(guid: str) -> Ref:
    return _ref("Msvm_VirtualSystemSettingData", InstanceID=f"Microsoft:{guid}")


def job_ref(job_id: str) -> Ref:
    return _ref("Msvm_ConcreteJob", InstanceID=job_id)


def association_instances(m: HostModel, assoc: str) -> Iterator[dict[str, Any]]:
    """Instances of an association class, REF properties as Ref values."""
    key = assoc.lower()
    if key == "msvm_settingsdefinestate":
        for g in m.vms:
            yield {"ManagedElement": vm_ref(g), "SettingData": vssd_ref(g)}
    elif key == "msvm_virtualsystemsettingdatacomponent":
        for g in m.vms:
            yield {
                "GroupComponent": vssd_ref(g),
                "PartComponent": _ref(
                    "Msvm_ProcessorSettingData", InstanceID=f"Microsoft:{g}\\{PROCESSOR_RT}\\0"
                ),
            }
            yield {
                "GroupComponent": vssd_ref(g),
                "PartComponent": _ref("Msvm_MemorySettingData", InstanceID=f"Microsoft:{g}\\{MEMORY_RT}"),
            }
        yield from devices.settings_components(m)
    elif key == "msvm_systemdevice":
        for g, vm in m.vms.items():
            parts = [("Msvm_Keyboard", f"Microsoft:{g}\\{KEYBOARD_DEV}")]
            if vm.spec.shutdown_service:
                parts.append(("Msvm_ShutdownComponent", f"Microsoft:{g}\\{SHUTDOWN_IC}"))
            for cls, dev in parts:
                yield {
                    "GroupComponent": vm_ref(g),
                    "PartComponent": _ref(
                        cls,
                        CreationClassName=cls,
                        DeviceID=dev,
                        SystemCreationClassName="Msvm_ComputerSystem",
                        SystemName=g,
                    ),
                }
        yield from guest.system_devices(m)
    elif key == "msvm_settingdatacomponent":
        yield from guest.setting_data_components(m)
    elif key == "msvm_elementsettingdata":
        yield from hostfiles.element_settings(m)
    elif key == "win32_computersystemprocessor":
        for i in range(m.spec.sockets):
            yield {
                "GroupComponent": _ref("Win32_ComputerSystem", Name=m.spec.name),
                "PartComponent": _ref("Win32_Processor", DeviceID=f"CPU{i}"),
            }


def instances_of(m: HostModel, cls: CimClass) -> list[Instance]:
    """Every instance of a class on this host (the model must be ticked by the caller)."""
    if cls.association:
        return [Instance(cls, v) for v in association_instances(m, cls.name)]
    provider = PROVIDERS.get(cls.name)
    if provider is None:
        return []
    return [Instance(cls, v) for v in provider(m)]


def summary_values(m: HostModel, vm: Any, now: float) -> dict[str, Any]:
    """Every Msvm_SummaryInformation value of a VM (GetSummaryInformation picks from these)."""
    s = vm.spec
    load = m.cpu_load(vm, now)
    assigned = m.assigned_memory_mb(vm, now)
    demand = m.memory_demand_mb(vm, now)
    running = vm.state == RUNNING
    history = [
        max(0, min(100, load + ((i * 7 + s.load_seed) % 11) - 5)) if running else 0 for i in range(100)
    ]
    return {
        "InstanceID": f"Microsoft:{s.guid}",
        "AllocatedGPU": None,
        "Shielded": False,
        "CreationTime": s.created,
        "ElementName": s.name,
        "EnabledState": m.reported_state(vm),
        "OtherEnabledState": None,
        "GuestOperatingSystem": "Windows Server 2022 Datacenter" if running and s.shutdown_service else None,
        "HealthState": 5,
        "Heartbeat": m.heartbeat(vm),
        "MemoryUsage": assigned,
        "MemoryAvailable": int(100 * (assigned - demand) / assigned)
        if assigned and s.dynamic
        else (0 if assigned else None),
        "AvailableMemoryBuffer": int(100 * (assigned - demand) / demand)
        if demand and s.dynamic
        else (0 if assigned else None),
        "SwapFilesInUse": False,
        "Name": s.guid,
        "Notes": s.notes,
        "Version": s.version,
        "NumberOfProcessors": s.vcpus,
        "OperationalStatus": [2],
        "ProcessorLoad": load,
        "ProcessorLoadHistory": history,
        "StatusDescriptions": ["Operating normally"],
        "UpTime": m.uptime_ms(vm, now),
        "ReplicationState": 0,
        "ReplicationStateEx": [0],
        "ReplicationHealth": 0,
        "ReplicationHealthEx": [0],
        "ReplicationMode": 0,
        "ApplicationHealth": 2 if running else None,
        "IntegrationServicesVersionState": 1 if s.shutdown_service else 0,
        "MemorySpansPhysicalNumaNodes": False,
        "EnhancedSessionModeState": 2 if running and s.generation == 2 else 3,
        "VirtualSwitchNames": ["External"],
        "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{s.generation}",
        "HostComputerSystemName": m.spec.name,
    }


# RequestedInformation code → Msvm_SummaryInformation property.
SUMMARY_CODES: dict[int, str] = {
    0: "Name",
    1: "ElementName",
    2: "CreationTime",
    3: "Notes",
    4: "NumberOfProcessors",
    5: "ThumbnailImage",
    6: "ThumbnailImage",
    7: "ThumbnailImage",
    8: "AllocatedGPU",
    9: "VirtualSwitchNames",
    10: "Version",
    11: "Shielded",
    12: "VirtualSystemSubType",
    13: "HostComputerSystemName",
    100: "EnabledState",
    101: "ProcessorLoad",
    102: "ProcessorLoadHistory",
    103: "MemoryUsage",
    104: "Heartbeat",
    105: "UpTime",
    106: "GuestOperatingSystem",
    107: "Snapshots",
    108: "AsynchronousTasks",
    109: "HealthState",
    110: "OperationalStatus",
    111: "StatusDescriptions",
    112: "MemoryAvailable",
    113: "AvailableMemoryBuffer",
    114: "ReplicationState",
    115: "ReplicationHealth",
    116: "ReplicationMode",
    117: "ApplicationHealth",
    118: "ReplicationStateEx",
    119: "ReplicationHealthEx",
    120: "SwapFilesInUse",
    121: "IntegrationServicesVersionState",
    122: "ReplicationProviderId",
    123: "MemorySpansPhysicalNumaNodes",
}

__all__ = ["OFF", "SAVED"]
