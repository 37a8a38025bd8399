"""A server certificate as a person checks it: SHA-256 fingerprint, subject, issuer, validity.

Also the one spelling of a pin (``sha256:AB:CD:…``, as ``openssl x509 -fingerprint -sha256``
prints it): a pin names the exact certificate a user accepted for a host.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509

PIN_PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]{64}")


def fingerprint(der: bytes) -> str:
    """The pin of a DER certificate: ``sha256:`` and its digest as colon-separated hex."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return PIN_PREFIX + ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def parse_pin(text: str) -> str:
    """A pin in its one spelling; colons, spaces and case are free, ``sha256:`` is optional.

    ValueError (one line, saying what to write) when it is not a SHA-256 fingerprint.
    """
    raw = text.strip()
    if raw.lower().startswith(PIN_PREFIX):
        raw = raw[len(PIN_PREFIX) :]
    digest = re.sub(r"[\s:]", "", raw).lower()
    if not _HEX.fullmatch(digest):
        raise ValueError(
            f"tls_pin {text!r} is not a SHA-256 fingerprint: give sha256: and 64 hex digits "
            "(openssl x509 -noout -fingerprint -sha256 prints one)"
        )
    upper = digest.upper()
    return PIN_PREFIX + ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))


@dataclass(frozen=True)
class CertificateInfo:
    """What a person needs to decide whether to trust a host's certificate."""

    fingerprint: str  # the pin: sha256:AB:CD:…
    subject: str
    issuer: str
    not_before: datetime | None
    not_after: datetime | None
    names: tuple[str, ...] = ()  # subject alternative names (DNS names and IP addresses)

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer

    def expired(self, now: datetime | None = None) -> bool:
        moment = now or datetime.now(UTC)
        return self.not_after is not None and moment > self.not_after

    def validity(self) -> str:
        """ "2025-01-01 to 2026-01-01" (dates only: the hour is noise here)."""
        start = self.not_before.date().isoformat() if self.not_before else "?"
        end = self.not_after.date().isoformat() if self.not_after else "?"
        return f"{start} to {end}" + (" (expired)" if self.expired() else "")


def describe(der: bytes) -> CertificateInfo:
    """Read a DER certificate; one that does not parse still has a fingerprint."""
    pin = fingerprint(der)
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return CertificateInfo(pin, "(unreadable certificate)", "?", None, None)
    names: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        pass
    else:
        names = [*san.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return CertificateInfo(
        pin,
        _name(cert, "subject"),
        _name(cert, "issuer"),
        _date(cert, "not_valid_before_utc"),
        _date(cert, "not_valid_after_utc"),
        tuple(names),
    )


def _name(cert: x509.Certificate, which: str) -> str:
    try:
        return getattr(cert, which).rfc4514_string() or "(empty)"
    except ValueError:
        return "(unreadable)"


def _date(cert: x509.Certificate, which: str) -> datetime | None:
    try:
        value: datetime = getattr(cert, which)
    except ValueError:
        return None
    return value
