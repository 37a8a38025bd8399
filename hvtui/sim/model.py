"""A simulated Hyper-V host's live state: VMs and their transitions, with the jobs they start.

All mutation happens on the simulator's event loop; tests read through the same lock from
other threads (``with model.lock`` is taken by every public accessor). Time is simulated
(:mod:`hvtui.sim.clock`). Transitions and jobs (:mod:`hvtui.sim.jobs`) are settled lazily by
:meth:`HostModel.tick`, called before every request and every read.
"""

from __future__ import annotations

import math
import random
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import ClassVar

from hvtui.sim.clock import Clock
from hvtui.sim.inventory import OFF, PAUSED, RUNNING, SAVED, HostSpec, VMSpec
from hvtui.sim.jobs import JOB_REMOVAL_S, Job, JobRules
from hvtui.sim.views import HostFacts, JobView, VMView

# Transitional EnabledState values (2012 R2+ and v1 alike).
STARTING, STOPPING, SAVING, PAUSING, RESUMING = 10, 4, 32773, 32776, 32777
LEGACY = {PAUSED: 32768, SAVED: 32769}

# Return codes of RequestStateChange / InitiateShutdown / Modify*.
OK, STARTED, FAILED, NOT_SUPPORTED, INVALID_PARAMETER, INVALID_STATE = 0, 4096, 32768, 32770, 32773, 32775

# Simulated durations in seconds (before time_scale).
DURATIONS = {
    "start": 3.0,
    "restore": 2.5,
    "resume": 1.0,
    "turnoff": 1.0,
    "discard": 0.5,
    "save": 4.0,
    "pause": 1.0,
    "reset": 1.0,
    "shutdown": 6.0,
    "modify": 0.5,
}


@dataclass
class Transition:
    shown: int  # transitional EnabledState
    target: int  # stable state at the end
    requested: int  # RequestedState while in progress
    ends: float
    job: Job
    restart_uptime: bool = False


@dataclass
class VM:
    spec: VMSpec
    state: int
    started_at: float | None  # simulated time the current run began (uptime)
    changed_at: float
    transition: Transition | None = None
    pid: int | None = None
    config_changed_at: float = 0.0

    @property
    def guid(self) -> str:
        return self.spec.guid


