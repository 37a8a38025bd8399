"""The WS-Management client for one host: Identify, Enumerate/Pull/Release, Get, Invoke.

It speaks SOAP 1.2, WS-Addressing, WS-Enumeration, WS-Transfer and WS-Management to the
WinRM service and returns CIM objects; it knows nothing about virtual machines.

Every request goes out through one exchange, tried again only as :mod:`hvtui.wsman.retry`
allows, and every reply is opened in one place, so that a reply that is not SOAP or not a
200 is refused the same way whatever was asked. The paging of enumerations (contexts,
bounds, Release, the restart-once rule) is :mod:`hvtui.wsman.enumeration`'s; the client
hands it that exchange.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any

import httpx
from lxml import etree

from hvtui import namespaces as ns
from hvtui.wsman import envelope
from hvtui.wsman.cim import EPR, IdentifyResult, InvokeResult
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.deadline import Deadline
from hvtui.wsman.decode import decode_instance, decode_outputs
from hvtui.wsman.enumeration import Enumeration, OnItems, OnPage, Query
from hvtui.wsman.errors import ConfigurationError, ProtocolError, WSManError
from hvtui.wsman.instance import CimInstance
from hvtui.wsman.pool import ConnectionPool
from hvtui.wsman.replies import Reply, describe_body, is_xml_media, looks_like_xml, open_envelope
from hvtui.wsman.retry import Repeat, Tries
from hvtui.wsman.schema import ClassSchema
from hvtui.wsman.stats import ClientStats
from hvtui.wsman.targets import class_of
from hvtui.wsman.transport import HostTransport

log = logging.getLogger("hvtui.wsman")

ID = f"{{{ns.WSMAN_IDENTITY}}}"

Selectors = Mapping[str, Any] | Iterable[tuple[str, Any]]


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
        self._pool = ConnectionPool(
            lambda: HostTransport(endpoint, credentials, self.options, self.stats, transport=transport),
            self.options.connections,
        )

    # ------------------------------------------------------------ lifecycle

    @property
    def host(self) -> str:
        """``host:port`` as shown in messages."""
        return self._pool.first.host

    @property
    def auth_scheme(self) -> str | None:
        """``"kerberos"``, ``"ntlm"`` or ``"basic"`` once authentication happened (None before)."""
        return self._pool.first.scheme

    @property
    def encrypted(self) -> bool:
        """True when bodies travel sealed (NTLM or Kerberos message encryption over HTTP)."""
        return self._pool.first.encrypted

    @property
    def tls_verified(self) -> bool | None:
        """True: HTTPS with the certificate checked; False: HTTPS unchecked (show it!); None: HTTP."""
        return self._pool.first.tls_verified

    @property
    def closed(self) -> bool:
        return self._pool.first.closed

    async def aclose(self) -> None:
        await self._pool.aclose()

    @property
    def open_connections(self) -> int:
        """Connections open now: 1, or more during a burst of concurrent requests."""
        return len(self._pool.connections)

    async def trim(self) -> None:
        """Close the extra connections a burst of concurrent requests opened (see ``connections``)."""
        await self._pool.trim()

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
        *,
        declared_only: bool = False,
    ) -> InvokeResult:
        """Call ``method`` on the instance named by ``selectors``; never resent on its own.

        ``params`` values: str/int/float/bool, datetime/timedelta, None (NULL), lists
        (arrays), EPR (references) and EmbeddedInstance (CIM-XML). ``schema`` types the
        outputs; ReturnValue is a uint32 unless it says otherwise. ``declared_only``: decode
        only the outputs ``schema`` declares, and of the instances embedded in them only the
        properties their schemas declare -- for a caller that types what it reads with
        ``typed()`` from a large reply (GetSummaryInformation: 13 of 42 properties a VM).
        The job's reference is then read only if the schema declares ``Job``.
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
        outputs = decode_outputs(payload, method, schema, declared_only=declared_only)
        return_value = outputs.get("ReturnValue")
        job = outputs.get("Job")
        return InvokeResult(return_value, outputs, job if isinstance(job, EPR) else None, method, reply.size)

    # ------------------------------------------------------------ Enumerate

    def enumerate(
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
        query = Query(resource_uri, wql, optimize, max_elements, mode, schema, max_items, on_page)
        return Enumeration(self, self._call, query).items()

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
        on_items: OnItems | None = None,
    ) -> list[CimInstance]:
        """Every instance, collected; a broken enumeration is run again once, from the start.

        ``max_items`` and ``on_page`` as for :meth:`enumerate`; ``on_items`` is handed each
        page's instances as they come (again, should the enumeration start over).
        """
        query = Query(resource_uri, wql, optimize, max_elements, mode, schema, max_items, on_page, on_items)
        return await Enumeration(self, self._call, query).collect()

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
                async with self._pool.connection() as transport:
                    http = await transport.exchange(
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
