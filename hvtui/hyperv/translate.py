"""How a protocol error becomes a domain error: one line naming the host, the cause and what to do.

Kept apart from the session so the wording of every failure, and the rule that a method call
which may have run is never advised to be sent again, read in one place.
"""

from __future__ import annotations

import re

from hvtui.hyperv.errors import (
    AuthenticationFailed,
    CertificateNotTrusted,
    ConnectionFailed,
    HostFault,
    HostProtocolError,
    HyperVError,
    Problem,
)
from hvtui.wsman import (
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    FaultError,
    LimitError,
    ProtocolError,
    TLSError,
    TransportError,
    WSManError,
    faults,
)

_NOT_FOUND_CODES = {faults.WSMAN_CANNOT_PROCESS}


def translate(exc: WSManError, what: str, *, invoke: bool, host: str, timeout: float) -> HyperVError:
    """The domain's error for a protocol error met while doing ``what``, in one line that says what to do.

    ``invoke``: the request was a method call, which must never be advised to be sent again when
    the host may have run it.
    """
    if isinstance(exc, AuthenticationError):
        return AuthenticationFailed(str(exc), cause=exc)
    if isinstance(exc, TLSError):
        return CertificateNotTrusted(str(exc), cause=exc)
    if isinstance(exc, TransportError):
        message = str(exc)
        if invoke and exc.maybe_processed:
            message = may_have_run(message)
        return ConnectionFailed(message, cause=exc)
    if isinstance(exc, ClientClosedError):
        return ConnectionFailed(f"{host}: the connection was closed", cause=exc)
    if isinstance(exc, FaultError):
        message = f"{host}: {what} failed: {exc}"
        if exc.subcode_name == "w:TimedOut":
            # Asked to answer a little within the host timeout, the host could not.
            message = f"{host}: {what}: the host could not answer within {timeout:g}s (w:TimedOut)"
        if invoke and exc.subcode_name == "w:TimedOut":
            # WinRM gave up waiting for WMI; the method itself may still have run.
            message = may_have_run(message)
        return HostFault(message, cause=exc)
    if isinstance(exc, ProtocolError | LimitError):
        if exc.status == 503:
            # HTTP.sys answers 503 while the WinRM service is stopped or starting.
            return ConnectionFailed(str(exc), cause=exc)
        message = str(exc) if exc.host else f"{host}: {what}: {exc}"
        if invoke and exc.status not in _NOT_RUN_STATUSES and not 300 <= exc.status < 400:
            # A reply came back, but unreadable: the host did receive the request.
            message = may_have_run(message)
        return HostProtocolError(message, cause=exc)
    if isinstance(exc, ConfigurationError):
        return HyperVError(str(exc), problem=Problem.USAGE, cause=exc)
    return HostProtocolError(f"{host}: {what}: {exc}", cause=exc)


# Statuses with which a host refuses a request before carrying anything out.
_NOT_RUN_STATUSES = {401, 404, 405, 413, 503}
_RETRY_ADVICE = re.compile(r"[:;,]\s*(?:or\s+)?retry(?: later)?\.?$")


def may_have_run(message: str) -> str:
    """An error about a request that may have been carried out: never advise sending it again."""
    return (
        _RETRY_ADVICE.sub("", message.rstrip())
        + "; the request may have reached the host, so check the VM's state before asking again"
    )


def is_not_found(error: HyperVError) -> bool:
    cause = error.cause
    if not isinstance(cause, FaultError):
        return False
    subcode = cause.subcode[1] if cause.subcode else ""
    return subcode == "DestinationUnreachable" or bool(set(cause.fault.codes) & _NOT_FOUND_CODES)
