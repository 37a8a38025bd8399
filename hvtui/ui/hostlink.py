"""One host's refreshes: a task that connects, refreshes, sleeps and refreshes again.

A host's task never overlaps with itself, so a slow or dead host only ever delays itself.
Failures back off (×2 each time, capped); a refused password stops the task until new
credentials arrive, so a wrong password is never tried again on its own (that is how
accounts get locked). A host whose user has a Kerberos ticket (``kinit``) needs no password;
when the ticket is refused or expires, the same rule applies: the host waits for new
credentials (a password, or the word to use a fresh ticket). An HTTPS host's certificate is
checked by a handshake alone before a password is asked for or sent. The status a refresh
leaves stays until the next one ends, so a slow host's row does not flicker; meanwhile the
row says what the refresh is doing.

Nothing here imports Textual: the UI plugs in through :class:`Listener`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import CertificateNotTrusted, ConnectionFailed, HyperVError, Problem
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.models import VM, Connection, HostSnapshot, JobProgress
from hvtui.hyperv.outcomes import ActionOutcome
from hvtui.hyperv.tickets import uses_ticket
from hvtui.hyperv.trust import CertificateInfo, certificate_of, check_trust
from hvtui.ui.hoststatus import HostStatus, StatusReport, status_for
from hvtui.uri import ConnectionURI

_log = logging.getLogger(__name__)

BACKOFF_CAP = 60.0
SLOW_AFTER = 1.0  # a first connection (or a retry) still running after this long says so
STEADY_SLOW_AFTER = 5.0  # ... a steady refresh, after this long: a slow host's row stays still
SLOW_EVERY = 2.0  # ... and then says every so often how long the host has kept it waiting
ACTIONS_PER_HOST = 4  # bulk actions: at most this many requests in flight to one host
ACTION_TIMEOUT = 1800.0  # follow a job this long before reporting it as still running
INVENTORY_INTERVAL = 30.0  # a host on screen reads its whole inventory again this often
#: ... one off screen only when its summary shows the inventory changed: its counts come from
#: the summary alone, the cheapest read that gives them.
OFF_SCREEN_INVENTORY = 24 * 3600.0


class Listener(Protocol):
    """Called on the scheduler's thread: implementations must only hand results over."""

    def host_status(self, key: str, report: StatusReport) -> None: ...

    def host_snapshot(self, key: str, snapshot: HostSnapshot, connection: Connection | None) -> None: ...

    def host_removed(self, key: str) -> None: ...


