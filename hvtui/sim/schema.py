"""The CIM classes the simulator serves: namespace, keys and every property with its type.

The table is written in the style of libvirt's generator input (``type Name`` or ``type Name[]``,
as in libvirt's ``src/hyperv/hyperv_wmi_generator.input``) so the two can be compared line by
line; the properties are those of each class's page on Microsoft Learn (Hyper-V WMI v2 classes
such as "Msvm_ComputerSystem class", and the Win32 classes of CIMv2). The renderer uses it to
emit **every** property of a class in every instance, in the case-insensitive alphabetical order
Windows uses, and to render nulls, arrays, datetimes, intervals and references correctly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hvtui import namespaces as ns
from hvtui.sim import console_classes, device_classes, snapshot_classes

V2 = "root/virtualization/v2"
CIMV2 = "root/cimv2"

NAMESPACE_URIS = {V2: ns.VIRTUALIZATION_V2, CIMV2: ns.CIMV2}

SCALAR_TYPES = frozenset(
    {
        "string",
        "boolean",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "sint8",
        "sint16",
        "sint32",
        "sint64",
        "datetime",
        "interval",
        "ref",
    }
)


@dataclass(frozen=True)
class Prop:
    """One property: ``cim_type`` is one of SCALAR_TYPES; ``array`` for ``type Name[]``."""

    name: str
    cim_type: str
    array: bool = False


@dataclass(frozen=True)
class CimClass:
    name: str
    namespace: str  # e.g. "root/virtualization/v2"
    keys: tuple[str, ...]
    props: tuple[Prop, ...]  # in rendering order (case-insensitive alphabetical)
    by_lower: dict[str, Prop] = field(default_factory=dict, compare=False, repr=False)
    association: bool = False

    @property
    def uri(self) -> str:
        return f"{NAMESPACE_URIS[self.namespace]}/{self.name}"

    def prop(self, name: str) -> Prop | None:
        return self.by_lower.get(name.lower())


# CIM_ManagedSystemElement .. CIM_EnabledLogicalElement, shared by the logical devices and services.
_ENABLED_LOGICAL_ELEMENT = """
string InstanceID
string Caption
string Description
string ElementName
datetime InstallDate
string Name
uint16 OperationalStatus[]
string StatusDescriptions[]
string Status
uint16 HealthState
uint16 CommunicationStatus
uint16 DetailedStatus
uint16 OperatingStatus
uint16 PrimaryStatus
uint16 EnabledState
string OtherEnabledState
uint16 RequestedState
uint16 EnabledDefault
datetime TimeOfLastStateChange
uint16 AvailableRequestedStates[]
uint16 TransitioningToState
"""
# CIM_Service: its keys, and what every Msvm_*Service adds to CIM_EnabledLogicalElement.
_SERVICE_KEYS = ("CreationClassName", "Name", "SystemCreationClassName", "SystemName")
_SERVICE_PROPERTIES = (
    _ENABLED_LOGICAL_ELEMENT
    + """
string SystemCreationClassName
string SystemName
string CreationClassName
string PrimaryOwnerName
string PrimaryOwnerContact
string StartMode
boolean Started
"""
)

_LOGICAL_DEVICE = (
    _ENABLED_LOGICAL_ELEMENT
    + """
