"""A host's status as the hosts pane shows it, and the words for it.

The refresh scheduler decides the status from what the domain layer raised (an error's
:class:`~hvtui.hyperv.errors.Problem`), never from message text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from hvtui.hyperv.errors import Problem
from hvtui.hyperv.trust import CertificateInfo


class HostStatus(Enum):
    CONNECTING = "connecting"
    OK = "ok"
    REFRESHING = "refreshing"
    AUTH_NEEDED = "auth needed"
    UNREACHABLE = "unreachable"
    TLS_UNTRUSTED = "TLS not trusted"
    ERROR = "error"
    INVALID = "invalid URI"

    @property
    def healthy(self) -> bool:
        return self in (HostStatus.OK, HostStatus.REFRESHING)

    @property
    def style(self) -> str:
        """The style class of the status: ok, busy, warning or error."""
        if self in (HostStatus.OK,):
            return "ok"
        if self in (HostStatus.CONNECTING, HostStatus.REFRESHING):
            return "busy"
        if self is HostStatus.AUTH_NEEDED:
            return "warning"
        return "error"


def status_for(problem: Problem) -> HostStatus:
    """The status a failed refresh leaves the host in."""
    if problem is Problem.AUTH:
        return HostStatus.AUTH_NEEDED
    if problem is Problem.UNREACHABLE:
        return HostStatus.UNREACHABLE
    if problem is Problem.TLS:
        return HostStatus.TLS_UNTRUSTED
    return HostStatus.ERROR


def wait_text(seconds: float) -> str:
    """ "45 s", "3 min": how long until something, rounded up so it never reads as past."""
    if seconds < 90:
        return f"{max(0, math.ceil(seconds))} s"
    return f"{math.ceil(seconds / 60)} min"


@dataclass(frozen=True)
class StatusReport:
    """What the scheduler says about one host.

    ``status`` is the outcome of the last refresh (it stays put while the next one runs, so a
    slow host's row does not flicker); ``error`` why it failed; ``activity`` what a refresh
    that takes long is doing ("no answer for 13 s", "reading for 8 s, 2.1 MB");
    ``retry_in``/``retry_at`` when a failing host is tried again (``retry_at`` on the
    monotonic clock); ``certificate`` the certificate an untrusted HTTPS host showed.
    """

    status: HostStatus
    error: str | None = None
    retry_in: float | None = None  # seconds until the next attempt, while backing off
    activity: str | None = None
    retry_at: float | None = None
    certificate: CertificateInfo | None = None

    @property
    def failing(self) -> bool:
        """Not answering as it should: counted as "not ok", also while it is being retried."""
        return not self.status.healthy and self.status is not HostStatus.CONNECTING

    def text(self) -> str:
        """One line: the status, why (when not ok), and what a long refresh is doing."""
        text = self.status.value
        if self.error and self.status is not HostStatus.OK:
            text = f"{text}: {self.error}"
        if self.activity:
            text = f"{text} · {self.activity}"
        return text
