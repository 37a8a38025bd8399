"""One WS-Enumeration run: Enumerate, Pulls until ``EndOfSequence``, Release if stopped early.

Enumerations go to a class URI, or to the namespace wildcard (``…/v2/*``) with a WQL
filter, as WinRM requires: given a class URI and WQL, the client enumerates on the
wildcard and pulls on the class URI (as libvirt does); given the wildcard, it pulls on
the wildcard (as other clients do). ``OptimizeEnumeration`` brings small results back in
the first reply; Pulls follow until ``EndOfSequence``, each with the new context the host
handed out, and a ``Release`` ends an enumeration the caller stopped early. A caller that
knows how many items a query can legitimately have says so (``max_items``): a host that
sends more is refused at once, not after tens of MB. An enumeration that breaks (a reset,
an expired context) restarts from Enumerate once -- unless items were already handed to
the caller, because restarting then could repeat or skip items; it fails with the original
error instead. What may be tried again, and when, is :mod:`hvtui.wsman.retry`'s to say.

The paging loop lives here rather than in :mod:`hvtui.wsman.client` because it is a
protocol of its own (contexts, bounds, restarts) on top of the client's single requests;
it reaches the host only through the request function the client hands it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from hvtui import namespaces as ns
from hvtui.wsman import envelope
from hvtui.wsman.client_options import MAX_BATCH_ITEMS, ClientOptions
from hvtui.wsman.errors import ConfigurationError, FaultError, LimitError, TooManyItems, WSManError
from hvtui.wsman.faults import subcode_is
from hvtui.wsman.instance import CimInstance
from hvtui.wsman.pages import read_page
from hvtui.wsman.replies import Reply
from hvtui.wsman.retry import Repeat, restart_cures
from hvtui.wsman.schema import ClassSchema
from hvtui.wsman.stats import ClientStats
from hvtui.wsman.targets import class_of, enumeration_target

log = logging.getLogger("hvtui.wsman")

RELEASE_TIMEOUT = 5.0

#: Told the number of items an enumeration has brought so far, after each page.
OnPage = Callable[[int], None]
#: Handed each page's items as they come, before the enumeration ends (a caller that starts
#: on them early); a restarted enumeration hands its pages again.
OnItems = Callable[[list[CimInstance]], None]


class Request(Protocol):
    """The client's one way to the host: a request, tried again as ``repeat`` allows."""

    def __call__(
        self,
        resource_uri: str,
        action: str,
        body: str,
        selectors: None,
        *,
        repeat: Repeat,
        what: str,
        idempotent: bool | None = None,
    ) -> Awaitable[Reply]: ...


class Host(Protocol):
    """What of the client an enumeration reads: its bounds, its counters, its state."""

    @property
    def host(self) -> str: ...

    @property
    def closed(self) -> bool: ...

    @property
    def options(self) -> ClientOptions: ...

    @property
    def stats(self) -> ClientStats: ...


@dataclass(frozen=True)
class Query:
    """What to enumerate and how: the arguments of ``WSManClient.enumerate``."""

    resource_uri: str
    wql: str | None
    optimize: bool
    max_elements: int | None
    mode: str | None
    schema: ClassSchema | None
    max_items: int | None
    on_page: OnPage | None
    on_items: OnItems | None = None


class _EnumerationBroken(Exception):
    """A Pull failed in a way a restart from Enumerate can cure (internal)."""

    def __init__(self, error: WSManError) -> None:
        super().__init__(str(error))
        self.error = error


