"""The Negotiate flow: a pyspnego security context per connection, WinRM message encryption over HTTP.

Negotiate authenticates a *connection*, not a request: two legs with empty bodies
(negotiate -> challenge -> authenticate) set up a session that later requests on the same
connection ride on without any header. Over plain HTTP every SOAP body then travels sealed
with the session's key (:mod:`hvtui.wsman.encryption`); over HTTPS the handshake is bound
to the TLS session instead (RFC 5929 tls-server-end-point channel binding).

The flow is generic over the pyspnego protocol. With ``"ntlm"`` the tokens are raw
NTLMSSP messages carried in ``Authorization: Negotiate`` -- what Windows' Negotiate
package accepts from non-domain clients -- produced by pyspnego's own NTLM, which carries
its own MD4 (OpenSSL 3 has none) and never reaches for Kerberos/GSSAPI. Kerberos
(:mod:`hvtui.wsman.kerberos_flow`) reuses all but the handshake.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator

import httpx
import spnego
from spnego.channel_bindings import GssChannelBindings

from hvtui.wsman import encryption, tls
from hvtui.wsman.auth_errors import ntlm_refused
from hvtui.wsman.auth_flow import SOAP_CONTENT_TYPE, AuthFlow, Flow, with_body
from hvtui.wsman.challenges import (
    NEGOTIATE,
    negotiate_header,
    negotiate_token,
    offered_by,
    offered_schemes,
    parse_challenges,
)
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.endpoint import Endpoint
from hvtui.wsman.errors import AuthenticationError, ProtocolError
from hvtui.wsman.retry import SessionLost
from hvtui.wsman.stats import ClientStats

log = logging.getLogger("hvtui.wsman")

# pyspnego logs every NTLM message at DEBUG; an NTLMv2 response can be cracked offline, so
# its loggers stay at INFO whatever the application's root level is.
logging.getLogger("spnego").setLevel(logging.INFO)

#: httpx drops an idle connection after this; the host's HTTP.sys keeps one 120 s.
KEEPALIVE_SECONDS = 60.0
#: A session idle for longer is taken as gone with its connection: authenticate afresh.
_SESSION_IDLE = KEEPALIVE_SECONDS - 5

#: How messages name each pyspnego protocol.
_LABELS = {"ntlm": "NTLM", "kerberos": "Kerberos", "negotiate": "Negotiate"}


class SchemeNotOffered(Exception):
    """The host's 401 names no Negotiate scheme at all; ``offered`` is what it does name."""

    def __init__(self, offered: tuple[str, ...]) -> None:
        super().__init__(", ".join(offered))
        self.offered = offered