string SystemCreationClassName
string SystemName
string CreationClassName
string DeviceID
boolean PowerManagementSupported
uint16 PowerManagementCapabilities[]
uint16 Availability
uint16 StatusInfo
uint32 LastErrorCode
string ErrorDescription
boolean ErrorCleared
string OtherIdentifyingInfo[]
uint64 PowerOnHours
uint64 TotalPowerOnHours
string IdentifyingDescriptions[]
uint16 AdditionalAvailability[]
uint64 MaxQuiesceTime
"""
)

_RESOURCE_ALLOCATION = """
string InstanceID
string Caption
string Description
string ElementName
uint16 ResourceType
string OtherResourceType
string ResourceSubType
string PoolID
uint16 ConsumerVisibility
string HostResource[]
string AllocationUnits
uint64 VirtualQuantity
uint64 Reservation
uint64 Limit
uint32 Weight
boolean AutomaticAllocation
boolean AutomaticDeallocation
string Parent
string Connection[]
string Address
uint16 MappingBehavior
string AddressOnParent
string VirtualQuantityUnits
"""

_CLASS_TEXT: dict[str, tuple[str, tuple[str, ...], str]] = {
    "Msvm_ComputerSystem": (
        V2,
        ("CreationClassName", "Name"),
        """
string InstanceID
string Caption
string Description
string ElementName
datetime InstallDate
uint16 OperationalStatus[]
string StatusDescriptions[]
string Status
uint16 HealthState
uint16 CommunicationStatus
uint16 DetailedStatus
uint16 OperatingStatus
uint16 PrimaryStatus
uint16 EnabledState
string OtherEnabledState
uint16 RequestedState
uint16 EnabledDefault
datetime TimeOfLastStateChange
uint16 AvailableRequestedStates[]
uint16 TransitioningToState
string CreationClassName
string Name
string PrimaryOwnerName
string PrimaryOwnerContact
string Roles[]
string NameFormat
string OtherIdentifyingInfo[]
string IdentifyingDescriptions[]
uint16 Dedicated[]
string OtherDedicatedDescriptions[]
uint16 ResetCapability
uint16 PowerManagementCapabilities[]
uint64 OnTimeInMilliseconds
uint32 ProcessID
datetime TimeOfLastConfigurationChange
uint16 NumberOfNumaNodes
uint16 ReplicationState
uint16 ReplicationHealth
uint16 ReplicationMode
uint16 FailedOverReplicationType
uint16 LastReplicationType
datetime LastApplicationConsistentReplicationTime
datetime LastReplicationTime
datetime LastSuccessfulBackupTime
uint16 EnhancedSessionModeState
""",
    ),
    "Msvm_VirtualSystemSettingData": (
        V2,
        ("InstanceID",),
        """
string InstanceID
string Caption
string Description
string ElementName
string VirtualSystemIdentifier
string VirtualSystemType
string Notes[]
datetime CreationTime
string ConfigurationID
string ConfigurationDataRoot
string ConfigurationFile
string SnapshotDataRoot
string SuspendDataRoot
string SwapFileDataRoot
string LogDataRoot
uint16 AutomaticStartupAction
interval AutomaticStartupActionDelay
uint16 AutomaticStartupActionSequenceNumber
uint16 AutomaticShutdownAction
uint16 AutomaticRecoveryAction
string RecoveryFile
string BIOSGUID
string BIOSSerialNumber
string BaseBoardSerialNumber
string ChassisSerialNumber
string ChassisAssetTag
boolean BIOSNumLock
uint16 BootOrder[]
string Parent
boolean IsSaved
string AdditionalRecoveryInformation
boolean AllowFullSCSICommandSet
uint32 DebugChannelId
uint16 DebugPortEnabled
uint32 DebugPort
string Version
boolean IncrementalBackupEnabled
boolean VirtualNumaEnabled
boolean AllowReducedFcRedundancy
string VirtualSystemSubType
string BootSourceOrder[]
boolean PauseAfterBootFailure
uint16 NetworkBootPreferredProtocol
boolean SecureBootEnabled
uint64 LowMmioGapSize
uint16 UserSnapshotType
""",
    ),
    "Msvm_ProcessorSettingData": (
        V2,
        ("InstanceID",),
        _RESOURCE_ALLOCATION
        + """
boolean LimitCPUID
boolean LimitProcessorFeatures
uint64 MaxProcessorsPerNumaNode
uint64 MaxNumaNodesPerSocket
""",
    ),
    "Msvm_MemorySettingData": (
        V2,
        ("InstanceID",),
        _RESOURCE_ALLOCATION
        + """
