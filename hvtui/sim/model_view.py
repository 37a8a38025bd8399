"""Thread-safe reads of a simulated host's state for tests, across restarts of the host.

The view asks the host for its current model and contexts on every read, so a test keeps one
view while :meth:`SimHost.restart` replaces what is behind it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sized

from hvtui.sim import display
from hvtui.sim.checkpoint_tree import CheckpointTree
from hvtui.sim.devices import hardware_of
from hvtui.sim.guest import forget_guest_items
from hvtui.sim.model import HostModel
from hvtui.sim.views import HostFacts, JobView, VMView


class ModelView:
    """Thread-safe reads of a host's state for tests: VMs, jobs and host facts."""

    def __init__(self, model: Callable[[], HostModel], contexts: Callable[[], Sized]) -> None:
        self._model = model
        self._contexts = contexts

    @property
    def _m(self) -> HostModel:
        return self._model()

    @property
    def vms(self) -> list[VMView]:
        return self._m.vm_views

    def vm(self, key: str) -> VMView:
        """A VM by GUID (any case) or by name."""
        return self._m.vm(key)

    @property
    def jobs(self) -> list[JobView]:
        return self._m.job_views

    def job(self, instance_id: str) -> JobView:
        for j in self.jobs:
            if j.instance_id.lower() == instance_id.lower():
                return j
        raise KeyError(instance_id)

    @property
    def host(self) -> HostFacts:
        return self._m.facts

    def checkpoints(self, key: str) -> CheckpointTree:
        """A copy of a VM's checkpoint tree, the VM by GUID (any case) or by name."""
        with self._m.lock:
            return copy.deepcopy(self._m.checkpoints.get(self._m.vm(key).guid, CheckpointTree({})))

    @property
    def enumeration_contexts(self) -> int:
        with self._m.lock:
            return len(self._contexts())

    def screen(self, key: str) -> display.ScreenView:
        """A VM's screen (typed lines, sign-in prompt, resolution, picture), by GUID or name."""
        with self._m.lock:
            self._m.tick()
            return display.screen_view(self._m, key)

    def set_resolution(self, key: str, width: int, height: int) -> None:
        with self._m.lock:
            display.set_resolution(self._m, key, width, height)

    def set_guest_fqdn(self, key: str, fqdn: str) -> None:
        """The guest renames itself: its integration services report ``fqdn`` from now on."""
        with self._m.lock:
            guest = hardware_of(self._m)[self._m.vm(key).guid].guest
            if guest is None:
                raise ValueError(f"{key} has no integration services to report a name")
            guest.fqdn = fqdn
            forget_guest_items(self._m)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (jobs finish, transitions end) without waiting."""
        with self._m.lock:
            self._m.clock.advance(seconds)
            self._m.tick()
