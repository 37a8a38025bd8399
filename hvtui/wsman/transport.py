"""HTTP to one host: a single kept-alive connection, authentication, sealing, limits.

Why a single connection: NTLM authenticates a *connection*, not a request, and message
encryption keeps per-connection sequence numbers. So each host gets one
``httpx.AsyncClient`` limited to one connection, and exchanges are serialised by a lock.
When the host answers 401 on a connection we had authenticated (it dropped the old one
and httpx reconnected), the handshake runs again and the request is resent: a 401 means
the request was not processed, so that resend is safe even for an Invoke.

Retries otherwise: an idempotent request (Identify, Get, Enumerate) is retried once on a
fresh connection if the connection broke before any reply came back; an Invoke is never
resent after it may have reached the host. Every exchange is bounded by connect and read
timeouts *and* a total deadline, and every reply body is size-capped while it streams.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from hvtui.wsman import auth, encryption, tls
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.errors import (
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    LimitError,
    ProtocolError,
    TimeoutExpired,
    TransportError,
    WSManError,
)
from hvtui.wsman.replies import check_size, describe_body
from hvtui.wsman.stats import ClientStats

log = logging.getLogger("hvtui.wsman")

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
#: httpx drops an idle connection after this; the host's HTTP.sys keeps one 120 s.
KEEPALIVE_SECONDS = 60.0


@dataclass
class HttpReply:
    status: int
    content_type: str | None
    body: bytes
    headers: httpx.Headers
    encrypted: bool = False
    ssl_object: Any = None


class _BrokenBeforeReply(Exception):
    """The connection failed before any reply arrived (internal: decides retries)."""

    def __init__(self, error: TransportError, request_sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.request_sent = request_sent


class HostTransport:
    """POSTs SOAP bodies to one WinRM endpoint and returns checked, unsealed replies."""

    def __init__(
        self, endpoint: str, credentials: Credentials, options: ClientOptions, stats: ClientStats
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"endpoint {endpoint!r} is not an http:// or https:// URL with a host")
        try:
            port = parts.port or (5986 if parts.scheme == "https" else 5985)
        except ValueError:
            raise ConfigurationError(f"endpoint {endpoint!r} has an invalid port") from None
        if parts.username or parts.password:
            raise ConfigurationError("the endpoint must not carry a user name or password: pass Credentials")
        self.endpoint = endpoint
        self.https = parts.scheme == "https"
        self.hostname = parts.hostname
        self.host = f"[{parts.hostname}]:{port}" if ":" in parts.hostname else f"{parts.hostname}:{port}"
        self.credentials = credentials
        self.options = options
        self.stats = stats
        if not self.https and options.auth == "basic" and not options.allow_basic_over_http:
            raise auth.basic_over_http_refused(credentials.user, self.host)
        verify: Any = tls.ssl_context(options.verify, options.ca_file) if self.https else False
        self._client = httpx.AsyncClient(
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
        # "ntlm" or "basic" once known; auto mode finds out from the first 401.
        self._scheme: str | None = {"ntlm": "ntlm", "basic": "basic"}.get(options.auth)
        self._ntlm: Any = None
        self._authenticated_at = 0.0
        self._warned_plaintext = False
        if self.https and not options.verify:
            log.warning(
                "TLS certificate verification is off for %s (no_verify): anyone in between can listen",
                self.host,
            )

    # ------------------------------------------------------------------ public

    @property
    def tls_verified(self) -> bool | None:
        """True: HTTPS with the certificate checked; False: HTTPS unchecked; None: plain HTTP."""
        return (self.options.verify or False) if self.https else None

    @property
    def scheme(self) -> str | None:
        """ "ntlm" or "basic" once chosen, else None."""
        return self._scheme

    @property
    def encrypted(self) -> bool:
        """True when SOAP bodies travel sealed (NTLM over plain HTTP)."""
        return self._scheme == "ntlm" and not self.https

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        self._closed = True
        self._ntlm = None
        await self._client.aclose()

    async def exchange(self, body: bytes, *, idempotent: bool, what: str) -> HttpReply:
        """Send one SOAP request and return the reply to parse (status 200, 400 or 500).

        Raises AuthenticationError, TransportError (TimeoutExpired, TLSError), ProtocolError
        and LimitError. ``idempotent`` allows one resend after a reset before any reply.
        """
        if self._closed:
            raise ClientClosedError("the WS-Management client was closed: open a new one", host=self.host)
        async with self._lock:
            retried = False
            reauthenticated = False
            while True:
                if self._closed:
                    raise ClientClosedError(
                        "the WS-Management client was closed: open a new one", host=self.host
                    )
                try:
                    handshakes = self.stats.handshakes
                    await self._ensure_authenticated()
                    fresh = self.stats.handshakes != handshakes
                    had_session = self._ntlm is not None
                    reply = await self._send(body, what)
                except _BrokenBeforeReply as broken:
                    self._forget_session()
                    if not retried and (idempotent or not broken.request_sent):
                        retried = True
                        self.stats.retries += 1
                        log.debug("%s: %s; retrying %s once on a fresh connection", self.host, broken, what)
                        continue
                    raise broken.error from None
                if reply.status == 401:
                    self._forget_session()
                    if self._scheme == "ntlm" and fresh:
                        raise AuthenticationError(
                            f"{self.host} accepted the NTLM credentials of {self.credentials.user} but "
                            "refused the request that followed "
                            f"({'encrypted' if self.encrypted else 'over TLS'}): the user may lack WinRM "
                            "access, or the host requires channel binding or encryption hvtui did not meet",
                            host=self.host,
                            reason="handshake",
                        )
                    if self._scheme == "ntlm" and had_session and not reauthenticated:
                        # The host lost our connection (and its NTLM session); the request was not run.
                        reauthenticated = True
                        log.debug("%s: 401 on an authenticated connection; authenticating again", self.host)
                        continue
                    raise self._refused(reply)
                return reply

    async def exchange_unauthenticated(self, body: bytes, headers: dict[str, str]) -> HttpReply:
        """An exchange without credentials (the unauthenticated Identify probe)."""
        if self._closed:
            raise ClientClosedError("the WS-Management client was closed: open a new one", host=self.host)
        async with self._lock:
            for attempt in (1, 2):
                try:
                    reply = await self._round_trip(
                        body, {"Content-Type": SOAP_CONTENT_TYPE, **headers}, "Identify"
                    )
                except _BrokenBeforeReply as broken:
                    self._forget_session()
                    if attempt == 1:
                        self.stats.retries += 1
                        continue
                    raise broken.error from None
                if reply.status == 401:
                    offered = auth.offered_schemes(
                        auth.parse_challenges(reply.headers.get_list("www-authenticate"))
                    )
                    raise AuthenticationError(
                        f"{self.host} requires authentication even for Identify: identify with credentials",
                        host=self.host,
                        reason="scheme",
                        offered=offered,
                    )
                self._check_status(reply)
                return reply
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------- auth flows

    def _forget_session(self) -> None:
        self._ntlm = None

    async def _ensure_authenticated(self) -> None:
        if self._scheme == "basic":
            if not self.https and not self.options.allow_basic_over_http:
                raise auth.basic_over_http_refused(self.credentials.user, self.host)
            return
        if self._ntlm is not None and time.monotonic() - self._authenticated_at < KEEPALIVE_SECONDS - 5:
            return
        self._ntlm = None
        await self._ntlm_handshake()

    async def _ntlm_handshake(self) -> None:
        """Negotiate -> challenge -> authenticate, on the one connection, with empty bodies.

        In auto mode the first 401 also tells us what the host offers: without a Negotiate
        challenge we fall back to Basic where that is allowed.
        """
        context = auth.ntlm_context(self.credentials, self.hostname)
        first = await self._leg(auth.negotiate_header(context.step()))
        challenges = auth.parse_challenges(first.headers.get_list("www-authenticate"))
        offered = auth.offered_schemes(challenges)
        token = auth.negotiate_token(challenges) if first.status == 401 else None
        if token is None:
            if first.status != 401:
                raise AuthenticationError(
                    f"{self.host} answered the NTLM negotiation with HTTP {first.status} instead of a "
                    "challenge: is this a WinRM endpoint?",
                    host=self.host,
                    reason="handshake",
                    offered=offered,
                )
            self._choose_after_refusal(offered)
            return
        # Over TLS, bind the authentication to this TLS session (tls-server-end-point).
        bindings = auth.channel_bindings(_channel_binding(first)) if self.https else None
        try:
            authenticate = context.step(token, channel_bindings=bindings)
        except Exception as exc:  # noqa: BLE001 - pyspnego errors carry no secrets, but say little: keep ours
            raise AuthenticationError(
                f"{self.host} sent an NTLM challenge hvtui cannot answer ({type(exc).__name__}): is this a "
                "Windows host?",
                host=self.host,
                reason="handshake",
                offered=offered,
            ) from None
        if authenticate is None:
            raise AuthenticationError(
                f"the NTLM exchange with {self.host} ended early", host=self.host, reason="handshake"
            )
        second = await self._leg(auth.negotiate_header(authenticate))
        if second.status == 401:
            offered = auth.offered_schemes(auth.parse_challenges(second.headers.get_list("www-authenticate")))
            raise auth.ntlm_refused(self.credentials.user, self.host, offered)
        final = auth.negotiate_token(auth.parse_challenges(second.headers.get_list("www-authenticate")))
        if final is not None and not context.complete:
            context.step(final)
        self._scheme = "ntlm"
        self._ntlm = context
        self._authenticated_at = time.monotonic()
        self.stats.handshakes += 1
        log.debug(
            "%s: authenticated %s with NTLM%s",
            self.host,
            self.credentials.user,
            " and message encryption" if not self.https else " over TLS",
        )

    def _choose_after_refusal(self, offered: tuple[str, ...]) -> None:
        lowered = {s.lower() for s in offered}
        basic_allowed = self.https or self.options.allow_basic_over_http
        if "negotiate" in lowered or "ntlm" in lowered:
            raise AuthenticationError(
                f"{self.host} refused to start NTLM authentication: check that the user may use WinRM, or "
                f"try auth=basic over https (it offers: {', '.join(offered)})",
                host=self.host,
                reason="handshake",
                offered=offered,
            )
        if self.options.auth == "ntlm":
            raise auth.ntlm_not_offered(self.host, offered, basic_allowed)
        if "basic" in lowered:
            if not basic_allowed:
                raise auth.basic_over_http_refused(self.credentials.user, self.host, offered)
            self._scheme = "basic"
            log.debug(
                "%s: the host offers only Basic; using Basic over %s",
                self.host,
                "TLS" if self.https else "HTTP",
            )
            return
        raise auth.no_usable_scheme(self.host, offered)

    def _refused(self, reply: HttpReply) -> AuthenticationError:
        offered = auth.offered_schemes(auth.parse_challenges(reply.headers.get_list("www-authenticate")))
        if self._scheme == "basic":
            return auth.basic_refused(self.credentials.user, self.host, offered, self.https)
        return auth.ntlm_refused(self.credentials.user, self.host, offered)

    # ---------------------------------------------------------------- sending

    async def _leg(self, authorization: str) -> HttpReply:
        """One handshake leg: an empty POST carrying an Authorization header."""
        try:
            return await self._round_trip(
                b"", {"Authorization": authorization, "Content-Type": SOAP_CONTENT_TYPE}, "authentication"
            )
        except _BrokenBeforeReply as broken:
            # Nothing of the caller's request was sent yet: safe to retry whatever it is.
            raise _BrokenBeforeReply(broken.error, request_sent=False) from None

    async def _send(self, body: bytes, what: str) -> HttpReply:
        if self._scheme == "basic":
            if not self.https and not self._warned_plaintext:
                self._warned_plaintext = True
                log.warning(
                    "Basic authentication over plain HTTP: the password for %s crosses the network "
                    "readable to %s",
                    self.credentials.user,
                    self.host,
                )
            reply = await self._round_trip(
                body,
                {"Authorization": auth.basic_header(self.credentials), "Content-Type": SOAP_CONTENT_TYPE},
                what,
            )
        elif self.encrypted:
            context = self._ntlm
            reply = await self._round_trip(
                encryption.seal(context, body), {"Content-Type": encryption.CONTENT_TYPE}, what
            )
            if reply.status != 401:
                reply = self._unseal(reply, context)
        else:
            reply = await self._round_trip(body, {"Content-Type": SOAP_CONTENT_TYPE}, what)
        if reply.status != 401:
            self._check_status(reply)
            if self._ntlm is not None:
                self._authenticated_at = time.monotonic()
        return reply

    def _unseal(self, reply: HttpReply, context: Any) -> HttpReply:
        if encryption.is_encrypted(reply.content_type):
            plain = encryption.unseal(context, reply.body, reply.content_type or "", self.host)
            return HttpReply(reply.status, SOAP_CONTENT_TYPE, plain, reply.headers, encrypted=True)
        if (
            reply.status in (200, 500)
            and reply.body.lstrip()[:1] == b"<"
            and b"Envelope" in reply.body[:2048]
        ):
            raise ProtocolError(
                f"{self.host} answered an encrypted request with a clear-text SOAP reply: refused (a proxy "
                "in between, or tampering)",
                host=self.host,
                status=reply.status,
                content_type=reply.content_type,
            )
        return reply

    def _check_status(self, reply: HttpReply) -> None:
        status = reply.status
        if status in (200, 400, 500):
            return
        described = describe_body(reply.body, reply.content_type)
        if 300 <= status < 400:
            location = _safe_location(reply.headers.get("location"))
            raise ProtocolError(
                f"{self.host} answered with a redirect (HTTP {status}) to {location}: not followed, and no "
                "credentials were sent there; check the endpoint's transport and port",
                host=self.host,
                status=status,
                content_type=reply.content_type,
            )
        if status == 413:
            raise LimitError(
                f"{self.host} refused the request as too large (HTTP 413): the host's MaxEnvelopeSizekb is "
                "smaller than this request; lower max_envelope_size or raise it on the host",
                host=self.host,
                status=413,
            )
        hints = {
            404: "check the port and that WinRM listens on /wsman",
            405: "the endpoint does not accept POST; is this a WinRM listener?",
            503: "WinRM may be stopped, restarting or overloaded; retry later",
        }
        hint = hints.get(status, "check that the endpoint is a WinRM listener")
        raise ProtocolError(
            f"{self.host} answered HTTP {status} with {described}: {hint}",
            host=self.host,
            status=status,
            content_type=reply.content_type,
        )

    async def _round_trip(self, content: bytes, headers: dict[str, str], what: str) -> HttpReply:
        """One HTTP exchange under the total deadline, reading at most reply_limit bytes."""
        limit = self.options.reply_limit
        started = time.monotonic()
        self.stats.round_trips += 1
        self.stats.bytes_sent += len(content)
        try:
            return await self._timed_round_trip(content, headers, what, limit, started)
        except asyncio.CancelledError:
            # Cancelled mid-exchange: the connection (and with it any NTLM session) is gone.
            self._forget_session()
            raise

    async def _timed_round_trip(
        self, content: bytes, headers: dict[str, str], what: str, limit: int, started: float
    ) -> HttpReply:
        try:
            async with asyncio.timeout(self.options.total_timeout):
                request = self._client.build_request("POST", self.endpoint, content=content, headers=headers)
                try:
                    response = await self._client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    raise self._send_failure(exc, what) from None
                ssl_object = _ssl_object(response)
                try:
                    encoding = response.headers.get("content-encoding", "identity").strip().lower()
                    if encoding not in ("", "identity"):
                        raise ProtocolError(
                            f"{self.host} sent a {encoding}-encoded reply although hvtui asked for none: "
                            "refused",
                            host=self.host,
                            status=response.status_code,
                        )
                    declared = response.headers.get("content-length")
                    if declared is not None and declared.strip().isdigit():
                        check_size(int(declared), limit, self.host)
                    chunks: list[bytes] = []
                    received = 0
                    async for chunk in response.aiter_raw():
                        received += len(chunk)
                        self.stats.bytes_received += len(chunk)
                        check_size(received, limit, self.host)
                        chunks.append(chunk)
                except httpx.HTTPError as exc:
                    raise self._body_failure(exc, what) from None
                except WSManError:
                    self._forget_session()
                    raise
                finally:
                    await response.aclose()
        except TimeoutError:
            self._forget_session()
            raise TimeoutExpired(
                f"{self.host} did not complete the {what} exchange within {self.options.total_timeout:g}s "
                "(total_timeout): the host or the network is too slow, or the reply never ends",
                host=self.host,
                maybe_processed=bool(content),
            ) from None
        body = b"".join(chunks)
        elapsed = (time.monotonic() - started) * 1000
        log.debug(
            "%s %s: HTTP %d, %d bytes sent, %d bytes received in %.0f ms",
            self.host,
            what,
            response.status_code,
            len(content),
            len(body),
            elapsed,
        )
        return HttpReply(
            response.status_code,
            response.headers.get("content-type"),
            body,
            response.headers,
            ssl_object=ssl_object,
        )

    # --------------------------------------------------------- error mapping

    def _send_failure(self, exc: httpx.HTTPError, what: str) -> Exception:
        self._forget_session()
        ssl_error = tls.find_ssl_error(exc)
        if ssl_error is not None:
            return tls.failure(ssl_error, self.host)
        if isinstance(exc, httpx.ConnectTimeout):
            return TimeoutExpired(
                f"could not connect to {self.host} within {self.options.connect_timeout:g}s: check that the "
                "host is up and that the port is open in its firewall",
                host=self.host,
            )
        if isinstance(exc, httpx.PoolTimeout):
            return TimeoutExpired(f"no connection to {self.host} became free in time: retry", host=self.host)
        if isinstance(exc, httpx.TimeoutException):
            return TimeoutExpired(
                f"{self.host} did not answer the {what} request within {self.options.read_timeout:g}s "
                "(read_timeout): the host may be overloaded; retry",
                host=self.host,
                maybe_processed=True,
            )
        if isinstance(exc, httpx.ConnectError):
            return _BrokenBeforeReply(self._connect_failure(exc), request_sent=False)
        if isinstance(exc, httpx.RemoteProtocolError) and "disconnect" not in str(exc).lower():
            return ProtocolError(
                f"{self.host} sent a malformed HTTP reply to the {what} request ({exc}): check that the "
                "endpoint is WinRM and that no proxy is in between",
                host=self.host,
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return _BrokenBeforeReply(
                TransportError(
                    f"the connection to {self.host} was closed before any reply to the {what} request",
                    host=self.host,
                    maybe_processed=True,
                ),
                request_sent=True,
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ConfigurationError(f"endpoint {self.endpoint!r} cannot be used ({exc})", host=self.host)
        return TransportError(f"talking to {self.host} failed ({type(exc).__name__})", host=self.host)

    def _connect_failure(self, exc: httpx.ConnectError) -> TransportError:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, socket.gaierror):
                return TransportError(
                    f"the host name {self.hostname!r} cannot be resolved: check it", host=self.host
                )
            if isinstance(cause, ConnectionRefusedError):
                return TransportError(
                    f"{self.host} refused the connection: WinRM is not listening on that port (check "
                    "transport and port; on the host, `winrm quickconfig` sets up the listener)",
                    host=self.host,
                )
            if isinstance(cause, OSError) and cause.strerror:
                return TransportError(f"cannot connect to {self.host}: {cause.strerror}", host=self.host)
            cause = cause.__cause__ or cause.__context__
        return TransportError(f"cannot connect to {self.host}: {exc or type(exc).__name__}", host=self.host)

    def _body_failure(self, exc: httpx.HTTPError, what: str) -> Exception:
        self._forget_session()
        if isinstance(exc, httpx.TimeoutException):
            return TimeoutExpired(
                f"{self.host} stopped sending its reply to the {what} request for "
                f"{self.options.read_timeout:g}s (read_timeout): retry",
                host=self.host,
                maybe_processed=True,
            )
        return TransportError(
            f"the connection to {self.host} broke in the middle of the reply to the {what} request: retry",
            host=self.host,
            maybe_processed=True,
        )


def _channel_binding(reply: HttpReply) -> bytes | None:
    if reply.ssl_object is None:
        return None
    try:
        certificate = reply.ssl_object.getpeercert(binary_form=True)
    except (ValueError, OSError):
        return None
    return tls.channel_binding_data(certificate) if certificate else None


def _ssl_object(response: httpx.Response) -> Any:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        return stream.get_extra_info("ssl_object")
    except Exception:  # noqa: BLE001 - transports without it
        return None


def _safe_location(location: str | None) -> str:
    if not location:
        return "(no Location)"
    try:
        parts = urlsplit(location.strip())
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        shown = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else parts.path
    except ValueError:
        shown = "(an invalid URL)"
    return shown[:120]
