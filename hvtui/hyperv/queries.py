"""The WMI classes, WQL and CIM types hvtui reads — every question it asks a host, in one place.

Reads ask for property lists (Windows then answers with small ``w:XmlFragment`` items)
rather than ``SELECT *``: a Msvm_ComputerSystem instance is about 3 KB with every property,
and a refresh only needs a handful of them. Each read also says how many answers it can
legitimately have (:class:`Read`): a host has one operating system, so one that streams
thousands is refused after the second, not after tens of MB.
"""

from __future__ import annotations

from dataclasses import dataclass

from hvtui.namespaces import CIMV2, VIRTUALIZATION_V2, class_uri

V2_ALL = VIRTUALIZATION_V2 + "/*"
CIMV2_ALL = CIMV2 + "/*"

COMPUTER_SYSTEM = class_uri(VIRTUALIZATION_V2, "Msvm_ComputerSystem")
VSSD = class_uri(VIRTUALIZATION_V2, "Msvm_VirtualSystemSettingData")
CONCRETE_JOB = class_uri(VIRTUALIZATION_V2, "Msvm_ConcreteJob")
VSMS = class_uri(VIRTUALIZATION_V2, "Msvm_VirtualSystemManagementService")
SHUTDOWN_COMPONENT = class_uri(VIRTUALIZATION_V2, "Msvm_ShutdownComponent")
SNAPSHOT_SERVICE = class_uri(VIRTUALIZATION_V2, "Msvm_VirtualSystemSnapshotService")
KEYBOARD = class_uri(VIRTUALIZATION_V2, "Msvm_Keyboard")
IMAGE_SERVICE = class_uri(VIRTUALIZATION_V2, "Msvm_ImageManagementService")
DATA_FILE = class_uri(CIMV2, "CIM_DataFile")

VM_FILTER = "Description = 'Microsoft Virtual Machine'"

# Host facts, read when connecting and with each inventory.
WQL_OS_FACTS = (
    "SELECT Caption, Version, BuildNumber, ProductType, CSName, FreePhysicalMemory, "
    "TotalVisibleMemorySize, LastBootUpTime, LocalDateTime FROM Win32_OperatingSystem"
)
# Per refresh: only what moves.
WQL_OS_LIVE = "SELECT FreePhysicalMemory, LastBootUpTime, LocalDateTime FROM Win32_OperatingSystem"
WQL_COMPUTER = (
    "SELECT DNSHostName, Domain, PartOfDomain, Name, TotalPhysicalMemory, "
    "NumberOfLogicalProcessors, NumberOfProcessors FROM Win32_ComputerSystem"
)
WQL_PROCESSORS = (
    "SELECT DeviceID, Name, MaxClockSpeed, NumberOfCores, NumberOfLogicalProcessors FROM Win32_Processor"
)
WQL_PRODUCT = "SELECT UUID FROM Win32_ComputerSystemProduct"
WQL_MAX_VCPUS = (
    "SELECT InstanceID, VirtualQuantity FROM Msvm_ProcessorSettingData "
    "WHERE InstanceID LIKE 'Microsoft:Definition%Maximum'"
)

# Inventory: what changes only when someone reconfigures a VM (or starts it: ProcessID).
WQL_VMS = (
    "SELECT Name, ElementName, EnabledState, ProcessID, OnTimeInMilliseconds, HealthState "
    f"FROM Msvm_ComputerSystem WHERE {VM_FILTER}"
)
# What a listing of VMs shows beyond the summary: libvirt's ID (the worker's ProcessID).
WQL_VM_IDS = f"SELECT Name, ProcessID FROM Msvm_ComputerSystem WHERE {VM_FILTER}"
WQL_VSSD = (
    "SELECT InstanceID, VirtualSystemIdentifier, ElementName, VirtualSystemSubType, Version, "
    "AutomaticStartupAction, Notes, CreationTime FROM Msvm_VirtualSystemSettingData "
    "WHERE VirtualSystemType = 'Microsoft:Hyper-V:System:Realized'"
)
WQL_MEMORY = (
    "SELECT InstanceID, VirtualQuantity, Limit, Reservation, DynamicMemoryEnabled, TargetMemoryBuffer "
    "FROM Msvm_MemorySettingData WHERE NOT (InstanceID LIKE 'Microsoft:Definition%')"
)
WQL_PROCESSOR_SD = (
    "SELECT InstanceID, VirtualQuantity FROM Msvm_ProcessorSettingData "
    "WHERE NOT (InstanceID LIKE 'Microsoft:Definition%')"
)
WQL_SHUTDOWN = "SELECT SystemName, DeviceID, EnabledState FROM Msvm_ShutdownComponent"

