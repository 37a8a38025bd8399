"""How checkpoints read: the tree as Hyper-V Manager draws it (with "Now"), the JSON records,
and the name Hyper-V Manager gives a new one. Used by ``hvtui checkpoint`` and the TUI's view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hvtui.hyperv.checkpoints import Checkpoint, CheckpointTree
from hvtui.present.formats import DASH

NOW = "Now"


@dataclass(frozen=True)
class TreeLine:
    """One line of the tree: the drawn branches and name, when it was made, its type."""

    label: str  # "│  └─ Patched"; "└─ ▸ Now" for the current position
    created: str
    kind: str
    checkpoint: Checkpoint | None  # None on the "Now" line
    current: bool  # the checkpoint the VM runs from


def created_text(value: datetime | None) -> str:
    """To the minute, in the host's time as WMI gives it (as ``hvtui vm`` shows Created)."""
    return value.strftime("%Y-%m-%d %H:%M") if value else DASH


def tree_lines(tree: CheckpointTree) -> list[TreeLine]:
    """Depth first, oldest first; "Now" under the current checkpoint, after its children."""
    out: list[TreeLine] = []
    open_levels: list[bool] = []  # per depth: whether the branch above still has siblings to come
    for entry in tree.entries():
        del open_levels[entry.depth :]
        if entry.depth == 0:
            prefix = ""
        else:
            prefix = "".join("│  " if still else "   " for still in open_levels[1:])
            prefix += "└─ " if entry.last else "├─ "
        open_levels.append(not entry.last)
        cp = entry.checkpoint
        if cp is None:
            out.append(TreeLine(f"{prefix}▸ {NOW}", "", "", None, False))
        else:
            current = cp.id == tree.current_id
            out.append(TreeLine(prefix + cp.name, created_text(cp.created), cp.kind, cp, current))
    return out


def tree_text(tree: CheckpointTree) -> str:
    """The tree for people (``hvtui checkpoint list``): name, created and type in columns."""
    lines = tree_lines(tree)
    if not tree.checkpoints:
        return f"{tree.vm.name} has no checkpoints."
    width = max(len(line.label) for line in lines) + 2
    rows = [f"{'Name':<{width}}{'Created':<18}Type"]
    rows += [f"{line.label:<{width}}{line.created:<18}{line.kind}".rstrip() for line in lines]
    return "\n".join(rows)


def checkpoint_records(tree: CheckpointTree) -> list[dict[str, Any]]:
    """``hvtui checkpoint list --json``: one object per checkpoint, in the tree's order."""
    return [
        {
            "name": line.checkpoint.name,
            "id": line.checkpoint.id,
            "parent": line.checkpoint.parent_id,
            "created": line.checkpoint.created.isoformat() if line.checkpoint.created else None,
            "type": line.checkpoint.kind,
            "current": line.current,
        }
        for line in tree_lines(tree)
        if line.checkpoint is not None
    ]


def default_name(vm_name: str, now: datetime) -> str:
    """Hyper-V Manager's name for a new checkpoint: ``web-01 - (12/5/2026 - 1:59:27 PM)``."""
    hour = now.hour % 12 or 12
    half = "AM" if now.hour < 12 else "PM"
    return f"{vm_name} - ({now.month}/{now.day}/{now.year} - {hour}:{now:%M:%S} {half})"


def count_text(count: int | None) -> str:
    """The VM screen's and the table's count: blank when unknown."""
    return DASH if count is None else str(count)
