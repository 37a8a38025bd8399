"""Authentication policy: which scheme to use with a host.

* ``auto``: NTLM first (the Negotiate scheme every Windows host offers by default, with
  message encryption over HTTP); Basic only when it is all the host offers and the
  transport allows it.
* ``ntlm``: NTLM only. ``basic``: Basic only -- over HTTPS, or over plain HTTP when the
  user chose both transport=http and auth=basic.

The flows themselves are in :mod:`hvtui.wsman.auth_flow` (Basic) and
:mod:`hvtui.wsman.negotiate` (NTLM, with message encryption and channel binding).
"""

from __future__ import annotations

import logging

import httpx

from hvtui.wsman.auth_errors import basic_over_http_refused, no_usable_scheme, ntlm_not_offered
from hvtui.wsman.auth_flow import AuthFlow, BasicAuth, Flow
from hvtui.wsman.client_options import ClientOptions
from hvtui.wsman.credentials import Credentials
from hvtui.wsman.endpoint import Endpoint
from hvtui.wsman.negotiate import NegotiateAuth, SchemeNotOffered
from hvtui.wsman.stats import ClientStats

log = logging.getLogger("hvtui.wsman")


def auth_for(
    options: ClientOptions, credentials: Credentials, endpoint: Endpoint, stats: ClientStats
) -> AuthFlow:
    """The flow ``options.auth`` asks for; refuses at once what could only send a readable password."""
    basic_allowed = endpoint.https or options.allow_basic_over_http
    if options.auth == "basic":
        return BasicAuth(credentials, endpoint, allow_over_http=options.allow_basic_over_http)
    negotiate = NegotiateAuth(credentials, endpoint, stats, protocol="ntlm")
    fallback = BasicAuth(credentials, endpoint, allow_over_http=True) if basic_allowed else None
    return SchemeChoice(negotiate, fallback, endpoint, credentials.user, auto=options.auth == "auto")


class SchemeChoice(AuthFlow):
    """Negotiate, and what to do when the host does not offer it at all.

    In ``auto`` mode the host's first 401 decides: Basic (``fallback``, present only where
    Basic may be sent) when that is all it offers, else a clear refusal. In ``ntlm``
    mode that 401 is a refusal naming what the host offers instead.
    """

    def __init__(
        self,
        negotiate: NegotiateAuth,
        fallback: BasicAuth | None,
        endpoint: Endpoint,
        user: str,
        *,
        auto: bool,
    ) -> None:
        self._negotiate = negotiate
        self._fallback = fallback
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
        return (yield from self._chosen.auth_flow(request))

    def _instead_of_negotiate(self, offered: tuple[str, ...]) -> AuthFlow:
        host = self._endpoint.host
        if not self._auto:
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
