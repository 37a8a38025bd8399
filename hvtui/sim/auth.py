"""Authentication as WinRM does it: Basic, and NTLM or Kerberos through Negotiate, with message encryption.

NTLM uses pyspnego's acceptor, which reads accounts from the file named by ``NTLM_USER_FILE``
(``DOMAIN:USER:PASSWORD`` lines, domain matched exactly). Each host keeps a private
:class:`UserFile` listing its one account under every domain form Windows accepts for a local
account ('', '.', the host name in its cases). Kerberos uses pyspnego's GSSAPI acceptor with the
host's keytab, named by ``KRB5_KTNAME``; the realm's KDC vouches for the user, so any principal
with a ticket for the host's service is let in, as on a domain member. Both variables are set,
under a process-wide lock, only while a context of that file is created or stepped, so hosts with
different accounts and keytabs can share a process. Passwords never leave this module except into
that 0600 file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import struct
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import spnego
import spnego.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from spnego.channel_bindings import GssChannelBindings

from hvtui import namespaces as ns

_ENV_LOCK = threading.Lock()
BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_CONTENT_TYPE = (
    f'multipart/encrypted;protocol="{ns.SPNEGO_ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
)
# The mechanisms that each Authorization scheme may carry.
SCHEME_MECHS = {"negotiate": frozenset({"ntlm", "kerberos"}), "ntlm": frozenset({"ntlm"}),
                "kerberos": frozenset({"kerberos"})}  # fmt: skip
_LENGTH = re.compile(
    rb"OriginalContent:\s*type=[^;\r\n]*(?:;\s*charset=[^;\r\n]*)?;\s*Length=(\d+)", re.IGNORECASE
)


class AuthFailed(Exception):
    """Credentials or a token were refused: the reply is 401."""


class UserFile:
    """A private (0600) file of ``DOMAIN:USER:PASSWORD`` lines, as pyspnego's NTLM acceptor reads them.

    ``keytab``, when given, is the service keytab the Kerberos acceptor reads while the file is active.
    """

    def __init__(self, keytab: str | Path | None = None) -> None:
        fd, path = tempfile.mkstemp(prefix="hvtui-sim-ntlm-", text=True)
        os.close(fd)
        self.path = Path(path)
        self.path.chmod(0o600)
        self.keytab = Path(keytab).resolve() if keytab else None

    def write(self, accounts: Iterable[tuple[str, str, str]]) -> None:
        """Replace the file's accounts with these (domain, user, password) triples."""
        lines = [f"{domain}:{user}:{password}" for domain, user, password in accounts]
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """``NTLM_USER_FILE`` (and ``KRB5_KTNAME``) name these files while the block runs (one at a time)."""
        values = {"NTLM_USER_FILE": str(self.path)}
        if self.keytab is not None:
            values["KRB5_KTNAME"] = f"FILE:{self.keytab}"
        with _ENV_LOCK:
            old = {name: os.environ.get(name) for name in values}
            os.environ.update(values)
            try:
                yield
            finally:
                for name, value in old.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value