# Checkpoints (Hyper-V's snapshots) are settings too: VirtualSystemIdentifier names their VM.
VM_SETTINGS_TYPE = "Microsoft:Hyper-V:System:Realized"
CHECKPOINT_TYPE_PREFIX = "Microsoft:Hyper-V:Snapshot:"
WQL_CHECKPOINT_OWNERS = (
    "SELECT VirtualSystemIdentifier FROM Msvm_VirtualSystemSettingData "
    f"WHERE VirtualSystemType LIKE '{CHECKPOINT_TYPE_PREFIX}%'"
)


def wql_settings_of(guid: str) -> str:
    """A VM's own settings (whose Parent is its current checkpoint) and its checkpoints, in one read."""
    return (
        "SELECT InstanceID, ElementName, VirtualSystemType, CreationTime, Parent, IsSaved "
        f"FROM Msvm_VirtualSystemSettingData WHERE VirtualSystemIdentifier = {quote(guid)}"
    )


# Read with the inventory, for every VM at once: the guest's addresses (InstanceID
# "Microsoft:GuestNetwork\<VM GUID>\<NIC GUID>" names the VM and the NIC), the guest's own
# facts (FQDN, OS) from its KVP items, the host's switches and every port's connection.
WQL_GUEST_NETWORKS = (
    "SELECT InstanceID, IPAddresses, Subnets, DefaultGateways, DNSServers, DHCPEnabled "
    "FROM Msvm_GuestNetworkAdapterConfiguration"
)
WQL_KVP = "SELECT SystemName, GuestIntrinsicExchangeItems FROM Msvm_KvpExchangeComponent"
WQL_SWITCHES = "SELECT Name, ElementName, HealthState FROM Msvm_VirtualEthernetSwitch"
WQL_PORTS = (
    "SELECT InstanceID, Parent, HostResource, EnabledState, LastKnownSwitchName "
    "FROM Msvm_EthernetPortAllocationSettingData"
)

# One VM's devices: every setting whose InstanceID starts with "Microsoft:<VM GUID>" (a
# snapshot's devices carry the snapshot's own GUID, so only the VM's current ones match).
_DEVICE_SELECTS = {
    "Msvm_ResourceAllocationSettingData": (
        "InstanceID, ResourceType, ResourceSubType, ElementName, Address, Parent, AddressOnParent, "
        "HostResource"
    ),
    "Msvm_StorageAllocationSettingData": "InstanceID, ResourceSubType, Parent, HostResource",
    "Msvm_SyntheticEthernetPortSettingData": "InstanceID, ElementName, Address, StaticMacAddress",
    "Msvm_EthernetPortAllocationSettingData": (
        "InstanceID, Parent, HostResource, EnabledState, LastKnownSwitchName"
    ),
    "Msvm_SerialPortSettingData": "InstanceID, ElementName, Connection",
}
DEVICE_CLASSES = tuple(_DEVICE_SELECTS)


def wql_devices_of(class_name: str, guid: str) -> str:
    return (
        f"SELECT {_DEVICE_SELECTS[class_name]} FROM {class_name} "
        f"WHERE InstanceID LIKE {quote(f'Microsoft:{guid}%')}"
    )


# Where a new VM's files go: the host's default folders.
WQL_DEFAULT_FOLDERS = (
    "SELECT DefaultExternalDataRoot, DefaultVirtualHardDiskPath "
    "FROM Msvm_VirtualSystemManagementServiceSettingData"
)


def wql_guest_networks_of(guid: str) -> str:
    prefix = "Microsoft:GuestNetwork\\" + guid
    return f"{WQL_GUEST_NETWORKS} WHERE InstanceID LIKE {quote(prefix + '%')}"


def wql_kvp_of(*guids: str) -> str:
    return f"{WQL_KVP} WHERE " + " OR ".join(f"SystemName = {quote(guid)}" for guid in guids)


def wql_shutdown_of(guid: str) -> str:
    return f"SELECT SystemName, DeviceID FROM Msvm_ShutdownComponent WHERE SystemName = {quote(guid)}"


def wql_video_heads_of(guid: str) -> str:
    """A VM's video heads: one on generation 2, the S3 and the synthetic one's on generation 1."""
    return (
        "SELECT DeviceID, EnabledState, CurrentHorizontalResolution, CurrentVerticalResolution "
        f"FROM Msvm_VideoHead WHERE SystemName = {quote(guid)}"
    )


