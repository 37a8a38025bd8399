"""A host's status as the hosts pane shows it, and the words for it.

The refresh scheduler decides the status from what the domain layer raised (an error's
:class:`~hvtui.hyperv.errors.Problem`), never from message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hvtui.hyperv.errors import Problem


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


@dataclass(frozen=True)
class StatusReport:
    """What the scheduler says about one host: its status, and the last error if any."""

    status: HostStatus
    error: str | None = None
    retry_in: float | None = None  # seconds until the next attempt, while backing off

    def text(self) -> str:
        if self.error and self.status is not HostStatus.OK:
            return f"{self.status.value}: {self.error}"
        return self.status.value
