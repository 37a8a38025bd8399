"""What the virtual system management service serves: itself, its jobs and the VMs' summaries.

Msvm_VirtualSystemManagementService, the Msvm_ConcreteJob of every state change or Modify call,
and the Msvm_SummaryInformation values GetSummaryInformation picks from by RequestedInformation
code. Jobs live in the model; this module words them as CIM instances.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hvtui.sim.devices import hardware_of
from hvtui.sim.elements import enabled_ok
from hvtui.sim.inventory import RUNNING
from hvtui.sim.jobs import Job
from hvtui.sim.model import HostModel


def job_values(m: HostModel, job: Job, now: float) -> dict[str, Any]:
    state, pct = job.state_at(now)
    end = min(now, job.submitted + job.duration)
    finished = state in (7, 10)
    return {
        "InstanceID": job.instance_id,
        "Caption": job.caption,
        "Description": job.caption,
        "ElementName": job.caption,
        "Name": job.caption,
        "OperationalStatus": [2] if not job.fail or not finished else [6],
        "StatusDescriptions": ["Job is running"] if not finished else ["Job failed"] if job.fail else ["OK"],
        "Status": "OK" if not (finished and job.fail) else "Error",
        "HealthState": 5,
        "JobStatus": "Job is running"
        if not finished
        else ("Job failed" if job.fail else "Job completed successfully"),
        "TimeSubmitted": m.clock.wall(job.submitted),
        "StartTime": m.clock.wall(job.submitted),
        "ElapsedTime": timedelta(seconds=max(0.0, end - job.submitted)),
        "JobRunTimes": 1,
        "LocalOrUtcTime": 2,
        "Priority": 0,
        "PercentComplete": pct,
        "DeleteOnCompletion": True,
        "ErrorCode": job.error_code if finished else 0,
        "ErrorDescription": job.error_description if finished and job.fail else None,
        "ErrorSummaryDescription": job.error_description if finished and job.fail else None,
        "JobState": state,
        "TimeOfLastStateChange": m.clock.wall(end),
        "TimeBeforeRemoval": timedelta(minutes=5),
        "Cancellable": job.kind not in ("modify", "discard"),
        "JobType": {"shutdown": 11, "modify": 2}.get(job.kind, 1),
        "RecoveryAction": 2,
        "Owner": "Administrator",
    }


def jobs(m: HostModel) -> Iterator[dict[str, Any]]:
    now = m.now()
    for job in list(m.jobs.values()):
        yield job_values(m, job, now)


def management_services(m: HostModel) -> Iterator[dict[str, Any]]:
    yield {
        "Caption": "Hyper-V Virtual Machine Management Service",
        "Description": "Service for managing virtual machines",
        "ElementName": "Msvm_VirtualSystemManagementService",
        "Name": "vmms",
        **enabled_ok(),
        "TransitioningToState": 5,
        "SystemCreationClassName": "Msvm_ComputerSystem",
        "SystemName": m.spec.name,
        "CreationClassName": "Msvm_VirtualSystemManagementService",
        "StartMode": "Automatic",
        "Started": True,
    }


def summary_values(m: HostModel, vm: Any, now: float) -> dict[str, Any]:
    """Every Msvm_SummaryInformation value of a VM (GetSummaryInformation picks from these)."""
    s = vm.spec
    load = m.cpu_load(vm, now)
    assigned = m.assigned_memory_mb(vm, now)
    demand = m.memory_demand_mb(vm, now)
    running = vm.state == RUNNING
    hardware = hardware_of(m)[s.guid]
    history = [
        max(0, min(100, load + ((i * 7 + s.load_seed) % 11) - 5)) if running else 0 for i in range(100)
    ]
    return {
        "InstanceID": f"Microsoft:{s.guid}",
        "AllocatedGPU": None,
        "Shielded": False,
        "CreationTime": s.created,
        "ElementName": s.name,
        "EnabledState": m.reported_state(vm),
        "OtherEnabledState": None,
        "GuestOperatingSystem": hardware.guest.os_name
        if running and s.shutdown_service and hardware.guest
        else None,
        "HealthState": 5,
        "Heartbeat": m.heartbeat(vm),
        "MemoryUsage": assigned,
        "MemoryAvailable": int(100 * (assigned - demand) / assigned)
        if assigned and s.dynamic
        else (0 if assigned else None),
        "AvailableMemoryBuffer": int(100 * (assigned - demand) / demand)
        if demand and s.dynamic
        else (0 if assigned else None),
        "SwapFilesInUse": False,
        "Name": s.guid,
        "Notes": s.notes,
        "Version": s.version,
        "NumberOfProcessors": s.vcpus,
        "OperationalStatus": [2],
        "ProcessorLoad": load,
        "ProcessorLoadHistory": history,
        "StatusDescriptions": ["Operating normally"],
        "UpTime": m.uptime_ms(vm, now),
        "ReplicationState": 0,
        "ReplicationStateEx": [0],
        "ReplicationHealth": 0,
        "ReplicationHealthEx": [0],
        "ReplicationMode": 0,
        "ApplicationHealth": 2 if running else None,
        "IntegrationServicesVersionState": 1 if s.shutdown_service else 0,
        "MemorySpansPhysicalNumaNodes": False,
        "EnhancedSessionModeState": 2 if running and s.generation == 2 else 3,
        "VirtualSwitchNames": sorted({nic.switch for nic in hardware.nics or [] if nic.switch}),
        "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{s.generation}",
        "HostComputerSystemName": m.spec.name,
    }


# RequestedInformation code → Msvm_SummaryInformation property.
SUMMARY_CODES: dict[int, str] = {
    0: "Name",
    1: "ElementName",
    2: "CreationTime",
    3: "Notes",
    4: "NumberOfProcessors",
    5: "ThumbnailImage",
    6: "ThumbnailImage",
    7: "ThumbnailImage",
    8: "AllocatedGPU",
    9: "VirtualSwitchNames",
    10: "Version",
    11: "Shielded",
    12: "VirtualSystemSubType",
    13: "HostComputerSystemName",
    100: "EnabledState",
    101: "ProcessorLoad",
    102: "ProcessorLoadHistory",
    103: "MemoryUsage",
    104: "Heartbeat",
    105: "UpTime",
    106: "GuestOperatingSystem",
    107: "Snapshots",
    108: "AsynchronousTasks",
    109: "HealthState",
    110: "OperationalStatus",
    111: "StatusDescriptions",
    112: "MemoryAvailable",
    113: "AvailableMemoryBuffer",
    114: "ReplicationState",
    115: "ReplicationHealth",
    116: "ReplicationMode",
    117: "ApplicationHealth",
    118: "ReplicationStateEx",
    119: "ReplicationHealthEx",
    120: "SwapFilesInUse",
    121: "IntegrationServicesVersionState",
    122: "ReplicationProviderId",
    123: "MemorySpansPhysicalNumaNodes",
}
