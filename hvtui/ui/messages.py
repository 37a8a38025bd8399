"""How refreshes, host statuses and the progress of actions' jobs reach the app.

:class:`~hvtui.ui.feed.RefreshFeed` posts them from the scheduler's thread (``post_message``
is thread-safe). A refresh of a host makes the one before it, still queued, pointless:
:meth:`SnapshotReady.can_replace` lets the queue drop it, which is safe because the table
then finds the changes by row identity instead of trusting the newer refresh's list (see
:mod:`hvtui.ui.tablemodel`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.message import Message

from hvtui.hyperv.models import Connection, HostSnapshot, JobProgress
from hvtui.hyperv.states import VMState
from hvtui.ui.hoststatus import StatusReport
from hvtui.ui.rows import HostRows


@dataclass
class SnapshotReady(Message):
    """One host refreshed: its snapshot and the table rows built from it."""

    key: str
    snapshot: HostSnapshot
    rows: HostRows
    connection: Connection | None
    counts: Mapping[VMState, int]  # VMs by state, counted on the scheduler's thread

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotReady) and message.key == self.key


@dataclass
class HostStatusChanged(Message):
    key: str
    report: StatusReport


@dataclass
class Arrivals(Message):
    """What a fleet's hosts sent in the last moment (refreshes, statuses), in the order it came:
    the UI takes it in one go and redraws once, instead of once per host."""

    items: list[SnapshotReady | HostStatusChanged]


@dataclass
class JobUpdate(Message):
    """Progress of a job of ours on a VM: drives its Status cell ("Saving 35%")."""

    vm_key: str
    progressive: str
    job: JobProgress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobUpdate) and message.vm_key == self.vm_key
