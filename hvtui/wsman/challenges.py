"""The syntax of HTTP authentication: ``WWW-Authenticate`` challenges, ``Authorization`` values."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.request import parse_http_list

from hvtui.wsman.credentials import Credentials

NEGOTIATE = "Negotiate"
KERBEROS = "Kerberos"

_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")

#: (scheme, the rest: a token or auth-params), e.g. ("Basic", 'realm="WSMAN"').
Challenge = tuple[str, str]


def parse_challenges(values: Iterable[str]) -> list[Challenge]:
    """``WWW-Authenticate`` header values -> [(scheme, rest)], one per challenge.

    Hosts send one header per scheme; some intermediaries fold them into one
    (``Negotiate, Basic realm="WSMAN"``). Base64 tokens end in ``=`` and are not auth-params.
    """
    challenges: list[Challenge] = []
    for value in values:
        for piece in parse_http_list(value):
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


def offered_schemes(challenges: list[Challenge]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(scheme for scheme, _ in challenges))


def offered_by(response_headers: Iterable[str]) -> tuple[str, ...]:
    """The schemes a 401's ``WWW-Authenticate`` values name, in order, once each."""
    return offered_schemes(parse_challenges(response_headers))


def negotiate_token(
    challenges: list[Challenge], schemes: tuple[str, ...] = ("negotiate", "ntlm")
) -> bytes | None:
    """The base64 token of a ``Negotiate`` (or ``NTLM``, or another of ``schemes``) challenge, if any."""
    for scheme, rest in challenges:
        if scheme.lower() in schemes and rest and " " not in rest and "=" not in rest.rstrip("="):
            try:
                return base64.b64decode(rest, validate=True)
            except ValueError:
                return None
    return None


def basic_header(credentials: Credentials) -> str:
    """``Basic base64(user:password)``, UTF-8 encoded, built without keeping the password around."""
    return "Basic " + base64.b64encode(f"{credentials.user}:{credentials.reveal()}".encode()).decode("ascii")


def negotiate_header(token: bytes, scheme: str = NEGOTIATE) -> str:
    return f"{scheme} {base64.b64encode(token).decode('ascii')}"
