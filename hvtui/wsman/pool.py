"""A few connections to one host, so that reads which do not depend on each other travel at once.

One connection carries one exchange at a time (Negotiate authenticates a connection and
message encryption numbers its messages: :mod:`hvtui.wsman.transport`), so a cold read --
the host's facts, five inventory classes and the VMs' summaries -- would otherwise wait one
round trip per request. The pool opens further connections, each with its own
authentication, only while every open one is busy and fewer than ``size`` are open; an
exchange takes the first idle connection, so one request after another always rides on the
first and a steady refresh never opens a second. :meth:`ConnectionPool.trim` closes the idle
extra connections once a burst is over, so a host holds one socket between refreshes.

A connection costs a handshake (two round trips, run alongside the first request's wait
rather than after it) and a few milliseconds of CPU; a cold read saves far more than that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from hvtui.wsman.transport import HostTransport


class ConnectionPool:
    """Up to ``size`` :class:`HostTransport` to one host, the first opened at once."""

    def __init__(self, open_connection: Callable[[], HostTransport], size: int) -> None:
        self._open = open_connection
        self.size = max(1, size)
        self.first = open_connection()
        self._all: list[HostTransport] = [self.first]
        self._idle: list[HostTransport] = [self.first]
        self._waiters: list[asyncio.Future[HostTransport]] = []

    @property
    def connections(self) -> tuple[HostTransport, ...]:
        return tuple(self._all)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[HostTransport]:
        """An idle connection, a new one while fewer than ``size`` are open, or the next freed."""
        transport = await self._acquire()
        try:
            yield transport
        except asyncio.CancelledError:
            # Given up in the middle of an exchange (a read beside it failed): what is left on
            # that connection is unknown, and httpx may still count it busy. Never reuse it.
            await self._discard(transport)
            raise
        except BaseException:
            self._release(transport)
            raise
        self._release(transport)

    async def _acquire(self) -> HostTransport:
        if self._idle:
            # The first opened first: sequential requests keep to one connection.
            self._idle.sort(key=self._all.index)
            return self._idle.pop(0)
        if len(self._all) < self.size and not self.first.closed:
            transport = self._open()
            self._all.append(transport)
            return transport
        waiter: asyncio.Future[HostTransport] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over just as the caller gave up
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def _release(self, transport: HostTransport) -> None:
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(transport)
                return
        self._idle.append(transport)

    async def _discard(self, transport: HostTransport) -> None:
        self._all.remove(transport)
        if transport is self.first and not transport.closed:  # not once the client was closed
            self.first = self._open()
            self._all.insert(0, self.first)
            self._release(self.first)
        await transport.aclose()

    async def trim(self) -> None:
        """Close the idle connections but the first: a burst of reads is over."""
        extra = [t for t in self._idle if t is not self.first]
        for transport in extra:
            self._idle.remove(transport)
            self._all.remove(transport)
        await asyncio.gather(*(t.aclose() for t in extra), return_exceptions=True)

    async def aclose(self) -> None:
        await asyncio.gather(*(t.aclose() for t in self._all[1:]), return_exceptions=True)
        await self.first.aclose()
