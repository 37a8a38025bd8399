"""Authentication as a flow: a generator over requests and the responses they got.

The shape is httpx's ``Auth.auth_flow``: the flow is handed the request, yields each
request to send (handshake legs, then the request itself, signed or sealed), and is sent
each response. It differs in one way: the flow *returns* the response the caller gets,
because with message encryption that is the unsealed reply, not the one on the wire. And
the transport, not httpx, drives it: httpx's own driver would read every body whole,
where the transport reads each under the reply size bound and the exchange's deadline.

A flow raises :class:`~hvtui.wsman.errors.AuthenticationError` for a refusal, and
:class:`~hvtui.wsman.retry.SessionLost` for a 401 on a connection it had authenticated
(the transport decides whether to send again).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Generator

import httpx

from hvtui.wsman.auth_errors import basic_over_http_refused, basic_refused
from hvtui.wsman.challenges import basic_header, offered_by
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.endpoint import Endpoint
from hvtui.wsman.errors import AuthenticationError

log = logging.getLogger("hvtui.wsman")

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"

#: Yields requests to send, is sent their responses, returns the response for the caller.
Flow = Generator[httpx.Request, httpx.Response, httpx.Response]


class AuthFlow(ABC):
    """One host's authentication; it may hold state bound to the connection (a session)."""

    @property
    @abstractmethod
    def scheme(self) -> str | None:
        """``"ntlm"``, ``"basic"``... once known; None while the host has not said."""

    @property
    def encrypted(self) -> bool:
        """True when SOAP bodies travel sealed by this flow."""
        return False

    @abstractmethod
    def auth_flow(self, request: httpx.Request) -> Flow:
        """Send ``request`` authenticated; return the response for the caller."""

    @abstractmethod
    def connection_lost(self) -> None:
        """The connection broke or may have: forget whatever was bound to it."""


def with_body(
    request: httpx.Request, content: bytes, content_type: str, authorization: str | None = None
) -> httpx.Request:
    """The same POST (URL, client headers) carrying another body, e.g. a handshake leg or sealed SOAP."""
    headers = request.headers.copy()
    del headers["Content-Length"]  # httpx sets it for the new body only where it is absent
    headers["Content-Type"] = content_type
    if authorization is not None:
        headers["Authorization"] = authorization
    # The extensions carry the client's timeouts: without them httpcore would wait forever.
    return httpx.Request(
        request.method, request.url, headers=headers, content=content, extensions=request.extensions
    )


class BasicAuth(AuthFlow):
    """Basic, preemptive: every request carries the header, so there is no 401 first.

    It exists only where Basic may be sent: over HTTPS, or over HTTP when the user chose
    both transport=http and auth=basic (then a warning says, once, that the password
    crosses the network readable).
    """

    def __init__(self, credentials: Credentials, endpoint: Endpoint, *, allow_over_http: bool) -> None:
        if not endpoint.https and not allow_over_http:
            raise basic_over_http_refused(credentials.user, endpoint.host)
        self._credentials = credentials
        self._endpoint = endpoint
        self._warned_plaintext = False

    @property
    def scheme(self) -> str:
        return "basic"

    def connection_lost(self) -> None:
        """Nothing to forget: Basic authenticates each request, not the connection."""

    def auth_flow(self, request: httpx.Request) -> Flow:
        if not self._endpoint.https and not self._warned_plaintext:
            self._warned_plaintext = True
            log.warning(
                "Basic authentication over plain HTTP: the password for %s crosses the network readable "
                "to %s",
                self._credentials.user,
                self._endpoint.host,
            )
        # Set inline: no local variable of ours holds the header (tracebacks may show locals).
        request.headers["Authorization"] = basic_header(self._credentials)
        response = yield request
        if response.status_code == 401:
            raise basic_refused(
                self._credentials.user,
                self._endpoint.host,
                offered_by(response.headers.get_list("www-authenticate")),
                self._endpoint.https,
            )
        return response


class NoAuth(AuthFlow):
    """No credentials at all: the unauthenticated Identify probe (``WSMANIDENTIFY: unauthenticated``)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._host = endpoint.host

    @property
    def scheme(self) -> None:
        return None

    def connection_lost(self) -> None:
        """Nothing to forget: no credentials were ever bound to the connection."""

    def auth_flow(self, request: httpx.Request) -> Flow:
        response = yield request
        if response.status_code == 401:
            raise AuthenticationError(
                f"{self._host} requires authentication even for Identify: identify with credentials",
                host=self._host,
                reason="scheme",
                offered=offered_by(response.headers.get_list("www-authenticate")),
            )
        return response