boolean DynamicMemoryEnabled
uint32 TargetMemoryBuffer
boolean IsVirtualized
boolean SwapFilesInUse
uint64 MaxMemoryBlocksPerNumaNode
""",
    ),
    "Msvm_ConcreteJob": (
        V2,
        ("InstanceID",),
        """
string InstanceID
string Caption
string Description
string ElementName
datetime InstallDate
string Name
uint16 OperationalStatus[]
string StatusDescriptions[]
string Status
uint16 HealthState
uint16 CommunicationStatus
uint16 DetailedStatus
uint16 OperatingStatus
uint16 PrimaryStatus
string JobStatus
datetime TimeSubmitted
datetime ScheduledStartTime
datetime StartTime
interval ElapsedTime
uint32 JobRunTimes
uint8 RunMonth
sint8 RunDay
sint8 RunDayOfWeek
interval RunStartInterval
uint16 LocalOrUtcTime
datetime UntilTime
string Notify
string Owner
uint32 Priority
uint16 PercentComplete
boolean DeleteOnCompletion
uint16 ErrorCode
string ErrorDescription
string ErrorSummaryDescription
uint16 RecoveryAction
string OtherRecoveryAction
uint16 JobState
datetime TimeOfLastStateChange
interval TimeBeforeRemoval
boolean Cancellable
uint16 JobType
""",
    ),
    "Msvm_VirtualSystemManagementService": (V2, _SERVICE_KEYS, _SERVICE_PROPERTIES),
    "Msvm_ShutdownComponent": (
        V2,
        ("CreationClassName", "DeviceID", "SystemCreationClassName", "SystemName"),
        _LOGICAL_DEVICE,
    ),
    "Msvm_Keyboard": (
        V2,
        ("CreationClassName", "DeviceID", "SystemCreationClassName", "SystemName"),
        _LOGICAL_DEVICE
        + """
boolean IsLocked
string Layout
uint16 NumberOfFunctionKeys
uint16 Password
boolean UnicodeSupported
""",
    ),
    "Msvm_SummaryInformation": (
        V2,
        ("InstanceID",),
        """
string InstanceID
string AllocatedGPU
boolean Shielded
string AsynchronousTasks[]
datetime CreationTime
string ElementName
uint16 EnabledState
string OtherEnabledState
string GuestOperatingSystem
uint16 HealthState
uint16 Heartbeat
uint64 MemoryUsage
sint32 MemoryAvailable
sint32 AvailableMemoryBuffer
boolean SwapFilesInUse
string Name
string Notes
string Version
uint16 NumberOfProcessors
uint16 OperationalStatus[]
uint16 ProcessorLoad
uint16 ProcessorLoadHistory[]
string Snapshots[]
string StatusDescriptions[]
uint8 ThumbnailImage[]
uint16 ThumbnailImageHeight
uint16 ThumbnailImageWidth
uint64 UpTime
uint16 ReplicationState
uint16 ReplicationStateEx[]
uint16 ReplicationHealth
uint16 ReplicationHealthEx[]
uint16 ReplicationMode
ref TestReplicaSystem
uint16 ApplicationHealth
uint16 IntegrationServicesVersionState
boolean MemorySpansPhysicalNumaNodes
string ReplicationProviderId[]
uint16 EnhancedSessionModeState
string VirtualSwitchNames[]
string VirtualSystemSubType
string HostComputerSystemName
""",
    ),
    "Msvm_SettingsDefineState": (
        V2,
        ("ManagedElement", "SettingData"),
        "ref ManagedElement\nref SettingData",
    ),
    "Msvm_VirtualSystemSettingDataComponent": (
        V2,
        ("GroupComponent", "PartComponent"),
        "ref GroupComponent\nref PartComponent",
    ),
    "Msvm_SystemDevice": (V2, ("GroupComponent", "PartComponent"), "ref GroupComponent\nref PartComponent"),
    "Win32_OperatingSystem": (
        CIMV2,
        ("Name",),
        """
