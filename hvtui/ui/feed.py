"""The refresh scheduler's one listener: it builds table rows and posts messages, nothing else.

It is called on the scheduler's thread. It holds no widget and not the app, only the app's
``post_message`` (thread-safe in Textual): so no widget code can run on that thread by
accident, and the rows are built there, off the UI thread.

With a few hosts each refresh and status goes over at once. A fleet's are gathered and go
over together every BATCH_EVERY (:class:`~hvtui.ui.messages.Arrivals`): a thousand hosts
starting would otherwise wake the UI thread a thousand times, and each wake-up redraws.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.message import Message

from hvtui.hyperv.models import Connection, HostSnapshot, JobProgress
from hvtui.ui.hoststatus import StatusReport
from hvtui.ui.messages import Arrivals, HostStatusChanged, JobUpdate, SnapshotReady
from hvtui.ui.redraw import FEW_HOSTS
from hvtui.ui.rows import RowBuilder, host_label

BATCH_EVERY = 0.15  # seconds a fleet's results wait to go over together


class RefreshFeed:
    """Implements :class:`hvtui.ui.scheduler.Listener`, and follows the jobs of actions."""

    def __init__(self, post: Callable[[Message], object]) -> None:
        self._post = post
        # Touched only on the scheduler's thread:
        self._builders: dict[str, RowBuilder] = {}
        self._hosts: set[str] = set()  # the hosts that reported so far
        self._pending: list[SnapshotReady | HostStatusChanged] = []

    def host_status(self, key: str, report: StatusReport) -> None:
        self._hosts.add(key)
        self._send(HostStatusChanged(key, report))

    def host_snapshot(self, key: str, snapshot: HostSnapshot, connection: Connection | None) -> None:
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = RowBuilder(key)
        rows = builder.build(snapshot, host_label(snapshot, builder.uri_host))
        self._hosts.add(key)
        self._send(SnapshotReady(key, snapshot, rows, connection, snapshot.counts()))

    def host_removed(self, key: str) -> None:
        self._builders.pop(key, None)
        self._hosts.discard(key)

    def _send(self, message: SnapshotReady | HostStatusChanged) -> None:
        if len(self._hosts) <= FEW_HOSTS and not self._pending:
            self._post(message)
            return
        if not self._pending:
            try:
                asyncio.get_running_loop().call_later(BATCH_EVERY, self._flush)
            except RuntimeError:  # not on the scheduler's loop (it stopped): nothing to wait for
                self._post(message)
                return
        self._pending.append(message)

    def _flush(self) -> None:
        items, self._pending = self._pending, []
        if items:
            self._post(Arrivals(items))

    def generation(self, key: str) -> int:
        """How many refreshes of the host made rows so far (on the scheduler's thread only)."""
        builder = self._builders.get(key)
        return builder.generation if builder is not None else 0

    def history(self, key: str, vm_key: str) -> list[tuple[int, int]]:
        """A running VM's recent (CPU %, memory MiB) samples, oldest first (any thread)."""
        builder = self._builders.get(key)
        return builder.samples(vm_key) if builder is not None else []

    def job_progress(self, vm_key: str, progressive: str) -> Callable[[JobProgress], None]:
        """The progress callback of one action's job ("Saving 35%" in the VM's status cell)."""

        def progress(job: JobProgress) -> None:
            self._post(JobUpdate(vm_key, progressive, job))

        return progress
