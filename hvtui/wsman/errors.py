"""One hierarchy for everything that can go wrong talking WS-Management to a host.

Every message is one line that says what happened and what to do about it, because the
UI and the CLI show ``str(error)`` as it is. None of them ever carries a password, a
token or an ``Authorization`` header: the code that raises them never has those at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hvtui.wsman.certificate import CertificateInfo


def one_line(text: str, limit: int = 400) -> str:
    """Collapse whitespace (hosts send wrapped, padded text) and cap the length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class WSManError(Exception):
    """Root of every error this layer raises; ``host`` names the host ("hv01:5986")."""

    def __init__(self, message: str, *, host: str | None = None) -> None:
        super().__init__(one_line(message, 1000))
        self.host = host

    @property
    def message(self) -> str:
        return str(self)


class ConfigurationError(WSManError, ValueError):
    """Options, an endpoint or call arguments that cannot work; raised before anything is sent."""


class ClientClosedError(WSManError):
    """The client was closed; open a new one."""


class TransportError(WSManError):
    """The host could not be reached or the connection broke (refused, DNS, reset, ...).

    ``maybe_processed`` is True when the request may have reached the host before the
    failure: an Invoke that fails that way may or may not have been carried out.
    """

    def __init__(self, message: str, *, host: str | None = None, maybe_processed: bool = False) -> None:
        super().__init__(message, host=host)
        self.maybe_processed = maybe_processed


class TimeoutExpired(TransportError):
    """Connecting, reading, or the whole request took longer than the configured limit.

    ``limit`` names the option that ran out: ``"connect_timeout"``, ``"read_timeout"`` or
    ``"total_timeout"`` (empty when none of them did, e.g. no pooled connection came free).
    """

    def __init__(
        self, message: str, *, host: str | None = None, maybe_processed: bool = False, limit: str = ""
    ) -> None:
        super().__init__(message, host=host, maybe_processed=maybe_processed)
        self.limit = limit


class TLSError(TransportError):
    """The TLS handshake failed, usually because the host's certificate is not trusted.

    ``certificate`` is what the host showed, when known (a pinned host that changed its
    certificate); ``pinned`` says that a pin, not the CA chain, refused it.
    """

    certificate: CertificateInfo | None = None
    pinned: bool = False


class AuthenticationError(WSManError):
    """The host refused our credentials or offers no scheme we may use.

    ``reason`` is one of ``"credentials"`` (user name or password refused), ``"scheme"``
    (the host does not offer what was asked for), ``"insecure"`` (hvtui refused to send a
    readable password over plain HTTP) or ``"handshake"`` (the exchange itself broke).
    ``offered`` lists the schemes the host's 401 named, e.g. ``("Negotiate", "Basic")``.
    """

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        reason: str = "credentials",
        offered: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, host=host)
        self.reason = reason
        self.offered = offered


class ProtocolError(WSManError):
    """The host answered, but not with the WS-Management reply we asked for.

    ``status`` is the HTTP status (0 if none) and ``content_type`` what the reply said it was.
    """

    def __init__(
        self, message: str, *, host: str | None = None, status: int = 0, content_type: str | None = None
    ) -> None:
        super().__init__(message, host=host)
        self.status = status
        self.content_type = content_type


class LimitError(WSManError):
    """A reply or an enumeration exceeded a configured bound (size, depth, pages, items).

    ``status`` is the HTTP status when the host itself refused a request as too large (413).
    """

    def __init__(self, message: str, *, host: str | None = None, status: int = 0) -> None:
        super().__init__(message, host=host)
        self.status = status


class TooManyItems(LimitError):
    """An enumeration brought more items than the caller said it can legitimately have.

    ``limit`` is that bound and ``class_name`` the class enumerated, so that the caller can
    say it in its own words ("more than 1 operating system").
    """

    def __init__(self, message: str, *, host: str | None = None, limit: int, class_name: str) -> None:
        super().__init__(message, host=host)
        self.limit = limit
        self.class_name = class_name


@dataclass(frozen=True)
class ProviderFault:
    """The WMI (or other plugin) detail wrapped in a WinRM fault's ``f:Message``."""

    provider: str | None = None
    path: str | None = None
    text: str = ""
    code: int | None = None
    machine: str | None = None


@dataclass(frozen=True)
class FaultInfo:
    """Everything a SOAP fault from WinRM carries, parsed by namespace, never by prefix.

    ``code`` and ``subcode`` are (namespace URI, local name) pairs, e.g.
    ``(WSMAN, "TimedOut")``; ``subcode_name`` is the conventional short form ``w:TimedOut``.
    """

    code: tuple[str | None, str] | None = None
    subcode: tuple[str | None, str] | None = None
    subcode_name: str | None = None
    reason: str = ""
    wsman_code: int | None = None
    machine: str | None = None
    message: str = ""
    fault_detail: str | None = None
    provider_fault: ProviderFault | None = None
    extended_status: dict[str, Any] | None = None
    wmi_error: dict[str, Any] | None = None
    action: str | None = None
    http_status: int = 0

    @property
    def wmi_error_code(self) -> int | None:
        """``MSFT_WmiError.error_Code`` (an HRESULT such as 2150859173) when present."""
        if not self.wmi_error:
            return None
        value = self.wmi_error.get("error_Code")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def codes(self) -> tuple[int, ...]:
        """Every numeric code the fault carries, most specific first."""
        found: list[int] = []
        if self.provider_fault is not None and self.provider_fault.code is not None:
            found.append(self.provider_fault.code)
        if self.wsman_code is not None:
            found.append(self.wsman_code)
        if self.wmi_error_code is not None:
            found.append(self.wmi_error_code)
        return tuple(dict.fromkeys(found))

    @property
    def text(self) -> str:
        """The most specific human text: the provider's, else the WinRM message, else the reason."""
        for candidate in (
            self.provider_fault.text if self.provider_fault else "",
            self.message,
            (self.wmi_error or {}).get("Message") or "",
            self.reason,
        ):
            if candidate and candidate.strip():
                return one_line(str(candidate), 300)
        return ""


class FaultError(WSManError):
    """The host answered with a SOAP fault; ``fault`` holds every parsed field.

    Convenience attributes mirror the fault: ``subcode`` (namespace, name), ``subcode_name``
    (``w:TimedOut``), ``wsman_code``, ``machine``, ``reason``, ``wmi_error_code``.
    """

    def __init__(self, message: str, fault: FaultInfo, *, host: str | None = None) -> None:
        super().__init__(message, host=host)
        self.fault = fault

    @property
    def subcode(self) -> tuple[str | None, str] | None:
        return self.fault.subcode

    @property
    def subcode_name(self) -> str | None:
        return self.fault.subcode_name

    @property
    def wsman_code(self) -> int | None:
        return self.fault.wsman_code

    @property
    def machine(self) -> str | None:
        return self.fault.machine

    @property
    def reason(self) -> str:
        return self.fault.reason

    @property
    def wmi_error_code(self) -> int | None:
        return self.fault.wmi_error_code
