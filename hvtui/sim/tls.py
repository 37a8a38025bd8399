"""TLS for the simulator: the given certificate and key, or a self-signed one made at start."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class TLSMaterial:
    context: ssl.SSLContext
    cert_pem: bytes
    fingerprint: str  # SHA-256, colon-separated hex


def fingerprint(cert_pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(cert_pem)
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def self_signed(bind_host: str) -> tuple[bytes, bytes]:
    """A fresh P-256 certificate for 127.0.0.1, ::1, localhost and the bind address."""
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    try:
        addr = ipaddress.ip_address(bind_host)
        if x509.IPAddress(addr) not in names:
            names.append(x509.IPAddress(addr))
    except ValueError:
        if bind_host and x509.DNSName(bind_host) not in names:
            names.append(x509.DNSName(bind_host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hvtui simulated Hyper-V host")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert_pem, key_pem


def server_context(bind_host: str, cert: str | Path | None, key: str | Path | None) -> TLSMaterial:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert and key:
        cert_pem = Path(cert).read_bytes()
        ctx.load_cert_chain(str(cert), str(key))
    else:
        cert_pem, key_pem = self_signed(bind_host)
        with tempfile.TemporaryDirectory(prefix="hvtui-sim-tls-") as tmp:
            cpath, kpath = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
            cpath.write_bytes(cert_pem)
            kpath.touch(mode=0o600)
            kpath.write_bytes(key_pem)
            ctx.load_cert_chain(str(cpath), str(kpath))
    return TLSMaterial(ctx, cert_pem, fingerprint(cert_pem))
