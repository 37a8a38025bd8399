"""Whether an HTTPS host is trusted, found out before anything is sent to it.

A TLS handshake alone, with the checks the host's connection will make (its CA chain and
name, or its pin): the UI runs it before it asks for a password, so a password is never
asked for -- let alone sent to -- a host whose certificate nobody has accepted. When it
fails, the error carries the certificate the host showed, for a person to check and pin.
"""

from __future__ import annotations

from hvtui.hyperv.errors import CertificateNotTrusted, ConnectionFailed, HyperVError, Problem
from hvtui.uri import ConnectionURI
from hvtui.wsman import ConfigurationError, TLSError, TransportError
from hvtui.wsman.certificate import CertificateInfo, parse_pin
from hvtui.wsman.tls import check_trust as _check_trust
from hvtui.wsman.tls import fetch_certificate

__all__ = ["CertificateInfo", "certificate_of", "check_trust", "normal_pin"]


def normal_pin(text: str) -> str:
    """A pin in its one spelling (``sha256:AB:CD:…``); HyperVError (usage) when it is not one."""
    try:
        return parse_pin(text)
    except ValueError as exc:
        raise HyperVError(str(exc), problem=Problem.USAGE) from None


async def check_trust(
    uri: ConnectionURI, *, ca_file: str | None = None, tls_pin: str | None = None, timeout: float = 10.0
) -> None:
    """Nothing for a plain-HTTP host or a trusted one; else CertificateNotTrusted or ConnectionFailed."""
    if uri.transport != "https":
        return
    try:
        await _check_trust(
            uri.host,
            uri.effective_port,
            verify=not uri.no_verify,
            ca_file=ca_file,
            pin=normal_pin(tls_pin) if tls_pin else None,
            timeout=timeout,
        )
    except TLSError as exc:
        raise CertificateNotTrusted(str(exc), cause=exc) from None
    except TransportError as exc:
        raise ConnectionFailed(str(exc), cause=exc) from None
    except ConfigurationError as exc:
        raise HyperVError(str(exc), problem=Problem.USAGE, cause=exc) from None


async def certificate_of(uri: ConnectionURI, timeout: float = 10.0) -> CertificateInfo | None:
    """The certificate an HTTPS host shows (unverified: for a person to check); None without one."""
    if uri.transport != "https":
        return None
    return await fetch_certificate(uri.host, uri.effective_port, timeout)