def wql_keyboard_of(guid: str) -> str:
    return f"SELECT DeviceID FROM Msvm_Keyboard WHERE SystemName = {quote(guid)}"


def quote(value: str) -> str:
    """A WQL string literal (libvirt's virBufferEscapeSQL: escape backslash and quote)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


#: VMs a host may have: well above Hyper-V's 1,024 running VMs per host, since VMs that are
#: off count too, and above the 10,000 the benchmarks simulate.
MOST_VMS = 16384
#: Settings of one kind: one per VM and per checkpoint (Hyper-V allows 50 a VM). The client's
#: own bound (50,000 items) is the tighter one.
MOST_SETTINGS = MOST_VMS * (1 + 50)


@dataclass(frozen=True)
class Read:
    """One question hvtui asks a host, and the most answers it can legitimately have.

    ``thing`` names one answer for a person ("operating system"): "more than 1 operating system".
    """

    resource_uri: str
    wql: str
    class_name: str
    most: int
    thing: str

    @property
    def things(self) -> str:
        return self.thing + "s"

    def named(self, count: int) -> str:
        return f"{count:,} {self.thing if count == 1 else self.things}"


OS_FACTS = Read(CIMV2_ALL, WQL_OS_FACTS, "Win32_OperatingSystem", 1, "operating system")
OS_LIVE = Read(CIMV2_ALL, WQL_OS_LIVE, "Win32_OperatingSystem", 1, "operating system")
COMPUTER = Read(CIMV2_ALL, WQL_COMPUTER, "Win32_ComputerSystem", 1, "computer system")
# One per socket: a few hundred is more than any board has.
PROCESSORS = Read(CIMV2_ALL, WQL_PROCESSORS, "Win32_Processor", 256, "processor")
PRODUCT = Read(CIMV2_ALL, WQL_PRODUCT, "Win32_ComputerSystemProduct", 1, "computer system product")
# One per VM configuration version and generation the host supports.
MAX_VCPUS = Read(V2_ALL, WQL_MAX_VCPUS, "Msvm_ProcessorSettingData", 256, "processor setting definition")
VMS = Read(V2_ALL, WQL_VMS, "Msvm_ComputerSystem", MOST_VMS, "VM")
VM_IDS = Read(V2_ALL, WQL_VM_IDS, "Msvm_ComputerSystem", MOST_VMS, "VM")
VSSDS = Read(V2_ALL, WQL_VSSD, "Msvm_VirtualSystemSettingData", MOST_VMS, "VM setting")
MEMORY = Read(V2_ALL, WQL_MEMORY, "Msvm_MemorySettingData", MOST_SETTINGS, "memory setting")
PROCESSOR_SETTINGS = Read(
    V2_ALL, WQL_PROCESSOR_SD, "Msvm_ProcessorSettingData", MOST_SETTINGS, "processor setting"
)
SHUTDOWN = Read(V2_ALL, WQL_SHUTDOWN, "Msvm_ShutdownComponent", MOST_VMS, "shutdown component")


def video_heads_of(guid: str) -> Read:
    """A VM's video heads: one on generation 2, two on generation 1."""
    return Read(V2_ALL, wql_video_heads_of(guid), "Msvm_VideoHead", 2, "video head")


def keyboard_of(guid: str) -> Read:
    return Read(V2_ALL, wql_keyboard_of(guid), "Msvm_Keyboard", 1, "keyboard")


# The host's one service setting (the default folders), for making a VM.
DEFAULT_FOLDERS = Read(
    V2_ALL, WQL_DEFAULT_FOLDERS, "Msvm_VirtualSystemManagementServiceSettingData", 1, "service setting"
)
# Up to 12 NICs a VM (8 synthetic, 4 legacy); a port per NIC and per checkpoint's NIC.
GUEST_NETWORKS = Read(
    V2_ALL, WQL_GUEST_NETWORKS, "Msvm_GuestNetworkAdapterConfiguration", MOST_VMS * 12, "guest network"
)
KVP = Read(V2_ALL, WQL_KVP, "Msvm_KvpExchangeComponent", MOST_VMS, "guest KVP component")
SWITCHES = Read(V2_ALL, WQL_SWITCHES, "Msvm_VirtualEthernetSwitch", 4096, "virtual switch")
PORTS = Read(V2_ALL, WQL_PORTS, "Msvm_EthernetPortAllocationSettingData", MOST_SETTINGS, "switch port")
# One VM's devices: a few hundred at most (Hyper-V: 4 SCSI controllers of 64 disks, 12 NICs).
_MOST_DEVICES = 1024