class Accounts:
    """The host's one account, for Basic checks and pyspnego's NTLM acceptor, and its keytab."""

    def __init__(self, host_name: str, user: str, password: str, keytab: str | Path | None = None) -> None:
        self.host_name = host_name
        self.user = user
        self._password = password
        self.user_file = UserFile(keytab)
        self._write()

    def __repr__(self) -> str:
        return f"Accounts(host={self.host_name!r}, user={self.user!r})"

    @property
    def password(self) -> str:
        return self._password

    def set_password(self, password: str) -> None:
        self._password = password
        self._write()

    def _domains(self) -> list[str]:
        name = self.host_name
        return list(dict.fromkeys(["", ".", name, name.upper(), name.lower()]))

    def _write(self) -> None:
        self.user_file.write((d, self.user, self._password) for d in self._domains())

    def close(self) -> None:
        self.user_file.close()

    def check_basic(self, header_value: str) -> str:
        """The user name of a valid ``Basic`` credential, else AuthFailed."""
        try:
            raw = base64.b64decode(header_value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthFailed("bad Basic credential") from None
        user, sep, password = raw.partition(":")
        if not sep:
            raise AuthFailed("bad Basic credential")
        domain, _, name = user.rpartition("\\")
        if "@" in name and not domain:
            name, _, domain = name.partition("@")
        if domain and domain.lower() not in (d.lower() for d in self._domains()):
            raise AuthFailed("unknown domain")
        if name.lower() != self.user.lower() or password != self._password:
            raise AuthFailed("wrong user or password")
        return name


def tls_server_end_point(cert_pem: bytes) -> bytes:
    """Channel binding data of a TLS certificate (RFC 5929), what WinRM checks a client's token against.

    The hash is the certificate's signature hash, SHA-256 in place of MD5 and SHA-1.
    """
    cert = x509.load_pem_x509_certificate(cert_pem)
    algorithm = cert.signature_hash_algorithm
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    return b"tls-server-end-point:" + cert.fingerprint(algorithm)


class NegotiateSession:
    """One connection's context: NTLM or Kerberos, raw or SPNEGO-wrapped, as ``scheme`` allows.

    ``scheme`` is the Authorization scheme the client used (negotiate, ntlm, kerberos); replies
    carry tokens under the same name and encrypted bodies name the matching protocol.
    ``mechs`` are the mechanisms the host offers; a client that picks another one is refused.
    ``channel_bindings``, when given, must match the client's (TLS channel binding enforced);
    with ``bind_ntlm=False`` they are checked only against Kerberos tokens, as WinRM's default
    CbtHardeningLevel Relaxed does for clients that send none: pyspnego's NTLM acceptor would
    refuse an NTLM client that sends no binding at all.
    """

    def __init__(
        self,
        users: UserFile,
        channel_bindings: GssChannelBindings | None = None,
        *,
        scheme: str = "negotiate",
        mechs: frozenset[str] = frozenset({"ntlm"}),
        bind_ntlm: bool = True,
    ) -> None:
        self._users = users
        self._bindings = channel_bindings
        self._bind_ntlm = bind_ntlm
        self.scheme = scheme
        self.mechs = mechs & SCHEME_MECHS.get(scheme, frozenset())
        self._ctx: spnego.ContextProxy | None = None
        self.complete = False

    def _context(self, first_token: bytes) -> spnego.ContextProxy:
        """The acceptor, made for the first token (whether NTLM is bound depends on it)."""
        bindings = self._bindings
        if not self._bind_ntlm and b"NTLMSSP\x00" in first_token:
            bindings = None
        with self._users.active():
            return spnego.server(
                protocol="kerberos" if self.scheme == "kerberos" else "negotiate", channel_bindings=bindings
            )

    def step(self, token_b64: str) -> bytes | None:
        """Step with a client token; returns the token to send back. AuthFailed when refused."""
        try:
            token = base64.b64decode(token_b64.strip(), validate=True)
        except binascii.Error:
            raise AuthFailed("bad Negotiate token") from None
        if not token:
            raise AuthFailed("empty Negotiate token")
        try:
            ctx = self._ctx = self._ctx or self._context(token)
            with self._users.active():
                out = ctx.step(token)
            mech = ctx.negotiated_protocol
        # AttributeError: pyspnego reads the flags of a GSSAPI context that a bad ticket left unstarted.
        except (spnego.exceptions.SpnegoError, ValueError, KeyError, AttributeError, struct.error) as exc:
            raise AuthFailed(type(exc).__name__) from None
        if mech is not None and mech not in self.mechs:
            raise AuthFailed(f"{mech} is not offered")
        self.complete = bool(ctx.complete)
        return out

    @property
    def _established(self) -> spnego.ContextProxy:
        if self._ctx is None or not self.complete:
            raise AuthFailed("no established context")
        return self._ctx

    @property
    def header_name(self) -> str:
        """The scheme as WinRM spells it in WWW-Authenticate."""
        return "Kerberos" if self.scheme == "kerberos" else "Negotiate"

    @property
    def content_type(self) -> str:
        """Content-Type of an encrypted reply (MS-WSMV 2.2.9.1.1): Kerberos names its own protocol."""
        return f'multipart/encrypted;protocol="{self._protocol}";boundary="Encrypted Boundary"'

    @property
    def _protocol(self) -> str:
        if self.scheme == "kerberos":
            return ns.KERBEROS_ENCRYPTED_PROTOCOL
        return ns.SPNEGO_ENCRYPTED_PROTOCOL

    @property
    def user(self) -> str:
        """The authenticated user's name without its domain ('' if the acceptor does not say)."""
        principal = getattr(self._ctx, "client_principal", None) or ""
        return principal.rpartition("\\")[2]

    def unwrap(self, body: bytes) -> bytes:
        """Decrypt a ``multipart/encrypted`` request body (MS-WSMV 2.2.9.1)."""
        m = _LENGTH.search(body)
        marker = b"application/octet-stream\r\n"
        start = body.find(marker)
        end = body.rfind(BOUNDARY + b"--")
        if m is None or start < 0 or end < 0:
            raise AuthFailed("bad encrypted body")
        data = body[start + len(marker) : end]
        if len(data) < 4:
            raise AuthFailed("bad encrypted body")
        sig_len = struct.unpack("<I", data[:4])[0]
        header, sealed = data[4 : 4 + sig_len], data[4 + sig_len :]
        try:
            plain = self._established.unwrap_winrm(header, sealed)
        except (spnego.exceptions.SpnegoError, ValueError, struct.error):
            raise AuthFailed("cannot decrypt the body") from None
        if len(plain) != int(m.group(1)):
            raise AuthFailed("encrypted body length mismatch")
        return plain

    def wrap(self, plain: bytes) -> bytes:
        w = self._established.wrap_winrm(plain)
        length = len(plain) + w.padding_length
        return (
            BOUNDARY
            + f"\r\n\tContent-Type: {self._protocol}\r\n".encode()
            + f"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length={length}\r\n".encode()
            + BOUNDARY
            + b"\r\n\tContent-Type: application/octet-stream\r\n"
            + struct.pack("<I", len(w.header))
            + w.header
            + w.data
            + BOUNDARY
            + b"--\r\n"
        )
