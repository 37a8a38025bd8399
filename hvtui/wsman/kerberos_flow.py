"""Kerberos through WinRM's Negotiate (or Kerberos) scheme: a ticket for the host's SPN, checked both ways.

What differs from NTLM is the handshake; sealing, sessions and refusals are
:class:`~hvtui.wsman.negotiate.NegotiateAuth`'s. The handshake starts with an empty request
without credentials: its 401 names the schemes the host offers, and over HTTPS it brings
the certificate, which must be bound into the very first token (the AP-REQ's channel
bindings) since Kerberos has no challenge leg to bind later. pypsrp does the same.

* Scheme: ``Negotiate`` when offered (Windows' default, and what pypsrp sends), else
  ``Kerberos`` (a host with Negotiate off, as hardened domains have it to shut out NTLM).
  The token is a raw Kerberos AP-REQ either way, which Windows' Negotiate package accepts;
  sealed bodies name the protocol of the scheme used.
* Credentials: the principal's ticket from the user's cache (after ``kinit``), or, when a
  password was given, a ticket pyspnego gets with it into a private ``MEMORY:`` cache --
  afresh at each handshake, so a long session renews its ticket by itself.
* Expiry: a Kerberos session ends with its service ticket, and a reply sealed after that
  cannot be read -- after the host ran the request. So a session close to its end is not
  used: the next request authenticates afresh (a new ticket from the password, or from the
  user's cache, or a clear "the ticket has expired" when the cache has none left).
* Mutual authentication: the host's last token (the AP-REP) must come with the reply that
  completes the handshake and must verify, or hvtui refuses to go on.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
import spnego

from hvtui.wsman import encryption
from hvtui.wsman.auth_flow import SOAP_CONTENT_TYPE, with_body
from hvtui.wsman.challenges import KERBEROS, NEGOTIATE, negotiate_token, offered_schemes, parse_challenges
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.endpoint import Endpoint
from hvtui.wsman.errors import AuthenticationError
from hvtui.wsman.kerberos import principal_of, session_seconds, split_spn
from hvtui.wsman.kerberos_errors import kerberos_cause, kerberos_failed, kerberos_refused, mutual_auth_failed
from hvtui.wsman.negotiate import NegotiateAuth, SchemeNotOffered
from hvtui.wsman.stats import ClientStats

#: Token round trips a Kerberos handshake may take (one, or two after a KRB-ERROR it can mend).
_MAX_LEGS = 3
#: A session with less time left than this (a whole exchange's default deadline) is renewed first.
_EXPIRY_MARGIN = 120.0


class KerberosAuth(NegotiateAuth):
    """Kerberos to the service principal ``spn`` (``SERVICE/host``), sealing bodies over HTTP."""

    def __init__(self, credentials: Credentials, endpoint: Endpoint, stats: ClientStats, *, spn: str) -> None:
        super().__init__(credentials, endpoint, stats, protocol="kerberos")
        self.spn = spn
        self.principal = principal_of(credentials.user)

    @property
    def _seal_protocol(self) -> str:
        return encryption.KERBEROS_PROTOCOL if self._header == KERBEROS else encryption.PROTOCOL

    def _ending(self, context: spnego.ContextProxy) -> bool:
        left = session_seconds(context)
        return left is not None and left < _EXPIRY_MARGIN

    def _handshake(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, spnego.ContextProxy]:
        host = self._endpoint.host
        probe = yield with_body(request, b"", SOAP_CONTENT_TYPE)
        offered = offered_schemes(parse_challenges(probe.headers.get_list("www-authenticate")))
        if probe.status_code == 401:
            self._header = _scheme_for(offered)
        elif not self.authenticated:
            raise AuthenticationError(
                f"{host} answered a request without credentials with HTTP {probe.status_code} instead of "
                "401: is this a WinRM endpoint?",
                host=host,
                reason="handshake",
                offered=offered,
            )
        # Else the connection is still authenticated (a session renewed before its end): the
        # host's offer is the one it made then.
        context = self._new_context(probe)
        token = self._step(context, None)
        for _ in range(_MAX_LEGS):
            reply = yield self._leg(request, token)
            challenges = parse_challenges(reply.headers.get_list("www-authenticate"))
            answer = negotiate_token(challenges, (self._header.lower(),))
            if reply.status_code != 401:
                self._check_mutual(context, answer)
                return self._established(context)
            if answer is None:
                raise kerberos_refused(self.principal, self.spn, host, offered_schemes(challenges))
            token = self._step(context, answer)
        raise AuthenticationError(
            f"the Kerberos exchange with {host} did not end after {_MAX_LEGS} legs: refused",
            host=host,
            reason="handshake",
        )

    def _new_context(self, probe: httpx.Response) -> spnego.ContextProxy:
        """A Kerberos client context for the SPN, bound to the TLS channel over HTTPS."""
        service, hostname = split_spn(self.spn)
        try:
            # The password (None: the user's ticket) goes straight in: no local of ours holds it.
            return spnego.client(
                self.principal,
                self._credentials.reveal(),
                hostname=hostname,
                service=service,
                channel_bindings=self._channel_bindings(probe),
                context_req=spnego.ContextReq.default,
                protocol="kerberos",
                options=spnego.NegotiateOptions.wrapping_winrm,
            )
        except Exception as exc:  # noqa: BLE001 - krb5, GSSAPI and pyspnego errors alike: say it in one line
            raise self._failed(exc) from None

    def _step(self, context: spnego.ContextProxy, token: bytes | None) -> bytes | None:
        try:
            return context.step(token)
        except Exception as exc:  # noqa: BLE001 - as in _new_context
            raise self._failed(exc) from None

    def _failed(self, exc: Exception) -> AuthenticationError:
        return kerberos_failed(
            exc,
            principal=self.principal,
            spn=self.spn,
            host=self._endpoint.host,
            with_password=self._credentials.has_password,
        )

    def _check_mutual(self, context: spnego.ContextProxy, answer: bytes | None) -> None:
        """The host proved it holds the SPN's key: its AP-REP verifies and completes the context."""
        host = self._endpoint.host
        if context.complete:
            return
        if answer is None:
            raise mutual_auth_failed(host, self.spn, "its reply carries no token")
        try:
            context.step(answer)
        except Exception as exc:  # noqa: BLE001 - whatever pyspnego says, the token did not verify
            # A ticket that ended while the host answered makes the reply unverifiable: that
            # is the ticket's end to report (kinit), not a host that failed to prove itself.
            if kerberos_cause(str(exc)) == "expired":
                raise self._failed(exc) from None
            raise mutual_auth_failed(host, self.spn, "its token does not verify") from None
        if not context.complete:
            raise mutual_auth_failed(host, self.spn, "its token does not complete the exchange")

    def _refused(self, response: httpx.Response) -> AuthenticationError:
        offered = offered_schemes(parse_challenges(response.headers.get_list("www-authenticate")))
        return kerberos_refused(self.principal, self.spn, self._endpoint.host, offered)


def _scheme_for(offered: tuple[str, ...]) -> str:
    """``Negotiate`` if the host offers it, else ``Kerberos``; SchemeNotOffered if neither."""
    lowered = {s.lower() for s in offered}
    if NEGOTIATE.lower() in lowered:
        return NEGOTIATE
    if KERBEROS.lower() in lowered:
        return KERBEROS
    raise SchemeNotOffered(offered)
