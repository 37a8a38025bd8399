"""What a test reads of a simulated host at one instant: frozen copies, safe to keep across threads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VMView:
    """What a test sees of a VM at one instant."""

    name: str
    guid: str
    enabled_state: int  # as reported (legacy values applied)
    state: int  # the stable state (2, 3, 6, 9) once any transition ends
    requested_state: int
    in_transition: bool
    vcpus: int
    memory_mb: int
    dynamic_memory: bool
    min_memory_mb: int
    max_memory_mb: int
    generation: int
    version: str
    notes: str
    autostart: int
    has_shutdown_service: bool
    uptime_ms: int
    cpu_load: int
    memory_demand_mb: int


@dataclass(frozen=True)
class JobView:
    instance_id: str
    kind: str
    vm_guid: str | None
    job_state: int
    percent_complete: int
    error_code: int
    error_description: str

    @property
    def finished(self) -> bool:
        return self.job_state in (7, 8, 9, 10)


@dataclass
class HostFacts:
    name: str
    release: str
    version: str
    caption: str
    build: str
    product_type: int
    sockets: int
    cores_per_socket: int
    logical_processors: int
    memory_mb: int
    uuid: str
