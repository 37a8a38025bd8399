"""HTTP to one host: one kept-alive connection, driven through an authentication flow, within limits.

Why a single connection: Negotiate authenticates a *connection*, not a request, and
message encryption keeps per-connection sequence numbers. So each host gets one
``httpx.AsyncClient`` limited to one connection, and exchanges are serialised by a lock.

Each exchange runs the host's :class:`~hvtui.wsman.auth_flow.AuthFlow`; every request it
yields is one round trip, bounded by connect and read timeouts, with the reply body
size-capped while it streams; and all of them together -- legs, resends, and the client's
further tries of a read -- by the request's :class:`~hvtui.wsman.deadline.Deadline`. When
something goes wrong, :mod:`hvtui.wsman.http_errors` says what, and :mod:`hvtui.wsman.retry`
whether the exchange may go out again.

The httpx transport underneath can be injected (``httpx.MockTransport`` in protocol
tests); by default it is httpx's own, over real sockets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

import httpx

from hvtui.wsman import tls
from hvtui.wsman.auth import auth_for
from hvtui.wsman.auth_flow import SOAP_CONTENT_TYPE, AuthFlow, NoAuth
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.deadline import Deadline
from hvtui.wsman.endpoint import parse_endpoint
from hvtui.wsman.errors import ClientClosedError, ProtocolError, TimeoutExpired
from hvtui.wsman.http_errors import BrokenBeforeReply, body_failure, send_failure, status_failure
from hvtui.wsman.negotiate import KEEPALIVE_SECONDS
from hvtui.wsman.replies import check_size
from hvtui.wsman.retry import Resends, SessionLost
from hvtui.wsman.stats import ClientStats

log = logging.getLogger("hvtui.wsman")


class HostTransport:
    """POSTs SOAP bodies to one WinRM endpoint and returns checked, unsealed replies."""

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials,
        options: ClientOptions,
        stats: ClientStats,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint = parse_endpoint(endpoint)
        self.options = options
        self.stats = stats
        self._auth = auth_for(options, credentials, self.endpoint, stats)
        self._no_auth = NoAuth(self.endpoint)
        # Plain HTTP never uses it, but httpx builds a context of its own unless given one.
        verify = (
            tls.shared_context(options.verify, options.ca_file, options.tls_pin)
            if self.endpoint.https
            else tls.unused_context()
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            verify=verify,
            http1=True,
            http2=False,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(
                max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE_SECONDS
            ),
            timeout=httpx.Timeout(
                connect=options.connect_timeout,
                read=options.read_timeout,
                write=options.read_timeout,
                pool=options.total_timeout,
            ),
            headers={
                "User-Agent": options.user_agent,
                "Accept-Encoding": "identity",
                **dict(options.extra_headers),
            },
        )
        self._lock = asyncio.Lock()
        self._closed = False
        if self.endpoint.https and not options.verify and not options.tls_pin:
            log.warning(
                "TLS certificate verification is off for %s (no_verify): anyone in between can listen",
                self.host,
            )

    @property
    def host(self) -> str:
        return self.endpoint.host

    @property
    def tls_verified(self) -> bool | None:
        """True: HTTPS with the certificate checked (or pinned); False: HTTPS unchecked; None: plain HTTP."""
        return (self.options.verify or self.options.tls_pin is not None) if self.endpoint.https else None

    @property
    def scheme(self) -> str | None:
        """``"kerberos"``, ``"ntlm"`` or ``"basic"`` once chosen, else None."""
        return self._auth.scheme

    @property
    def encrypted(self) -> bool:
        """True when SOAP bodies travel sealed (NTLM or Kerberos over plain HTTP)."""
        return self._auth.encrypted

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        self._closed = True
        self._auth.connection_lost()
        await self._client.aclose()

    async def exchange(
        self,
        body: bytes,
        *,
        idempotent: bool,
        what: str,
        authenticated: bool = True,
        headers: Mapping[str, str] | None = None,
        deadline: Deadline | None = None,
    ) -> httpx.Response:
        """Send one SOAP request and return the reply to parse (status 200, 400 or 500).

        Raises AuthenticationError, TransportError (TimeoutExpired, TLSError), ProtocolError
        and LimitError. ``idempotent`` allows one resend after a reset before any reply;
        ``authenticated=False`` sends no credentials (the unauthenticated Identify).
        ``deadline`` is the request's, when the caller tries it more than once; by default
        the exchange has ``total_timeout`` of its own.
        """
        flow = self._auth if authenticated else self._no_auth
        if deadline is None:
            deadline = Deadline(self.options.total_timeout)
        async with self._lock:
            deadline.start()
            resends = Resends(idempotent=idempotent)
            while True:
                if self._closed:
                    raise ClientClosedError(
                        "the WS-Management client was closed: open a new one", host=self.host
                    )
                request = self._client.build_request(
                    "POST",
                    self.endpoint.url,
                    content=body,
                    headers={"Content-Type": SOAP_CONTENT_TYPE, **(headers or {})},
                )
                try:
                    response = await self._run(flow, request, what, deadline)
                except BrokenBeforeReply as broken:
                    if not resends.after_break(broken):
                        raise broken.error from None
                    self.stats.retries += 1
                    log.debug("%s: %s; retrying %s once on a fresh connection", self.host, broken, what)
                    continue
                except SessionLost as lost:
                    if not resends.after_lost_session():
                        raise lost.refusal from None
                    log.debug("%s: 401 on an authenticated connection; authenticating again", self.host)
                    continue
                failure = status_failure(response, self.host)
                if failure is not None:
                    raise failure
                return response

    async def _run(
        self, flow: AuthFlow, request: httpx.Request, what: str, deadline: Deadline
    ) -> httpx.Response:
        """Drive ``flow`` over the connection: one round trip per request it yields."""
        steps = flow.auth_flow(request)
        try:
            outgoing = next(steps)
            while True:
                # Handshake legs carry no SOAP: name them as such in messages and logs.
                response = await self._round_trip(
                    outgoing, what if outgoing.content else "authentication", deadline
                )
                try:
                    outgoing = steps.send(response)
                except StopIteration as done:
                    reply: httpx.Response = done.value
                    return reply
        finally:
            steps.close()

    async def _round_trip(self, request: httpx.Request, what: str, deadline: Deadline) -> httpx.Response:
        """One HTTP exchange under the request's deadline, its body read whole but within reply_limit.

        Whatever goes wrong in it leaves the connection in doubt, so the flow forgets any
        session bound to it.
        """
        soap_sent = bool(request.content)
        started = time.monotonic()
        self.stats.round_trips += 1
        self.stats.bytes_sent += len(request.content)
        try:
            async with asyncio.timeout_at(deadline.when):
                try:
                    streamed = await self._client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    raise send_failure(exc, self.endpoint, self.options, what, soap_sent=soap_sent) from None
                try:
                    body = await self._read_body(streamed)
                except httpx.HTTPError as exc:
                    raise body_failure(exc, self.host, self.options, what) from None
                finally:
                    await streamed.aclose()
        except TimeoutError:
            self._auth.connection_lost()
            raise TimeoutExpired(
                f"{self.host} did not complete the {what} exchange within {deadline.seconds:g}s "
                "(total_timeout): the host or the network is too slow, or the reply never ends",
                host=self.host,
                maybe_processed=soap_sent,
                limit="total_timeout",
            ) from None
        except BaseException:
            # Cancelled, broken, or a reply refused half-read: the connection is gone or unusable.
            self._auth.connection_lost()
            raise
        log.debug(
            "%s %s: HTTP %d, %d bytes sent, %d bytes received in %.0f ms",
            self.host,
            what,
            streamed.status_code,
            len(request.content),
            len(body),
            (time.monotonic() - started) * 1000,
        )
        return httpx.Response(
            streamed.status_code,
            headers=streamed.headers,
            content=body,
            request=request,
            extensions=streamed.extensions,
        )

    async def _read_body(self, response: httpx.Response) -> bytes:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise ProtocolError(
                f"{self.host} sent a {encoding}-encoded reply although hvtui asked for none: refused",
                host=self.host,
                status=response.status_code,
            )
        limit = self.options.reply_limit
        declared = response.headers.get("content-length")
        if declared is not None and declared.strip().isdigit():
            check_size(int(declared), limit, self.host)
        chunks: list[bytes] = []
        received = 0
        # aiter_bytes, not aiter_raw: the same bytes (only identity is accepted), and it also
        # serves a reply a test transport built in memory and so had read already.
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            self.stats.bytes_received += len(chunk)
            check_size(received, limit, self.host)
            chunks.append(chunk)
        return b"".join(chunks)
