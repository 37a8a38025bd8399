"""Checkpoints on a simulated host: their settings as Windows renders them, the associations that
reach them, and what the snapshot service's methods do to the VM and its tree.

A checkpoint is a Msvm_VirtualSystemSettingData with VirtualSystemType
``Microsoft:Hyper-V:Snapshot:Realized`` whose VirtualSystemIdentifier is its VM's GUID and whose
Parent is the object path of its parent checkpoint; the VM's own settings name the current
checkpoint as their Parent. Every method answers 4096 and a job that moves; what Windows checks
only while the job runs (checkpoints disabled, production checkpoints impossible, applying to a
running VM) fails the job with Windows' reason, and the tree is changed only by a job that ends well.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from hvtui.sim.checkpoint_specs import DISABLED, PRODUCTION_ONLY, STANDARD
from hvtui.sim.checkpoint_tree import Checkpoint, CheckpointTree
from hvtui.sim.inventory import OFF, PAUSED, RUNNING, SAVED
from hvtui.sim.model import INVALID_PARAMETER, INVALID_STATE, OK, STARTED, VM, HostModel, Job
from hvtui.sim.render import Ref
from hvtui.sim.schema import find_class
from hvtui.sim.snapshot_classes import MOST_CURRENT, PARENT_CHILD, SERVICE, SNAPSHOT_OF
from hvtui.sim.wql.paths import ObjectPath

SNAPSHOT_TYPE = "Microsoft:Hyper-V:Snapshot:Realized"
FULL_SNAPSHOT = 2  # CreateSnapshot's SnapshotType: the only one Hyper-V takes for a VM
FAILED = 32768
# Simulated seconds, before time_scale and the fault injection's slow factor.
DURATIONS = {"create": 4.0, "apply": 3.0, "destroy": 2.0, "destroy-tree": 2.5}
_NAMESPACE = "root\\virtualization\\v2"


def _ref(cls_name: str, **keys: str) -> Ref:
    cls = find_class(cls_name)
    assert cls is not None, cls_name
    return Ref(cls.uri, tuple((k, keys[k]) for k in cls.keys))


def settings_ref(instance_id: str) -> Ref:
    return _ref("Msvm_VirtualSystemSettingData", InstanceID=instance_id)


def checkpoint_ref(checkpoint_id: str) -> Ref:
    return settings_ref(f"Microsoft:{checkpoint_id}")


def _vm_ref(guid: str) -> Ref:
    return _ref("Msvm_ComputerSystem", CreationClassName="Msvm_ComputerSystem", Name=guid)


def settings_path(server: str, checkpoint_id: str) -> str:
    """``\\\\HOST\\root\\virtualization\\v2:Msvm_VirtualSystemSettingData.InstanceID="Microsoft:…"``,
    the form Windows writes into Parent."""
    ref = checkpoint_ref(checkpoint_id)
    return ObjectPath(ref.class_name, ref.selectors, server, _NAMESPACE).text()


def current_path(m: HostModel, guid: str) -> str | None:
    """The Parent of a VM's own settings: its current checkpoint, or null without one."""
    tree = m.checkpoints.get(guid)
    if tree is None or tree.current is None:
        return None
    return settings_path(m.spec.name, tree.current)


def tree_of(m: HostModel, guid: str) -> CheckpointTree:
    """A VM's tree; a VM created while the host runs starts with an empty one."""
    return m.checkpoints.setdefault(guid, CheckpointTree({}))


def trees(m: HostModel) -> Iterator[tuple[VM, CheckpointTree]]:
    """Every VM with its tree; a deleted VM's checkpoints go with it."""
    for gone in [g for g in m.checkpoints if g not in m.vms]:
        del m.checkpoints[gone]
    for guid, vm in m.vms.items():
        yield vm, tree_of(m, guid)


def find(m: HostModel, checkpoint_id: str) -> tuple[VM, CheckpointTree, Checkpoint] | None:
    wanted = checkpoint_id.upper()
    for vm, tree in trees(m):
        cp = tree.get(wanted)
        if cp is not None:
            return vm, tree, cp
    return None


def find_by_instance_id(m: HostModel, instance_id: str) -> tuple[VM, CheckpointTree, Checkpoint] | None:
    head, _, checkpoint_id = instance_id.partition(":")
    return find(m, checkpoint_id) if head.lower() == "microsoft" and checkpoint_id else None


