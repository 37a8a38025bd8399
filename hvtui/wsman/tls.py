"""TLS for HTTPS hosts: verified by default, explained when it fails.

Certificates are checked against the system store plus an optional per-host CA bundle;
``verify=False`` (the URI's ``no_verify=1``) turns checking off for that host only. A pin
(``tls_pin``) replaces both the CA chain and the host name check for its host: the handshake
succeeds only when the server shows exactly the certificate the user accepted, checked inside
the handshake, so not one byte of HTTP (nor a password) goes to any other. The
channel binding token (RFC 5929 tls-server-end-point) ties NTLM to this TLS session, which
hosts with ``CbtHardeningLevel=Strict`` require and ``Relaxed`` hosts accept.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import os
import ssl

import httpx

from hvtui.wsman.certificate import CertificateInfo, describe, fingerprint
from hvtui.wsman.errors import ConfigurationError, TimeoutExpired, TLSError, TransportError


class PinMismatch(ssl.SSLCertVerificationError):
    """The server showed another certificate than the one pinned for it."""

    def __init__(self, pin: str, certificate: bytes) -> None:
        super().__init__(f"certificate {fingerprint(certificate)} is not the pinned {pin}")
        self.pin = pin
        self.certificate = certificate


def _pinned_object_class(pin: str) -> type[ssl.SSLObject]:
    """An SSLObject that ends its handshake in error unless the peer's certificate is ``pin``."""

    class PinnedSSLObject(ssl.SSLObject):
        def do_handshake(self) -> None:
            super().do_handshake()
            der = self.getpeercert(binary_form=True)
            if not der or fingerprint(der) != pin:
                raise PinMismatch(pin, der or b"")

    return PinnedSSLObject


def shared_context(verify: bool, ca_file: str | None, pin: str | None = None) -> ssl.SSLContext:
    """One context per trust setting, shared by every connection that has it.

    Building one loads the system's CA store (~18 ms): per connection of a fleet of a
    thousand hosts that was most of their start. A context is safe to share; a CA file that
    changes on disk (its size or time) makes a new one.
    """
    stamp = None
    if ca_file:
        with contextlib.suppress(OSError):
            found = os.stat(ca_file)
            stamp = (found.st_mtime_ns, found.st_size)
    return _cached_context(verify, ca_file, pin, stamp)


@functools.lru_cache(maxsize=256)
def _cached_context(
    verify: bool, ca_file: str | None, pin: str | None, _stamp: tuple[int, int] | None
) -> ssl.SSLContext:
    return ssl_context(verify, ca_file, pin)


