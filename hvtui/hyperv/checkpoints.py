"""A VM's checkpoints: the tree with Hyper-V Manager's "Now" in it, and what can be done to it.

The tree is one read per VM, whatever its size: the VM's own settings and its checkpoints are
all Msvm_VirtualSystemSettingData naming the VM in VirtualSystemIdentifier; each checkpoint's
Parent is its parent's object path, and the VM's own Parent is the checkpoint it runs from,
under which Hyper-V Manager draws "Now". Creating, applying and deleting are each one
Msvm_VirtualSystemSnapshotService call, sent once and never again on its own, whose job can
be followed; renaming is ModifySystemSettings on the checkpoint's settings.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from hvtui.hyperv import queries
from hvtui.hyperv.errors import ActionFailed, ActionRefused, HyperVError, Problem, VMNotFound
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.jobs import JobWatcher, return_code_text
from hvtui.hyperv.lenient import as_guid, as_int, as_text
from hvtui.hyperv.models import VM, JobProgress
from hvtui.hyperv.outcomes import ActionOutcome, ProgressCallback, follow, unfinished
from hvtui.hyperv.session import Props
from hvtui.hyperv.states import decode_enabled_state
from hvtui.wsman import EPR

RETURN_OK = 0
RETURN_JOB_STARTED = 4096
RETURN_INVALID_PARAMETER = 32773
RETURN_INVALID_STATE = 32775
FULL_SNAPSHOT = 2  # CreateSnapshot's SnapshotType for a VM

#: VirtualSystemType of a checkpoint -> what Hyper-V's tools call that kind of checkpoint.
KINDS: dict[str, str] = {
    "Realized": "Standard",
    "Recovery": "Recovery",
    "Planned": "Planned",
    "Missing": "Missing",
    "Replica": "Replica",
    "AppConsistentReplica": "Application-consistent replica",
    "SyncedReplica": "Synced replica",
}
_INSTANCE_ID = re.compile(r'InstanceID\s*=\s*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One checkpoint as the host describes it."""

    id: str  # the GUID of its settings' InstanceID ("Microsoft:<id>"), upper-case
    settings_id: str  # the InstanceID itself, what the snapshot service's methods name
    name: str
    parent_id: str | None
    created: datetime | None
    kind: str  # "Standard", "Recovery", … (see KINDS)
    saved_state: bool  # it holds the VM's memory: applying it leaves the VM saved, not off


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One line of the tree: a checkpoint, or (``checkpoint`` None) the "Now" marker."""

    depth: int
    checkpoint: Checkpoint | None
    last: bool  # the last child of its parent: drawn with └ rather than ├


@dataclass(frozen=True)
class CheckpointTree:
    """A VM's checkpoints, oldest first, and the one the VM runs from."""

    vm: VM
    checkpoints: tuple[Checkpoint, ...]
    current_id: str | None

    @property
    def current(self) -> Checkpoint | None:
        return self.by_id(self.current_id) if self.current_id else None

    def by_id(self, checkpoint_id: str) -> Checkpoint | None:
        return next((c for c in self.checkpoints if c.id == checkpoint_id), None)

    def children(self, parent_id: str | None) -> list[Checkpoint]:
        known = {c.id for c in self.checkpoints}
        return [
            c
            for c in self.checkpoints
            if c.parent_id == parent_id or (parent_id is None and c.parent_id not in known)
        ]

    def subtree(self, checkpoint_id: str) -> list[Checkpoint]:
        """The checkpoint and everything below it, parents first."""
        found = [c for c in self.checkpoints if c.id == checkpoint_id]
        for at in found:
            found.extend(self.children(at.id))
        return found

    def entries(self) -> list[TreeEntry]:
        """The tree as Hyper-V Manager draws it: depth first, oldest first, "Now" as the last
        child of the current checkpoint (at the top level when there is none)."""
        out: list[TreeEntry] = []

        def walk(parent_id: str | None, depth: int) -> None:
            items: list[Checkpoint | None] = list(self.children(parent_id))
            if parent_id == self.current_id:
                items.append(None)
            for index, item in enumerate(items):
                out.append(TreeEntry(depth, item, index == len(items) - 1))
                if item is not None:
                    walk(item.id, depth + 1)

        walk(None, 0)
        return out

    def find(self, ref: str) -> Checkpoint:
        """A checkpoint by ID (braces optional) or name; a name two checkpoints share is refused
        with both, as the host would not know which is meant either."""
        text = ref.strip()
        guid = as_guid(text.split(":", 1)[-1])
        if guid:
            match = self.by_id(guid)
            if match is not None:
                return match
        for folded in (False, True):
            named = [c for c in self.checkpoints if _same_name(c.name, text, folded)]
            if len(named) == 1:
                return named[0]
            if named:
                listed = "; ".join(f"{c.id} ({_when(c.created)})" for c in named)
                raise HyperVError(
                    f"{self.vm.name}: {len(named)} checkpoints are named {text!r}: name one by ID ({listed})",
                    problem=Problem.AMBIGUOUS,
                )
        raise HyperVError(
            f"{self.vm.name} has no checkpoint named {text!r} (nor with that ID)", problem=Problem.NOT_FOUND
        )


