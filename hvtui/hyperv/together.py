"""Reads of one host run at once, failing as one read would: with the first error, not a group.

A cold read asks a dozen independent questions; run one after another they cost a round
trip each. In a :func:`together` block they run as tasks over the session's connections
(:mod:`hvtui.wsman.pool`); when one fails the others are cancelled -- they are reads, and an
Invoke is never resent, so cancelling one loses nothing -- and the caller gets that first
error itself (a :class:`~hvtui.hyperv.errors.HyperVError` as from any read), never an
``ExceptionGroup`` it would have to unpack.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def together() -> AsyncIterator[asyncio.TaskGroup]:
    """``async with together() as group: group.create_task(...)``; raises the first task's error."""
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except BaseExceptionGroup as failed:
        raise _first(failed) from None


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first error in the group that is not a cancellation (the cause of the others)."""
    cancelled: BaseException | None = None
    for raised in group.exceptions:
        error = _first(raised) if isinstance(raised, BaseExceptionGroup) else raised
        if not isinstance(error, asyncio.CancelledError):
            return error
        cancelled = cancelled or error
    return cancelled or group
