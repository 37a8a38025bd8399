"""The WS-Management client for one host: Identify, Enumerate/Pull/Release, Get, Invoke.

It speaks SOAP 1.2, WS-Addressing, WS-Enumeration, WS-Transfer and WS-Management to the
WinRM service and returns CIM objects; it knows nothing about virtual machines.

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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping
from typing import Any

import httpx
from lxml import etree

from hvtui import namespaces as ns
from hvtui.wsman import envelope
from hvtui.wsman.cim import EPR, IdentifyResult, InvokeResult
from hvtui.wsman.client_options import MAX_BATCH_ITEMS, ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.deadline import Deadline
from hvtui.wsman.decode import decode_instance, decode_properties
from hvtui.wsman.errors import (
    ConfigurationError,
    FaultError,
    LimitError,
    ProtocolError,
    TooManyItems,
    WSManError,
)
from hvtui.wsman.faults import subcode_is
from hvtui.wsman.instance import CimInstance, CimProperties
from hvtui.wsman.pages import read_page
from hvtui.wsman.replies import Reply, describe_body, is_xml_media, looks_like_xml, open_envelope
from hvtui.wsman.retry import Repeat, Tries, restart_cures
from hvtui.wsman.schema import ClassSchema
from hvtui.wsman.stats import ClientStats
from hvtui.wsman.targets import class_of, enumeration_target
from hvtui.wsman.transport import HostTransport

log = logging.getLogger("hvtui.wsman")

ID = f"{{{ns.WSMAN_IDENTITY}}}"

RELEASE_TIMEOUT = 5.0

Selectors = Mapping[str, Any] | Iterable[tuple[str, Any]]
#: Told the number of items an enumeration has brought so far, after each page.
OnPage = Callable[[int], None]


class _EnumerationBroken(Exception):
    """A Pull failed in a way a restart from Enumerate can cure (internal)."""

    def __init__(self, error: WSManError) -> None:
        super().__init__(str(error))
        self.error = error


class WSManClient:
    """``async with WSManClient("http://hv01:5985/wsman", Credentials(...)) as client: ...``

    One client per host; it owns one HTTP connection, kept alive between calls.
    ``transport`` replaces httpx's socket transport (``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials,
        options: ClientOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not isinstance(credentials, Credentials):
            raise ConfigurationError("credentials must be a Credentials(user, password)")
        self.endpoint = endpoint
        self._user = credentials.user
        self.options = options if options is not None else ClientOptions()
        self.stats = ClientStats()
        self._transport = HostTransport(endpoint, credentials, self.options, self.stats, transport=transport)

    # ------------------------------------------------------------ lifecycle

    @property
    def host(self) -> str:
        """``host:port`` as shown in messages."""
        return self._transport.host

    @property
    def auth_scheme(self) -> str | None:
        """``"kerberos"``, ``"ntlm"`` or ``"basic"`` once authentication happened (None before)."""
        return self._transport.scheme

    @property
    def encrypted(self) -> bool:
        """True when bodies travel sealed (NTLM or Kerberos message encryption over HTTP)."""
        return self._transport.encrypted

    @property
    def tls_verified(self) -> bool | None:
        """True: HTTPS with the certificate checked; False: HTTPS unchecked (show it!); None: HTTP."""
        return self._transport.tls_verified

    @property
    def closed(self) -> bool:
        return self._transport.closed

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> WSManClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        # Complete even on a half-built client: tracebacks with locals call repr on it.
        return f"<WSManClient {self.endpoint} user={self._user!r}>"

    # -------------------------------------------------------------- Identify

    async def identify(self, *, authenticated: bool = True) -> IdentifyResult:
        """``wsmid:Identify``: a cheap probe of reachability and the protocol/product version.

        With ``authenticated=False`` no credentials are sent (``WSMANIDENTIFY: unauthenticated``).
        """
        self.stats.operations += 1
        reply = await self._exchange(
            envelope.IDENTIFY_BODY,
            None,
            repeat=Repeat.READ,
            what="Identify",
            authenticated=authenticated,
            headers=None if authenticated else {"WSMANIDENTIFY": "unauthenticated"},
        )
        payload = reply.payload
        if payload is None or payload.tag != f"{ID}IdentifyResponse":
            raise self._unexpected(payload, "IdentifyResponse")

        def field(name: str) -> str:
            element = payload.find(f"{ID}{name}")
            return (element.text or "").strip() if element is not None else ""

        profiles_element = payload.find(f"{ID}SecurityProfiles")
        profiles = (
            tuple((p.text or "").strip() for p in profiles_element if type(p.tag) is str)
            if profiles_element is not None
            else ()
        )
        return IdentifyResult(
            field("ProtocolVersion"), field("ProductVendor"), field("ProductVersion"), profiles
        )

    # ------------------------------------------------------------------ Get

    async def get(
        self, resource_uri: str, selectors: Selectors | None = None, schema: ClassSchema | None = None
    ) -> CimInstance:
        """WS-Transfer Get of one instance by its keys."""
        reply = await self._call(
            resource_uri,
            ns.ACTION_GET,
            "",
            selectors,
            repeat=Repeat.READ,
            what=f"Get {class_of(resource_uri)}",
        )
        if reply.payload is None:
            raise ProtocolError("the host's GetResponse holds no instance", host=self.host)
        return decode_instance(reply.payload, schema)

    # --------------------------------------------------------------- Invoke

    async def invoke(
        self,
        resource_uri: str,
        method: str,
        selectors: Selectors | None = None,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        schema: ClassSchema | None = None,
    ) -> InvokeResult:
        """Call ``method`` on the instance named by ``selectors``; never resent on its own.

        ``params`` values: str/int/float/bool, datetime/timedelta, None (NULL), lists
        (arrays), EPR (references) and EmbeddedInstance (CIM-XML). ``schema`` types the
        outputs; ReturnValue is a uint32 unless it says otherwise.
        """
        body = envelope.invoke_body(resource_uri, method, params)
        reply = await self._call(
            resource_uri,
            f"{resource_uri}/{method}",
            body,
            selectors,
            repeat=Repeat.NEVER,
            what=f"Invoke {class_of(resource_uri)}.{method}",
        )
        payload = reply.payload
        if (
            payload is None
            or not isinstance(payload.tag, str)
            or not payload.tag.endswith(f"}}{method}_OUTPUT")
        ):
            raise self._unexpected(payload, f"{method}_OUTPUT")
        output_schema = ClassSchema(f"{method}_OUTPUT", {"ReturnValue": "uint32"})
        if schema is not None:
            output_schema = output_schema.merged(schema)
        outputs = CimProperties(decode_properties(payload), output_schema, f"{method}_OUTPUT")
        return_value = outputs.get("ReturnValue")
        job = outputs.get("Job")
        return InvokeResult(return_value, outputs, job if isinstance(job, EPR) else None, method, reply.size)

    # ------------------------------------------------------------ Enumerate

    async def enumerate(
        self,
        resource_uri: str,
        wql: str | None = None,
        *,
        optimize: bool = True,
        max_elements: int | None = None,
        mode: str | None = None,
        schema: ClassSchema | None = None,
        max_items: int | None = None,
        on_page: OnPage | None = None,
    ) -> AsyncGenerator[CimInstance, None]:
        """Instances of a class (or of a WQL query), page by page as the host sends them.

        ``mode`` ``"EPR"`` yields references only (instances with ``epr`` set and no
        properties); ``"ObjectAndEPR"`` yields instances with their ``epr``. Stopping early
        releases the enumeration on the host; use ``contextlib.aclosing`` to have that
        happen at once rather than when the iterator is collected. ``max_items`` is the most
        the query can legitimately return (TooManyItems past it); ``on_page`` is told the
        count so far after each page.
        """
        restarted = False
        delivered = False
        while True:
            try:
                async with contextlib.aclosing(
                    self._pages(resource_uri, wql, optimize, max_elements, mode, schema, max_items, on_page)
                ) as pages:
                    async for page in pages:
                        for instance in page:
                            delivered = True
                            yield instance
                return
            except _EnumerationBroken as broken:
                if restarted or delivered:
                    raise broken.error from None
                restarted = True
                self.stats.retries += 1
                log.debug("%s: enumeration broke (%s); starting it again", self.host, broken.error)

    async def enumerate_all(
        self,
        resource_uri: str,
        wql: str | None = None,
        *,
        optimize: bool = True,
        max_elements: int | None = None,
        mode: str | None = None,
        schema: ClassSchema | None = None,
        max_items: int | None = None,
        on_page: OnPage | None = None,
    ) -> list[CimInstance]:
        """Every instance, collected; a broken enumeration is run again once, from the start.

        ``max_items`` and ``on_page`` as for :meth:`enumerate`.
        """
        for attempt in (1, 2):
            collected: list[CimInstance] = []
            try:
                async with contextlib.aclosing(
                    self._pages(resource_uri, wql, optimize, max_elements, mode, schema, max_items, on_page)
                ) as pages:
                    async for page in pages:
                        collected.extend(page)
                return collected
            except _EnumerationBroken as broken:
                if attempt == 2:
                    raise broken.error from None
                self.stats.retries += 1
                log.debug("%s: enumeration broke (%s); starting it again", self.host, broken.error)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pages(
        self,
        resource_uri: str,
        wql: str | None,
        optimize: bool,
        max_elements: int | None,
        mode: str | None,
        schema: ClassSchema | None,
        max_items: int | None,
        on_page: OnPage | None,
    ) -> AsyncGenerator[list[CimInstance], None]:
        if mode is not None and mode not in envelope.ENUMERATION_MODES:
            raise ConfigurationError(
                f"enumeration mode {mode!r} is not known: use None, 'EPR' or 'ObjectAndEPR'"
            )
        batch = max_elements if max_elements is not None else self.options.max_elements
        # None only from ClientOptions(max_elements=None): no MaxElements on the wire at all.
        if batch is not None and (not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH_ITEMS):
            raise ConfigurationError(f"max_elements must be between 1 and {MAX_BATCH_ITEMS}, not {batch!r}")
        if max_items is not None and (not isinstance(max_items, int) or max_items < 1):
            raise ConfigurationError(f"max_items must be a positive whole number, not {max_items!r}")
        most = self.options.max_items if max_items is None else min(max_items, self.options.max_items)
        if max_items is not None and batch is not None:
            batch = min(batch, most + 1)  # enough to tell that a host passed the bound, no more
        enumerate_uri, pull_uri, fragment_class, fragment_uri = enumeration_target(resource_uri, wql)
        class_name = fragment_class or class_of(resource_uri)
        what = f"Enumerate {class_name}"
        reply = await self._call(
            enumerate_uri,
            ns.ACTION_ENUMERATE,
            envelope.enumerate_body(wql, optimize=optimize, max_elements=batch, mode=mode),
            None,
            repeat=Repeat.READ,
            what=what,
        )
        items, context, end = read_page(
            reply, "EnumerateResponse", schema, fragment_class, fragment_uri, self.host
        )
        pages = 1
        count = len(items)
        received = reply.size
        finished = False
        try:
            while True:
                if count > most:
                    raise self._too_many(class_name, most, declared=most != self.options.max_items)
                if on_page is not None:
                    on_page(count)
                if received > self.options.max_enumeration_bytes:
                    raise self._unended(class_name, "max_enumeration_bytes")
                if items:
                    yield items
                if end:
                    finished = True
                    return
                if pages >= self.options.max_pages:
                    raise self._unended(class_name, "max_pages")
                try:
                    reply = await self._call(
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
                    reply, "PullResponse", schema, fragment_class, fragment_uri, self.host
                )
                context = new_context if new_context is not None else context
                pages += 1
                count += len(items)
                received += reply.size
        finally:
            if not finished and context and not end and not self.closed:
                await self._release(pull_uri, context)

    async def _release(self, resource_uri: str, context: str) -> None:
        """Best effort: the host frees the context itself after EnumerationTimeoutms anyway."""
        try:
            async with asyncio.timeout(min(RELEASE_TIMEOUT, self.options.total_timeout)):
                await self._call(
                    resource_uri,
                    ns.ACTION_RELEASE,
                    envelope.release_body(context),
                    None,
                    repeat=Repeat.NEVER,
                    idempotent=True,
                    what="Release",
                )
        except (WSManError, TimeoutError) as exc:
            log.debug("%s: Release of an enumeration failed (%s); the host will expire it", self.host, exc)

    def _too_many(self, class_name: str, most: int, *, declared: bool) -> TooManyItems:
        """An enumeration past its item bound: the caller's (``declared``) or max_items."""
        if declared:
            message = (
                f"{self.host} returned more than {most} {class_name} instances, more than can exist: refused"
            )
        else:
            message = str(self._unended(class_name, "max_items"))
        return TooManyItems(message, host=self.host, limit=most, class_name=class_name)

    def _unended(self, class_name: str, bound: str) -> LimitError:
        """An enumeration past one of its bounds (a ``ClientOptions`` field) without ending."""
        limit = getattr(self.options, bound)
        return LimitError(
            f"the enumeration of {class_name} on {self.host} passed {bound} ({limit}) without ending: "
            "refused",
            host=self.host,
        )

    # ------------------------------------------------------------- plumbing

    async def _call(
        self,
        resource_uri: str,
        action: str,
        body: str,
        selectors: Selectors | None,
        *,
        repeat: Repeat,
        what: str,
        idempotent: bool | None = None,
    ) -> Reply:
        """One WS-Management request, tried again as ``repeat`` allows, within one deadline.

        ``idempotent`` (a resend at once after a reset) follows ``repeat`` unless given.
        """
        message_id = envelope.new_message_id()
        data = envelope.request(
            to=self.endpoint,
            resource_uri=resource_uri,
            action=action,
            message_id=message_id,
            max_envelope_size=self.options.max_envelope_size,
            timeout=self.options.operation_timeout,
            locale=self.options.locale,
            selectors=envelope.selector_items(selectors),
            body=body,
        )
        self.stats.operations += 1
        log.debug("%s: %s (%s)", self.host, what, resource_uri)
        return await self._exchange(data, message_id, repeat=repeat, what=what, idempotent=idempotent)

    async def _exchange(
        self,
        data: bytes,
        message_id: str | None,
        *,
        repeat: Repeat,
        what: str,
        idempotent: bool | None = None,
        authenticated: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        deadline = Deadline(self.options.total_timeout)
        tries = Tries(repeat, deadline, self.options.read_retries)
        while True:
            try:
                http = await self._transport.exchange(
                    data,
                    idempotent=repeat is Repeat.READ if idempotent is None else idempotent,
                    what=what,
                    authenticated=authenticated,
                    headers=headers,
                    deadline=deadline,
                )
                return self._open(http, message_id)
            except WSManError as error:
                pause = tries.pause_after(error)
                if pause is None:
                    raise
                self.stats.retries += 1
                log.debug("%s: %s (%s); trying %s again in %.2f s", self.host, what, error, what, pause)
            await asyncio.sleep(pause)

    def _open(self, http: httpx.Response, message_id: str | None) -> Reply:
        status = http.status_code
        content_type = http.headers.get("content-type")
        if not is_xml_media(content_type) or not looks_like_xml(http.content):
            raise ProtocolError(
                f"{self.host} answered HTTP {status} with "
                f"{describe_body(http.content, content_type)} where a SOAP reply was expected: check that "
                "the endpoint is WinRM (transport, port, /wsman)",
                host=self.host,
                status=status,
                content_type=content_type,
            )
        reply = open_envelope(
            http.content,
            host=self.host,
            http_status=status,
            message_id=message_id,
            content_type=content_type,
        )
        if status != 200:
            raise ProtocolError(
                f"{self.host} answered HTTP {status} with a SOAP reply that is not a fault: refused",
                host=self.host,
                status=status,
            )
        return reply

    def _unexpected(self, payload: etree._Element | None, expected: str) -> ProtocolError:
        found = "nothing" if payload is None else f"<{etree.QName(payload).localname}>"
        return ProtocolError(
            f"{self.host} answered with {found} where {expected} was expected", host=self.host
        )