# --- instances --------------------------------------------------------------------------------


def snapshot_settings(m: HostModel) -> Iterator[dict[str, Any]]:
    """Every checkpoint's Msvm_VirtualSystemSettingData."""
    for vm, tree in trees(m):
        s = vm.spec
        root = f"C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\{s.name}"
        for cp in tree.items.values():
            yield {
                "InstanceID": f"Microsoft:{cp.id}",
                "Caption": "Virtual Machine Settings",
                "Description": "Checkpoint settings for the virtual machine.",
                "ElementName": cp.name,
                "VirtualSystemIdentifier": s.guid,
                "VirtualSystemType": SNAPSHOT_TYPE,
                "Notes": [s.notes],
                "CreationTime": cp.created,
                "ConfigurationID": cp.id,
                "ConfigurationDataRoot": root,
                "ConfigurationFile": f"{root}\\Snapshots\\{cp.id}.vmcx",
                "SnapshotDataRoot": root,
                "SuspendDataRoot": root,
                "SwapFileDataRoot": root,
                "LogDataRoot": root,
                "Parent": settings_path(m.spec.name, cp.parent) if cp.parent else None,
                "IsSaved": cp.saved,
                "AutomaticStartupAction": s.autostart,
                "Version": s.version,
                "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{s.generation}",
                "UserSnapshotType": s.checkpoint_type,
            }


def snapshot_services(m: HostModel) -> Iterator[dict[str, Any]]:
    yield {
        "Caption": "Hyper-V Virtual System Snapshot Service",
        "Description": "Service for creating and managing virtual machine snapshots",
        "ElementName": SERVICE,
        "Name": "vssnapshotsvc",
        "OperationalStatus": [2],
        "StatusDescriptions": ["OK"],
        "HealthState": 5,
        "EnabledState": 2,
        "RequestedState": 12,
        "EnabledDefault": 2,
        "TransitioningToState": 5,
        "SystemCreationClassName": "Msvm_ComputerSystem",
        "SystemName": m.spec.name,
        "CreationClassName": SERVICE,
        "StartMode": "Automatic",
        "Started": True,
    }


def associations(m: HostModel, assoc: str) -> Iterator[dict[str, Any]]:
    """Instances of the three checkpoint associations (nothing for any other class)."""
    key = assoc.lower()
    for vm, tree in trees(m):
        guid = vm.guid
        if key == SNAPSHOT_OF.lower():
            for cp in tree.items.values():
                yield {"Antecedent": _vm_ref(guid), "Dependent": checkpoint_ref(cp.id)}
        elif key == PARENT_CHILD.lower():
            for cp in tree.items.values():
                if cp.parent:
                    yield {"Antecedent": checkpoint_ref(cp.parent), "Dependent": checkpoint_ref(cp.id)}
            if tree.current:  # the VM's own settings descend from the current checkpoint
                own = settings_ref(f"Microsoft:{guid}")
                yield {"Antecedent": checkpoint_ref(tree.current), "Dependent": own}
        elif key == MOST_CURRENT.lower() and tree.current:
            yield {"Antecedent": _vm_ref(guid), "Dependent": checkpoint_ref(tree.current)}


PROVIDERS = {SERVICE: snapshot_services}
ASSOCIATION_CLASSES = frozenset(c.lower() for c in (SNAPSHOT_OF, PARENT_CHILD, MOST_CURRENT))


# --- methods ----------------------------------------------------------------------------------


def _busy(m: HostModel, vm: VM) -> bool:
    """A transition, or a checkpoint job of this VM still running: Hyper-V takes one at a time."""
    now = m.now()
    return vm.transition is not None or any(
        j.vm_guid == vm.guid and j.kind in DURATIONS and j.state_at(now)[0] in (3, 4) for j in m.jobs.values()
    )


def default_name(m: HostModel, vm: VM) -> str:
    """Hyper-V Manager's name for a new checkpoint: ``web-01 - (11/1/2026 - 8:05:13 AM)``."""
    t = m.clock.wall()
    hour = t.hour % 12 or 12
    return f"{vm.spec.name} - ({t.month}/{t.day}/{t.year} - {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'})"