string BootDevice
string BuildNumber
string BuildType
string Caption
string CodeSet
string CountryCode
string CreationClassName
string CSCreationClassName
string CSDVersion
string CSName
sint16 CurrentTimeZone
boolean DataExecutionPrevention_Available
boolean DataExecutionPrevention_32BitApplications
boolean DataExecutionPrevention_Drivers
uint8 DataExecutionPrevention_SupportPolicy
boolean Debug
string Description
boolean Distributed
uint32 EncryptionLevel
uint8 ForegroundApplicationBoost
uint64 FreePhysicalMemory
uint64 FreeSpaceInPagingFiles
uint64 FreeVirtualMemory
datetime InstallDate
uint32 LargeSystemCache
datetime LastBootUpTime
datetime LocalDateTime
string Locale
string Manufacturer
uint32 MaxNumberOfProcesses
uint64 MaxProcessMemorySize
string MUILanguages[]
string Name
uint32 NumberOfLicensedUsers
uint32 NumberOfProcesses
uint32 NumberOfUsers
uint32 OperatingSystemSKU
string Organization
string OSArchitecture
uint32 OSLanguage
uint32 OSProductSuite
uint16 OSType
string OtherTypeDescription
boolean PAEEnabled
string PlusProductID
string PlusVersionNumber
boolean PortableOperatingSystem
boolean Primary
uint32 ProductType
string RegisteredUser
string SerialNumber
uint16 ServicePackMajorVersion
uint16 ServicePackMinorVersion
uint64 SizeStoredInPagingFiles
string Status
uint32 SuiteMask
string SystemDevice
string SystemDirectory
string SystemDrive
uint64 TotalSwapSpaceSize
uint64 TotalVirtualMemorySize
uint64 TotalVisibleMemorySize
string Version
string WindowsDirectory
""",
    ),
    "Win32_ComputerSystem": (
        CIMV2,
        ("Name",),
        """
uint16 AdminPasswordStatus
boolean AutomaticManagedPagefile
boolean AutomaticResetBootOption
boolean AutomaticResetCapability
uint16 BootOptionOnLimit
uint16 BootOptionOnWatchDog
boolean BootROMSupported
string BootupState
string Caption
uint16 ChassisBootupState
string CreationClassName
sint16 CurrentTimeZone
boolean DaylightInEffect
string Description
string DNSHostName
string Domain
uint16 DomainRole
boolean EnableDaylightSavingsTime
uint16 FrontPanelResetStatus
boolean HypervisorPresent
boolean InfraredSupported
string InitialLoadInfo[]
datetime InstallDate
uint16 KeyboardPasswordStatus
string LastLoadInfo
string Manufacturer
string Model
string Name
string NameFormat
boolean NetworkServerModeEnabled
uint32 NumberOfLogicalProcessors
uint32 NumberOfProcessors
uint8 OEMLogoBitmap[]
string OEMStringArray[]
boolean PartOfDomain
sint64 PauseAfterReset
uint16 PCSystemType
uint16 PowerManagementCapabilities[]
boolean PowerManagementSupported
uint16 PowerOnPasswordStatus
uint16 PowerState
uint16 PowerSupplyState
string PrimaryOwnerContact
string PrimaryOwnerName
uint16 ResetCapability
sint16 ResetCount
sint16 ResetLimit
string Roles[]
string Status
string SupportContactDescription[]
uint16 SystemStartupDelay
string SystemStartupOptions[]
uint8 SystemStartupSetting
string SystemType
uint16 ThermalState
uint64 TotalPhysicalMemory
string UserName
uint16 WakeUpType
string Workgroup
""",
    ),
    "Win32_ComputerSystemProduct": (
        CIMV2,
        ("IdentifyingNumber", "Name", "Version"),
        """
