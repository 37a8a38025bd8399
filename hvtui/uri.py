"""libvirt's Hyper-V connection URIs: ``hyperv://[user@]host[:port]/[?params]``.

One parser for every way a host reaches hvtui (command line, config file, the add-host
dialog), so that all of them accept and refuse exactly the same things. Every refusal is a
:class:`URIError` whose message names the bad part and says how to fix it; a password typed
into the URI is refused and never repeated back.

Domain accounts are ``DOMAIN\\user`` or ``user@REALM`` (``%5C`` and ``%40`` in the URI). For
Kerberos the service principal is ``HTTP/<host>`` as written in the URI (no reverse DNS);
``spn=`` names another one, such as ``WSMAN/<host>`` or the host's name when the URI holds
its address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, unquote

Transport = Literal["http", "https"]
AuthMethod = Literal["auto", "ntlm", "basic", "kerberos"]

SCHEME = "hyperv"
DEFAULT_USER = "administrator"
DEFAULT_PORTS: dict[str, int] = {"https": 5986, "http": 5985}
WSMAN_PATH = "/wsman"

TRANSPORTS: tuple[Transport, ...] = ("https", "http")
AUTH_METHODS: tuple[AuthMethod, ...] = ("auto", "ntlm", "basic", "kerberos")
DEFAULT_SERVICE = "HTTP"

FORM = (
    "hyperv://[user@]host[:port]/[?transport=http|https&auth=auto|ntlm|basic|kerberos"
    "&no_verify=0|1&spn=SERVICE/host]"
)

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$"
)
# "user:secret@" -- the secret may hold '/', '?' or '#', so look past them to the last '@'.
_PASSWORD = re.compile(r"^[^/?#@\[]*:.*@")
# Characters a user name may carry unencoded in the canonical form (RFC 3986 unreserved).
_USER_SAFE = "-._~"
# A service class (HTTP, WSMAN, host...) and a NetBIOS domain or Kerberos realm.
_SERVICE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


class URIError(ValueError):
    """A connection URI that hvtui cannot use; the message says what to change."""


@dataclass(frozen=True)
class ConnectionURI:
    """A parsed ``hyperv://`` URI, normalised so that equal hosts compare equal."""

    host: str
    user: str = DEFAULT_USER
    port: int | None = None
    transport: Transport = "https"
    auth: AuthMethod = "auto"
    no_verify: bool = False
    spn: str | None = None
    _canonical: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", _normalise_host(self.host))
        if not self.user:
            raise URIError("the user name is empty: drop the '@' to use 'administrator', or name a user")
        _check_user(self.user)
        if self.port is not None and not 1 <= self.port <= 65535:
            raise URIError(f"port {self.port} is out of range: use a number from 1 to 65535")
        if self.transport not in TRANSPORTS:
            raise URIError(f"transport {self.transport!r} is not known: use http or https")
        if self.auth not in AUTH_METHODS:
            raise URIError(f"auth {self.auth!r} is not known: use auto, ntlm, basic or kerberos")
        if self.spn is not None:
            object.__setattr__(self, "spn", _normalise_spn(self.spn))
            if self.auth not in ("auto", "kerberos"):
                raise URIError(
                    f"spn= applies to Kerberos only: drop it, or use auth=kerberos or auto, not {self.auth}"
                )
        if self.port == DEFAULT_PORTS[self.transport]:
            object.__setattr__(self, "port", None)  # hv01 and hv01:5986 are one host
        object.__setattr__(self, "_canonical", self._render())

    @property
    def effective_port(self) -> int:
        """The port to connect to: the explicit one, else the transport's default."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.transport]

    @property
    def endpoint(self) -> str:
        """The WS-Management endpoint, e.g. ``https://hv01:5986/wsman``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.transport}://{host}:{self.effective_port}{WSMAN_PATH}"

    @property
    def display_host(self) -> str:
        """The host as a person reads it (IPv6 in brackets, port only when not the default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None and self.port != DEFAULT_PORTS[self.transport]:
            return f"{host}:{self.port}"
        return host

    @property
    def service_principal(self) -> str:
        """The Kerberos service principal, ``SERVICE/host``: ``spn=`` or ``HTTP/<host>`` as written."""
        return self.spn or f"{DEFAULT_SERVICE}/{self.host}"

    @property
    def is_encrypted(self) -> bool:
        """True when the transport itself encrypts (libvirt's connectIsEncrypted)."""
        return self.transport == "https"

    def __str__(self) -> str:
        return self._canonical

    def _render(self) -> str:
        user = quote(self.user, safe=_USER_SAFE)
        port = ""
        if self.port is not None and self.port != DEFAULT_PORTS[self.transport]:
            port = f":{self.port}"
        params = []
        if self.transport != "https":
            params.append(f"transport={self.transport}")
        if self.auth != "auto":
            params.append(f"auth={self.auth}")
        if self.no_verify:
            params.append("no_verify=1")
        if self.spn is not None:
            params.append(f"spn={quote(self.spn, safe='/')}")
        query = "?" + "&".join(params) if params else ""
        host = self.host
        if ":" in host:
            host = "[" + host.replace("%", "%25") + "]"
        return f"{SCHEME}://{user}@{host}{port}/{query}"

    @property
    def canonical(self) -> str:
        """The one string that names this host in the config file and the keyring."""
        return self._canonical


def parse_uri(text: str) -> ConnectionURI:
    """Parse a libvirt Hyper-V URI, or raise :class:`URIError` saying what to fix."""
    text = text.strip()
    if not text:
        raise URIError(f"the URI is empty: use {FORM}")
    scheme, sep, rest = text.partition("://")
    # Before anything can echo a part of the text back: refuse a password, wherever it ends.
    if _PASSWORD.match(rest if sep else text):
        raise URIError(
            "a password in the URI is not accepted (it would be left in shell history, "
            "process lists and the config file): remove ':' and what follows it from the user "
            "part; hvtui asks for the password or reads it from the keyring"
        )
    if not sep:
        if text.lower().startswith(SCHEME + ":"):
            raise URIError("the URI lacks '//' after 'hyperv:': write hyperv://host/")
        raise URIError(f"'{_clip(text)}' is not a hyperv:// URI: use {FORM}")
    _check_scheme(scheme)

    if "#" in rest:
        raise URIError("a URI fragment ('#...') is not allowed: remove it")
    # The authority ends at the first '/' or '?': hyperv://host?spn=HTTP/host has no path.
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    slash = tail.startswith("/")
    path, _, query = tail[1:].partition("?") if slash else ("", "", tail[1:])
    if slash and path:
        raise URIError(
            f"unexpected path '/{_clip(path)}': the URI names only the host "
            f"(hvtui always talks to {WSMAN_PATH}); end it with '/'"
        )

    userinfo, at, hostport = authority.rpartition("@")
    user = DEFAULT_USER
    if at:
        if not userinfo:
            raise URIError("the user name before '@' is empty: drop the '@' or name a user")
        try:
            user = unquote(userinfo, errors="strict")
        except UnicodeDecodeError:
            raise URIError("the user name has a bad percent-encoding: encode it as UTF-8") from None

    host, port = _split_host_port(hostport)
    params = _parse_query(query)
    return ConnectionURI(host=host, user=user, port=port, **params)


def _check_scheme(scheme: str) -> None:
    lowered = scheme.lower()
    if lowered == SCHEME:
        return
    if lowered.startswith(SCHEME + "+"):
        raise URIError(
            f"'{scheme}://' cannot be used: the Hyper-V driver is client-side only and talks "
            "WS-Management to the host itself, so remote transports do not apply; "
            "use hyperv://host/ (or hyperv://host/?transport=http for port 5985)"
        )
    if not scheme:
        raise URIError(f"the URI has no scheme: use {FORM}")
    raise URIError(f"unsupported scheme '{_clip(scheme)}': hvtui manages Hyper-V hosts, use {FORM}")


def _split_host_port(hostport: str) -> tuple[str, int | None]:
    if not hostport:
        raise URIError(f"the host name is missing: use {FORM}")
    port_text: str | None = None
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise URIError("the IPv6 address lacks its closing ']': write hyperv://[fe80::1]/")
        host = hostport[1:end]
        after = hostport[end + 1 :]
        if after:
            if not after.startswith(":"):
                raise URIError(f"unexpected '{_clip(after)}' after the IPv6 address: use [address]:port")
            port_text = after[1:]
        host = unquote(host)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise URIError(f"'{_clip(host)}' is not a valid IPv6 address") from None
    else:
        host, colon, rest = hostport.partition(":")
        if colon:
            if ":" in rest:
                raise URIError("an IPv6 address must be in brackets: write hyperv://[fe80::1]/")
            port_text = rest
        if not host:
            raise URIError(f"the host name is missing: use {FORM}")
    port: int | None = None
    if port_text is not None:
        if not port_text:
            raise URIError("the port after ':' is empty: give a number or drop the ':'")
        if not port_text.isascii() or not port_text.isdigit():
            raise URIError(f"port '{_clip(port_text)}' is not a number: use a number from 1 to 65535")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise URIError(f"port {port} is out of range: use a number from 1 to 65535")
    return host, port


def _normalise_host(host: str) -> str:
    if not host:
        raise URIError(f"the host name is missing: use {FORM}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        address, _, zone = host.partition("%")
        try:
            ipv6 = ipaddress.IPv6Address(address)
        except ValueError:
            raise URIError(f"'{_clip(host)}' is not a valid IPv6 address") from None
        if zone and not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", zone):
            raise URIError(f"the IPv6 zone '{_clip(zone)}' is not valid")
        return ipv6.compressed + (f"%{zone}" if zone else "")
    if not _HOSTNAME.match(host):
        raise URIError(
            f"'{_clip(host)}' is not a valid host name: use letters, digits, '-' and '.', "
            "an IPv4 address, or an IPv6 address in brackets"
        )
    return host.lower().rstrip(".")


def _parse_query(query: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if not query:
        return params
    seen: set[str] = set()
    for part in query.split("&"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = unquote(name).strip().lower()
        value = unquote(value)
        if not eq:
            raise URIError(f"parameter '{_clip(name)}' has no value: write name=value")
        if name in seen:
            raise URIError(f"parameter '{name}' is given twice: keep one")
        seen.add(name)
        if name == "transport":
            if value not in TRANSPORTS:
                raise URIError(f"bad value '{_clip(value)}' for transport: use http or https")
            params["transport"] = value
        elif name == "auth":
            if value not in AUTH_METHODS:
                raise URIError(f"bad value '{_clip(value)}' for auth: use auto, ntlm, basic or kerberos")
            params["auth"] = value
        elif name == "no_verify":
            if value not in ("0", "1"):
                raise URIError(f"bad value '{_clip(value)}' for no_verify: use 0 or 1")
            params["no_verify"] = value == "1"
        elif name == "spn":
            params["spn"] = value
        else:
            raise URIError(
                f"unknown parameter '{_clip(name)}': hvtui understands transport, auth, no_verify and spn"
            )
    return params


def _check_user(user: str) -> None:
    """A local name, ``DOMAIN\\user`` or ``user@REALM``: one form, with both of its parts."""
    if any(ord(c) < 32 for c in user):
        raise URIError("the user name contains control characters: remove them")
    domain, backslash, name = user.partition("\\")
    at_name, at, realm = user.rpartition("@")
    if backslash and at:
        raise URIError(f"the user '{_clip(user)}' mixes DOMAIN\\user and user@REALM: write one of them")
    if backslash:
        if not domain or not name or "\\" in name:
            raise URIError(f"the user '{_clip(user)}' is not DOMAIN\\user (%5C in the URI): give both parts")
        if not _DOMAIN.match(domain):
            raise URIError(
                f"the domain '{_clip(domain)}' is not valid: use letters, digits, '.', '-' and '_'"
            )
    elif at:
        if not at_name or not realm:
            raise URIError(f"the user '{_clip(user)}' is not user@REALM (%40 in the URI): give both parts")
        if not _DOMAIN.match(realm):
            raise URIError(f"the realm '{_clip(realm)}' is not valid: use letters, digits, '.', '-' and '_'")


def _normalise_spn(spn: str) -> str:
    """``SERVICE/host`` with the host as the URI's hosts are (lower case); the realm comes from krb5.conf."""
    service, slash, host = spn.strip().partition("/")
    if not slash or not service or not host:
        raise URIError(
            f"bad value '{_clip(spn)}' for spn: write SERVICE/host, e.g. spn=WSMAN/hv01.corp.example"
        )
    if "@" in host:
        raise URIError(
            f"bad value '{_clip(spn)}' for spn: leave out '@REALM' (the realm follows from the host "
            "name in krb5.conf); write SERVICE/host"
        )
    if not _SERVICE.match(service):
        raise URIError(f"bad service '{_clip(service)}' in spn: use a name such as HTTP or WSMAN")
    try:
        host = _normalise_host(host)
    except URIError:
        raise URIError(f"bad host '{_clip(host)}' in spn: use a host name or address") from None
    return f"{service}/{host}"


def _clip(text: str, limit: int = 60) -> str:
    """Keep error messages one line long, whatever was typed."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
