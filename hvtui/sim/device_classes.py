"""The classes of a VM's devices, switches, guest and host files: properties, keys, ancestry.

Property lists follow Microsoft's Hyper-V WMI provider (V2) reference ("Msvm_ResourceAllocationSettingData
class", "Msvm_StorageAllocationSettingData class", "Msvm_SyntheticEthernetPortSettingData class",
"Msvm_EthernetPortAllocationSettingData class", "Msvm_SerialPortSettingData class",
"Msvm_VirtualEthernetSwitch class", "Msvm_KvpExchangeComponent class", "Msvm_KvpExchangeDataItem
class", "Msvm_GuestNetworkAdapterConfiguration class", "Msvm_SettingDataComponent class",
"Msvm_ElementSettingData class", "Msvm_ImageManagementService class", "Msvm_VirtualHardDiskSettingData
class", "Msvm_VirtualHardDiskState class", "Msvm_VirtualSystemManagementServiceSettingData class") and
"CIM_DataFile class" of the CIMWin32 provider, in the style of :mod:`hvtui.sim.schema`, which
registers them. The shared CIM parts come from there as arguments, so this module imports nothing.
"""

from __future__ import annotations

V2 = "root/virtualization/v2"
CIMV2 = "root/cimv2"
_SETTING = ("InstanceID",)
_DEVICE_KEYS = ("CreationClassName", "DeviceID", "SystemCreationClassName", "SystemName")

ASSOCIATIONS = frozenset({"Msvm_SettingDataComponent", "Msvm_ElementSettingData"})

_ELEMENT = ("CIM_ManagedElement",)
_LOGICAL = ("CIM_EnabledLogicalElement", "CIM_LogicalElement", "CIM_ManagedSystemElement", *_ELEMENT)
_RASD = ("CIM_ResourceAllocationSettingData", "CIM_SettingData", *_ELEMENT)
_EPASD = ("CIM_EthernetPortAllocationSettingData", *_RASD)
DERIVATION: dict[str, tuple[str, ...]] = {
    "Msvm_ResourceAllocationSettingData": _RASD,
    "Msvm_StorageAllocationSettingData": ("CIM_StorageAllocationSettingData", *_RASD),
    "Msvm_SyntheticEthernetPortSettingData": _EPASD,
    "Msvm_EthernetPortAllocationSettingData": _EPASD,
    "Msvm_SerialPortSettingData": _RASD,
    "Msvm_VirtualEthernetSwitch": ("CIM_ComputerSystem", "CIM_System", *_LOGICAL),
    "Msvm_KvpExchangeComponent": ("CIM_LogicalDevice", *_LOGICAL),
    "Msvm_KvpExchangeDataItem": _ELEMENT,
    "Msvm_SettingDataComponent": ("CIM_Component",),
    "Msvm_ElementSettingData": ("CIM_ElementSettingData",),
    "Msvm_ImageManagementService": ("CIM_Service", *_LOGICAL),
    "Msvm_VirtualHardDiskSettingData": ("CIM_SettingData", *_ELEMENT),
    "Msvm_VirtualSystemManagementServiceSettingData": ("CIM_SettingData", *_ELEMENT),
    "CIM_DataFile": ("CIM_LogicalFile", "CIM_LogicalElement", "CIM_ManagedSystemElement"),
}

# (association, role) → the class the reference names, for schema association queries. The
# MOF types Msvm_ElementSettingData's roles as any CIM_ManagedElement and CIM_SettingData; here
# they name the one pair the simulator serves, so a schema query does not list every class.
REFERENCE_CLASSES: dict[tuple[str, str], str] = {
    ("msvm_settingdatacomponent", "groupcomponent"): "CIM_ResourceAllocationSettingData",
    ("msvm_settingdatacomponent", "partcomponent"): "Msvm_GuestNetworkAdapterConfiguration",
    ("msvm_elementsettingdata", "managedelement"): "Msvm_VirtualSystemManagementService",
    ("msvm_elementsettingdata", "settingdata"): "Msvm_VirtualSystemManagementServiceSettingData",
}

_EPASD_EXTRA = """
uint16 DesiredVLANEndpointMode
string OtherEndpointMode
"""