class Enumeration:
    """One query run against one host, as a stream (:meth:`items`) or a list (:meth:`collect`)."""

    def __init__(self, client: Host, request: Request, query: Query) -> None:
        self._client = client
        self._request = request
        self._query = query

    async def items(self) -> AsyncGenerator[CimInstance, None]:
        """Instances as the pages come; restarted once only while nothing was yielded."""
        restarted = False
        delivered = False
        while True:
            try:
                async with contextlib.aclosing(self._pages()) as pages:
                    async for page in pages:
                        for instance in page:
                            delivered = True
                            yield instance
                return
            except _EnumerationBroken as broken:
                if restarted or delivered:
                    raise broken.error from None
                restarted = True
                self._restarting(broken)

    async def collect(self) -> list[CimInstance]:
        """Every instance; nothing is handed out before the end, so a restart is always safe."""
        for attempt in (1, 2):
            collected: list[CimInstance] = []
            try:
                async with contextlib.aclosing(self._pages()) as pages:
                    async for page in pages:
                        collected.extend(page)
                return collected
            except _EnumerationBroken as broken:
                if attempt == 2:
                    raise broken.error from None
                self._restarting(broken)
        raise AssertionError("unreachable")  # pragma: no cover

    def _restarting(self, broken: _EnumerationBroken) -> None:
        self._client.stats.retries += 1
        log.debug("%s: enumeration broke (%s); starting it again", self._client.host, broken.error)

    async def _pages(self) -> AsyncGenerator[list[CimInstance], None]:
        query, options, host = self._query, self._client.options, self._client.host
        if query.mode is not None and query.mode not in envelope.ENUMERATION_MODES:
            raise ConfigurationError(
                f"enumeration mode {query.mode!r} is not known: use None, 'EPR' or 'ObjectAndEPR'"
            )
        batch = query.max_elements if query.max_elements is not None else options.max_elements
        # None only from ClientOptions(max_elements=None): no MaxElements on the wire at all.
        if batch is not None and (not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH_ITEMS):
            raise ConfigurationError(f"max_elements must be between 1 and {MAX_BATCH_ITEMS}, not {batch!r}")
        max_items = query.max_items
        if max_items is not None and (not isinstance(max_items, int) or max_items < 1):
            raise ConfigurationError(f"max_items must be a positive whole number, not {max_items!r}")
        most = options.max_items if max_items is None else min(max_items, options.max_items)
        if max_items is not None and batch is not None:
            batch = min(batch, most + 1)  # enough to tell that a host passed the bound, no more
        enumerate_uri, pull_uri, fragment_class, fragment_uri = enumeration_target(
            query.resource_uri, query.wql
        )
        class_name = fragment_class or class_of(query.resource_uri)
        reply = await self._request(
            enumerate_uri,
            ns.ACTION_ENUMERATE,
            envelope.enumerate_body(query.wql, optimize=query.optimize, max_elements=batch, mode=query.mode),
            None,
            repeat=Repeat.READ,
            what=f"Enumerate {class_name}",
        )
        items, context, end = read_page(
            reply, "EnumerateResponse", query.schema, fragment_class, fragment_uri, host
        )
        pages = 1
        count = len(items)
        received = reply.size
        finished = False
        try:
            while True:
                if count > most:
                    raise self._too_many(class_name, most, declared=most != options.max_items)
                if query.on_page is not None:
                    query.on_page(count)
                if received > options.max_enumeration_bytes:
                    raise self._unended(class_name, "max_enumeration_bytes")
                if items:
                    if query.on_items is not None:
                        query.on_items(items)
                    yield items
                if end:
                    finished = True
                    return
                if pages >= options.max_pages:
                    raise self._unended(class_name, "max_pages")
                try:
                    reply = await self._request(
                        pull_uri,
                        ns.ACTION_PULL,
                        envelope.pull_body(context or "", batch),
                        None,
                        repeat=Repeat.IF_NOT_RUN,
                        what=f"Pull {class_name}",
                    )
                except WSManError as error:
                    if not restart_cures(error):
                        raise
                    if isinstance(error, FaultError) and subcode_is(
                        error, ns.ENUMERATION, "InvalidEnumerationContext"
                    ):
                        context = None  # the host no longer knows it: nothing to release
                    raise _EnumerationBroken(error) from None
                items, new_context, end = read_page(
                    reply, "PullResponse", query.schema, fragment_class, fragment_uri, host
                )
                context = new_context if new_context is not None else context
                pages += 1
                count += len(items)
                received += reply.size
        finally:
            if not finished and context and not end and not self._client.closed:
                await self._release(pull_uri, context)

    async def _release(self, resource_uri: str, context: str) -> None:
        """Best effort: the host frees the context itself after EnumerationTimeoutms anyway."""
        try:
            async with asyncio.timeout(min(RELEASE_TIMEOUT, self._client.options.total_timeout)):
                await self._request(
                    resource_uri,
                    ns.ACTION_RELEASE,
                    envelope.release_body(context),
                    None,
                    repeat=Repeat.NEVER,
                    idempotent=True,
                    what="Release",
                )
        except (WSManError, TimeoutError) as exc:
            log.debug(
                "%s: Release of an enumeration failed (%s); the host will expire it", self._client.host, exc
            )

    def _too_many(self, class_name: str, most: int, *, declared: bool) -> TooManyItems:
        """An enumeration past its item bound: the caller's (``declared``) or max_items."""
        host = self._client.host
        if declared:
            message = f"{host} returned more than {most} {class_name} instances, more than can exist: refused"
        else:
            message = str(self._unended(class_name, "max_items"))
        return TooManyItems(message, host=host, limit=most, class_name=class_name)

    def _unended(self, class_name: str, bound: str) -> LimitError:
        """An enumeration past one of its bounds (a ``ClientOptions`` field) without ending."""
        host = self._client.host
        limit = getattr(self._client.options, bound)
        return LimitError(
            f"the enumeration of {class_name} on {host} passed {bound} ({limit}) without ending: refused",
            host=host,
        )