class NegotiateAuth(AuthFlow):
    """Negotiate with one pyspnego ``protocol`` (``"ntlm"``; Kerberos subclasses it), sealing over HTTP."""

    def __init__(
        self, credentials: Credentials, endpoint: Endpoint, stats: ClientStats, *, protocol: str = "ntlm"
    ) -> None:
        self._credentials = credentials
        self._endpoint = endpoint
        self._stats = stats
        self._protocol = protocol
        self._label = _LABELS.get(protocol, protocol)
        self._context: spnego.ContextProxy | None = None
        #: The Authorization scheme the tokens travel under.
        self._header = NEGOTIATE
        self._used_at = 0.0
        #: The connection the last NTLM handshake ended on (None: not known).
        self._handshake_connection: object = None
        #: True once a handshake succeeded, even if that session is gone since.
        self.authenticated = False

    @property
    def scheme(self) -> str:
        return self._protocol

    @property
    def encrypted(self) -> bool:
        return not self._endpoint.https

    @property
    def _seal_protocol(self) -> str:
        """The protocol that sealed bodies name (MS-WSMV 2.2.9.1): SPNEGO's for the Negotiate scheme."""
        return encryption.PROTOCOL

    def connection_lost(self) -> None:
        self._context = None

    def _ending(self, context: spnego.ContextProxy) -> bool:
        """True when the session may expire before a reply could come: authenticate afresh first."""
        return False

    def auth_flow(self, request: httpx.Request) -> Flow:
        context = self._context
        if context is not None and (
            time.monotonic() - self._used_at >= _SESSION_IDLE or self._ending(context)
        ):
            context = None
        fresh = context is None
        if context is None:
            self._context = None
            context = yield from self._handshake(request)
        if self.encrypted:
            protocol = self._seal_protocol
            sealed = encryption.seal(context, request.content, protocol)
            request = with_body(request, sealed, encryption.content_type_for(protocol))
        response = yield request
        if response.status_code == 401:
            self._context = None
            moved = self._handshake_connection not in (None, _connection_of(response))
            if fresh and not moved:
                raise AuthenticationError(
                    f"{self._endpoint.host} accepted the {self._label} credentials of "
                    f"{self._credentials.user} but refused the request that followed "
                    f"({'encrypted' if self.encrypted else 'over TLS'}): the user may lack WinRM access, or "
                    "the host requires channel binding or encryption hvtui did not meet",
                    host=self._endpoint.host,
                    reason="handshake",
                )
            # The host lost our connection (and its session, maybe between the handshake and
            # this request: it restarted); the request was not run.
            raise SessionLost(self._refused(response))
        self._used_at = time.monotonic()
        return self._unsealed(response, context) if self.encrypted else response

    def _handshake(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, spnego.ContextProxy]:
        """Negotiate -> challenge -> authenticate, on the one connection, with empty bodies.

        A first 401 without any Negotiate challenge raises :class:`SchemeNotOffered`: what to
        do then (fall back to Basic, or refuse) is the scheme policy's call.
        """
        host = self._endpoint.host
        context = spnego.client(
            self._credentials.user,
            self._credentials.reveal(),
            hostname=self._endpoint.hostname,
            service="HTTP",
            context_req=spnego.ContextReq.default,
            protocol=self._protocol,
        )
        first = yield self._leg(request, context.step())
        challenges = parse_challenges(first.headers.get_list("www-authenticate"))
        offered = offered_schemes(challenges)
        token = negotiate_token(challenges) if first.status_code == 401 else None
        if token is None:
            if first.status_code != 401:
                raise AuthenticationError(
                    f"{host} answered the {self._label} negotiation with HTTP {first.status_code} instead "
                    "of a challenge: is this a WinRM endpoint?",
                    host=host,
                    reason="handshake",
                    offered=offered,
                )
            if {s.lower() for s in offered} & {"negotiate", "ntlm"}:
                raise AuthenticationError(
                    f"{host} refused to start {self._label} authentication: check that the user may use "
                    f"WinRM, or try auth=basic over https (it offers: {', '.join(offered)})",
                    host=host,
                    reason="handshake",
                    offered=offered,
                )
            raise SchemeNotOffered(offered)
        # The answer (an NTLMv2 response can be cracked offline) goes straight into the leg:
        # no local of this frame holds it, should a traceback with locals ever show the frame.
        self._handshake_connection = None
        second = yield self._leg(request, self._answer(context, token, first, offered))
        if second.status_code == 401:
            if _connection_of(second) is not _connection_of(first):
                # The host closed the connection between the legs (it restarted, say) and the
                # answer went out on a new one, where no challenge was pending: not a refusal
                # of the credentials. Nothing ran; the exchange may start again once.
                raise SessionLost(self._refused(second))
            raise self._refused(second)
        self._handshake_connection = _connection_of(second)
        final = negotiate_token(parse_challenges(second.headers.get_list("www-authenticate")))
        if final is not None and not context.complete:
            context.step(final)
        return self._established(context)

    def _established(self, context: spnego.ContextProxy) -> spnego.ContextProxy:
        """Keep the session a handshake set up, for the requests that follow on its connection."""
        self._context = context
        self._used_at = time.monotonic()
        self.authenticated = True
        self._stats.handshakes += 1
        log.debug(
            "%s: authenticated %s with %s%s",
            self._endpoint.host,
            self._credentials.user,
            self._label,
            " and message encryption" if self.encrypted else " over TLS",
        )
        return context

    def _answer(
        self, context: spnego.ContextProxy, token: bytes, challenge: httpx.Response, offered: tuple[str, ...]
    ) -> bytes | None:
        """The context's answer to the host's challenge token, bound to the TLS channel over HTTPS."""
        try:
            return context.step(token, channel_bindings=self._channel_bindings(challenge))
        except Exception as exc:  # noqa: BLE001 - pyspnego errors carry no secrets, but say little: keep ours
            raise AuthenticationError(
                f"{self._endpoint.host} sent an {self._label} challenge hvtui cannot answer "
                f"({type(exc).__name__}): is this a Windows host?",
                host=self._endpoint.host,
                reason="handshake",
                offered=offered,
            ) from None

    def _leg(self, request: httpx.Request, token: bytes | None) -> httpx.Request:
        """One handshake leg: an empty POST carrying a token (``Authorization: Negotiate ...``)."""
        if token is None:
            raise AuthenticationError(
                f"the {self._label} exchange with {self._endpoint.host} ended early",
                host=self._endpoint.host,
                reason="handshake",
            )
        return with_body(request, b"", SOAP_CONTENT_TYPE, negotiate_header(token, self._header))

    def _channel_bindings(self, response: httpx.Response) -> GssChannelBindings | None:
        """Over TLS, bind the handshake to this TLS session; None over HTTP or without a certificate."""
        if not self._endpoint.https:
            return None
        certificate = tls.peer_certificate(response)
        if certificate is None:
            return None
        return GssChannelBindings(application_data=tls.channel_binding_data(certificate))

    def _refused(self, response: httpx.Response) -> AuthenticationError:
        offered = offered_by(response.headers.get_list("www-authenticate"))
        return ntlm_refused(self._credentials.user, self._endpoint.host, offered)

    def _unsealed(self, response: httpx.Response, context: spnego.ContextProxy) -> httpx.Response:
        """The reply as the caller reads it: unsealed and verified, or refused if it came in clear."""
        content_type = response.headers.get("content-type")
        body = response.content
        if encryption.is_encrypted(content_type):
            host, protocol = self._endpoint.host, self._seal_protocol
            plain = encryption.unseal(context, body, content_type or "", host, protocol)
            headers = response.headers.copy()
            del headers["Content-Length"]
            headers["Content-Type"] = SOAP_CONTENT_TYPE
            return httpx.Response(
                response.status_code,
                headers=headers,
                content=plain,
                request=response.request,
                extensions=response.extensions,
            )
        if response.status_code in (200, 500) and body.lstrip()[:1] == b"<" and b"Envelope" in body[:2048]:
            raise ProtocolError(
                f"{self._endpoint.host} answered an encrypted request with a clear-text SOAP reply: refused "
                "(a proxy in between, or tampering)",
                host=self._endpoint.host,
                status=response.status_code,
                content_type=content_type,
            )
        return response


def _connection_of(response: httpx.Response) -> object:
    """The TCP connection a reply came on (httpcore's stream; None from a test transport)."""
    return response.extensions.get("network_stream")