def _same_name(name: str, wanted: str, folded: bool) -> bool:
    return name.casefold() == wanted.casefold() if folded else name == wanted


def _settings(checkpoint: Checkpoint) -> EPR:
    """A reference to a checkpoint's settings, as the snapshot service's methods take it."""
    return EPR(queries.VSSD, {"InstanceID": checkpoint.settings_id})


def _when(created: datetime | None) -> str:
    return f"{created:%Y-%m-%d %H:%M}" if created else "time unknown"


def _checkpoint_id(settings_id: str) -> str:
    return (as_guid(settings_id.split(":", 1)[-1]) or settings_id).upper()


def parent_id(path: object) -> str | None:
    """The checkpoint an object path in Parent names: ``…Settings.InstanceID="Microsoft:<id>"``."""
    match = _INSTANCE_ID.search(as_text(path))
    if not match:
        return None
    return _checkpoint_id(match.group(1).replace('\\"', '"').replace("\\\\", "\\"))


def build_tree(vm: VM, rows: list[Props]) -> CheckpointTree:
    """The tree from one read of the VM's settings (:func:`queries.wql_settings_of`)."""
    current: str | None = None
    found: list[Checkpoint] = []
    for row in rows:
        kind = as_text(row.get("VirtualSystemType"))
        settings_id = as_text(row.get("InstanceID"))
        if kind == queries.VM_SETTINGS_TYPE:
            current = parent_id(row.get("Parent"))
        elif kind.startswith(queries.CHECKPOINT_TYPE_PREFIX) and settings_id:
            created = row.get("CreationTime")
            suffix = kind.removeprefix(queries.CHECKPOINT_TYPE_PREFIX)
            found.append(
                Checkpoint(
                    id=_checkpoint_id(settings_id),
                    settings_id=settings_id,
                    name=as_text(row.get("ElementName")),
                    parent_id=parent_id(row.get("Parent")),
                    created=created if isinstance(created, datetime) else None,
                    kind=KINDS.get(suffix, suffix),
                    saved_state=row.get("IsSaved") is True,
                )
            )
    found.sort(key=lambda c: (c.created is None, c.created or datetime.min, c.name))
    if current is not None and not any(c.id == current for c in found):
        current = None
    return CheckpointTree(vm, tuple(found), current)


class CheckpointJob:
    """A checkpoint request the host accepted: done at once, or a job to follow to its end."""

    def __init__(
        self,
        vm: VM,
        job_id: str | None,
        done: str,
        title: str,
        progressive: str,
        watch: Callable[[str], JobWatcher],
        finish: Callable[[], Awaitable[str | None]],
    ) -> None:
        self.vm = vm
        self.job_id = job_id
        self.done = done  # "checkpoint 'x' deleted"
        self.title = title  # "deleting the checkpoint"
        self.progressive = progressive  # "Deleting checkpoint": the status cell's word
        self._watch = watch
        self._finish = finish  # after success: what else to do, and the wording it settles

    async def progress(self, *, timeout: float | None = None) -> AsyncIterator[JobProgress]:
        if self.job_id is None:
            return
        async for job in self._watch(self.job_id).follow(timeout=timeout):
            yield job

    async def wait(
        self, *, timeout: float | None = None, on_progress: ProgressCallback | None = None
    ) -> ActionOutcome:
        """Follow the job to its end (or the timeout) and say how it ended, as Action.wait does."""
        name = self.vm.name
        last = await follow(self.progress(timeout=timeout), on_progress)
        if self.job_id is not None and (ended := unfinished(name, None, last, self.title)) is not None:
            return ended
        done = await self._finish() or self.done
        return ActionOutcome(name, None, "completed", f"{name}: {done}", last)


