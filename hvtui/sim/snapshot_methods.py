"""Msvm_VirtualSystemSnapshotService's methods over Invoke: their parameters read as Windows reads them.

``CreateSnapshot(AffectedSystem, SnapshotSettings, SnapshotType)`` answers ResultingSnapshot and
Job; ``ApplySnapshot(Snapshot)``, ``DestroySnapshot(AffectedSnapshot)`` and
``DestroySnapshotTree(SnapshotSettingData)`` answer Job. References come as endpoint references;
a missing one is a fault, one that names nothing is 32773 (invalid parameter), a VM busy with
another change 32775. What the methods do is in :mod:`hvtui.sim.snapshots`.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from hvtui import namespaces as ns
from hvtui.sim import snapshots
from hvtui.sim import soap_faults as faults
from hvtui.sim.instances import job_ref
from hvtui.sim.methods import Output, embedded_param, given_param
from hvtui.sim.model import INVALID_PARAMETER, HostModel, Job
from hvtui.sim.render import Ref, epr_body
from hvtui.sim.soap_request import child_any_ns, q, text_of

_A_W = f'xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}"'


def _ref_param(name: str, ref: Ref) -> tuple[str, str]:
    return name, f"<p:{name} {_A_W}>{epr_body(ref)}</p:{name}>"


def _outputs(job: Job | None, resulting: str | None = None) -> list[tuple[str, str]]:
    out = [_ref_param("Job", job_ref(job.instance_id))] if job is not None else []
    if job is not None and resulting is not None:
        out.append(_ref_param("ResultingSnapshot", snapshots.checkpoint_ref(resulting)))
    return out


def _selectors(body: etree._Element | None, name: str, machine: str) -> dict[str, str]:
    """The selectors of a reference parameter, names lower-cased; a fault when it is missing."""
    els = child_any_ns(body, name)
    if not els or els[0].get(q(ns.XSI, "nil")) == "true":
        raise faults.invalid_parameter(machine, f"{name} is missing")
    return {s.get("Name", "").lower(): (text_of(s) or "") for s in els[0].iter(q(ns.WSMAN, "Selector"))}


def create_snapshot(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    guid = _selectors(body, "AffectedSystem", machine).get("name", "").upper()
    settings = given_param(body, "SnapshotSettings")  # optional: "may be an empty string"
    if settings is not None:
        embedded_param(settings, machine)  # read only for its form: no setting changes a checkpoint here
    kind_el = child_any_ns(body, "SnapshotType")
    try:
        kind = int(text_of(kind_el[0]) or "") if kind_el else snapshots.FULL_SNAPSHOT
    except ValueError:
        raise faults.invalid_parameter(machine, "SnapshotType must be a number") from None
    if guid not in model.vms:
        return Output(INVALID_PARAMETER)
    rv, job, checkpoint_id = snapshots.create(model, guid, kind)
    return Output(rv, _outputs(job, checkpoint_id))


def _checkpoint_id(body: etree._Element | None, name: str, machine: str) -> str:
    instance_id = _selectors(body, name, machine).get("instanceid", "")
    head, _, checkpoint_id = instance_id.partition(":")
    return checkpoint_id if head.lower() == "microsoft" else ""


def apply_snapshot(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    rv, job = snapshots.apply(model, _checkpoint_id(body, "Snapshot", machine))
    return Output(rv, _outputs(job))


def destroy_snapshot(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    rv, job = snapshots.destroy(model, _checkpoint_id(body, "AffectedSnapshot", machine), subtree=False)
    return Output(rv, _outputs(job))


def destroy_snapshot_tree(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    rv, job = snapshots.destroy(model, _checkpoint_id(body, "SnapshotSettingData", machine), subtree=True)
    return Output(rv, _outputs(job))


METHODS: dict[str, Callable[[HostModel, etree._Element | None, str], Output]] = {
    "createsnapshot": create_snapshot,
    "applysnapshot": apply_snapshot,
    "destroysnapshot": destroy_snapshot,
    "destroysnapshottree": destroy_snapshot_tree,
}