def backoff_delay(interval: float, failures: int, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after ``failures`` failed refreshes in a row: ×2 each time, capped."""
    if failures <= 0:
        return interval
    return min(max(cap, interval), interval * 2.0**failures)


class Owner(Protocol):
    """What a link needs of the scheduler that owns it (read on the scheduler's loop)."""

    listener: Listener
    interval: float
    backoff_cap: float
    host_timeout: float
    paused: bool
    closing: bool

    @property
    def guard_timeout(self) -> float: ...

    @property
    def connections_per_host(self) -> int: ...

    def in_focus(self, key: str) -> bool: ...

    def interval_for(self, key: str) -> float: ...

    def first_read(self) -> contextlib.AbstractAsyncContextManager[None]: ...

    def hold(self, link: HostLink) -> bool: ...

    def release(self, link: HostLink) -> None: ...

    def drop(self, host: HyperVHost) -> None: ...


class HostLink:
    """One host: its connection, its refresh task, its credentials. Lives on the scheduler loop."""

    def __init__(
        self,
        scheduler: Owner,
        key: str,
        uri: ConnectionURI,
        password: str | None,
        ca_file: str | None,
        tls_pin: str | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.key = key
        self.uri = uri
        self.ca_file = ca_file
        self.tls_pin = tls_pin
        self._password = password
        # No password, but the user's Kerberos ticket will do (checked once, when the host is added).
        self._ticket = password is None and uses_ticket(uri)
        self.host: HyperVHost | None = None
        self.failures = 0
        self._wake = asyncio.Event()
        self._credentials = asyncio.Event()
        self._manual = False
        self._trusted = uri.transport != "https"  # until a handshake says so, an HTTPS host is not
        self._last: StatusReport | None = None
        self._outcome: StatusReport | None = None  # how the last refresh ended: kept while the next runs
        self._auth_error: str | None = None
        self.actions = asyncio.Semaphore(ACTIONS_PER_HOST)
        self.acting = 0  # actions and changes in flight: the host refreshes every interval meanwhile
        self._refreshed_at: float | None = None  # loop time a refresh last began
        self._due: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"HostLink({self.key!r}, failures={self.failures})"

    # -- control (scheduler thread) --------------------------------------------------------------

    def wake(self, *, manual: bool = False) -> None:
        self._manual = self._manual or manual
        self._wake.set()

    def focus_gained(self) -> None:
        """Come on screen: refresh at once, unless the last refresh is younger than an interval
        (then when it is one interval old). Not while paused: the person stopped refreshes."""
        if self.scheduler.paused or self._refreshed_at is None:
            return
        loop = asyncio.get_running_loop()
        due = self._refreshed_at + self.scheduler.interval
        if self._due is not None:
            self._due.cancel()
        self._due = loop.call_at(due, self._wake_if_focused) if due > loop.time() else None
        if self._due is None:
            self.wake()

    def _wake_if_focused(self) -> None:
        self._due = None
        if self.scheduler.in_focus(self.key) and not self.scheduler.paused:
            self.wake()

    @contextlib.asynccontextmanager
    async def acting_on(self) -> AsyncIterator[None]:
        """An action or change in flight (at most ACTIONS_PER_HOST at once): its host counts as on screen."""
        async with self.actions:
            seen = self.scheduler.in_focus(self.key)
            self.acting += 1
            if not seen:
                self.focus_gained()
            try:
                yield
            finally:
                self.acting -= 1

    @property
    def _has_credentials(self) -> bool:
        return self._password is not None or self._ticket

    def set_password(self, password: str | None) -> None:
        """New credentials: a password, or None to log in with the user's (fresh) Kerberos ticket."""
        self._password = password
        self._ticket = password is None
        self._auth_error = None
        self.failures = 0
        self._credentials.set()
        self._wake.set()

    async def set_trust(self, ca_file: str | None, tls_pin: str | None) -> None:
        """A CA file or pin was given for the host: connect again with it, at once."""
        self.ca_file = ca_file
        self.tls_pin = tls_pin
        self._trusted = self.uri.transport != "https"
        self.failures = 0
        await self._close_host()
        self._credentials.set()
        self.wake()

    def _report(
        self,
        status: HostStatus,
        error: str | None = None,
        retry_in: float | None = None,
        *,
        activity: str | None = None,
        certificate: CertificateInfo | None = None,
    ) -> None:
        retry_at = time.monotonic() + retry_in if retry_in is not None else None
        report = StatusReport(status, error, retry_in, activity, retry_at, certificate)
        if report == self._last:
            return
        self._last = report
        self.scheduler.listener.host_status(self.key, report)

    def _settle(self, report: StatusReport) -> None:
        """A refresh ended: its outcome is the host's status until the next one ends."""
        self._outcome = report
        self._report(report.status, report.error, report.retry_in, certificate=report.certificate)

    async def _close_host(self) -> None:
        host, self.host = self.host, None
        if host is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(host.aclose(), timeout=2.0)

    # -- the refresh loop ---------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while True:
                if not self._trusted:
                    # Before a password is asked for, or sent: is this host's certificate trusted?
                    delay = await self._check_trust()
                    if not self._trusted:
                        await self._sleep(delay, waiting=True)
                        continue
                if not self._has_credentials:
                    self._settle(StatusReport(HostStatus.AUTH_NEEDED, self._auth_error))
                    self._credentials.clear()
                    await self._credentials.wait()
                    continue
                # A first read waits its turn among the others (see the scheduler's COLD_READS).
                first = self._refreshed_at is None
                async with self.scheduler.first_read() if first else contextlib.nullcontext():
                    delay = await self._refresh()
                await self._sleep(delay)
        finally:
            if self.scheduler.closing:  # quitting: closed with the others, not waited on here
                if self.host is not None:
                    self.scheduler.drop(self.host)
                    self.host = None
            else:
                await self._close_host()

    async def _check_trust(self) -> float:
        try:
            await check_trust(
                self.uri,
                ca_file=self.ca_file,
                tls_pin=self.tls_pin,
                timeout=min(10.0, self.scheduler.host_timeout),
            )
        except HyperVError as exc:
            return await self._failed(exc)
        self._trusted = True
        return 0.0

    async def _refresh(self) -> float:
        """One refresh (connecting first when needed); the seconds to wait before the next."""
        loop = asyncio.get_running_loop()
        if self.host is None:
            try:
                self.host = HyperVHost(
                    self.uri,
                    self._password,
                    ca_file=self.ca_file,
                    tls_pin=self.tls_pin,
                    timeout=self.scheduler.host_timeout,
                    connections=self.scheduler.connections_per_host,
                )
                self.host.guest_names_later = True  # the VMs on screen first, their guests' names next
            except HyperVError as exc:
                # Settings that cannot work (an unusable CA file): say so on the row, and
                # look again later rather than end this host's task in silence.
                return await self._failed(exc)
        if self._outcome is None:
            self._report(HostStatus.CONNECTING)
        elif self._manual and self._outcome.status.healthy:
            self._report(HostStatus.REFRESHING)  # the person asked: show that it is under way
        self._wake.clear()
        self._manual = False
        self._refreshed_at = loop.time()
        focused = self.scheduler.in_focus(self.key)
        self.host.inventory_interval = INVENTORY_INTERVAL if focused else OFF_SCREEN_INVENTORY
        self.host.live_facts = focused  # free memory and clock: shown only for a host on screen
        slow = loop.create_task(self._waiting(self.host))
        try:
            snapshot = await asyncio.wait_for(self.host.snapshot(), timeout=self.scheduler.guard_timeout)
        except HyperVError as exc:
            return await self._failed(exc)
        except TimeoutError:
            return await self._failed(
                ConnectionFailed(f"no complete answer within {self.scheduler.guard_timeout:.0f} s")
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must not end the host's refreshes
            _log.exception("refresh of %s failed unexpectedly", self.uri.display_host)
            return await self._failed(HyperVError(f"unexpected error: {type(exc).__name__}: {exc}"))
        finally:
            slow.cancel()
        self.failures = 0
        connection = _connection_of(self.host)
        self.scheduler.listener.host_snapshot(self.key, snapshot, connection)
        self._settle(StatusReport(HostStatus.OK))
        return self.scheduler.interval_for(self.key)

    async def _waiting(self, host: HyperVHost) -> None:
        """While a refresh takes long, say on the host's row what it is doing, and for how long.

        The status stays what the last refresh left (no flicker between ok and refreshing on
        a slow host); only a first connection shows "connecting". A host still sending reads
        as "reading" -- with the items its read has brought so far (the domain's count) or the
        bytes -- not as "no answer": a big or hostile host that streams is not silent.
        """
        loop = asyncio.get_running_loop()
        started = last_progress = loop.time()
        received = start_bytes = host.stats.bytes_received
        items = host.reading
        first = self._outcome is None
        # A steady refresh waits longer before it says so, but not past half the host timeout.
        steady = min(STEADY_SLOW_AFTER, self.scheduler.host_timeout / 2)
        await asyncio.sleep(SLOW_AFTER if first or self.failures else steady)
        while True:
            now = loop.time()
            reading = host.reading
            if host.stats.bytes_received != received or (reading is not None and reading != items):
                received, items, last_progress = host.stats.bytes_received, reading, now
            if last_progress > started and now - last_progress < SLOW_EVERY * 2:
                what = str(reading) if reading is not None else f"reading ({_size(received - start_bytes)})"
                activity = f"{what} for {now - started:.0f} s"
            else:
                activity = f"no answer for {now - last_progress:.0f} s"
            if first:
                self._report(HostStatus.CONNECTING, activity=activity)
            else:
                outcome = self._outcome or StatusReport(HostStatus.OK)
                self._report(
                    outcome.status, outcome.error, activity=activity, certificate=outcome.certificate
                )
            await asyncio.sleep(SLOW_EVERY)

    async def _failed(self, exc: HyperVError) -> float:
        if exc.problem is Problem.AUTH:
            # Never try a refused password (or ticket) again on its own: ask for new credentials.
            self._password = None
            self._ticket = False
            self._auth_error = str(exc)
            await self._close_host()
            return 0.0
        certificate = None
        if isinstance(exc, CertificateNotTrusted):
            self._trusted = False
            await self._close_host()
            certificate = exc.certificate or await certificate_of(
                self.uri, min(10.0, self.scheduler.host_timeout)
            )
        self.failures += 1
        delay = backoff_delay(self.scheduler.interval, self.failures, self.scheduler.backoff_cap)
        self._settle(StatusReport(status_for(exc.problem), str(exc), delay, certificate=certificate))
        return delay

    async def _sleep(self, delay: float, *, waiting: bool = False) -> None:
        if not self._has_credentials and not waiting:
            return
        if self.scheduler.paused and not self._wake.is_set():
            await self._wake.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=delay)
        if not waiting and not self._wake.is_set() and self.scheduler.hold(self):
            try:
                await self._wake.wait()
            finally:
                self.scheduler.release(self)
        self._wake.clear()

    # -- actions ------------------------------------------------------------------------------

    async def act(
        self, vm: VM, verb: Verb, on_progress: Callable[[JobProgress], Awaitable[None] | None] | None
    ) -> ActionOutcome:
        """Send one action (never retried) and follow its job; then refresh the host at once."""
        if self.host is None:
            raise HyperVError(
                f"{self.uri.display_host} is not connected: log in to it first (l)", problem=Problem.AUTH
            )
        host = self.host
        try:
            async with self.acting_on():
                action = await host.request(vm, verb)
                return await action.wait(timeout=ACTION_TIMEOUT, on_progress=on_progress)
        finally:
            self.wake()


def _size(count: int) -> str:
    """ "640 KB", "2.1 MB": how much a long reply has brought so far."""
    if count < 1024 * 1024:
        return f"{count // 1024} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def _connection_of(host: HyperVHost) -> Connection | None:
    try:
        return host.connection
    except Exception:  # noqa: BLE001 - a description is optional; the refresh is what matters
        return None