class Checkpoints:
    """Checkpoints of the VMs of one host."""

    def __init__(self, host: HyperVHost) -> None:
        self.host = host
        self.session = host.session

    async def _vm(self, vm: VM | str) -> VM:
        return vm if isinstance(vm, VM) else await self.host.find_vm(vm)

    async def tree(self, vm: VM | str) -> CheckpointTree:
        """One read, however many checkpoints the VM has."""
        target = await self._vm(vm)
        rows = await self.session.query(queries.settings_of(target.guid))
        return build_tree(target, rows)

    async def counts(self) -> Mapping[str, int]:
        """Checkpoints per VM GUID of every VM that has one, in one read for the whole host."""
        rows = await self.session.query(queries.CHECKPOINT_OWNERS)
        counts: dict[str, int] = {}
        for row in rows:
            guid = as_guid(row.get("VirtualSystemIdentifier"))
            if guid:
                counts[guid] = counts.get(guid, 0) + 1
        return counts

    def _job(
        self,
        vm: VM,
        code: int,
        job_id: str | None,
        words: tuple[str, str, str],
        finish: Callable[[], Awaitable[str | None]] | None = None,
    ) -> CheckpointJob:
        """The request's answer as a job to follow, or the error Hyper-V's return code means."""
        done, title, progressive = words
        self.host.invalidate_inventory()
        if code == RETURN_INVALID_STATE:
            raise ActionRefused(
                f"{vm.name}: the host refused {title}: the VM is busy with another change (32775); "
                "try again when it has finished"
            )
        if code == RETURN_INVALID_PARAMETER:
            raise ActionFailed(f"{vm.name}: {title} failed: the host no longer knows that checkpoint (32773)")
        if code not in (RETURN_OK, RETURN_JOB_STARTED):
            raise ActionFailed(f"{vm.name}: {title} failed: {return_code_text(code)}")

        async def nothing() -> str | None:
            return None

        def watch(job: str) -> JobWatcher:
            return JobWatcher(self.session, job)

        return CheckpointJob(
            vm,
            job_id if code == RETURN_JOB_STARTED else None,
            done,
            title,
            progressive,
            watch,
            finish or nothing,
        )

    async def create(self, vm: VM | str, name: str | None = None) -> CheckpointJob:
        """A new checkpoint under the current one; once it exists, named ``name`` if given
        (Hyper-V names it "<VM> - (date - time)" itself)."""
        target = await self._vm(vm)
        if name is not None and not name.strip():
            raise ActionRefused(f"{target.name}: a checkpoint's name cannot be empty")
        system = EPR(
            queries.COMPUTER_SYSTEM, {"CreationClassName": "Msvm_ComputerSystem", "Name": target.guid}
        )
        params = [("AffectedSystem", system), ("SnapshotSettings", ""), ("SnapshotType", FULL_SNAPSHOT)]
        code, job_id = await self.session.snapshot_service("CreateSnapshot", params)

        async def finish() -> str | None:
            made = (await self.tree(target)).current
            if made is None:
                return None
            if name is not None and name != made.name:
                await self._rename(target, made, name)
                return f"checkpoint {name!r} created"
            return f"checkpoint {made.name!r} created"

        words = ("checkpoint created", "creating a checkpoint", "Checkpointing")
        return self._job(target, code, job_id, words, finish)

    async def apply(self, vm: VM | str, ref: str | Checkpoint) -> CheckpointJob:
        """Go back to a checkpoint: the VM's current state is lost. Refused while it runs."""
        target = await self._vm(vm)
        fresh = await self.session.computer_system(target.guid)
        if fresh is None:
            raise VMNotFound(f"{target.name} is no longer on {self.host.uri.display_host}")
        power = decode_enabled_state(as_int(fresh.get("EnabledState")))
        if power.is_active:
            raise ActionRefused(
                f"{target.name} is {power.label}: turn it off or save it before applying a checkpoint"
            )
        checkpoint = ref if isinstance(ref, Checkpoint) else (await self.tree(target)).find(ref)
        code, job_id = await self.session.snapshot_service(
            "ApplySnapshot", [("Snapshot", _settings(checkpoint))]
        )
        words = (f"checkpoint {checkpoint.name!r} applied", "applying the checkpoint", "Applying checkpoint")
        return self._job(target, code, job_id, words)

    async def delete(self, vm: VM | str, ref: str | Checkpoint, *, subtree: bool = False) -> CheckpointJob:
        """Delete a checkpoint (its children move up to its parent), or it and all below it."""
        target = await self._vm(vm)
        tree = await self.tree(target)
        checkpoint = ref if isinstance(ref, Checkpoint) else tree.find(ref)
        # DestroySnapshot hands the children to the parent; DestroySnapshotTree takes them along.
        param, method = (
            ("SnapshotSettingData", "DestroySnapshotTree")
            if subtree
            else ("AffectedSnapshot", "DestroySnapshot")
        )
        code, job_id = await self.session.snapshot_service(method, [(param, _settings(checkpoint))])
        below = len(tree.subtree(checkpoint.id)) - 1
        if subtree and below:
            plural = "s" if below != 1 else ""
            words = (
                f"checkpoint {checkpoint.name!r} and the {below} below it deleted",
                "deleting the checkpoints",
                "Deleting checkpoint" + plural,
            )
        else:
            words = (
                f"checkpoint {checkpoint.name!r} deleted",
                "deleting the checkpoint",
                "Deleting checkpoint",
            )
        return self._job(target, code, job_id, words)

    async def rename(self, vm: VM | str, ref: str | Checkpoint, new_name: str) -> ActionOutcome:
        target = await self._vm(vm)
        if not new_name.strip():
            raise ActionRefused(f"{target.name}: a checkpoint's name cannot be empty")
        checkpoint = ref if isinstance(ref, Checkpoint) else (await self.tree(target)).find(ref)
        await self._rename(target, checkpoint, new_name)
        message = f"{target.name}: checkpoint {checkpoint.name!r} renamed {new_name!r}"
        return ActionOutcome(target.name, None, "completed", message)

    async def _rename(self, vm: VM, checkpoint: Checkpoint, new_name: str) -> None:
        code, job_id = await self.session.modify_system_settings(
            checkpoint.settings_id, {"ElementName": new_name}, {"ElementName": "string"}
        )
        outcome = await self._job(vm, code, job_id, ("renamed", "renaming the checkpoint", "Renaming")).wait(
            timeout=60.0
        )
        if not outcome.ok:
            raise ActionFailed(outcome.message)
