"""The refresh scheduler: every host's I/O on one background asyncio loop, one task per host.

Why a loop of its own: a refresh of a big host parses megabytes of XML and builds thousands
of models. On the UI's loop that would freeze the screen for as long; here it runs beside
it, and the UI receives finished results as messages. Inside this loop each host has one
task that refreshes, sleeps and refreshes again, so a host's refreshes never overlap, and a
slow or dead host only ever delays itself (:mod:`hvtui.ui.hostlink`).

Nothing here imports Textual: the UI plugs in through :class:`Listener`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from hvtui.hyperv.actions import Verb
from hvtui.hyperv.devices import VMDetails
from hvtui.hyperv.errors import HyperVError, Problem
from hvtui.hyperv.host import COLD_CONNECTIONS, HyperVHost
from hvtui.hyperv.models import VM, JobProgress
from hvtui.hyperv.outcomes import ActionOutcome
from hvtui.hyperv.session import DEFAULT_TIMEOUT
from hvtui.ui.hostlink import BACKOFF_CAP, HostLink, Listener
from hvtui.uri import ConnectionURI

_log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_INTERVAL = 2.0
#: Hosts neither on screen nor acting refresh this many times less often ...
OFF_SCREEN_FACTOR = 15
#: ... and, in a big fleet, no more of them than this per second in all: a budget of CPU.
OFF_SCREEN_PER_SECOND = 25.0
#: First reads (login and the whole inventory) running at once: a fleet's start, bounded,
#: leaves the loop free for the hosts already shown instead of swamping it with handshakes.
COLD_READS = 16
#: Seconds the interpreter lets one thread run before it hands its lock to another that waits
#: (Python's default: 0.005). The refresh thread gives the lock up at each socket call and
#: parse, and then waited for the UI thread's whole slice to get it back: a fleet's start spent
#: more time waiting so than working.
SWITCH_INTERVAL = 0.001
#: Seconds quitting waits for every refresh to stop and every connection to close.
SHUTDOWN_WAIT = 3.0


def off_screen_interval(interval: float, off_screen: int) -> float:
    """Seconds between refreshes of a host nobody looks at: the person sees the hosts on
    screen; the rest only need their counts to stay roughly right."""
    return max(interval * OFF_SCREEN_FACTOR, off_screen / OFF_SCREEN_PER_SECOND)


class Scheduler:
    """Owns the background loop and every :class:`HostLink`; its public methods are thread-safe."""

    def __init__(
        self,
        listener: Listener,
        *,
        interval: float = DEFAULT_INTERVAL,
        backoff_cap: float = BACKOFF_CAP,
        host_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.listener = listener
        self.interval = interval
        self.backoff_cap = backoff_cap
        self.host_timeout = host_timeout
        self.paused = False
        self.links: dict[str, HostLink] = {}
        # The hosts the person can see (None: all of them, as with a few hosts).
        self.focused: frozenset[str] | None = None
        self.cold_reads = asyncio.Semaphore(COLD_READS)
        self._queued = 0  # first reads waiting for their turn
        self._held: set[HostLink] = set()  # hosts off screen holding back while first reads wait
        self.closing = False  # quitting: hosts' tasks hand their connections over (drop)
        self._dropped: list[HyperVHost] = []
        self._submitted: set[concurrent.futures.Future[Any]] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="hvtui-refresh", daemon=True)
        self._started = False
        self._switch_interval: float | None = None  # the interpreter's, while the loop runs

    @property
    def guard_timeout(self) -> float:
        """A refresh is several requests; past this, the host is treated as not answering."""
        return max(60.0, self.host_timeout * 3)

    def _serve(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            # Finish what was left half-way (generators following jobs, closing sockets)
            # on this loop, before it closes, rather than in a garbage collector later.
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            # A task that outlived the bound is dropped with the loop: quitting says nothing of it.
            loop.set_exception_handler(_quiet)
            loop.close()

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, self._switch_interval))
            self._thread.start()

    def _call(self, fn: Callable[..., object], *args: Any) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(fn, *args)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the scheduler's loop; await the result with ``asyncio.wrap_future``."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        self._submitted.add(future)
        future.add_done_callback(self._submitted.discard)
        return future

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await a coroutine that runs on the scheduler's loop, from any other loop."""
        return await asyncio.wrap_future(self.submit(coro))

    # -- hosts --------------------------------------------------------------------------------

    def add_host(
        self,
        key: str,
        uri: ConnectionURI,
        password: str | None,
        ca_file: str | None = None,
        tls_pin: str | None = None,
    ) -> None:
        self._call(self._add_host, key, uri, password, ca_file, tls_pin)

    def _add_host(
        self, key: str, uri: ConnectionURI, password: str | None, ca_file: str | None, tls_pin: str | None
    ) -> None:
        if key in self.links:
            return
        link = HostLink(self, key, uri, password, ca_file, tls_pin)
        self.links[key] = link
        link.task = self._loop.create_task(link.run(), name=f"refresh {uri.display_host}")

    def remove_host(self, key: str) -> None:
        self._call(self._remove_host, key)

    def _remove_host(self, key: str) -> None:
        link = self.links.pop(key, None)
        if link is not None and link.task is not None:
            link.task.cancel()
        self.listener.host_removed(key)

    def set_password(self, key: str, password: str | None) -> None:
        """New credentials for a host; None: its user's Kerberos ticket."""
        self._call(self._set_password, key, password)

    def _set_password(self, key: str, password: str | None) -> None:
        link = self.links.get(key)
        if link is not None:
            link.set_password(password)

    def set_trust(self, key: str, ca_file: str | None, tls_pin: str | None) -> None:
        """A host's CA file or certificate pin changed: it connects again with them."""
        self._call(self._set_trust, key, ca_file, tls_pin)

    def _set_trust(self, key: str, ca_file: str | None, tls_pin: str | None) -> None:
        link = self.links.get(key)
        if link is not None:
            self._loop.create_task(link.set_trust(ca_file, tls_pin))

    def refresh(self, key: str | None = None) -> None:
        """Refresh now: one host, or every host (also while paused, and despite backoff)."""
        self._call(self._refresh, key)

    def _refresh(self, key: str | None) -> None:
        for link in self.links.values():
            if key is None or link.key == key:
                link.wake(manual=True)

    def set_focus(self, keys: frozenset[str] | None) -> None:
        """The hosts on screen (None: every host): they refresh every interval, the rest less often."""
        self._call(self._set_focus, keys)

    def _set_focus(self, keys: frozenset[str] | None) -> None:
        before = {key for key in self.links if self.in_focus(key)}
        self.focused = keys
        for key, link in self.links.items():
            if key not in before and self.in_focus(key):
                link.focus_gained()

    @contextlib.asynccontextmanager
    async def first_read(self) -> AsyncIterator[None]:
        """A host's first read, one of COLD_READS at once (on the scheduler's loop)."""
        self._queued += 1
        try:
            await self.cold_reads.acquire()
        finally:
            self._queued -= 1
            if not self._queued:
                self._let_go()
        try:
            yield
        finally:
            self.cold_reads.release()

    def hold(self, link: HostLink) -> bool:
        """Whether a host off screen, due to refresh, waits (for its ``wake``) until the first
        reads queued are under way: a fleet's start shows every host sooner."""
        if not self._queued or self.in_focus(link.key):
            return False
        self._held.add(link)
        return True

    def release(self, link: HostLink) -> None:
        self._held.discard(link)

    def _let_go(self) -> None:
        """The held hosts refresh, spread as the off-screen budget spreads them."""
        held, self._held = self._held, set()
        for n, link in enumerate(held):
            self._loop.call_later(n / OFF_SCREEN_PER_SECOND, link.wake)

    @property
    def connections_per_host(self) -> int:
        """Connections a host's first read may open: a few at once shorten one host's start;
        in a fleet, whose start waits on the CPU, each more costs a login (and a socket)."""
        return COLD_CONNECTIONS if len(self.links) <= COLD_READS else 1

    def in_focus(self, key: str) -> bool:
        """On screen, or acting: refreshed every interval."""
        link = self.links.get(key)
        return self.focused is None or key in self.focused or (link is not None and link.acting > 0)

    def interval_for(self, key: str) -> float:
        if self.in_focus(key):
            return self.interval
        return off_screen_interval(self.interval, len(self.links) - len(self.focused or ()))

    def set_paused(self, paused: bool) -> None:
        self._call(self._set_paused, paused)

    def _set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            for link in self.links.values():
                link.wake()

    async def act(
        self,
        key: str,
        vm: VM,
        verb: Verb,
        on_progress: Callable[[JobProgress], Awaitable[None] | None] | None = None,
    ) -> ActionOutcome:
        """Run on the scheduler loop (through :meth:`run`): one action on one VM of a host."""
        link = self.links.get(key)
        if link is None:
            raise HyperVError(f"{vm.name}: its host is no longer connected", problem=Problem.UNREACHABLE)
        return await link.act(vm, verb, on_progress)

    async def with_host(
        self, key: str, call: Callable[[HyperVHost], Awaitable[T]], *, change: bool = False
    ) -> T:
        """Run on the scheduler loop (through :meth:`run`): ``call`` with a host's connection.

        A ``change`` counts against the host's actions in flight, and the host refreshes at once
        when it ends, so the table shows what it did.
        """
        link = self.links.get(key)
        if link is None or link.host is None:
            raise HyperVError(
                "its host is not connected: log in to it first (l)", problem=Problem.UNREACHABLE
            )
        if not change:
            return await call(link.host)
        try:
            async with link.acting_on():
                return await call(link.host)
        finally:
            link.wake()

    async def details(self, key: str, vm: VM) -> VMDetails:
        """Run on the scheduler loop (through :meth:`run`): one VM's devices and guest."""
        return await self.with_host(key, lambda host: host.details(vm))

    # -- shutdown -----------------------------------------------------------------------------

    def drop(self, host: HyperVHost) -> None:
        """A host's refresh task ends while the scheduler closes: its connections are closed
        with every other host's, at once, rather than one after another by each task."""
        self._dropped.append(host)

    async def _shutdown(self) -> None:
        """Cancel every task, then close every host's connections together, within the bound."""
        loop = asyncio.get_running_loop()
        ends = loop.time() + SHUTDOWN_WAIT
        self.closing = True
        links = list(self.links.values())
        self.links.clear()
        for future in list(self._submitted):
            future.cancel()  # actions still following their jobs; nothing is sent again
        current = asyncio.current_task()
        pending = {t for t in asyncio.all_tasks() if t is not current}
        while pending and loop.time() < ends:
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=ends - loop.time())
            # A task's unwinding may start others (a connection's replacement): those end too.
            pending = {t for t in asyncio.all_tasks() if t is not current and not t.done()}
        hosts = self._dropped + [link.host for link in links if link.host is not None]
        self._dropped = []
        closes = [loop.create_task(host.aclose()) for host in {id(h): h for h in hosts}.values()]
        if closes:
            await asyncio.wait(closes, timeout=max(0.1, ends - loop.time()))

    async def aclose(self) -> None:
        """Stop every refresh and close every connection (bounded: a hung host cannot hold exit)."""
        if not self._started or self._loop.is_closed():
            return
        try:
            closing = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            await asyncio.wait_for(asyncio.wrap_future(closing), timeout=SHUTDOWN_WAIT + 1.0)
        except (TimeoutError, RuntimeError):
            _log.warning("some hosts did not close in time")
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 3.0)
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    _log.debug("after closing: %s", context.get("message"))
