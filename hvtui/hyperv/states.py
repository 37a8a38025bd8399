"""VM states from ``Msvm_ComputerSystem.EnabledState``, both value sets, and job states.

Windows Server 2012 R2 and later report the DMTF values (6 saved, 9 paused, 10 starting);
libvirt's table still carries the v1 values (32768 paused, 32769 saved), and some hosts and
tools use them. hvtui reads both, and never drops a value it does not know: that becomes
:attr:`VMState.UNKNOWN` with the raw number kept for display ("unknown (7)").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class VMState(Enum):
    """What a VM is doing, as people say it. ``value`` is the lower-case name used in JSON."""

    RUNNING = "running"
    OFF = "off"
    SAVED = "saved"
    PAUSED = "paused"
    STARTING = "starting"
    STOPPING = "stopping"
    SAVING = "saving"
    PAUSING = "pausing"
    RESUMING = "resuming"
    RESETTING = "resetting"
    SNAPSHOTTING = "snapshotting"
    FAST_SAVED = "fast-saved"
    FAST_SAVING = "fast-saving"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


TRANSITIONAL = frozenset(
    {
        VMState.STARTING,
        VMState.STOPPING,
        VMState.SAVING,
        VMState.PAUSING,
        VMState.RESUMING,
        VMState.RESETTING,
        VMState.SNAPSHOTTING,
        VMState.FAST_SAVING,
    }
)
INACTIVE = frozenset({VMState.OFF, VMState.SAVED, VMState.FAST_SAVED, VMState.UNKNOWN})
SAVED_LIKE = frozenset({VMState.SAVED, VMState.FAST_SAVED})

_BY_VALUE: dict[int, VMState] = {
    2: VMState.RUNNING,
    3: VMState.OFF,
    4: VMState.STOPPING,
    6: VMState.SAVED,
    9: VMState.PAUSED,
    10: VMState.STARTING,
    11: VMState.RESETTING,
    # v1 values, still reported by some hosts and used by libvirt's table.
    32768: VMState.PAUSED,
    32769: VMState.SAVED,
    32770: VMState.STARTING,
    32771: VMState.SNAPSHOTTING,
    32773: VMState.SAVING,
    32774: VMState.STOPPING,
    32776: VMState.PAUSING,
    32777: VMState.RESUMING,
    32779: VMState.FAST_SAVED,
    32780: VMState.FAST_SAVING,
}
# 32781..32792: the same states flagged critical (storage lost, for example), in this order.
_CRITICAL_ORDER = (
    VMState.RUNNING,
    VMState.OFF,
    VMState.STOPPING,
    VMState.SAVED,
    VMState.PAUSED,
    VMState.STARTING,
    VMState.RESETTING,
    VMState.SAVING,
    VMState.PAUSING,
    VMState.RESUMING,
    VMState.FAST_SAVED,
    VMState.FAST_SAVING,
)
_CRITICAL_BASE = 32781


@dataclass(frozen=True, slots=True)
class PowerState:
    """A decoded EnabledState: the state, the raw number, and the critical flag."""

    state: VMState
    enabled_state: int | None
    critical: bool = False

    @property
    def label(self) -> str:
        if self.state is VMState.UNKNOWN:
            return f"unknown ({self.enabled_state})" if self.enabled_state is not None else "unknown"
        text = self.state.value.replace("-", " ")
        return f"{text} (critical)" if self.critical else text

    @property
    def is_active(self) -> bool:
        """libvirt's notion: the VM holds resources (running, paused or in transition)."""
        return self.state not in INACTIVE

    @property
    def in_transition(self) -> bool:
        return self.state in TRANSITIONAL


def decode_enabled_state(value: int | None) -> PowerState:
    """Map an EnabledState number (either value set) to a :class:`PowerState`."""
    if value is None:
        return PowerState(VMState.UNKNOWN, None)
    if value in _BY_VALUE:
        return PowerState(_BY_VALUE[value], value)
    index = value - _CRITICAL_BASE
    if 0 <= index < len(_CRITICAL_ORDER):
        return PowerState(_CRITICAL_ORDER[index], value, critical=True)
    return PowerState(VMState.UNKNOWN, value)


class JobState(Enum):
    """``CIM_ConcreteJob.JobState``."""

    NEW = 2
    STARTING = 3
    RUNNING = 4
    SUSPENDED = 5
    SHUTTING_DOWN = 6
    COMPLETED = 7
    TERMINATED = 8
    KILLED = 9
    EXCEPTION = 10
    SERVICE = 11
    COMPLETED_WITH_WARNINGS = 32768
    UNKNOWN = -1

    @classmethod
    def from_value(cls, value: int | None) -> JobState:
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN

    @property
    def finished(self) -> bool:
        return self in _JOB_FINISHED

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


_JOB_FINISHED = frozenset(
    {
        JobState.COMPLETED,
        JobState.TERMINATED,
        JobState.KILLED,
        JobState.EXCEPTION,
        JobState.SERVICE,
        JobState.COMPLETED_WITH_WARNINGS,
    }
)


class Heartbeat(Enum):
    """``Msvm_SummaryInformation.Heartbeat`` (the guest's heartbeat integration service)."""

    OK = 2
    DEGRADED = 3
    ERROR = 6
    NO_CONTACT = 12
    LOST_COMMUNICATION = 13
    PAUSED = 15
    UNKNOWN = -1

    @classmethod
    def from_value(cls, value: int | None) -> Heartbeat | None:
        if value is None:
            return None
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN

    @property
    def label(self) -> str:
        return {
            Heartbeat.OK: "OK",
            Heartbeat.DEGRADED: "degraded",
            Heartbeat.ERROR: "error",
            Heartbeat.NO_CONTACT: "no contact",
            Heartbeat.LOST_COMMUNICATION: "lost communication",
            Heartbeat.PAUSED: "paused",
            Heartbeat.UNKNOWN: "unknown",
        }[self]


def health_label(value: int | None) -> str | None:
    """``HealthState``: 5 OK, 20 Major failure, 25 Critical failure."""
    if value is None:
        return None
    return {
        5: "OK",
        10: "degraded",
        15: "minor failure",
        20: "major failure",
        25: "critical failure",
        30: "non-recoverable",
    }.get(value, f"health {value}")
