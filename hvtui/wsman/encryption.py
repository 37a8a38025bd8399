"""WinRM message encryption over HTTP (MS-WSMV 2.2.9.1), for NTLM and Kerberos.

This is what lets hvtui talk to a default Windows host on port 5985 (Basic off,
``AllowUnencrypted=false``): every SOAP body after the NTLM or Kerberos handshake travels
sealed with the session key. A sealed body looks like this::

    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/HTTP-SPNEGO-session-encrypted\\r\\n
    \\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext length>\\r\\n
    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/octet-stream\\r\\n
    <uint32 LE signature length><signature (16 bytes for NTLM)><sealed SOAP>--Encrypted Boundary--\\r\\n

sent with the content type ``multipart/encrypted`` (protocol
``application/HTTP-SPNEGO-session-encrypted``, boundary ``Encrypted Boundary``). A session
authenticated under the ``Kerberos`` scheme names ``application/HTTP-Kerberos-session-encrypted``
instead, in both places, and its signature is the Kerberos wrap token's header.
Replies come back in the same framing and are unsealed (and their signature verified)
the same way. (Above 16 KiB only CredSSP switches to ``multipart/x-multi-encrypted``.)
"""

from __future__ import annotations

import re
import struct

import spnego

from hvtui import namespaces as ns
from hvtui.wsman.errors import ProtocolError

PROTOCOL = ns.SPNEGO_ENCRYPTED_PROTOCOL
KERBEROS_PROTOCOL = ns.KERBEROS_ENCRYPTED_PROTOCOL
BOUNDARY = "Encrypted Boundary"
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="{BOUNDARY}"'
ORIGINAL_TYPE = "application/soap+xml;charset=UTF-8"

_LENGTH = re.compile(rb"Length=(\d+)")
_BOUNDARY_PARAM = re.compile(r'boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def content_type_for(protocol: str) -> str:
    """The Content-Type of a body sealed under ``protocol``."""
    return f'multipart/encrypted;protocol="{protocol}";boundary="{BOUNDARY}"'


def is_encrypted(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";")[0].strip().lower()
    return media in ("multipart/encrypted", "multipart/x-multi-encrypted")


def seal(context: spnego.ContextProxy, plaintext: bytes, protocol: str = PROTOCOL) -> bytes:
    """Seal ``plaintext`` with an established security context into the multipart body."""
    wrapped = context.wrap_winrm(plaintext)
    boundary = BOUNDARY.encode()
    return b"".join(
        (
            b"--" + boundary + b"\r\n",
            b"\tContent-Type: " + protocol.encode() + b"\r\n",
            b"\tOriginalContent: type="
            + ORIGINAL_TYPE.encode()
            + b";Length="
            + str(len(plaintext) + wrapped.padding_length).encode()
            + b"\r\n",
            b"--" + boundary + b"\r\n",
            b"\tContent-Type: application/octet-stream\r\n",
            struct.pack("<I", len(wrapped.header)),
            wrapped.header,
            wrapped.data,
            b"--" + boundary + b"--\r\n",
        )
    )


def unseal(
    context: spnego.ContextProxy,
    body: bytes,
    content_type: str,
    host: str | None = None,
    protocol: str = PROTOCOL,
) -> bytes:
    """Check the framing of a sealed reply and return the verified plaintext."""
    if content_type.split(";", maxsplit=1)[0].strip().lower() != "multipart/encrypted":
        raise ProtocolError(
            f"the host sent an encrypted reply in a framing hvtui does not support ({content_type[:80]})",
            host=host,
            content_type=content_type,
        )
    match = _BOUNDARY_PARAM.search(content_type)
    boundary = (match.group(1) or match.group(2)) if match else BOUNDARY
    marker = b"--" + boundary.encode("latin-1")
    parts = body.split(marker + b"\r\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ProtocolError("the host's encrypted reply is not framed as WinRM frames it: refused", host=host)
    header_part, data_part = parts[1], parts[2]
    length_match = _LENGTH.search(header_part)
    if protocol.encode().lower() not in header_part.lower() or length_match is None:
        raise ProtocolError("the host's encrypted reply lacks its OriginalContent header: refused", host=host)
    expected_length = int(length_match.group(1))
    type_end = data_part.find(b"\r\n")
    end = data_part.rfind(marker + b"--")
    if type_end < 0 or end < 0 or b"application/octet-stream" not in data_part[:type_end].lower():
        raise ProtocolError("the host's encrypted reply is truncated or misframed: refused", host=host)
    payload = data_part[type_end + 2 : end]
    if len(payload) < 4:
        raise ProtocolError("the host's encrypted reply is truncated: refused", host=host)
    (signature_length,) = struct.unpack("<I", payload[:4])
    if signature_length > 1024 or 4 + signature_length > len(payload):
        raise ProtocolError(
            "the host's encrypted reply has an impossible signature length: refused", host=host
        )
    signature = payload[4 : 4 + signature_length]
    sealed = payload[4 + signature_length :]
    try:
        plaintext = context.unwrap_winrm(signature, sealed)
    except Exception:  # noqa: BLE001 - pyspnego raises several types; none may leak key material into our message
        raise ProtocolError(
            "the host's encrypted reply failed its integrity check: refused (tampering, or the session was "
            "reset; retry)",
            host=host,
        ) from None
    if len(plaintext) != expected_length:
        # NTLM and Kerberos' AES add no padding; a mismatch means a broken or tampered reply.
        raise ProtocolError(
            f"the host's encrypted reply says {expected_length} bytes but holds {len(plaintext)}: refused",
            host=host,
        )
    return bytes(plaintext)
