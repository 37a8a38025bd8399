"""Authentication policy: which scheme to use with a host.

* ``auto``: Kerberos when the user can have a ticket -- a domain account (``user@REALM``,
  ``DOMAIN\\user``) with a ticket in the user's cache, or with a password and a default realm
  configured -- else NTLM; both through the Negotiate scheme every Windows host offers by
  default, with message encryption over HTTP. Basic only when it is all the host offers and
  the transport allows it. When the KDC cannot give a ticket for the host at all (no SPN for
  it, as when it is named by address; no KDC for the realm), NTLM takes over, as on Windows.
* ``kerberos``: Kerberos only. ``ntlm``: NTLM only. ``basic``: Basic only -- over HTTPS, or
  over plain HTTP when the user chose both transport=http and auth=basic.

The flows themselves are in :mod:`hvtui.wsman.auth_flow` (Basic), :mod:`hvtui.wsman.negotiate`
(NTLM, with message encryption and channel binding) and :mod:`hvtui.wsman.kerberos_flow`.
"""

from __future__ import annotations

import logging

import httpx

from hvtui.wsman import kerberos
from hvtui.wsman.auth_errors import basic_over_http_refused, no_usable_scheme, ntlm_not_offered
from hvtui.wsman.auth_flow import AuthFlow, BasicAuth, Flow
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.endpoint import Endpoint
from hvtui.wsman.errors import ConfigurationError
from hvtui.wsman.kerberos_errors import KerberosUnavailable, kerberos_not_offered
from hvtui.wsman.kerberos_flow import KerberosAuth
from hvtui.wsman.negotiate import NegotiateAuth, SchemeNotOffered
from hvtui.wsman.stats import ClientStats

log = logging.getLogger("hvtui.wsman")


def auth_for(
    options: ClientOptions, credentials: Credentials, endpoint: Endpoint, stats: ClientStats
) -> AuthFlow:
    """The flow ``options.auth`` asks for; refuses at once what could only send a readable password."""
    basic_allowed = endpoint.https or options.allow_basic_over_http
    auto = options.auth == "auto"
    if options.auth == "basic":
        _need_password(credentials, "Basic")
        return BasicAuth(credentials, endpoint, allow_over_http=options.allow_basic_over_http)
    fallback = None
    if basic_allowed and credentials.has_password:
        fallback = BasicAuth(credentials, endpoint, allow_over_http=True)
    if options.auth == "kerberos" or (auto and prefers_kerberos(credentials)):
        missing = kerberos.missing()
        if missing is not None:
            raise ConfigurationError(missing)
        spn = options.spn or f"{kerberos.DEFAULT_SERVICE}/{endpoint.hostname}"
        flow = KerberosAuth(credentials, endpoint, stats, spn=spn)
        ntlm = None
        if auto and credentials.has_password:
            ntlm = NegotiateAuth(credentials, endpoint, stats, protocol="ntlm")
        basic = fallback if auto else None
        return SchemeChoice(flow, basic, endpoint, credentials.user, auto=auto, ntlm=ntlm)
    _need_password(credentials, "NTLM")
    negotiate = NegotiateAuth(credentials, endpoint, stats, protocol="ntlm")
    return SchemeChoice(negotiate, fallback, endpoint, credentials.user, auto=auto)


def prefers_kerberos(credentials: Credentials) -> bool:
    """``auto``'s choice: a domain account that has, or can get, a Kerberos ticket."""
    user = credentials.user
    if kerberos.missing() is not None or not kerberos.is_domain_account(user):
        return False
    if credentials.has_password:
        return kerberos.default_realm() is not None
    return kerberos.has_ticket(user)


def _need_password(credentials: Credentials, scheme: str) -> None:
    if not credentials.has_password:
        raise ConfigurationError(
            f"no password for {credentials.user}: {scheme} needs one (only Kerberos can use a ticket "
            "from kinit)"
        )


class SchemeChoice(AuthFlow):
    """Negotiate (NTLM or Kerberos), and what to do when the host does not offer it at all.

    In ``auto`` mode the host's first 401 decides: Basic (``fallback``, present only where
    Basic may be sent) when that is all it offers, else a clear refusal; and when Kerberos
    cannot have a ticket for the host, ``ntlm`` (present only with a password) takes over.
    In ``ntlm`` and ``kerberos`` modes that 401 is a refusal naming what the host offers instead.
    """

    def __init__(
        self,
        negotiate: NegotiateAuth,
        fallback: BasicAuth | None,
        endpoint: Endpoint,
        user: str,
        *,
        auto: bool,
        ntlm: NegotiateAuth | None = None,
    ) -> None:
        self._negotiate = negotiate
        self._fallback = fallback
        self._ntlm = ntlm
        self._endpoint = endpoint
        self._user = user
        self._auto = auto
        self._chosen: AuthFlow = negotiate

    @property
    def scheme(self) -> str | None:
        if self._chosen is not self._negotiate or not self._auto or self._negotiate.authenticated:
            return self._chosen.scheme
        return None

    @property
    def encrypted(self) -> bool:
        return self.scheme is not None and self._chosen.encrypted

    def connection_lost(self) -> None:
        self._chosen.connection_lost()

    def auth_flow(self, request: httpx.Request) -> Flow:
        if self._chosen is self._negotiate:
            try:
                return (yield from self._negotiate.auth_flow(request))
            except SchemeNotOffered as refusal:
                self._chosen = self._instead_of_negotiate(refusal.offered)
            except KerberosUnavailable as unavailable:
                if self._ntlm is None:
                    raise
                log.info("%s; using NTLM instead", unavailable)
                self._chosen = self._ntlm
        return (yield from self._chosen.auth_flow(request))

    def _instead_of_negotiate(self, offered: tuple[str, ...]) -> AuthFlow:
        host = self._endpoint.host
        if not self._auto:
            if self._negotiate.scheme == "kerberos":
                raise kerberos_not_offered(host, offered)
            raise ntlm_not_offered(host, offered, self._fallback is not None)
        if not any(s.lower() == "basic" for s in offered):
            raise no_usable_scheme(host, offered)
        if self._fallback is None:
            raise basic_over_http_refused(self._user, host, offered)
        log.debug(
            "%s: the host offers only Basic; using Basic over %s",
            host,
            "TLS" if self._endpoint.https else "HTTP",
        )
        return self._fallback
