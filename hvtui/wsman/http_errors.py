"""What went wrong at the HTTP level, in this layer's words: httpx errors and unexpected statuses.

Each becomes one :class:`~hvtui.wsman.errors.WSManError` that names the host and says what to
check. A connection that broke before any reply is handed back as :class:`BrokenBeforeReply`
instead, because whether the request may go out again is the retry policy's call
(:mod:`hvtui.wsman.retry`), not this module's.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from hvtui.wsman import tls
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.endpoint import Endpoint
from hvtui.wsman.errors import (
    ConfigurationError,
    LimitError,
    ProtocolError,
    TimeoutExpired,
    TransportError,
    WSManError,
)
from hvtui.wsman.replies import describe_body

#: The statuses a WinRM reply to parse comes with: 200, or a SOAP fault with 400 or 500.
REPLY_STATUSES = frozenset({200, 400, 500})

_STATUS_HINTS = {
    404: "check the port and that WinRM listens on /wsman",
    405: "the endpoint does not accept POST; is this a WinRM listener?",
    503: "WinRM may be stopped, restarting or overloaded; retry later",
}


class BrokenBeforeReply(Exception):
    """The connection failed before any reply arrived.

    ``request_sent`` is False when nothing the host could run had left yet (the connection
    was never made, or only an authentication leg without a SOAP body was lost).
    """

    def __init__(self, error: TransportError, request_sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.request_sent = request_sent


def send_failure(
    exc: httpx.HTTPError, endpoint: Endpoint, options: ClientOptions, what: str, *, soap_sent: bool
) -> WSManError | BrokenBeforeReply:
    """An error raised while sending a request and waiting for the reply's headers."""
    host = endpoint.host
    ssl_error = tls.find_ssl_error(exc)
    if ssl_error is not None:
        return tls.failure(ssl_error, host)
    if isinstance(exc, httpx.ConnectTimeout):
        return TimeoutExpired(
            f"could not connect to {host} within {options.connect_timeout:g}s: check that the host is up "
            "and that the port is open in its firewall",
            host=host,
            limit="connect_timeout",
        )
    if isinstance(exc, httpx.PoolTimeout):
        return TimeoutExpired(f"no connection to {host} became free in time: retry", host=host)
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutExpired(
            f"{host} did not answer the {what} request within {options.read_timeout:g}s (read_timeout): "
            "the host may be overloaded; retry",
            host=host,
            maybe_processed=soap_sent,
            limit="read_timeout",
        )
    if isinstance(exc, httpx.ConnectError):
        return BrokenBeforeReply(_connect_failure(exc, endpoint), request_sent=False)
    if isinstance(exc, httpx.RemoteProtocolError) and "disconnect" not in str(exc).lower():
        return ProtocolError(
            f"{host} sent a malformed HTTP reply to the {what} request ({exc}): check that the endpoint "
            "is WinRM and that no proxy is in between",
            host=host,
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return BrokenBeforeReply(
            TransportError(
                f"the connection to {host} was closed before any reply to the {what} request",
                host=host,
                maybe_processed=soap_sent,
            ),
            request_sent=soap_sent,
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConfigurationError(f"endpoint {endpoint.url!r} cannot be used ({exc})", host=host)
    return TransportError(f"talking to {host} failed ({type(exc).__name__})", host=host)


def body_failure(exc: httpx.HTTPError, host: str, options: ClientOptions, what: str) -> WSManError:
    """An error raised while the reply's body streamed in: the request reached the host."""
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutExpired(
            f"{host} stopped sending its reply to the {what} request for {options.read_timeout:g}s "
            "(read_timeout): retry",
            host=host,
            maybe_processed=True,
            limit="read_timeout",
        )
    return TransportError(
        f"the connection to {host} broke in the middle of the reply to the {what} request: retry",
        host=host,
        maybe_processed=True,
    )


def status_failure(response: httpx.Response, host: str) -> WSManError | None:
    """None for a status that comes with a reply to parse; else what that status means here."""
    status = response.status_code
    if status in REPLY_STATUSES:
        return None
    content_type = response.headers.get("content-type")
    if 300 <= status < 400:
        location = _safe_location(response.headers.get("location"))
        return ProtocolError(
            f"{host} answered with a redirect (HTTP {status}) to {location}: not followed, and no "
            "credentials were sent there; check the endpoint's transport and port",
            host=host,
            status=status,
            content_type=content_type,
        )
    if status == 413:
        return LimitError(
            f"{host} refused the request as too large (HTTP 413): the host's MaxEnvelopeSizekb is smaller "
            "than this request; lower max_envelope_size or raise it on the host",
            host=host,
            status=413,
        )
    hint = _STATUS_HINTS.get(status, "check that the endpoint is a WinRM listener")
    return ProtocolError(
        f"{host} answered HTTP {status} with {describe_body(response.content, content_type)}: {hint}",
        host=host,
        status=status,
        content_type=content_type,
    )


def _connect_failure(exc: httpx.ConnectError, endpoint: Endpoint) -> TransportError:
    host = endpoint.host
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return TransportError(
                f"the host name {endpoint.hostname!r} cannot be resolved: check it", host=host
            )
        if isinstance(cause, ConnectionRefusedError):
            return TransportError(
                f"{host} refused the connection: WinRM is not listening on that port (check transport and "
                "port; on the host, `winrm quickconfig` sets up the listener)",
                host=host,
            )
        if isinstance(cause, OSError) and cause.strerror:
            return TransportError(f"cannot connect to {host}: {cause.strerror}", host=host)
        cause = cause.__cause__ or cause.__context__
    return TransportError(f"cannot connect to {host}: {exc or type(exc).__name__}", host=host)


def _safe_location(location: str | None) -> str:
    """A redirect target fit for a message: no user, password or query string."""
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
