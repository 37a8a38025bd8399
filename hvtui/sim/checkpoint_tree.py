"""One VM's live checkpoint tree: what creating, applying and deleting checkpoints does to it.

Plain data with no notion of jobs or time, so the rules read on their own: a new checkpoint
is a child of the current one and becomes current; deleting one hands its children to its
parent (Hyper-V merges its differencing disks into them); deleting a subtree that holds the
current checkpoint makes the subtree's parent current.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from hvtui.sim.checkpoint_specs import CheckpointSpec


@dataclass
class Checkpoint:
    id: str
    name: str
    parent: str | None
    created: datetime
    production: bool
    saved: bool
    vcpus: int
    memory_mb: int


@dataclass
class CheckpointTree:
    items: dict[str, Checkpoint]
    current: str | None = None

    @classmethod
    def from_specs(cls, specs: list[CheckpointSpec]) -> CheckpointTree:
        items = {
            s.id: Checkpoint(s.id, s.name, s.parent, s.created, s.production, s.saved, s.vcpus, s.memory_mb)
            for s in specs
        }
        current = next((s.id for s in specs if s.current), None)
        return cls(items, current)

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        return self.items.get(checkpoint_id.upper())

    def add(self, checkpoint: Checkpoint) -> None:
        """A new checkpoint under the current one; it becomes current."""
        self.items[checkpoint.id] = replace(checkpoint, parent=self.current)
        self.current = checkpoint.id

    def children(self, checkpoint_id: str) -> list[Checkpoint]:
        return [c for c in self.items.values() if c.parent == checkpoint_id]

    def subtree(self, checkpoint_id: str) -> list[str]:
        """The checkpoint and every descendant, parents before children."""
        found = [checkpoint_id]
        for at in found:
            found.extend(c.id for c in self.children(at))
        return found

    def remove(self, checkpoint_id: str) -> None:
        gone = self.items.pop(checkpoint_id)
        for child in self.children(checkpoint_id):
            child.parent = gone.parent
        if self.current == checkpoint_id:
            self.current = gone.parent

    def remove_subtree(self, checkpoint_id: str) -> None:
        parent = self.items[checkpoint_id].parent
        ids = self.subtree(checkpoint_id)
        for at in ids:
            del self.items[at]
        if self.current in ids:
            self.current = parent