def _production_refusal(vm: VM) -> tuple[bool, tuple[int, str] | None]:
    """(production, refusal) for a new checkpoint, from the VM's UserSnapshotType."""
    s = vm.spec
    if s.checkpoint_type == DISABLED:
        return False, (FAILED, f"Checkpoints are disabled for '{s.name}'. (Virtual machine ID {s.guid})")
    if s.checkpoint_type == STANDARD:
        return False, None
    possible = vm.state == OFF or (vm.state == RUNNING and s.backup_service)
    if possible:
        return True, None
    if s.checkpoint_type == PRODUCTION_ONLY:
        why = (
            "the backup integration service is not running in the guest"
            if vm.state == RUNNING
            else ("the virtual machine is saved or paused")
        )
        return False, (FAILED, f"Production checkpoints cannot be created for '{s.name}': {why}.")
    return False, None  # Production: falls back to a standard checkpoint


def create(m: HostModel, guid: str, snapshot_type: int) -> tuple[int, Job | None, str | None]:
    """CreateSnapshot: (ReturnValue, job, the new checkpoint's id)."""
    vm = m.vms[guid]
    if snapshot_type != FULL_SNAPSHOT:
        return INVALID_PARAMETER, None, None
    if _busy(m, vm):
        return INVALID_STATE, None, None
    production, refusal = _production_refusal(vm)
    tree = tree_of(m, guid)
    s = vm.spec
    cp = Checkpoint(
        id=str(uuid.uuid4()).upper(),
        name=default_name(m, vm),
        parent=tree.current,
        created=m.clock.wall(),
        production=production,
        saved=not production and vm.state in (RUNNING, PAUSED, SAVED),
        vcpus=s.vcpus,
        memory_mb=s.memory_mb,
    )

    def done() -> None:
        tree.add(cp)
        vm.config_changed_at = m.now()

    job = m.start_job("create", "Create Checkpoint", guid, DURATIONS["create"], done, refusal)
    return STARTED, job, cp.id


def apply(m: HostModel, checkpoint_id: str) -> tuple[int, Job | None]:
    """ApplySnapshot: the VM gets the checkpoint's settings and state, and runs from it."""
    found = find(m, checkpoint_id)
    if found is None:
        return INVALID_PARAMETER, None
    vm, tree, cp = found
    if _busy(m, vm):
        return INVALID_STATE, None
    refusal = None
    if vm.state in (RUNNING, PAUSED):
        refusal = (
            INVALID_STATE,
            f"'{vm.spec.name}' cannot apply a checkpoint while it is running: turn it off or save it first.",
        )

    def done() -> None:
        s = vm.spec
        s.vcpus = cp.vcpus
        s.memory_mb = cp.memory_mb
        if s.dynamic:
            s.min_mb, s.max_mb = min(s.min_mb, cp.memory_mb), max(s.max_mb, cp.memory_mb)
        else:
            s.min_mb = s.max_mb = cp.memory_mb
        vm.state = SAVED if cp.saved else OFF
        vm.started_at = vm.pid = None
        vm.changed_at = vm.config_changed_at = m.now()
        tree.current = cp.id

    job = m.start_job("apply", "Apply Checkpoint", vm.guid, DURATIONS["apply"], done, refusal)
    return STARTED, job


def destroy(m: HostModel, checkpoint_id: str, *, subtree: bool) -> tuple[int, Job | None]:
    """DestroySnapshot (children move up to its parent) or DestroySnapshotTree."""
    found = find(m, checkpoint_id)
    if found is None:
        return INVALID_PARAMETER, None
    vm, tree, cp = found
    if _busy(m, vm):
        return INVALID_STATE, None

    def done() -> None:
        if cp.id in tree.items:
            (tree.remove_subtree if subtree else tree.remove)(cp.id)
            vm.config_changed_at = m.now()

    kind = "destroy-tree" if subtree else "destroy"
    caption = "Delete Checkpoint Subtree" if subtree else "Delete Checkpoint"
    return STARTED, m.start_job(kind, caption, vm.guid, DURATIONS[kind], done)


def rename(m: HostModel, instance_id: str, name: str | list[str] | None) -> int:
    """ModifySystemSettings on a checkpoint's settings: only its name changes."""
    found = find_by_instance_id(m, instance_id)
    if found is None or name is None or isinstance(name, list) or not name.strip():
        return INVALID_PARAMETER
    found[2].name = name
    return OK
