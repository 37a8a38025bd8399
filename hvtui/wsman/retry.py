"""When a request may go out again: the one place these rules live.

* A connection that broke before any reply: sent again at once, on a fresh connection, if
  the request is idempotent (Identify, Get, Enumerate, Release) or if nothing the host
  could run had left yet (the connection was never made, or only an authentication leg
  was lost). An Invoke that may have reached the host is never resent.
* A 401 on a connection we had authenticated: the host dropped the connection and its
  session with it, and ran nothing; authenticate again and send once more, whatever the
  request is.
* A read that met a passing failure (HTTP 503, a plain HTTP 500 that is no SOAP fault,
  WinRM's QuotaLimit fault, a refused or broken connection, a read timeout) is tried again
  after a pause -- 0.1 s, doubling up to 1 s, each jittered so that many clients do not
  come back at once -- while its time (``total_timeout``) lasts and ``read_retries`` allow.
  Identify, Get and Enumerate are reads; a Pull is one only when the host surely ran
  nothing (a 503, QuotaLimit, a connection lost before the request left), because running
  it moves the enumeration on. An Invoke is never tried again, even after a 503, nor
  anything after a refusal of credentials, a TLS failure or a reply that makes no sense.
* A Pull that failed otherwise (its context expired, or the host may have run it) starts
  the enumeration again from its Enumerate, once, when nothing was handed to the caller
  yet (see :mod:`hvtui.wsman.enumeration`).
"""

from __future__ import annotations

import random
from enum import Enum

from hvtui import namespaces as ns
from hvtui.wsman.deadline import Deadline
from hvtui.wsman.errors import (
    AuthenticationError,
    FaultError,
    ProtocolError,
    TimeoutExpired,
    TLSError,
    TransportError,
    WSManError,
)
from hvtui.wsman.faults import subcode_is
from hvtui.wsman.http_errors import BrokenBeforeReply
from hvtui.wsman.replies import is_xml_media

#: The first pause before a read goes out again; each next one is twice as long, up to the last.
FIRST_PAUSE = 0.1
LONGEST_PAUSE = 1.0
#: Time a try needs at the least: with less left, the failure is reported as it is.
SHORTEST_TRY = 0.1


class SessionLost(Exception):
    """A 401 on an authenticated connection; ``refusal`` is the error if no resend is left."""

    def __init__(self, refusal: AuthenticationError) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class Resends:
    """The immediate resends one exchange has left; ask it each time something went wrong."""

    def __init__(self, *, idempotent: bool) -> None:
        self.idempotent = idempotent
        self._after_break = False
        self._after_lost_session = False

    def after_break(self, broken: BrokenBeforeReply) -> bool:
        if self._after_break or (broken.request_sent and not self.idempotent):
            return False
        self._after_break = True
        return True

    def after_lost_session(self) -> bool:
        if self._after_lost_session:
            return False
        self._after_lost_session = True
        return True


class Repeat(Enum):
    """Whether a request may be tried again after a passing failure."""

    NEVER = "never"  # Invoke; Release (best effort)
    IF_NOT_RUN = "if-not-run"  # Pull: running it twice would skip a page
    READ = "read"  # Identify, Get, Enumerate: reading again changes nothing


def passing(error: WSManError) -> bool:
    """A failure that may well not happen again a moment later."""
    if isinstance(error, TLSError):
        return False
    if isinstance(error, TimeoutExpired):
        # A connect timeout means a host that is down or filtered: waiting again only hides it.
        return error.limit == "read_timeout"
    if isinstance(error, TransportError):
        return True  # refused, reset, broken mid-reply, a name not resolved this time
    if isinstance(error, FaultError):
        return subcode_is(error, ns.WSMAN, "QuotaLimit")
    if isinstance(error, ProtocolError):
        # HTTP.sys and IIS answer 503, or a plain 500, when the service behind them is busy
        # or restarting; a 500 that is a SOAP fault is WinRM's own answer, and stays.
        return error.status == 503 or (error.status == 500 and not is_xml_media(error.content_type))
    return False


def ran_nothing(error: WSManError) -> bool:
    """The host surely carried out nothing of the request."""
    if isinstance(error, TimeoutExpired):
        return False
    if isinstance(error, TransportError):
        return not error.maybe_processed
    if isinstance(error, FaultError):
        return subcode_is(error, ns.WSMAN, "QuotaLimit")  # refused before it was run
    if isinstance(error, ProtocolError):
        return error.status == 503
    return False


def restart_cures(error: WSManError) -> bool:
    """A failed Pull that starting its enumeration again from Enumerate may get past."""
    if isinstance(error, FaultError) and subcode_is(error, ns.ENUMERATION, "InvalidEnumerationContext"):
        return True
    return passing(error) and not isinstance(error, TimeoutExpired)


class Tries:
    """The tries one request has left after passing failures; ask it after each failure."""

    def __init__(self, repeat: Repeat, deadline: Deadline, retries: int) -> None:
        self.repeat = repeat
        self.deadline = deadline
        self.retries = retries
        self.used = 0

    def pause_after(self, error: WSManError) -> float | None:
        """Seconds to wait before trying again, or None: report ``error`` now."""
        if self.repeat is Repeat.NEVER or self.used >= self.retries or not passing(error):
            return None
        if self.repeat is Repeat.IF_NOT_RUN and not ran_nothing(error):
            return None
        step = min(LONGEST_PAUSE, FIRST_PAUSE * 2.0**self.used)
        pause = step * random.uniform(0.5, 1.0)
        if self.deadline.remaining() - pause < SHORTEST_TRY:
            return None
        self.used += 1
        return pause