def class_text(
    rasd: str, logical_device: str, enabled: str, service: tuple[tuple[str, ...], str]
) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """name → (namespace, keys, properties) of every class here; the arguments are the shared
    CIM_ResourceAllocationSettingData, CIM_LogicalDevice, CIM_EnabledLogicalElement and
    CIM_Service parts."""
    return {
        "Msvm_ResourceAllocationSettingData": (V2, _SETTING, rasd + "string VirtualSystemIdentifiers[]"),
        "Msvm_StorageAllocationSettingData": (
            V2,
            _SETTING,
            rasd
            + """
string StorageQoSPolicyID
uint64 VirtualResourceBlockSize
uint16 Access
uint64 HostResourceBlockSize
uint64 HostExtentStartingAddress
string HostExtentName
uint16 HostExtentNameFormat
string OtherHostExtentNameFormat
uint16 HostExtentNameNamespace
string OtherHostExtentNameNamespace
uint64 IOPSLimit
uint64 IOPSReservation
string IOPSAllocationUnits
boolean PersistentReservationsSupported
uint16 CachingMode
string SnapshotId
boolean IgnoreFlushes
uint16 WriteHardeningMethod
""",
        ),
        "Msvm_SyntheticEthernetPortSettingData": (
            V2,
            _SETTING,
            rasd
            + _EPASD_EXTRA
            + """
string VirtualSystemIdentifiers[]
boolean DeviceNamingEnabled
boolean AllowPacketDirect
boolean StaticMacAddress
boolean ClusterMonitored
""",
        ),
        "Msvm_EthernetPortAllocationSettingData": (
            V2,
            _SETTING,
            rasd
            + _EPASD_EXTRA
            + """
uint16 EnabledState
string LastKnownSwitchName
string RequiredFeatures[]
string RequiredFeatureHints[]
string TestReplicaPoolID
string TestReplicaSwitchName
string CompartmentGuid
""",
        ),
        "Msvm_SerialPortSettingData": (V2, _SETTING, rasd + "boolean DebuggerMode"),
        "Msvm_VirtualEthernetSwitch": (
            V2,
            ("CreationClassName", "Name"),
            enabled
            + """
string CreationClassName
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
uint32 MaxVMQOffloads
uint32 MaxIOVOffloads
""",
        ),
        "Msvm_KvpExchangeComponent": (
            V2,
            _DEVICE_KEYS,
            logical_device + "string GuestExchangeItems[]\nstring GuestIntrinsicExchangeItems[]",
        ),
        "Msvm_KvpExchangeDataItem": (
            V2,
            _SETTING,
            """
string InstanceID
string Caption
string Description
string ElementName
uint16 Source
string Name
string Data
""",
        ),
        "Msvm_GuestNetworkAdapterConfiguration": (
            V2,
            _SETTING,
            """
string InstanceID
uint16 ProtocolIFType
boolean DHCPEnabled
string IPAddresses[]
string Subnets[]
string DefaultGateways[]
string DNSServers[]
uint16 IPAddressOrigins[]
""",
        ),
        "Msvm_SettingDataComponent": (
            V2,
            ("GroupComponent", "PartComponent"),
            "ref GroupComponent\nref PartComponent",
        ),
        "Msvm_ElementSettingData": (
            V2,
            ("ManagedElement", "SettingData"),
            "ref ManagedElement\nref SettingData\nuint16 IsDefault\nuint16 IsCurrent\nuint16 IsNext",
        ),
        "Msvm_ImageManagementService": (V2, *service),
        "Msvm_VirtualHardDiskSettingData": (
            V2,
            _SETTING,
            """
string InstanceID
string Caption
string Description
string ElementName
uint16 Type
uint16 Format
string Path
string ParentPath
datetime ParentTimestamp
string ParentIdentifier
uint64 MaxInternalSize
uint32 BlockSize
uint32 LogicalSectorSize
uint32 PhysicalSectorSize
string VirtualDiskId
uint64 DataAlignment
uint16 PmemAddressAbstractionType
boolean IsPmemCompatible
""",
        ),
        "Msvm_VirtualHardDiskState": (
            V2,
            (),
            """
uint64 FileSize
boolean InUse
uint64 MinInternalSize
uint32 PhysicalSectorSize
uint32 Alignment
uint32 FragmentationPercentage
datetime Timestamp
""",
        ),
        "Msvm_VirtualSystemManagementServiceSettingData": (
            V2,
            _SETTING,
            """
string InstanceID
string Caption
string Description
string ElementName
string BiosLockString
string DefaultExternalDataRoot
string DefaultVirtualHardDiskPath
string MaximumMacAddress
string MinimumMacAddress
boolean NumaSpanningEnabled
string PrimaryOwnerContact
string PrimaryOwnerName
uint32 HbaLunTimeout
string MaximumWWPNAddress
string MinimumWWPNAddress
string CurrentWWNNAddress
uint16 DefaultVirtualHardDiskCachingMode
boolean HypervisorRootSchedulerEnabled
boolean EnhancedSessionModeEnabled
""",
        ),
        "CIM_DataFile": (
            CIMV2,
            ("Name",),
            """
uint32 AccessMask
boolean Archive
string Caption
boolean Compressed
string CompressionMethod
string CreationClassName
datetime CreationDate
string CSCreationClassName
string CSName
string Description
string Drive
string EightDotThreeFileName
boolean Encrypted
string EncryptionMethod
string Extension
string FileName
uint64 FileSize
string FileType
string FSCreationClassName
string FSName
boolean Hidden
datetime InstallDate
uint64 InUseCount
datetime LastAccessed
datetime LastModified
string Manufacturer
string Name
string Path
boolean Readable
string Status
boolean System
string Version
boolean Writeable
""",
        ),
    }
