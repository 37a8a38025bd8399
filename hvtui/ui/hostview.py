"""What the UI knows of one host between refreshes: its URI, status, last snapshot, connection.

Pure Python: the hosts pane, the host detail pane and the palette all read it, and tests
build it directly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from hvtui.hyperv.models import Connection, HostSnapshot
from hvtui.hyperv.states import VMState
from hvtui.present.host import short_host_name
from hvtui.ui.hoststatus import HostStatus, StatusReport
from hvtui.uri import ConnectionURI

LOAD_HISTORY = 60  # refreshes of CPU load kept: two minutes at the default interval
_SILENT = frozenset(
    {HostStatus.UNREACHABLE, HostStatus.TLS_UNTRUSTED, HostStatus.ERROR, HostStatus.AUTH_NEEDED}
)


@dataclass
class HostView:
    key: str  # the canonical URI (the raw text for a URI that does not parse)
    uri: ConnectionURI | None
    ca_file: str | None = None
    tls_pin: str | None = None
    from_config: bool = False  # in the config file (else named on the command line, for this run)
    report: StatusReport = field(default_factory=lambda: StatusReport(HostStatus.CONNECTING))
    snapshot: HostSnapshot | None = None
    connection: Connection | None = None
    # VMs by state for the snapshot above: counted once per refresh, off the UI thread.
    state_counts: Mapping[VMState, int] = field(default_factory=dict)
    # The host's CPU load at its last refreshes, oldest first: the host detail's sparkline.
    load_history: deque[int] = field(default_factory=lambda: deque(maxlen=LOAD_HISTORY))

    def take(self, snapshot: HostSnapshot, counts: Mapping[VMState, int]) -> None:
        """A new refresh of this host, with its VMs counted by state off the UI thread."""
        self.snapshot = snapshot
        self.state_counts = counts
        load = snapshot.cpu_load
        if load is not None:
            self.load_history.append(load)

    @property
    def cpu_load(self) -> int | None:
        return self.snapshot.cpu_load if self.snapshot is not None else None

    @classmethod
    def invalid(cls, text: str, error: str) -> HostView:
        return cls(text, None, report=StatusReport(HostStatus.INVALID, error), from_config=True)

    @property
    def status(self) -> HostStatus:
        return self.report.status

    @property
    def name(self) -> str:
        """The host's own name once known, else the name in its URI."""
        if self.snapshot is not None and self.snapshot.facts.hostname not in ("", "?"):
            return self.snapshot.facts.hostname
        if self.uri is not None:
            return self.uri.display_host
        return self.key

    @property
    def short_name(self) -> str:
        name = self.name
        return name if self.snapshot is None else short_host_name(name)

    @property
    def release_short(self) -> str:
        if self.snapshot is None:
            return ""
        short = self.snapshot.facts.release.short
        return "" if short == "?" else short

    @property
    def stale(self) -> bool:
        """Its VMs are known only from a refresh before the host stopped answering."""
        return self.snapshot is not None and self.status in _SILENT

    @property
    def running(self) -> int:
        return self.state_counts.get(VMState.RUNNING, 0)

    @property
    def total(self) -> int:
        return len(self.snapshot.vms) if self.snapshot is not None else 0

    @property
    def tls_verified(self) -> bool | None:
        """True/False for HTTPS with/without certificate checks; None when not HTTPS."""
        if self.uri is None or self.uri.transport != "https":
            return None
        if self.connection is not None:
            return self.connection.tls_verified
        return not self.uri.no_verify or self.tls_pin is not None

    @property
    def tls_trusted(self) -> bool | None:
        """Whether the host's certificate passed its checks: None until known, or when not HTTPS."""
        if self.uri is None or self.uri.transport != "https":
            return None
        if self.status is HostStatus.TLS_UNTRUSTED:
            return False
        # A host asks for a password only once its certificate passed (see the scheduler).
        answered = self.status in (HostStatus.AUTH_NEEDED, HostStatus.OK, HostStatus.REFRESHING)
        return True if self.connection is not None or answered else None