string Caption
string Description
string IdentifyingNumber
string Name
string SKUNumber
string UUID
string Vendor
string Version
""",
    ),
    "Win32_Processor": (
        CIMV2,
        ("DeviceID",),
        """
uint16 AddressWidth
uint16 Architecture
uint16 Availability
string Caption
uint32 ConfigManagerErrorCode
boolean ConfigManagerUserConfig
uint16 CpuStatus
string CreationClassName
uint32 CurrentClockSpeed
uint16 CurrentVoltage
uint16 DataWidth
string Description
string DeviceID
boolean ErrorCleared
string ErrorDescription
uint32 ExtClock
uint16 Family
datetime InstallDate
uint32 L2CacheSize
uint32 L2CacheSpeed
uint32 L3CacheSize
uint32 L3CacheSpeed
uint32 LastErrorCode
uint16 Level
uint16 LoadPercentage
string Manufacturer
uint32 MaxClockSpeed
string Name
uint32 NumberOfCores
uint32 NumberOfLogicalProcessors
string OtherFamilyDescription
string PNPDeviceID
uint16 PowerManagementCapabilities[]
boolean PowerManagementSupported
string ProcessorId
uint16 ProcessorType
uint16 Revision
string Role
string SocketDesignation
string Status
uint16 StatusInfo
string Stepping
string SystemCreationClassName
string SystemName
string UniqueId
uint16 UpgradeMethod
string Version
uint32 VoltageCaps
""",
    ),
    "Win32_ComputerSystemProcessor": (
        CIMV2,
        ("GroupComponent", "PartComponent"),
        "ref GroupComponent\nref PartComponent",
    ),
}

ASSOCIATIONS = frozenset(
    {
        "Msvm_SettingsDefineState",
        "Msvm_VirtualSystemSettingDataComponent",
        "Msvm_SystemDevice",
        "Win32_ComputerSystemProcessor",
    }
)
_SERVICE = (_SERVICE_KEYS, _SERVICE_PROPERTIES)
_CLASS_TEXT.update(
    device_classes.class_text(_RESOURCE_ALLOCATION, _LOGICAL_DEVICE, _ENABLED_LOGICAL_ELEMENT, _SERVICE)
)
ASSOCIATIONS |= device_classes.ASSOCIATIONS
_CLASS_TEXT.update(console_classes.class_text(_LOGICAL_DEVICE))
ASSOCIATIONS |= console_classes.ASSOCIATIONS
_CLASS_TEXT.update(snapshot_classes.class_text(_SERVICE))
ASSOCIATIONS |= snapshot_classes.ASSOCIATIONS


def _parse(name: str, namespace: str, keys: tuple[str, ...], text: str) -> CimClass:
    props: dict[str, Prop] = {}
    for raw in text.strip().splitlines():
        if not raw.strip():
            continue
        cim_type, _, pname = raw.strip().partition(" ")
        array = pname.endswith("[]")
        pname = pname.removesuffix("[]")
        if cim_type not in SCALAR_TYPES:
            raise ValueError(f"{name}.{pname}: unknown CIM type {cim_type}")
        props[pname.lower()] = Prop(pname, cim_type, array)
    ordered = tuple(sorted(props.values(), key=lambda p: p.name.lower()))
    return CimClass(
        name=name,
        namespace=namespace,
        keys=keys,
        props=ordered,
        by_lower={p.name.lower(): p for p in ordered},
        association=name in ASSOCIATIONS,
    )


CLASSES: dict[str, CimClass] = {
    name.lower(): _parse(name, namespace, keys, text) for name, (namespace, keys, text) in _CLASS_TEXT.items()
}


def find_class(name: str) -> CimClass | None:
    """The class by name, case-insensitively (WMI matches class names that way)."""
    return CLASSES.get(name.lower())
