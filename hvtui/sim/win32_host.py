"""The host's Win32 classes: its operating system, computer system, product and processors.

Values follow Win32_OperatingSystem, Win32_ComputerSystem, Win32_ComputerSystemProduct and
Win32_Processor as a Windows Server host reports them, derived from the host's spec and the memory
its running VMs hold, so the client's host facts and free memory come out consistent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hvtui.sim.inventory import BASE_TIME
from hvtui.sim.model import HostModel


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
