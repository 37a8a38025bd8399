"""The WinRM endpoint a client talks to, checked once: scheme, host, port, no credentials."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from hvtui.wsman.errors import ConfigurationError


@dataclass(frozen=True)
class Endpoint:
    """``url`` as given; ``host`` is ``name:port`` (``[v6]:port``), the form every message names."""

    url: str
    https: bool
    hostname: str
    host: str


def parse_endpoint(url: str) -> Endpoint:
    """An ``http://`` or ``https://`` URL with a host; the port defaults to WinRM's (5985/5986)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"endpoint {url!r} is not an http:// or https:// URL with a host")
    try:
        port = parts.port or (5986 if parts.scheme == "https" else 5985)
    except ValueError:
        raise ConfigurationError(f"endpoint {url!r} has an invalid port") from None
    if parts.username or parts.password:
        # Credentials in a URL end up in logs and process listings: they come only as Credentials.
        raise ConfigurationError("the endpoint must not carry a user name or password: pass Credentials")
    hostname = parts.hostname
    host = f"[{hostname}]:{port}" if ":" in hostname else f"{hostname}:{port}"
    return Endpoint(url, parts.scheme == "https", hostname, host)
