"""The CIM classes of a VM's console: display controllers, the video head, and the association
between them, as the Hyper-V WMI provider (V2) declares them ("Msvm_SyntheticDisplayController
class", "Msvm_S3DisplayController class", "Msvm_VideoHead class", "Msvm_VideoHeadOnController
class" on Microsoft Learn). Msvm_Keyboard is in the main table already.

Kept apart from :mod:`hvtui.sim.schema`, which adds them to its table; the shared property
blocks come in as arguments, so this module imports nothing of the schema.
"""

from __future__ import annotations

SYNTHETIC = "Msvm_SyntheticDisplayController"
S3 = "Msvm_S3DisplayController"
HEAD = "Msvm_VideoHead"
HEAD_ON_CONTROLLER = "Msvm_VideoHeadOnController"

_DEVICE_KEYS = ("CreationClassName", "DeviceID", "SystemCreationClassName", "SystemName")

_DISPLAY_CONTROLLER = """
datetime TimeOfLastReset
uint16 ProtocolSupported
uint32 MaxNumberControlled
string ProtocolDescription
string VideoProcessor
uint16 VideoMemoryType
string OtherVideoMemoryType
uint32 NumberOfVideoPages
uint32 MaxMemorySupported
uint16 AcceleratorCapabilities[]
string CapabilityDescriptions[]
string OtherVideoArchitecture
uint16 VideoArchitecture
"""

_VIDEO_HEAD = """
uint32 CurrentBitsPerPixel
uint32 CurrentHorizontalResolution
uint32 CurrentVerticalResolution
uint32 MaxRefreshRate
uint32 MinRefreshRate
uint32 CurrentRefreshRate
uint16 CurrentScanMode
string OtherCurrentScanMode
uint32 CurrentNumberOfRows
uint32 CurrentNumberOfColumns
uint64 CurrentNumberOfColors
"""

V2 = "root/virtualization/v2"

ASSOCIATIONS = frozenset({HEAD_ON_CONTROLLER})

_DEVICE = (
    "CIM_LogicalDevice",
    "CIM_EnabledLogicalElement",
    "CIM_LogicalElement",
    "CIM_ManagedSystemElement",
    "CIM_ManagedElement",
)
DERIVATION: dict[str, tuple[str, ...]] = {
    SYNTHETIC: ("CIM_DisplayController", "CIM_Controller", *_DEVICE),
    S3: ("CIM_DisplayController", "CIM_Controller", *_DEVICE),
    HEAD: ("CIM_VideoHead", *_DEVICE),
    HEAD_ON_CONTROLLER: ("CIM_VideoHeadOnController", "CIM_Dependency"),
}
REFERENCE_CLASSES: dict[tuple[str, str], str] = {
    (HEAD_ON_CONTROLLER.lower(), "antecedent"): "CIM_DisplayController",
    (HEAD_ON_CONTROLLER.lower(), "dependent"): HEAD,
}


def class_text(logical_device: str) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """Name -> (namespace, keys, properties) in the schema table's form."""
    return {
        SYNTHETIC: (V2, _DEVICE_KEYS, logical_device + _DISPLAY_CONTROLLER),
        S3: (V2, _DEVICE_KEYS, logical_device + _DISPLAY_CONTROLLER),
        HEAD: (V2, _DEVICE_KEYS, logical_device + _VIDEO_HEAD),
        HEAD_ON_CONTROLLER: (V2, ("Antecedent", "Dependent"), "ref Antecedent\nref Dependent"),
    }
