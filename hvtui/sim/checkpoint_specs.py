"""A VM's checkpoints as configured: seeded trees of varied shape, or a scenario's ``[[host.vm.checkpoint]]``.

Kept apart from the live tree (:mod:`hvtui.sim.checkpoint_tree`) as :mod:`hvtui.sim.inventory`
keeps VM specs apart from the model: this is what a run starts from. Seeding draws from a
random stream of its own, so the VMs a seed generates are the same with or without checkpoints.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hvtui.sim.sim_options import OptionsError

# Msvm_VirtualSystemSettingData.UserSnapshotType (Windows Server 2016 and later).
DISABLED, PRODUCTION, PRODUCTION_ONLY, STANDARD = 2, 3, 4, 5
CHECKPOINT_TYPES = {
    "disabled": DISABLED,
    "production": PRODUCTION,
    "production-only": PRODUCTION_ONLY,
    "standard": STANDARD,
}

_NAMES = (
    "Baseline",
    "Before patching",
    "After patching",
    "Before SQL CU",
    "Clean install",
    "Before upgrade",
    "Known good",
    "Pre-migration",
)


@dataclass
class CheckpointSpec:
    """One checkpoint: its place in the tree and what applying it restores."""

    id: str
    name: str
    parent: str | None  # the parent checkpoint's id; None for a root
    created: datetime
    production: bool  # no memory state, ever: applying it leaves the VM off
    saved: bool  # memory state captured: applying it leaves the VM saved
    vcpus: int
    memory_mb: int
    current: bool = False  # the checkpoint the VM runs from: Hyper-V Manager's "Now" under it


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def seed_checkpoints(
    rng: random.Random,
    index: int,
    created: datetime,
    before: datetime,
    vcpus: int,
    memory_mb: int,
    running: bool,
) -> list[CheckpointSpec]:
    """The tree of the ``index``-th VM of a host: none, a chain or branches, by turns; taken in
    the weeks ``before`` a time (and after the VM was created).

    The first VM of a host has none, so a host of any size shows every shape from its second VM on.
    """
    shape = index % 4
    if shape in (0, 3):
        return []
    count = rng.randint(2, 3) if shape == 1 else 4
    names = rng.sample(_NAMES, count)
    first = max(created + timedelta(days=1), before - timedelta(days=40)) + timedelta(days=rng.uniform(0, 10))
    out: list[CheckpointSpec] = []
    for i, name in enumerate(names):
        # Branches: the fourth goes back to the root, as when a VM was reverted and went on from there.
        parent = out[0].id if shape == 2 and i == 3 else out[-1].id if out else None
        out.append(
            CheckpointSpec(
                id=_guid(rng),
                name=name,
                parent=parent,
                created=first + timedelta(days=7 * i, seconds=rng.randrange(86_400)),
                production=running and rng.random() < 0.5,
                saved=False,
                vcpus=max(1, vcpus // 2) if i == 0 else vcpus,
                memory_mb=memory_mb,
            )
        )
        out[-1].saved = running and not out[-1].production
    out[-1].current = True
    return out


_KEYS = {"name", "parent", "current", "type", "saved", "created", "vcpus", "memory"}


def _fail(where: str, message: str) -> OptionsError:
    return OptionsError(f"scenario {where}: {message}")


def scenario_checkpoint_type(raw: Any, where: str) -> int:
    if not isinstance(raw, str) or raw.lower() not in CHECKPOINT_TYPES:
        raise _fail(where, "checkpoint_type: choose " + ", ".join(CHECKPOINT_TYPES))
    return CHECKPOINT_TYPES[raw.lower()]


def scenario_checkpoints(
    raw: Any, where: str, rng: random.Random, created: datetime, vcpus: int, memory_mb: int, running: bool
) -> list[CheckpointSpec]:
    """``[[host.vm.checkpoint]]`` entries, in order; each is the child of the one before it
    unless ``parent`` names another (``parent = ""`` makes a root); the last is current unless
    one says ``current = true``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(where, "checkpoint must be an array of tables: [[host.vm.checkpoint]]")
    out: list[CheckpointSpec] = []
    by_name: dict[str, str] = {}
    for i, entry in enumerate(raw):
        at = f"{where} checkpoint #{i + 1}"
        if not isinstance(entry, dict):
            raise _fail(at, "must be a table")
        bad = set(entry) - _KEYS
        if bad:
            raise _fail(at, f"unknown key {sorted(bad)[0]!r}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(at, "needs a name")
        parent = out[-1].id if out else None
        if "parent" in entry:
            wanted = entry["parent"]
            if wanted == "":
                parent = None
            elif not isinstance(wanted, str) or wanted not in by_name:
                raise _fail(at, f"parent {wanted!r} is not a checkpoint listed before it")
            else:
                parent = by_name[wanted]
        kind = str(entry.get("type", "standard")).lower()
        if kind not in ("standard", "production"):
            raise _fail(at, "type: choose standard or production")
        when = entry.get("created", created + timedelta(days=i + 1))
        if not isinstance(when, datetime) or when.tzinfo is None:
            raise _fail(at, "created must be a date and time with its offset, e.g. 2026-10-01T08:00:00Z")
        cp_vcpus = entry.get("vcpus", vcpus)
        cp_memory = entry.get("memory", memory_mb)
        for key, value in (("vcpus", cp_vcpus), ("memory", cp_memory)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise _fail(at, f"{key} must be a whole number above 0")
        production = kind == "production"
        out.append(
            CheckpointSpec(
                id=_guid(rng),
                name=name,
                parent=parent,
                created=when,
                production=production,
                saved=bool(entry.get("saved", running and not production)) and not production,
                vcpus=cp_vcpus,
                memory_mb=cp_memory,
                current=bool(entry.get("current", False)),
            )
        )
        by_name.setdefault(name, out[-1].id)
    current = [c for c in out if c.current]
    if len(current) > 1:
        raise _fail(where, "two checkpoints say current = true: only one can be current")
    if out and not current:
        out[-1].current = True
    return out
