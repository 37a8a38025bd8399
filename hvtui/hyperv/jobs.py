"""Following a ``Msvm_ConcreteJob`` until it ends, and naming Hyper-V's return codes.

libvirt polls every 100 ms with no end for state changes and drops ErrorDescription;
hvtui starts at 100 ms, backs off to a ceiling, stops at the caller's timeout (reporting
the job as still running, which it is), and keeps the host's error text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from hvtui.hyperv.lenient import as_int, as_text
from hvtui.hyperv.models import JobProgress
from hvtui.hyperv.states import JobState

RETURN_CODES: dict[int, str] = {
    0: "completed",
    1: "not supported",
    2: "unknown error",
    3: "cannot complete within the timeout period",
    4: "failed",
    5: "invalid parameter",
    6: "in use",
    4096: "job started",
    4097: "invalid state transition",
    4098: "use of timeout parameter not supported",
    4099: "busy",
    32768: "failed",
    32769: "access denied",
    32770: "not supported",
    32771: "status is unknown",
    32772: "timeout",
    32773: "invalid parameter",
    32774: "system is in use",
    32775: "invalid state for this operation",
    32776: "incorrect data type",
    32777: "system is not available",
    32778: "out of memory",
    32779: "file not found",
    32780: "the system is not ready",
    32781: "machine locked (use force)",
    32782: "shutdown in progress",
}


def return_code_text(code: int) -> str:
    """``"access denied (32769)"``: the meaning and the number, so either can be looked up."""
    return f"{RETURN_CODES.get(code, 'unknown return code')} ({code})"


class JobSource(Protocol):
    async def get_job(self, instance_id: str) -> JobProgress | None: ...


class JobWatcher:
    """Polls one job: from ``first_poll`` seconds, ×1.5 each time, up to ``max_poll``."""

    def __init__(
        self, source: JobSource, instance_id: str, *, first_poll: float = 0.1, max_poll: float = 2.0
    ) -> None:
        self.source = source
        self.instance_id = instance_id
        self.first_poll = first_poll
        self.max_poll = max_poll

    async def follow(self, *, timeout: float | None = None) -> AsyncIterator[JobProgress]:
        """Yield each look at the job; stop when it has ended or ``timeout`` seconds passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = self.first_poll
        missing = 0
        while True:
            job = await self.source.get_job(self.instance_id)
            if job is None:
                # Hyper-V removes finished jobs after a while; one that is gone right away ended
                # before the first poll. Treat two misses in a row as "finished, result unknown".
                missing += 1
                if missing >= 2:
                    return
            else:
                missing = 0
                yield job
                if job.finished:
                    return
            if deadline is not None and time.monotonic() + delay > deadline:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, self.max_poll)


def job_progress(props: Mapping[str, Any], instance_id: str) -> JobProgress:
    """A job as one read of its Msvm_ConcreteJob saw it."""
    elapsed = props.get("ElapsedTime")
    return JobProgress(
        instance_id=as_text(props.get("InstanceID")) or instance_id,
        state=JobState.from_value(as_int(props.get("JobState"))),
        percent=as_int(props.get("PercentComplete")),
        error_code=as_int(props.get("ErrorCode")),
        error_description=as_text(props.get("ErrorDescription")) or None,
        elapsed=elapsed if hasattr(elapsed, "total_seconds") else None,
        description=as_text(props.get("Description")) or as_text(props.get("Caption")) or None,
    )
