"""``GetSummaryInformation`` for every VM: one call, or batches that fill the envelope.

Batches are sized from the bytes per VM the last replies measured (with headroom), so they
fill the envelope without passing it; a reply that does not fit anyway is asked for again in
halves (a read: asking again changes nothing on the host) and the size learned from it. A
steady refresh sends its batches one after another on one connection; a cold read sends them
at once (:mod:`hvtui.hyperv.together`) over the connections already open, the first while
the VMs' IDs still page in, sized by a guess, and the rest from what its reply measured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence

from hvtui.hyperv import queries
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.session import Props, Session
from hvtui.hyperv.together import together

_log = logging.getLogger(__name__)

# One Msvm_SummaryInformation as Windows renders it (every property, most nil) is ~2.5 KB:
# the first guess, until a reply shows the real size.
SUMMARY_BYTES_ESTIMATE = 2600
# Share of the envelope a batch sized from measured replies may fill: a VM's summary grows
# when it starts or runs a job, and a reply that no longer fits costs a round trip.
SUMMARY_FILL = 0.9


class Summaries:
    """One host's summary reads, and the bytes per VM its replies last measured."""

    def __init__(self, session: Session) -> None:
        self.session = session
        #: Bytes per VM in GetSummaryInformation replies, as last measured (None: not yet).
        self.bytes_per_vm: float | None = None

    def batch_size(self) -> int:
        return self._sized(self.bytes_per_vm or 0.0)

    async def read_all(self) -> list[Props] | None:
        """Every VM's summary in one reply, without naming them; None when they do not fit it.

        A cold read sends this before it knows how many VMs there are: on a host whose VMs
        fit one reply it is the whole summary in one round trip, alongside the inventory's
        first page; on a larger one the host answers w:EncodingLimit, and the batches follow.
        """
        try:
            results, per_vm = await self._call(None)
        except HyperVError as exc:
            if not self.session.is_envelope_limit(exc):
                raise
            return None
        self.bytes_per_vm = per_vm or self.bytes_per_vm
        return results

    async def read(
        self, count: int, settings: Sequence[str], *, at_once: bool = False
    ) -> list[Props]:
        """Every VM's summary: ``count`` VMs, named by their ``settings`` (VSSD InstanceIDs)
        when they do not fit one reply; ``at_once`` sends the batches concurrently."""
        batch = self.batch_size()
        largest = 0.0
        if count <= batch:
            try:
                results, per_vm = await self._call(None)
                self.bytes_per_vm = per_vm or self.bytes_per_vm
                return results
            except HyperVError as exc:
                if not self.session.is_envelope_limit(exc):
                    raise
                batch = max(1, count // 2)
                largest = self.session.max_envelope_size / max(1, count)
                _log.info("summary of %d VMs too large for one reply; batching by %d", count, batch)
        if at_once:
            return await self._at_once(settings, batch, largest)
        return await self._in_turn(settings, batch, largest)

    async def _in_turn(self, settings: Sequence[str], batch: int, largest: float) -> list[Props]:
        envelope = self.session.max_envelope_size
        results: list[Props] = []
        start = 0
        while start < len(settings):
            chunk = settings[start : start + batch]
            try:
                rows, per_vm = await self._call(chunk)
            except HyperVError as exc:
                if not self.session.is_envelope_limit(exc) or batch == 1:
                    raise
                largest = max(largest, envelope / len(chunk))
                batch = max(1, batch // 2)
                continue
            results += rows
            if len(chunk) == batch or not largest:
                # Not from a short last batch: the envelope's own bytes, spread over a few
                # VMs, would make every VM look bigger than it is.
                largest = max(largest, per_vm)
            start += len(chunk)
        self.bytes_per_vm = largest or self.bytes_per_vm
        return results

    async def _at_once(self, settings: Sequence[str], batch: int, largest: float) -> list[Props]:
        measured = [largest]
        # Over the connections already open, never a new one: its handshake takes as long as a batch.
        lanes = asyncio.Semaphore(self.session.client.open_connections)
        chunks = [settings[i : i + batch] for i in range(0, len(settings), batch)]
        async with together() as group:
            tasks = [
                group.create_task(self._in_lane(lanes, c, measured, len(c) == batch or len(chunks) == 1))
                for c in chunks
            ]
        self.bytes_per_vm = max(measured) or self.bytes_per_vm
        return [row for task in tasks for row in task.result()]

    async def read_as_named(self, pages: AsyncIterator[Sequence[str]]) -> list[Props]:
        """Every VM's summary, its batches sent while the VMs' settings are still being named.

        ``pages`` names the settings a page of the VMs' class at a time, one connection
        carrying its pages. The first batch goes as soon as a guessed batch's worth is named,
        the others once its reply measured a VM (the pages keep coming meanwhile), so that
        they fill the envelope; what is named when the pages end goes at once, in even batches.
        """
        measured: list[float] = [0.0]
        # The connections already open but the one the pages ride on, then that one too.
        lanes = asyncio.Semaphore(max(1, self.session.client.open_connections - 1))
        pending: list[str] = []
        tasks: list[asyncio.Task[list[Props]]] = []
        async with together() as group:

            def send(chunk: Sequence[str], batch: int) -> None:
                # A batch much shorter than a full one would overstate a VM by the envelope's own bytes.
                full = 2 * len(chunk) >= batch
                tasks.append(group.create_task(self._in_lane(lanes, chunk, measured, full)))

            async for page in pages:
                pending += page
                batch = self._sized(max(measured))
                while len(pending) >= batch and (not tasks or max(measured)):
                    send(pending[:batch], batch)
                    del pending[:batch]
            lanes.release()
            if pending:
                batch = self._sized(max(measured))
                count = -(-len(pending) // batch)
                for i in range(count):
                    send(pending[i * len(pending) // count : (i + 1) * len(pending) // count], batch)
        self.bytes_per_vm = max(measured) or self.bytes_per_vm
        return [row for task in tasks for row in task.result()]

    def _sized(self, per_vm: float) -> int:
        """A batch for ``per_vm`` bytes a VM as measured (0: not yet, the guess)."""
        envelope = self.session.max_envelope_size
        if not per_vm:
            return max(1, envelope // SUMMARY_BYTES_ESTIMATE)
        return max(1, int(envelope * SUMMARY_FILL / per_vm))

    async def _in_lane(
        self, lanes: asyncio.Semaphore, chunk: Sequence[str], measured: list[float], full: bool
    ) -> list[Props]:
        async with lanes:
            return await self._batch(chunk, measured, full)

    async def _batch(self, chunk: Sequence[str], measured: list[float], full: bool) -> list[Props]:
        """One batch, in halves if its reply would pass the envelope; adds what it measured."""
        try:
            rows, per_vm = await self._call(chunk)
        except HyperVError as exc:
            if not self.session.is_envelope_limit(exc) or len(chunk) == 1:
                raise
            measured.append(self.session.max_envelope_size / len(chunk))
            half = len(chunk) // 2
            return await self._batch(chunk[:half], measured, True) + await self._batch(
                chunk[half:], measured, True
            )
        if full:
            measured.append(per_vm)
        return rows

    async def _call(self, settings: Sequence[str] | None) -> tuple[list[Props], float]:
        """One GetSummaryInformation, and the reply's bytes per VM (0 for an empty reply)."""
        rows, size = await self.session.summary_information(settings, queries.SUMMARY_CODES)
        return rows, (size / len(rows) if rows else 0.0)
