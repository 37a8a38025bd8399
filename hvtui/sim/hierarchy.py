"""What queries need to know of the served classes beyond their properties.

* Superclasses, nearest first, as ``__DERIVATION`` lists them ("WMI System Properties"): ISA and
  the AssocClass / ResultClass filters of "ASSOCIATORS OF Statement" accept a class or any class
  derived from it. Msvm_ classes follow the MOFs in Microsoft's Hyper-V WMI provider (V2) reference;
  root/cimv2 keeps its older CIM schema, which ends at CIM_ManagedSystemElement.
* The class each reference property of an association names, for schema association queries
  ("Schema Associations"); a reference not listed here takes part in data queries only.
* Class qualifiers, for RequiredQualifier / RequiredAssocQualifier: the simulator models the ones
  its classes declare (Association, Dynamic, Provider; Locale and UUID on Win32 classes).
"""

from __future__ import annotations

from hvtui.sim import console_classes, device_classes
from hvtui.sim.schema import CimClass

_ELEMENT = ("CIM_ManagedElement",)
_LOGICAL = ("CIM_EnabledLogicalElement", "CIM_LogicalElement", "CIM_ManagedSystemElement", *_ELEMENT)
_DEVICE = ("CIM_LogicalDevice", *_LOGICAL)
_RASD = ("CIM_ResourceAllocationSettingData", "CIM_SettingData", *_ELEMENT)
_WIN32_LOGICAL = ("CIM_LogicalElement", "CIM_ManagedSystemElement")
_WIN32_SYSTEM = ("CIM_ComputerSystem", "CIM_System", *_WIN32_LOGICAL)
_COMPONENT = ("CIM_SystemDevice", "CIM_SystemComponent", "CIM_Component")

DERIVATION: dict[str, tuple[str, ...]] = {
    "Msvm_ComputerSystem": ("CIM_ComputerSystem", "CIM_System", *_LOGICAL),
    "Msvm_VirtualSystemSettingData": ("CIM_VirtualSystemSettingData", "CIM_SettingData", *_ELEMENT),
    "Msvm_ProcessorSettingData": _RASD,
    "Msvm_MemorySettingData": _RASD,
    "Msvm_ConcreteJob": ("CIM_ConcreteJob", "CIM_Job", *_LOGICAL[1:]),
    "Msvm_VirtualSystemManagementService": ("CIM_VirtualSystemManagementService", "CIM_Service", *_LOGICAL),
    "Msvm_ShutdownComponent": ("Msvm_IntegrationComponent", *_DEVICE),
    "Msvm_Keyboard": ("CIM_Keyboard", "CIM_UserDevice", *_DEVICE),
    "Msvm_SummaryInformation": ("Msvm_SummaryInformationBase",),
    "Msvm_SettingsDefineState": ("CIM_SettingsDefineState",),
    "Msvm_VirtualSystemSettingDataComponent": ("CIM_VirtualSystemSettingDataComponent", "CIM_Component"),
    "Msvm_SystemDevice": _COMPONENT,
    "Win32_OperatingSystem": ("CIM_OperatingSystem", *_WIN32_LOGICAL),
    "Win32_ComputerSystem": ("CIM_UnitaryComputerSystem", *_WIN32_SYSTEM),
    "Win32_ComputerSystemProduct": ("CIM_Product",),
    "Win32_Processor": ("CIM_Processor", "CIM_LogicalDevice", *_WIN32_LOGICAL),
    "Win32_ComputerSystemProcessor": ("Win32_SystemDevices", *_COMPONENT),
} | device_classes.DERIVATION
DERIVATION.update(console_classes.DERIVATION)
_BY_LOWER = {name.lower(): chain for name, chain in DERIVATION.items()}

REFERENCE_CLASSES: dict[tuple[str, str], str] = {
    ("msvm_settingsdefinestate", "managedelement"): "Msvm_ComputerSystem",
    ("msvm_settingsdefinestate", "settingdata"): "Msvm_VirtualSystemSettingData",
    ("msvm_virtualsystemsettingdatacomponent", "groupcomponent"): "Msvm_VirtualSystemSettingData",
    ("msvm_virtualsystemsettingdatacomponent", "partcomponent"): "CIM_ResourceAllocationSettingData",
    ("msvm_systemdevice", "groupcomponent"): "Msvm_ComputerSystem",
    ("msvm_systemdevice", "partcomponent"): "CIM_LogicalDevice",
    ("win32_computersystemprocessor", "groupcomponent"): "Win32_ComputerSystem",
    ("win32_computersystemprocessor", "partcomponent"): "Win32_Processor",
} | device_classes.REFERENCE_CLASSES
REFERENCE_CLASSES.update(console_classes.REFERENCE_CLASSES)


def derivation(class_name: str) -> tuple[str, ...]:
    """The superclasses of a class, nearest first (empty for a class the table does not know)."""
    return _BY_LOWER.get(class_name.lower(), ())


def is_a(class_name: str, ancestor: str) -> bool:
    """Whether a class is ``ancestor`` or derives from it, names compared without regard to case."""
    wanted = ancestor.lower()
    return class_name.lower() == wanted or any(c.lower() == wanted for c in derivation(class_name))


def reference_class(assoc: CimClass, prop: str) -> str | None:
    return REFERENCE_CLASSES.get((assoc.name.lower(), prop.lower()))


def qualifiers(cls: CimClass) -> frozenset[str]:
    """The class qualifiers, lower-case."""
    names = {"dynamic", "provider"}
    if cls.association:
        names.add("association")
    if cls.name.lower().startswith("win32_"):
        names |= {"locale", "uuid"}
    return frozenset(names)