class HostModel:
    """One host's state. Public read accessors are thread-safe; mutators run on the sim loop."""

    def __init__(self, spec: HostSpec, *, time_scale: float, legacy_states: bool, seed: int) -> None:
        self.lock = threading.RLock()
        self.spec = spec
        self.legacy_states = legacy_states
        self.seed = seed
        self.clock = Clock(time_scale, datetime.now(UTC).replace(microsecond=0))
        self.rules = JobRules(rng=random.Random(f"jobs:{seed}:{spec.name}"))
        self.jobs: dict[str, Job] = {}
        self._job_rng = random.Random(f"jobids:{seed}:{spec.name}")
        self._pid_rng = random.Random(f"pids:{seed}:{spec.name}")
        self.vms: dict[str, VM] = {}
        for vs in spec.vms:
            vm = VM(spec=replace(vs), state=vs.state, started_at=None, changed_at=-vs.uptime_s)
            if vs.state in (RUNNING, PAUSED):
                vm.started_at = -vs.uptime_s
                vm.pid = self._new_pid()
            self.vms[vs.guid] = vm
        self.boot_at = -spec.boot_uptime_s

    # --- time and settlement ---------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def tick(self) -> float:
        """Finish every transition whose time has come and drop jobs past TimeBeforeRemoval."""
        with self.lock:
            now = self.clock.now()
            for vm in self.vms.values():
                t = vm.transition
                if t is not None and now >= t.ends:
                    self._finish(vm, t)
            for job_id, job in list(self.jobs.items()):
                if job.done_at is None and now >= job.submitted + job.duration:
                    job.done_at = job.submitted + job.duration
                if job.done_at is not None and now >= job.done_at + JOB_REMOVAL_S:
                    del self.jobs[job_id]
            return now

    def _finish(self, vm: VM, t: Transition) -> None:
        vm.transition = None
        vm.changed_at = t.ends
        if t.job.fail:
            return  # the VM stays where it was; the job reports the error
        vm.state = t.target
        if t.target == RUNNING and (vm.started_at is None or t.restart_uptime):
            vm.started_at = t.ends
            vm.pid = vm.pid if vm.pid is not None and not t.restart_uptime else self._new_pid()
        if t.target in (OFF, SAVED):
            vm.started_at = None
            vm.pid = None

    def _new_pid(self) -> int:
        return self._pid_rng.randrange(1000, 60000, 4)

    # --- reported values --------------------------------------------------------------------

    def reported_state(self, vm: VM) -> int:
        if vm.transition is not None:
            return vm.transition.shown
        if self.legacy_states:
            return LEGACY.get(vm.state, vm.state)
        return vm.state

    def requested_state(self, vm: VM) -> int:
        return vm.transition.requested if vm.transition is not None else 12

    def uptime_ms(self, vm: VM, now: float) -> int:
        if vm.started_at is None or (vm.state in (OFF, SAVED) and vm.transition is None):
            return 0
        return max(0, int((now - vm.started_at) * 1000))

    def cpu_load(self, vm: VM, now: float) -> int:
        """Percent CPU: a smooth, deterministic function of the VM's seed and simulated time."""
        if vm.state != RUNNING or vm.transition is not None:
            return 0
        s = vm.spec.load_seed
        base = 5 + (s % 40)
        wave = 20 * math.sin(now / (30 + s % 90) + (s % 628) / 100)
        jitter = random.Random(f"{s}:{int(now // 5)}").uniform(-5, 5)
        return int(min(100, max(0, base + wave + jitter)))

    def memory_demand_mb(self, vm: VM, now: float) -> int:
        if vm.state not in (RUNNING, PAUSED):
            return 0
        spec = vm.spec
        s = spec.load_seed
        frac = 0.45 + 0.25 * math.sin(now / (60 + s % 120) + (s % 314) / 50)
        if spec.dynamic:
            return int(max(spec.min_mb, min(spec.max_mb, spec.memory_mb * (0.6 + frac))))
        return int(spec.memory_mb * frac)

    def assigned_memory_mb(self, vm: VM, now: float) -> int:
        if vm.state not in (RUNNING, PAUSED):
            return 0
        if not vm.spec.dynamic:
            return vm.spec.memory_mb
        demand = self.memory_demand_mb(vm, now)
        return int(min(vm.spec.max_mb, max(vm.spec.min_mb, demand * (1 + vm.spec.buffer / 100))))

    def heartbeat(self, vm: VM) -> int | None:
        if vm.state == RUNNING and vm.transition is None:
            return 2 if vm.spec.shutdown_service else 12
        if vm.state == PAUSED:
            return 13
        return 12

    # --- state changes ----------------------------------------------------------------------

    def _new_job(self, kind: str, caption: str, vm_guid: str | None, duration: float) -> Job:
        now = self.clock.now()
        fail = self.rules.fail_p > 0 and self.rules.rng.random() < self.rules.fail_p
        job = Job(
            instance_id=str(uuid.UUID(int=self._job_rng.getrandbits(128), version=4)).upper(),
            kind=kind,
            caption=caption,
            vm_guid=vm_guid,
            submitted=now,
            duration=duration * self.rules.slow_factor,
            fail=fail,
            error_code=32768 if fail else 0,
            error_description=(f"'{self.vms[vm_guid].spec.name}' failed to {caption.lower()}." if fail and vm_guid else  # noqa: E501
                               "The operation failed." if fail else ""),
        )  # fmt: skip
        self.jobs[job.instance_id] = job
        return job

    _PLANS: ClassVar[dict[int, dict[int, tuple[str, str, int, int]]]] = {
        # requested: {from_state: (kind, caption, shown, target)}
        2: {
            OFF: ("start", "Start Virtual Machine", STARTING, RUNNING),
            SAVED: ("restore", "Start Virtual Machine", STARTING, RUNNING),
            PAUSED: ("resume", "Resume Virtual Machine", RESUMING, RUNNING),
        },
        3: {
            RUNNING: ("turnoff", "Turn Off Virtual Machine", STOPPING, OFF),
            PAUSED: ("turnoff", "Turn Off Virtual Machine", STOPPING, OFF),
            SAVED: ("discard", "Delete Saved State", STOPPING, OFF),
        },
        6: {
            RUNNING: ("save", "Save Virtual Machine", SAVING, SAVED),
            PAUSED: ("save", "Save Virtual Machine", SAVING, SAVED),
        },
        9: {RUNNING: ("pause", "Pause Virtual Machine", PAUSING, PAUSED)},
        10: {RUNNING: ("reset", "Reset Virtual Machine", STARTING, RUNNING)},
        11: {RUNNING: ("reset", "Reset Virtual Machine", STARTING, RUNNING)},
    }

    def request_state_change(self, guid: str, requested: int) -> tuple[int, Job | None]:
        """RequestStateChange: (ReturnValue, job). 32775 for a transition Hyper-V refuses."""
        with self.lock:
            self.tick()
            vm = self.vms[guid]
            if self.legacy_states and requested in (32768, 32769):
                requested = PAUSED if requested == 32768 else 6
            if requested == 4:
                return NOT_SUPPORTED, None
            if requested not in self._PLANS:
                return INVALID_PARAMETER, None
            if vm.transition is not None and requested == 3:
                self._interrupt(vm)  # Turn Off wins over a graceful shutdown or a start, as in Hyper-V
            if vm.transition is not None:
                return INVALID_STATE, None
            plan = self._PLANS[requested].get(vm.state)
            if plan is None:
                return INVALID_STATE, None
            kind, caption, shown, target = plan
            job = self._new_job(kind, caption, guid, DURATIONS[kind])
            vm.transition = Transition(
                shown=shown,
                target=target,
                requested=requested,
                ends=job.submitted + job.duration,
                job=job,
                restart_uptime=kind == "reset",
            )
            vm.changed_at = job.submitted
            return STARTED, job

    _INTERRUPTIBLE = frozenset({"shutdown", "start", "restore"})

    def _interrupt(self, vm: VM) -> None:
        """End a shutdown or start in progress now, its job failed, so a Turn Off can proceed."""
        t = vm.transition
        if t is None or t.job.kind not in self._INTERRUPTIBLE:
            return
        now = self.clock.now()
        job = t.job
        job.duration = max(0.0, now - job.submitted)
        job.done_at = now
        job.fail = True
        job.error_code = 32768
        job.error_description = f"'{vm.spec.name}' was turned off before the operation completed."
        vm.transition = None
        vm.changed_at = now
        if job.kind in ("start", "restore"):  # it was coming up: turn off a VM that is, in effect, running
            vm.state = RUNNING
            vm.started_at = now
            vm.pid = self._new_pid()

    def initiate_shutdown(self, guid: str) -> tuple[int, Job | None]:
        with self.lock:
            self.tick()
            vm = self.vms[guid]
            if vm.transition is not None and vm.transition.job.kind == "shutdown":
                return 32782, None  # Shutdown in progress
            if vm.transition is not None or vm.state != RUNNING:
                return INVALID_STATE, None
            job = self._new_job("shutdown", "Shut Down Virtual Machine", guid, DURATIONS["shutdown"])
            vm.transition = Transition(STOPPING, OFF, 4, job.submitted + job.duration, job)
            vm.changed_at = job.submitted
            return STARTED, job

    def config_job(self, guid: str) -> Job:
        """The job a Modify* call returns; the change itself is already applied."""
        with self.lock:
            job = self._new_job("modify", "Modify Virtual Machine Settings", guid, DURATIONS["modify"])
            job.fail = False
            job.error_code = 0
            job.error_description = ""
            self.vms[guid].config_changed_at = job.submitted
            return job

    def change_job(self, guid: str | None, caption: str, *, error: str = "") -> Job:
        """The job of a definition or device change: it fails when ``error`` says why, or when
        fault injection makes it fail (the caller then leaves the configuration as it was)."""
        with self.lock:
            job = self._new_job("modify", caption, None, DURATIONS["modify"])
            job.vm_guid = guid
            if error:
                job.fail, job.error_code, job.error_description = True, FAILED, error
            elif job.fail and guid in self.vms:
                job.error_description = f"'{self.vms[guid].spec.name}' failed to {caption.lower()}."
            if guid in self.vms and not job.fail:
                self.vms[guid].config_changed_at = job.submitted
            return job

    def add_vm(self, spec: VMSpec) -> VM:
        """A VM just defined: off, never run."""
        with self.lock:
            vm = VM(spec=spec, state=OFF, started_at=None, changed_at=self.clock.now())
            vm.config_changed_at = vm.changed_at
            self.vms[spec.guid] = vm
            return vm

    # --- views for tests --------------------------------------------------------------------

    def view(self, vm: VM, now: float) -> VMView:
        s = vm.spec
        return VMView(
            name=s.name,
            guid=s.guid,
            enabled_state=self.reported_state(vm),
            state=vm.transition.target if vm.transition and not vm.transition.job.fail else vm.state,
            requested_state=self.requested_state(vm),
            in_transition=vm.transition is not None,
            vcpus=s.vcpus,
            memory_mb=s.memory_mb,
            dynamic_memory=s.dynamic,
            min_memory_mb=s.min_mb,
            max_memory_mb=s.max_mb,
            generation=s.generation,
            version=s.version,
            notes=s.notes,
            autostart=s.autostart,
            has_shutdown_service=s.shutdown_service,
            uptime_ms=self.uptime_ms(vm, now),
            cpu_load=self.cpu_load(vm, now),
            memory_demand_mb=self.memory_demand_mb(vm, now),
        )

    @property
    def vm_views(self) -> list[VMView]:
        with self.lock:
            now = self.tick()
            return [self.view(vm, now) for vm in self.vms.values()]

    def vm(self, key: str) -> VMView:
        """A VM by GUID (any case) or by name (the first with that name)."""
        with self.lock:
            now = self.tick()
            vm = self.vms.get(key.upper())
            if vm is None:
                vm = next((v for v in self.vms.values() if v.spec.name == key), None)
            if vm is None:
                raise KeyError(key)
            return self.view(vm, now)

    def job_view(self, job: Job, now: float) -> JobView:
        state, pct = job.state_at(now)
        finished = state in (7, 10)
        return JobView(
            instance_id=job.instance_id,
            kind=job.kind,
            vm_guid=job.vm_guid,
            job_state=state,
            percent_complete=pct,
            error_code=job.error_code if finished else 0,
            error_description=job.error_description if finished else "",
        )

    @property
    def job_views(self) -> list[JobView]:
        with self.lock:
            now = self.tick()
            return [self.job_view(j, now) for j in self.jobs.values()]

    @property
    def facts(self) -> HostFacts:
        s = self.spec
        return HostFacts(
            name=s.name,
            release=s.release.key,
            version=s.release.version,
            caption=s.release.caption,
            build=s.release.build,
            product_type=s.release.product_type,
            sockets=s.sockets,
            cores_per_socket=s.cores,
            logical_processors=s.sockets * s.cores * s.threads_per_core,
            memory_mb=s.memory_mb,
            uuid=s.uuid,
        )
