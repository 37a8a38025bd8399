"""A job the host runs for a state change or a Modify call, and the knobs that shape jobs.

Kept apart from the VMs so that a job's progress is a pure function of simulated time
(:meth:`Job.state_at`), read alike by the CIM provider and by the tests' views.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

JOB_REMOVAL_S = 300.0


@dataclass
class Job:
    instance_id: str
    kind: str  # start, turnoff, save, ...
    caption: str
    vm_guid: str | None
    submitted: float
    duration: float
    fail: bool = False
    error_code: int = 0
    error_description: str = ""
    done_at: float | None = None

    def state_at(self, now: float) -> tuple[int, int]:
        """(JobState, PercentComplete) at simulated time ``now``."""
        if now < self.submitted + self.duration:
            pct = int(100 * (now - self.submitted) / self.duration) if self.duration else 0
            return (3 if pct == 0 else 4), min(pct, 99)
        return (10 if self.fail else 7), 100


@dataclass
class JobRules:
    """Fault-injection knobs that shape jobs: slower, or failing with probability p."""

    slow_factor: float = 1.0
    fail_p: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
