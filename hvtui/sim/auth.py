"""Authentication as WinRM does it: Basic, and NTLM through ``Negotiate`` with message encryption.

NTLM uses pyspnego's acceptor, which reads accounts from the file named by ``NTLM_USER_FILE``
(``DOMAIN:USER:PASSWORD`` lines, domain matched exactly). Each host keeps a private
:class:`UserFile` listing its one account under every domain form Windows accepts for a local
account ('', '.', the host name in its cases); the variable is set, under a process-wide lock,
only while a context of that file is created or stepped, so hosts with different accounts can
share a process. Passwords never leave this module except into that 0600 file.
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
from spnego.channel_bindings import GssChannelBindings

from hvtui import namespaces as ns

_ENV_LOCK = threading.Lock()
BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_CONTENT_TYPE = (
    f'multipart/encrypted;protocol="{ns.SPNEGO_ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
)
_LENGTH = re.compile(
    rb"OriginalContent:\s*type=[^;\r\n]*(?:;\s*charset=[^;\r\n]*)?;\s*Length=(\d+)", re.IGNORECASE
)


class AuthFailed(Exception):
    """Credentials or a token were refused: the reply is 401."""


class UserFile:
    """A private (0600) file of ``DOMAIN:USER:PASSWORD`` lines, as pyspnego's NTLM acceptor reads them."""

    def __init__(self) -> None:
        fd, path = tempfile.mkstemp(prefix="hvtui-sim-ntlm-", text=True)
        os.close(fd)
        self.path = Path(path)
        self.path.chmod(0o600)

    def write(self, accounts: Iterable[tuple[str, str, str]]) -> None:
        """Replace the file's accounts with these (domain, user, password) triples."""
        lines = [f"{domain}:{user}:{password}" for domain, user, password in accounts]
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """``NTLM_USER_FILE`` names this file while the block runs (one block at a time)."""
        with _ENV_LOCK:
            old = os.environ.get("NTLM_USER_FILE")
            os.environ["NTLM_USER_FILE"] = str(self.path)
            try:
                yield
            finally:
                if old is None:
                    os.environ.pop("NTLM_USER_FILE", None)
                else:
                    os.environ["NTLM_USER_FILE"] = old


class Accounts:
    """The host's one account, for Basic checks and pyspnego's NTLM acceptor."""

    def __init__(self, host_name: str, user: str, password: str) -> None:
        self.host_name = host_name
        self.user = user
        self._password = password
        self.user_file = UserFile()
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


class NegotiateSession:
    """One connection's NTLM context (raw NTLMSSP or SPNEGO-wrapped tokens).

    ``channel_bindings``, when given, must match the client's (TLS channel binding enforced).
    """

    def __init__(self, users: UserFile, channel_bindings: GssChannelBindings | None = None) -> None:
        self._users = users
        with users.active():
            self._ctx = spnego.server(protocol="negotiate", channel_bindings=channel_bindings)
        self.complete = False

    def step(self, token_b64: str) -> bytes | None:
        """Step with a client token; returns the token to send back. AuthFailed when refused."""
        try:
            token = base64.b64decode(token_b64.strip(), validate=True)
        except binascii.Error:
            raise AuthFailed("bad Negotiate token") from None
        if not token:
            raise AuthFailed("empty Negotiate token")
        try:
            with self._users.active():
                out = self._ctx.step(token)
        except (spnego.exceptions.SpnegoError, ValueError, KeyError, struct.error) as exc:
            raise AuthFailed(type(exc).__name__) from None
        self.complete = bool(self._ctx.complete)
        return out

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
            plain = self._ctx.unwrap_winrm(header, sealed)
        except (spnego.exceptions.SpnegoError, ValueError, struct.error):
            raise AuthFailed("cannot decrypt the body") from None
        if len(plain) != int(m.group(1)):
            raise AuthFailed("encrypted body length mismatch")
        return plain

    def wrap(self, plain: bytes) -> bytes:
        w = self._ctx.wrap_winrm(plain)
        return (
            BOUNDARY
            + b"\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"
            + f"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length={len(plain)}\r\n".encode()
            + BOUNDARY
            + b"\r\n\tContent-Type: application/octet-stream\r\n"
            + struct.pack("<I", len(w.header))
            + w.header
            + w.data
            + BOUNDARY
            + b"--\r\n"
        )