def devices_of(class_name: str, guid: str) -> Read:
    return Read(V2_ALL, wql_devices_of(class_name, guid), class_name, _MOST_DEVICES, "device setting")


def guest_networks_of(guid: str) -> Read:
    return Read(
        V2_ALL, wql_guest_networks_of(guid), "Msvm_GuestNetworkAdapterConfiguration", 64, "guest network"
    )


def kvp_of(*guids: str) -> Read:
    """The KVP components of the VMs named: one each at most."""
    return Read(V2_ALL, wql_kvp_of(*guids), "Msvm_KvpExchangeComponent", len(guids), "guest KVP component")


def shutdown_of(guid: str) -> Read:
    """The shutdown integration component of one VM: one at most."""
    return Read(V2_ALL, wql_shutdown_of(guid), "Msvm_ShutdownComponent", 1, "shutdown component")


#: Checkpoints a VM may have: Hyper-V allows 50.
MOST_CHECKPOINTS = 50
CHECKPOINT_OWNERS = Read(
    V2_ALL, WQL_CHECKPOINT_OWNERS, "Msvm_VirtualSystemSettingData", MOST_VMS * MOST_CHECKPOINTS, "checkpoint"
)


def settings_of(guid: str) -> Read:
    """One VM's own settings and its checkpoints' (:func:`wql_settings_of`)."""
    return Read(
        V2_ALL, wql_settings_of(guid), "Msvm_VirtualSystemSettingData", 1 + MOST_CHECKPOINTS, "setting"
    )


# GetSummaryInformation: what one refresh asks for every VM.
SUMMARY_NAME = 0
SUMMARY_ELEMENT_NAME = 1
SUMMARY_NUMBER_OF_PROCESSORS = 4
SUMMARY_ENABLED_STATE = 100
SUMMARY_PROCESSOR_LOAD = 101
SUMMARY_MEMORY_USAGE = 103
SUMMARY_HEARTBEAT = 104
SUMMARY_UPTIME = 105
SUMMARY_GUEST_OS = 106
SUMMARY_ASYNC_TASKS = 108
SUMMARY_HEALTH = 109
SUMMARY_MEMORY_AVAILABLE = 112
SUMMARY_MEMORY_BUFFER = 113
SUMMARY_CODES: tuple[int, ...] = (
    SUMMARY_NAME,
    SUMMARY_ELEMENT_NAME,
    SUMMARY_NUMBER_OF_PROCESSORS,
    SUMMARY_ENABLED_STATE,
    SUMMARY_PROCESSOR_LOAD,
    SUMMARY_MEMORY_USAGE,
    SUMMARY_HEARTBEAT,
    SUMMARY_UPTIME,
    SUMMARY_GUEST_OS,
    SUMMARY_ASYNC_TASKS,
    SUMMARY_HEALTH,
    SUMMARY_MEMORY_AVAILABLE,
    SUMMARY_MEMORY_BUFFER,
)

