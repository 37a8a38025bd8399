"""Immutable models of a Hyper-V host and its VMs: what the UI and the CLI render.

Frozen dataclasses so a snapshot can be handed to another task or thread and compared
field by field (the VM table applies only cells that changed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hvtui.hyperv.states import Heartbeat, JobState, PowerState, VMState, health_label
from hvtui.version import WindowsRelease


@dataclass(frozen=True, slots=True)
class JobProgress:
    """One look at a ``Msvm_ConcreteJob``."""

    instance_id: str
    state: JobState
    percent: int | None = None
    error_code: int | None = None
    error_description: str | None = None
    elapsed: timedelta | None = None
    description: str | None = None

    @property
    def finished(self) -> bool:
        return self.state.finished

    @property
    def succeeded(self) -> bool:
        ok = self.state in (JobState.COMPLETED, JobState.COMPLETED_WITH_WARNINGS)
        return ok and not self.error_code


@dataclass(frozen=True, slots=True)
class VM:
    """One virtual machine as one refresh saw it."""

    host: str  # the canonical URI of its host
    guid: str  # Msvm_ComputerSystem.Name, upper-case
    name: str  # ElementName
    power: PowerState
    id: int | None = None  # ProcessID of vmwp.exe while running: libvirt's domain ID
    vcpus: int | None = None
    memory_mib: int | None = None  # assigned memory
    startup_memory_mib: int | None = None
    maximum_memory_mib: int | None = None
    dynamic_memory: bool | None = None
    memory_available_pct: int | None = None
    memory_buffer_pct: int | None = None
    uptime: timedelta | None = None
    cpu_load: int | None = None  # percent
    heartbeat: Heartbeat | None = None
    health: int | None = None
    generation: int | None = None
    version: str | None = None  # configuration version
    autostart: int | None = None  # AutomaticStartupAction: 2 none, 3 if it was running, 4 always
    notes: str = ""
    guest_os: str | None = None
    created: datetime | None = None
    has_shutdown_service: bool | None = None
    host_job: str | None = None  # a host-side task running on the VM (e.g. "Backing up 40%")
    # What the guest reports (read with the inventory): its addresses, every NIC's, and its name.
    ips: tuple[str, ...] = ()
    fqdn: str | None = None

    @property
    def key(self) -> str:
        """Unique across hosts: the row key shared by the per-host and all-hosts views."""
        return f"{self.host}#{self.guid}"

    @property
    def state(self) -> VMState:
        return self.power.state

    @property
    def enabled_state(self) -> int | None:
        return self.power.enabled_state

    @property
    def health_label(self) -> str | None:
        return health_label(self.health)

    @property
    def memory_demand_mib(self) -> int | None:
        """Estimated from assigned memory and the share the guest reports available."""
        if self.memory_mib is None or self.memory_available_pct is None:
            return None
        available = min(max(self.memory_available_pct, 0), 100)
        return round(self.memory_mib * (100 - available) / 100)

    @property
    def autostart_label(self) -> str | None:
        return {2: "none", 3: "if it was running", 4: "always"}.get(self.autostart or -1)


@dataclass(frozen=True)
class HostFacts:
    """What ``virsh version``, ``hostname``, ``nodeinfo`` and ``freecell`` tell, and more."""

    hostname: str  # DNS host name, qualified with the domain when the host has one
    release: WindowsRelease
    cpu_model: str | None = None
    sockets: int | None = None
    cores: int | None = None  # per socket, as libvirt reports
    threads: int | None = None  # per core
    mhz: int | None = None
    memory_mib: int | None = None
    free_memory_mib: int | None = None
    uuid: str | None = None
    last_boot: datetime | None = None
    uptime: timedelta | None = None
    max_vcpus: int | None = None
    logical_processors: int | None = None

    @property
    def cpus(self) -> int | None:
        """libvirt's nodeinfo "CPU(s)": sockets × cores (it ignores hyper-threads)."""
        if self.sockets is None or self.cores is None:
            return None
        return self.sockets * self.cores


@dataclass(frozen=True, slots=True)
class Connection:
    """How hvtui is connected to one host, as the host pane and ``hvtui info`` show it."""

    uri: str  # the canonical URI
    endpoint: str  # the WS-Man URL requests go to
    transport: str  # "http" or "https"
    auth: str  # the scheme in use once negotiated, else the one the URI asks for
    encrypted: bool  # TLS, or NTLM/Kerberos message encryption over HTTP
    tls_verified: bool  # HTTPS with the certificate checked (against the CA chain, or its pin)
    tls_pin: str | None = None  # the pinned certificate's fingerprint, when a pin checks it


EXTERNAL, INTERNAL, PRIVATE = "external", "internal", "private"


@dataclass(frozen=True, slots=True)
class Switch:
    """A virtual switch of the host: how it reaches the network, and who is connected to it."""

    name: str  # ElementName
    guid: str  # Name
    kind: str  # EXTERNAL, INTERNAL or PRIVATE
    healthy: bool = True
    vms: tuple[str, ...] = ()  # GUIDs of the VMs with a NIC connected to it, sorted


@dataclass(frozen=True, slots=True)
class ReadProgress:
    """How far a read in progress has got: ``items`` of ``what`` so far ("1,200 VMs").

    For a status line to show while a host streams a long reply page by page, where
    "no answer for 13 s" would be wrong.
    """

    what: str
    items: int

    def __str__(self) -> str:
        return f"reading ({self.items:,} {self.what} so far)"


@dataclass(frozen=True)
class HostSnapshot:
    """One refresh of one host: facts plus every VM, taken together."""

    uri: str
    facts: HostFacts
    vms: tuple[VM, ...]
    taken_at: datetime
    round_trips: int = 0
    inventory_refreshed: bool = False
    switches: tuple[Switch, ...] = ()  # read with the inventory
    by_guid: dict[str, VM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_guid", {vm.guid: vm for vm in self.vms})

    def counts(self) -> dict[VMState, int]:
        """VM counts by state, for the host pane and ``hvtui info``."""
        result: dict[VMState, int] = {}
        for vm in self.vms:
            result[vm.state] = result.get(vm.state, 0) + 1
        return result

    @property
    def cpu_load(self) -> int | None:
        """The share of the host's logical processors its running VMs use, in percent.

        From the VMs' own load (ProcessorLoad × virtual processors) in the summary every
        refresh reads anyway: no round trip of its own. It leaves out the management OS's
        share, which Hyper-V's "% Total Run Time" counter would add at the cost of a third
        request per refresh.
        """
        facts = self.facts
        logical = facts.logical_processors or (
            facts.sockets * facts.cores * (facts.threads or 1) if facts.sockets and facts.cores else None
        )
        if not logical:
            return None
        used = sum((vm.cpu_load or 0) * (vm.vcpus or 0) for vm in self.vms if vm.cpu_load is not None)
        return min(100, round(used / logical))


def clean_cpu_model(name: str | None) -> str | None:
    """libvirt's nodeinfo clean-up: drop (R), (C), (TM), the "@ x.yGHz" suffix and double spaces."""
    if not name:
        return None
    text = name
    for mark in ("(R)", "(r)", "(C)", "(c)", "(TM)", "(tm)"):
        text = text.replace(mark, "")
    at = text.find(" @ ")
    if at >= 0:
        text = text[:at]
    return " ".join(text.split()) or None
