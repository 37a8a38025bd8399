"""Authentication policy: which scheme to use with a host, and what to say when it fails.

* ``auto``: NTLM first (the Negotiate scheme every Windows host offers by default, with
  message encryption over HTTP); Basic only when it is all the host offers and the
  transport allows it.
* ``ntlm``: NTLM only. ``basic``: Basic only -- over HTTPS, or over plain HTTP when the
  user chose both transport=http and auth=basic (then a warning says, once, that the
  password crosses the network readable).

NTLM tokens are raw NTLMSSP messages carried in ``Authorization: Negotiate`` -- what
Windows' Negotiate package accepts from non-domain clients, and what NTLM clients proven
against Hyper-V hosts send -- produced by pyspnego's own NTLM implementation, which
carries its own MD4 (OpenSSL 3 has none) and never reaches for Kerberos/GSSAPI.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable

import spnego
from spnego.channel_bindings import GssChannelBindings

from hvtui.wsman.credentials import Credentials
from hvtui.wsman.errors import AuthenticationError

NEGOTIATE = "Negotiate"
BASIC = "Basic"

ENABLE_BASIC = 'winrm set winrm/config/service/auth @{Basic="true"}'
ENABLE_NEGOTIATE = 'winrm set winrm/config/service/auth @{Negotiate="true"}'
ALLOW_UNENCRYPTED = 'winrm set winrm/config/service @{AllowUnencrypted="true"}'

# pyspnego logs every NTLM message at DEBUG; an NTLMv2 response can be cracked offline, so
# its loggers stay at INFO whatever the application's root level is.
logging.getLogger("spnego").setLevel(logging.INFO)

_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


def parse_challenges(values: Iterable[str]) -> list[tuple[str, str]]:
    """``WWW-Authenticate`` header values -> [(scheme, rest)], one per challenge.

    Hosts send one header per scheme; some intermediaries fold them into one
    (``Negotiate, Basic realm="WSMAN"``). Base64 tokens end in ``=`` and are not auth-params.
    """
    challenges: list[tuple[str, str]] = []
    for value in values:
        for raw_piece in _split_commas(value):
            piece = raw_piece.strip()
            if not piece:
                continue
            match = _TOKEN.match(piece)
            if match is None:
                continue
            word = match.group()
            rest = piece[match.end() :]
            if rest.lstrip().startswith("=") and challenges:
                # "realm=..." style auth-param continuing the previous challenge
                scheme, params = challenges[-1]
                challenges[-1] = (scheme, f"{params}, {piece}".strip(", "))
                continue
            challenges.append((word, rest.strip()))
    return challenges


def _split_commas(value: str) -> list[str]:
    pieces, current, quoted = [], [], False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def offered_schemes(challenges: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(scheme for scheme, _ in challenges))


def negotiate_token(challenges: list[tuple[str, str]]) -> bytes | None:
    """The base64 token of a ``Negotiate`` (or ``NTLM``) challenge, if the host sent one."""
    for scheme, rest in challenges:
        if (
            scheme.lower() in ("negotiate", "ntlm")
            and rest
            and " " not in rest
            and "=" not in rest.rstrip("=")
        ):
            try:
                return base64.b64decode(rest, validate=True)
            except ValueError:
                return None
    return None


def has_scheme(challenges: list[tuple[str, str]], name: str) -> bool:
    return any(scheme.lower() == name.lower() for scheme, _ in challenges)


def basic_header(credentials: Credentials) -> str:
    """``Basic base64(user:password)``, UTF-8 encoded, built without keeping the password around."""
    return "Basic " + base64.b64encode(f"{credentials.user}:{credentials.reveal()}".encode()).decode("ascii")


def negotiate_header(token: bytes) -> str:
    return f"{NEGOTIATE} {base64.b64encode(token).decode('ascii')}"


def ntlm_context(credentials: Credentials, hostname: str) -> spnego.ContextProxy:
    """A fresh NTLM initiator for one connection (sealing and signing on)."""
    return spnego.client(
        credentials.user,
        credentials.reveal(),
        hostname=hostname,
        service="HTTP",
        context_req=spnego.ContextReq.default,
        protocol="ntlm",
    )


def channel_bindings(application_data: bytes | None) -> GssChannelBindings | None:
    """GSS channel bindings carrying RFC 5929 data (None when there is no TLS certificate)."""
    return GssChannelBindings(application_data=application_data) if application_data else None


def _offered_text(offered: tuple[str, ...]) -> str:
    return ", ".join(offered) if offered else "nothing"


def basic_refused(user: str, host: str, offered: tuple[str, ...], https: bool) -> AuthenticationError:
    if not any(s.lower() == "basic" for s in offered):
        return AuthenticationError(
            f"{host} does not accept Basic authentication (it offers: {_offered_text(offered)}): use "
            f"auth=ntlm, or enable Basic with `{ENABLE_BASIC}`",
            host=host,
            reason="scheme",
            offered=offered,
        )
    if not https:
        return AuthenticationError(
            f"{host} refused Basic authentication over HTTP for {user}: either the user name or password is "
            f"wrong, or the host refuses unencrypted traffic (allow it with `{ALLOW_UNENCRYPTED}`, or "
            "better use auth=ntlm or transport=https)",
            host=host,
            reason="credentials",
            offered=offered,
        )
    return AuthenticationError(
        f"{host} refused the user name or password for {user}: check them (Basic works only for local "
        "accounts; use auth=ntlm for a domain account)",
        host=host,
        reason="credentials",
        offered=offered,
    )


def ntlm_refused(user: str, host: str, offered: tuple[str, ...]) -> AuthenticationError:
    return AuthenticationError(
        f"{host} refused the user name or password for {user}: check them (a domain account is written "
        "DOMAIN\\user or user@domain; the user must be allowed to use WinRM)",
        host=host,
        reason="credentials",
        offered=offered,
    )


def ntlm_not_offered(host: str, offered: tuple[str, ...], basic_usable: bool) -> AuthenticationError:
    alternative = "use auth=basic" if basic_usable else "use auth=basic over transport=https"
    if not any(s.lower() == "basic" for s in offered):
        alternative = "no other scheme hvtui speaks is offered"
    return AuthenticationError(
        f"{host} does not accept NTLM (Negotiate) authentication (it offers: {_offered_text(offered)}): "
        f"enable it with `{ENABLE_NEGOTIATE}`, or {alternative}",
        host=host,
        reason="scheme",
        offered=offered,
    )


def basic_over_http_refused(user: str, host: str, offered: tuple[str, ...] = ()) -> AuthenticationError:
    only = " the host offers only Basic, and" if offered else ""
    return AuthenticationError(
        f"refusing to send the password for {user} readable over plain HTTP to {host}:{only} Basic is "
        "allowed over HTTP only when you choose transport=http and auth=basic together; prefer "
        f"transport=https, or auth=ntlm (enable Negotiate with `{ENABLE_NEGOTIATE}`)",
        host=host,
        reason="insecure",
        offered=offered,
    )


def no_usable_scheme(host: str, offered: tuple[str, ...]) -> AuthenticationError:
    return AuthenticationError(
        f"{host} offers no authentication scheme hvtui speaks (it offers: {_offered_text(offered)}): enable "
        f"Negotiate with `{ENABLE_NEGOTIATE}` (or Basic over HTTPS)",
        host=host,
        reason="scheme",
        offered=offered,
    )
