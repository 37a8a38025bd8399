"""Authentication of one request, as WinRM decides it: who may talk, and in which wrapping.

Kept apart from the HTTP pipeline so that every rule of admission reads in one place: the
schemes offered and their 401 challenges, Basic only over HTTPS unless unencrypted traffic is
allowed, an NTLM context bound to its connection until the password changes, and the unsealing
of an encrypted body. Credential checks themselves are :mod:`hvtui.sim.auth`'s.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from spnego.channel_bindings import GssChannelBindings

from hvtui.sim.auth import SCHEME_MECHS, Accounts, AuthFailed, NegotiateSession
from hvtui.sim.counters import Counters
from hvtui.sim.http11 import HttpRequest, HttpResponse
from hvtui.sim.sim_options import SimOptions


@dataclass
class ConnectionAuth:
    """What one connection has proved so far: NTLM authenticates the connection, not the request."""

    session: NegotiateSession | None = None
    epoch: int = -1
    user: str = ""


@dataclass
class Admitted:
    """A request let through: its SOAP body in the clear, its user, and how to wrap the reply."""

    body: bytes
    user: str
    seal: NegotiateSession | None  # the reply is sealed when the request came sealed
    auth_headers: list[tuple[str, str]]  # the handshake's last token (Kerberos' mutual auth), for the reply


def token_header(token: str | None, session: NegotiateSession | None) -> list[tuple[str, str]]:
    """The last token of a handshake, under the scheme the client used."""
    if not token or session is None:
        return []
    return [("WWW-Authenticate", f"{session.header_name} {token}")]


class RequestAuth:
    """A host's account and offered schemes; a password change (a new epoch) ends every NTLM context."""

    def __init__(
        self, accounts: Accounts, schemes: set[str], options: SimOptions, counters: Counters
    ) -> None:
        self.accounts = accounts
        self.schemes = schemes
        self.options = options
        self.counters = counters
        self.epoch = 0
        # Set by the simulator over HTTPS: Kerberos tokens that carry a channel binding must match it.
        self.channel_binding: bytes | None = None

    def set_password(self, password: str) -> None:
        self.accounts.set_password(password)
        self.epoch += 1

    def new_session(self, scheme: str) -> NegotiateSession:
        """A connection's acceptor for ``scheme``; over HTTPS a Kerberos token's binding must match."""
        bindings = None
        if self.channel_binding is not None:
            bindings = GssChannelBindings(application_data=self.channel_binding)
        return NegotiateSession(
            self.accounts.user_file, bindings, scheme=scheme, mechs=frozenset(self.schemes), bind_ntlm=False
        )

    def unauthorized(self, token: str | None = None, scheme: str = "Negotiate") -> HttpResponse:
        self.counters.add("http_401")
        if token is not None:
            return HttpResponse(401, headers=[("WWW-Authenticate", f"{scheme} {token}")])
        headers = []
        if self.schemes & {"ntlm", "kerberos"}:
            headers.append(("WWW-Authenticate", "Negotiate"))
        if "kerberos" in self.schemes:
            headers.append(("WWW-Authenticate", "Kerberos"))
        if "basic" in self.schemes:
            headers.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        return HttpResponse(401, headers=headers)

    def admit(self, req: HttpRequest, conn: ConnectionAuth) -> Admitted | HttpResponse:
        """The request as the service reads it, or the reply that ends it here (401, 400, or 200)."""
        https = self.options.https
        final_auth: list[tuple[str, str]] = []
        via_negotiate = False
        auth = req.header("Authorization")
        if auth:
            scheme, _, value = auth.partition(" ")
            scheme = scheme.lower()
            if scheme == "basic":
                if "basic" not in self.schemes or (not https and not self.options.allow_unencrypted):
                    return self.unauthorized()
                try:
                    user = self.accounts.check_basic(value)
                except AuthFailed:
                    return self.unauthorized()
                conn.user = user
            elif self.schemes & SCHEME_MECHS.get(scheme, frozenset()):
                if conn.session is None or conn.session.complete or conn.session.scheme != scheme:
                    try:
                        conn.session = self.new_session(scheme)
                    except Exception:  # noqa: BLE001 - pyspnego could not start an acceptor: answer as WinRM does for bad credentials
                        return self.unauthorized()
                try:
                    out = conn.session.step(value)
                except AuthFailed:
                    conn.session = None
                    return self.unauthorized()
                token = base64.b64encode(out).decode() if out else None
                if not conn.session.complete:
                    return self.unauthorized(token or "", conn.session.header_name)
                conn.epoch = self.epoch
                conn.user = conn.session.user or self.options.user
                final_auth = token_header(token, conn.session)
                via_negotiate = True
            else:
                return self.unauthorized()
        elif conn.session is not None and conn.session.complete and conn.epoch == self.epoch:
            via_negotiate = True
        else:
            return self.unauthorized()
        if via_negotiate and conn.epoch != self.epoch:
            conn.session = None
            return self.unauthorized()
        ctype = (req.header("Content-Type") or "").lower()
        session = conn.session if via_negotiate else None
        encrypted = ctype.startswith("multipart/encrypted")
        body = req.body
        if encrypted:
            if session is None:
                return self.unauthorized()
            try:
                body = session.unwrap(body)
            except AuthFailed:
                return HttpResponse(400, close=True)
        elif not body.strip():
            if via_negotiate:  # the authentication-only request of pypsrp and pywinrm
                return HttpResponse(200, headers=final_auth)
            return HttpResponse(400)
        elif via_negotiate and not https and not self.options.allow_unencrypted:
            return self.unauthorized()  # WinRM refuses unencrypted traffic after NTLM
        return Admitted(body, conn.user, session if encrypted else None, final_auth)
