"""The classes of checkpoints (snapshots, in WMI's words): the service, the associations, their ancestry.

From Microsoft's Hyper-V WMI provider (V2) reference ("Msvm_VirtualSystemSnapshotService class",
"Msvm_SnapshotOfVirtualSystem class", "Msvm_ParentChildSettingData class",
"Msvm_MostCurrentSnapshotInBranch class"), in the style of :mod:`hvtui.sim.schema`, which
registers them; the shared CIM part comes from there as an argument, so this module imports nothing.
A checkpoint itself is a Msvm_VirtualSystemSettingData, which the schema already serves.
"""

from __future__ import annotations

V2 = "root/virtualization/v2"
SERVICE = "Msvm_VirtualSystemSnapshotService"
SNAPSHOT_OF = "Msvm_SnapshotOfVirtualSystem"
PARENT_CHILD = "Msvm_ParentChildSettingData"
MOST_CURRENT = "Msvm_MostCurrentSnapshotInBranch"
_DEPENDENCY = ("Antecedent", "Dependent")
_REFS = "ref Antecedent\nref Dependent"

ASSOCIATIONS = frozenset({SNAPSHOT_OF, PARENT_CHILD, MOST_CURRENT})

_LOGICAL = (
    "CIM_EnabledLogicalElement",
    "CIM_LogicalElement",
    "CIM_ManagedSystemElement",
    "CIM_ManagedElement",
)
DERIVATION: dict[str, tuple[str, ...]] = {
    SERVICE: ("CIM_VirtualSystemSnapshotService", "CIM_Service", *_LOGICAL),
    SNAPSHOT_OF: ("CIM_SnapshotOfVirtualSystem", "CIM_Dependency"),
    PARENT_CHILD: ("CIM_Dependency",),
    MOST_CURRENT: ("CIM_MostCurrentSnapshotInBranch", "CIM_Dependency"),
}

REFERENCE_CLASSES: dict[tuple[str, str], str] = {
    (SNAPSHOT_OF.lower(), "antecedent"): "Msvm_ComputerSystem",
    (SNAPSHOT_OF.lower(), "dependent"): "Msvm_VirtualSystemSettingData",
    (PARENT_CHILD.lower(), "antecedent"): "Msvm_VirtualSystemSettingData",
    (PARENT_CHILD.lower(), "dependent"): "Msvm_VirtualSystemSettingData",
    (MOST_CURRENT.lower(), "antecedent"): "Msvm_ComputerSystem",
    (MOST_CURRENT.lower(), "dependent"): "Msvm_VirtualSystemSettingData",
}


def class_text(service: tuple[tuple[str, ...], str]) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """Entries for the schema's class table: name -> (namespace, keys, properties); ``service``
    is the shared CIM_Service part, its keys and properties."""
    return {
        SERVICE: (V2, *service),
        SNAPSHOT_OF: (V2, _DEPENDENCY, _REFS),
        PARENT_CHILD: (V2, _DEPENDENCY, _REFS),
        MOST_CURRENT: (V2, _DEPENDENCY, _REFS),
    }
