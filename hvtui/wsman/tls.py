"""TLS for HTTPS hosts: verified by default, explained when it fails.

Certificates are checked against the system store plus an optional per-host CA bundle;
``verify=False`` (the URI's ``no_verify=1``) turns checking off for that host only. The
channel binding token (RFC 5929 tls-server-end-point) ties NTLM to this TLS session, which
hosts with ``CbtHardeningLevel=Strict`` require and ``Relaxed`` hosts accept.
"""

from __future__ import annotations

import hashlib
import ssl

import httpx

from hvtui.wsman.errors import ConfigurationError, TLSError


def ssl_context(verify: bool, ca_file: str | None) -> ssl.SSLContext:
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
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def failure(exc: BaseException, host: str) -> TLSError:
    """A one-line TLSError naming the host, the reason, and how to fix it."""
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
