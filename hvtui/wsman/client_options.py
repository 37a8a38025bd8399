"""How a client talks to one host: authentication, TLS, time and size limits.

Defaults follow what a stock Windows host accepts: MaxEnvelopeSize 512000 (the service's
``MaxEnvelopeSizekb`` is 500), OperationTimeout 60 s (its ``MaxTimeoutms``), and an HTTP
read timeout above OperationTimeout plus WinRM's 5 s network delay, so a slow but
legitimate WMI query is not cut off by the client first. ``total_timeout`` bounds one
request from start to end, whatever it takes: authentication legs, a resend after a reset,
and the pauses and further tries of a read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from hvtui.wsman.certificate import parse_pin
from hvtui.wsman.errors import ConfigurationError

AuthMode = Literal["auto", "ntlm", "basic", "kerberos"]
AUTH_MODES: tuple[str, ...] = ("auto", "ntlm", "basic", "kerberos")

#: WinRM refuses a MaxEnvelopeSize below this with w:EncodingLimit.
MIN_ENVELOPE_SIZE = 8192
#: Connections to one host at most: WinRM's MaxConnections is per service, shared by every client.
MAX_CONNECTIONS = 8
#: WinRM caps MaxElements at MaxBatchItems, 32000 by default.
MAX_BATCH_ITEMS = 32000


@dataclass(frozen=True)
class ClientOptions:
    """Per-host settings; every number is validated so a typo fails early with a clear message."""

    auth: AuthMode = "auto"
    #: Kerberos service principal ``SERVICE/host``; None: ``HTTP/<the endpoint's host>``.
    spn: str | None = None
    verify: bool = True
    ca_file: str | None = None
    #: The SHA-256 pin of the one certificate accepted for this host (replaces the CA chain and
    #: the host name check); any spelling :func:`~hvtui.wsman.certificate.parse_pin` reads.
    tls_pin: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 70.0
    #: One request, start to end: every round trip of it (authentication legs, a resend, the
    #: tries of a read and the pauses between them); a host that drips is cut off here.
    total_timeout: float = 120.0
    #: Further tries of a read after a passing failure (a 503, a reset...), within
    #: total_timeout; 0 (the default): each failure is reported as it comes. Invokes are
    #: never tried again, whatever this says (see hvtui.wsman.retry).
    read_retries: int = 0
    max_envelope_size: int = 512000
    operation_timeout: float = 60.0
    locale: str = "en-US"
    #: Largest reply body accepted, counted while streaming; default 4 x max_envelope_size.
    max_reply_bytes: int | None = None
    #: Items asked for per Enumerate/Pull (WinRM caps it at MaxBatchItems, 32000). None sends no
    #: MaxElements at all, so the host returns one item per Pull, as openwsman-based clients
    #: (libvirt) get: only useful to measure that way of working against this one.
    max_elements: int | None = 512
    #: Bounds of one enumeration; a host that never ends one gets a LimitError. Items and
    #: bytes together cap what an enumeration can hold in memory (some tens of MB): a
    #: 10,000-VM host's largest enumeration is a fifth of either.
    max_pages: int = 20000
    max_items: int = 50000
    max_enumeration_bytes: int = 32 * 1024 * 1024
    #: Basic over plain HTTP sends the password readable; only when the user chose both.
    allow_basic_over_http: bool = False
    #: Connections a client may open to its host when requests are made concurrently (each
    #: authenticated on its own); requests made one after another use one. See hvtui.wsman.pool.
    connections: int = 1
    user_agent: str = "hvtui"
    extra_headers: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.tls_pin is not None:
            try:
                object.__setattr__(self, "tls_pin", parse_pin(self.tls_pin))
            except ValueError as exc:
                raise ConfigurationError(str(exc)) from None
        if self.auth not in AUTH_MODES:
            raise ConfigurationError(f"auth {self.auth!r} is not known: use auto, ntlm, basic or kerberos")
        if self.spn is not None:
            service, slash, host = self.spn.partition("/")
            if not service or not slash or not host or "/" in host or "@" in host:
                raise ConfigurationError(f"spn {self.spn!r} is not SERVICE/host, e.g. HTTP/hv01.corp.example")
        for name in ("connect_timeout", "read_timeout", "total_timeout", "operation_timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.read_timeout <= self.operation_timeout:
            raise ConfigurationError(
                f"read_timeout ({self.read_timeout:g}s) must be longer than operation_timeout "
                f"({self.operation_timeout:g}s): the host may take that long to answer"
            )
        if not isinstance(self.max_envelope_size, int) or self.max_envelope_size < MIN_ENVELOPE_SIZE:
            raise ConfigurationError(
                f"max_envelope_size must be at least {MIN_ENVELOPE_SIZE} bytes, not "
                f"{self.max_envelope_size!r}"
            )
        if self.max_reply_bytes is not None and (
            not isinstance(self.max_reply_bytes, int) or self.max_reply_bytes < self.max_envelope_size
        ):
            raise ConfigurationError(
                f"max_reply_bytes ({self.max_reply_bytes!r}) must be at least max_envelope_size "
                f"({self.max_envelope_size})"
            )
        if self.max_elements is not None and (
            not isinstance(self.max_elements, int) or not 1 <= self.max_elements <= MAX_BATCH_ITEMS
        ):
            raise ConfigurationError(
                f"max_elements must be between 1 and {MAX_BATCH_ITEMS}, not {self.max_elements!r}"
            )
        if not isinstance(self.read_retries, int) or self.read_retries < 0:
            raise ConfigurationError(
                f"read_retries must be a whole number, 0 or more, not {self.read_retries!r}"
            )
        if not isinstance(self.connections, int) or not 1 <= self.connections <= MAX_CONNECTIONS:
            raise ConfigurationError(
                f"connections must be between 1 and {MAX_CONNECTIONS}, not {self.connections!r}"
            )
        for name in ("max_pages", "max_items", "max_enumeration_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name} must be a positive whole number, not {value!r}")
        if not self.locale or any(c in self.locale for c in "<>&\"'"):
            raise ConfigurationError(f"locale {self.locale!r} is not a language tag such as en-US")

    @property
    def reply_limit(self) -> int:
        """The effective reply size cap in bytes."""
        return self.max_reply_bytes if self.max_reply_bytes is not None else 4 * self.max_envelope_size