# CIM types of every property hvtui reads, by class ("[]" marks an array). The session types
# exactly these when a reply arrives (and no others: a property no one reads cannot fail a read).
TYPES: dict[str, dict[str, str]] = {
    "Win32_OperatingSystem": {
        "Caption": "string",
        "Version": "string",
        "BuildNumber": "string",
        "ProductType": "uint32",
        "CSName": "string",
        "FreePhysicalMemory": "uint64",
        "TotalVisibleMemorySize": "uint64",
        "LastBootUpTime": "datetime",
        "LocalDateTime": "datetime",
    },
    "Win32_ComputerSystem": {
        "DNSHostName": "string",
        "Domain": "string",
        "PartOfDomain": "boolean",
        "Name": "string",
        "TotalPhysicalMemory": "uint64",
        "NumberOfLogicalProcessors": "uint32",
    },
    "Win32_Processor": {
        "Name": "string",
        "MaxClockSpeed": "uint32",
        "NumberOfCores": "uint32",
        "NumberOfLogicalProcessors": "uint32",
    },
    "Win32_ComputerSystemProduct": {"UUID": "string"},
    "Msvm_ComputerSystem": {
        "Name": "string",
        "ElementName": "string",
        "EnabledState": "uint16",
        "ProcessID": "uint32",
    },
    "Msvm_VirtualSystemSettingData": {
        "InstanceID": "string",
        "ElementName": "string",
        "VirtualSystemType": "string",
        "Parent": "string",
        "IsSaved": "boolean",
        "VirtualSystemIdentifier": "string",
        "VirtualSystemSubType": "string",
        "Version": "string",
        "AutomaticStartupAction": "uint16",
        "Notes": "string[]",
        "CreationTime": "datetime",
    },
    "Msvm_MemorySettingData": {
        "InstanceID": "string",
        "VirtualQuantity": "uint64",
        "Limit": "uint64",
        "DynamicMemoryEnabled": "boolean",
    },
    "Msvm_ProcessorSettingData": {"InstanceID": "string", "VirtualQuantity": "uint64"},
    "Msvm_ShutdownComponent": {"SystemName": "string", "DeviceID": "string"},
    "Msvm_Keyboard": {"DeviceID": "string"},
    "Msvm_VideoHead": {
        "DeviceID": "string",
        "EnabledState": "uint16",
        "CurrentHorizontalResolution": "uint32",
        "CurrentVerticalResolution": "uint32",
    },
    "Msvm_ConcreteJob": {
        "InstanceID": "string",
        "JobState": "uint16",
        "PercentComplete": "uint16",
        "ErrorCode": "uint16",
        "ErrorDescription": "string",
        "ElapsedTime": "datetime",
        "Description": "string",
        "ElementName": "string",
        "Caption": "string",
    },
    "Msvm_GuestNetworkAdapterConfiguration": {
        "InstanceID": "string",
        "IPAddresses": "string[]",
        "Subnets": "string[]",
        "DefaultGateways": "string[]",
        "DNSServers": "string[]",
        "DHCPEnabled": "boolean",
    },
    # GuestIntrinsicExchangeItems, embedded Msvm_KvpExchangeDataItem instances, is typed by
    # the session with the class below.
    "Msvm_KvpExchangeComponent": {"SystemName": "string"},
    "Msvm_KvpExchangeDataItem": {"Name": "string", "Data": "string", "Source": "uint16"},
    "Msvm_VirtualEthernetSwitch": {"Name": "string", "ElementName": "string", "HealthState": "uint16"},
    "Msvm_EthernetPortAllocationSettingData": {
        "InstanceID": "string",
        "Parent": "string",
        "HostResource": "string[]",
        "EnabledState": "uint16",
        "LastKnownSwitchName": "string",
    },
    "Msvm_ResourceAllocationSettingData": {
        "InstanceID": "string",
        "ResourceType": "uint16",
        "ResourceSubType": "string",
        "ElementName": "string",
        "Address": "string",
        "Parent": "string",
        "AddressOnParent": "string",
        "HostResource": "string[]",
    },
    "Msvm_StorageAllocationSettingData": {
        "InstanceID": "string",
        "ResourceSubType": "string",
        "Parent": "string",
        "HostResource": "string[]",
    },
    "Msvm_SyntheticEthernetPortSettingData": {
        "InstanceID": "string",
        "ElementName": "string",
        "Address": "string",
        "StaticMacAddress": "boolean",
    },
    "Msvm_SerialPortSettingData": {"InstanceID": "string", "ElementName": "string", "Connection": "string[]"},
    "Msvm_VirtualSystemManagementServiceSettingData": {
        "DefaultExternalDataRoot": "string",
        "DefaultVirtualHardDiskPath": "string",
    },
    # What GetVirtualHardDiskSettingData / GetVirtualHardDiskState embed in their output.
    "Msvm_VirtualHardDiskSettingData": {
        "Type": "uint16",
        "Format": "uint16",
        "Path": "string",
        "ParentPath": "string",
        "MaxInternalSize": "uint64",
    },
    "Msvm_VirtualHardDiskState": {"FileSize": "uint64", "InUse": "boolean"},
    # AsynchronousTasks, the Msvm_ConcreteJob instances embedded in a summary, is typed by the
    # session with the class above.
    "Msvm_SummaryInformation": {
        "Name": "string",
        "ElementName": "string",
        "NumberOfProcessors": "uint16",
        "EnabledState": "uint16",
        "ProcessorLoad": "uint16",
        "MemoryUsage": "uint64",
        "Heartbeat": "uint16",
        "UpTime": "uint64",
        "GuestOperatingSystem": "string",
        "HealthState": "uint16",
        "MemoryAvailable": "sint32",
        "AvailableMemoryBuffer": "sint32",
        "Version": "string",
    },
}


def realized_settings_id(guid: str) -> str:
    """The InstanceID Hyper-V gives a VM's current (realized) settings: ``Microsoft:<VM GUID>``.

    A cold read names VMs to GetSummaryInformation by it as soon as it knows their GUIDs,
    without waiting for the settings' own enumeration; a VM whose settings turn out to be
    named otherwise is asked for again by the InstanceID that enumeration found.
    """
    return f"Microsoft:{guid}"