@functools.cache
def unused_context() -> ssl.SSLContext:
    """What a plain HTTP connection hands httpx so that it builds no context of its own.

    No handshake ever uses it, so it loads no CA store (the ~20 ms of a host's first
    connection); were one to, it trusts nothing and fails.
    """
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def ssl_context(verify: bool, ca_file: str | None, pin: str | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigurationError(
                f"the CA file {ca_file!r} cannot be used ({reason}): give a readable PEM bundle"
            ) from None
    if not verify or pin:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if pin:
        # The stdlib's documented hook (SSLContext.sslobject_class): the check runs as the
        # handshake ends, before the HTTP client can send anything on the connection.
        context.sslobject_class = _pinned_object_class(pin)
    return context


async def _handshake(hostname: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes | None:
    """Connect, complete a TLS handshake, and hang up: the peer's DER certificate."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(hostname, port, ssl=context, server_hostname=hostname)
            ssl_object = writer.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
            return der if isinstance(der, bytes) else None
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)


async def fetch_certificate(hostname: str, port: int, timeout: float) -> CertificateInfo | None:
    """The certificate a server shows, from a TLS handshake alone (nothing else is sent).

    Unverified on purpose: it is what a person is shown to decide whether to trust it.
    None when no handshake could be made.
    """
    try:
        der = await _handshake(hostname, port, ssl_context(False, None), timeout)
    except (OSError, TimeoutError, ssl.SSLError):
        return None
    return describe(der) if der else None


async def check_trust(
    hostname: str, port: int, *, verify: bool, ca_file: str | None, pin: str | None, timeout: float
) -> None:
    """A TLS handshake alone, with the host's own checks (CA chain and name, or its pin).

    What decides whether a host is trusted, before anything else -- a password above all --
    is sent to it. Raises TLSError (with the certificate the host showed, for a person to
    check), TransportError when no connection could be made, ConfigurationError for a CA
    file that cannot be used.
    """
    host = f"[{hostname}]:{port}" if ":" in hostname else f"{hostname}:{port}"
    context = ssl_context(verify, ca_file, pin)
    try:
        await _handshake(hostname, port, context, timeout)
    except ssl.SSLError as exc:
        error = failure(exc, host)
        if error.certificate is None:
            error.certificate = await fetch_certificate(hostname, port, timeout)
        raise error from None
    except TimeoutError:
        raise TimeoutExpired(
            f"{host} did not complete a TLS handshake within {timeout:g}s", host=host
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TransportError(f"cannot connect to {host} ({reason})", host=host) from None


def failure(exc: BaseException, host: str) -> TLSError:
    """A one-line TLSError naming the host, the reason, and how to fix it."""
    if isinstance(exc, PinMismatch):
        shown = describe(exc.certificate) if exc.certificate else None
        error = TLSError(
            f"the TLS certificate of {host} CHANGED: it is not the one pinned for it ({exc.pin}); "
            "someone may be in between, or the host has a new certificate: check it with the "
            "host's administrator before trusting the new one",
            host=host,
        )
        error.certificate = shown
        error.pinned = True
        return error
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = (exc.verify_message or exc.reason or "verification failed").rstrip(".")
        if "mismatch" in reason.lower() or "doesn't match" in reason.lower():
            return TLSError(
                f"the TLS certificate of {host} is not valid for that name ({reason}): connect with a name "
                "the certificate lists, or set no_verify=1 for this host if you accept the risk",
                host=host,
            )
        return TLSError(
            f"the TLS certificate of {host} is not trusted ({reason}): give that host's CA bundle with "
            "ca_file, or set no_verify=1 for this host if you accept the risk",
            host=host,
        )
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    return TLSError(
        f"the TLS handshake with {host} failed ({reason}): check that the port speaks HTTPS (5986; use "
        "transport=http for 5985) and that the host has a listener certificate",
        host=host,
    )


def find_ssl_error(exc: BaseException) -> BaseException | None:
    """The ssl error somewhere in an exception's cause chain (httpx wraps it twice)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return current
        current = current.__cause__ or current.__context__
    return None


def peer_certificate(response: httpx.Response) -> bytes | None:
    """The DER certificate the server showed on the connection that carried ``response``."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        ssl_object = stream.get_extra_info("ssl_object")
        certificate = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    except Exception:  # noqa: BLE001 - a transport without TLS details, or a connection already gone
        return None
    return certificate if isinstance(certificate, bytes) and certificate else None


def channel_binding_data(certificate_der: bytes) -> bytes:
    """RFC 5929 ``tls-server-end-point`` application data for a server certificate."""
    from cryptography import x509  # only over HTTPS: loading it costs every other command 20-40 ms
    from cryptography.hazmat.primitives import hashes

    algorithm: hashes.HashAlgorithm | None
    try:
        algorithm = x509.load_der_x509_certificate(certificate_der).signature_hash_algorithm
    except Exception:  # noqa: BLE001 - an unparseable or exotic certificate: fall back to SHA-256
        algorithm = None
    name = algorithm.name if algorithm is not None else "sha256"
    if name in ("md5", "sha1"):
        name = "sha256"
    try:
        digest = hashlib.new(name, certificate_der).digest()
    except ValueError:
        digest = hashlib.sha256(certificate_der).digest()
    return b"tls-server-end-point:" + digest
