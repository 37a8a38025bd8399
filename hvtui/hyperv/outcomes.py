"""A request a host accepted, and how it ended: what the CLI and the TUI follow after a verb.

Apart from the host object so that following a job needs only the session it runs on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from hvtui.hyperv.actions import Verb, VerbSpec
from hvtui.hyperv.jobs import JobWatcher
from hvtui.hyperv.models import VM, JobProgress
from hvtui.hyperv.session import Session


@dataclass(frozen=True)
class ActionOutcome:
    """How an action ended from the caller's point of view."""

    vm: str  # the VM's name
    verb: Verb | None  # None for a settings change
    status: str  # "completed" | "failed" | "running" (still running at the caller's timeout)
    message: str
    job: JobProgress | None = None

    @property
    def ok(self) -> bool:
        return self.status == "completed"


ProgressCallback = Callable[[JobProgress], Awaitable[None] | None]


async def follow(
    jobs: AsyncIterator[JobProgress], on_progress: ProgressCallback | None
) -> JobProgress | None:
    """The last state of a job followed to its end (or the caller's timeout), each told to ``on_progress``."""
    last: JobProgress | None = None
    async for job in jobs:
        last = job
        if on_progress is not None:
            result = on_progress(job)
            if asyncio.iscoroutine(result):
                await result
    return last


def unfinished(
    name: str, verb: Verb | None, last: JobProgress | None, what: str, failing: str | None = None
) -> ActionOutcome | None:
    """How a job that did not succeed ended -- still running at the caller's timeout (not a
    failure, and not stopped), or failed -- or None when it succeeded. ``what`` names the work
    ("deleting the checkpoint"); ``failing``, when given, names it in the failure instead."""
    if last is None or not last.finished:
        percent = f" ({last.percent}%)" if last and last.percent is not None else ""
        message = f"{name}: {what} is still running on the host{percent}; it was not stopped"
        return ActionOutcome(name, verb, "running", message, last)
    if not last.succeeded:
        detail = last.error_description or f"job ended {last.state.label}"
        code = f" (error {last.error_code})" if last.error_code else ""
        return ActionOutcome(name, verb, "failed", f"{name}: {failing or what} failed: {detail}{code}", last)
    return None


class Action:
    """A request the host accepted: done at once, or a job to follow."""

    def __init__(
        self, session: Session, vm: VM, spec: VerbSpec, job_id: str | None, ended: Callable[[], None]
    ) -> None:
        self.session = session
        self.ended = ended  # the host re-reads its inventory after any action
        self.vm = vm
        self.spec = spec
        self.job_id = job_id

    @property
    def verb(self) -> Verb:
        return self.spec.verb

    async def progress(self, *, timeout: float | None = None) -> AsyncIterator[JobProgress]:
        """Yield the job each time it is polled, until it ends or ``timeout`` passes."""
        if self.job_id is None:
            return
        async for job in JobWatcher(self.session, self.job_id).follow(timeout=timeout):
            yield job

    async def wait(
        self, *, timeout: float | None = None, on_progress: ProgressCallback | None = None
    ) -> ActionOutcome:
        """Follow the job to its end (or the timeout) and say how it ended."""
        last = await follow(self.progress(timeout=timeout), on_progress)
        self.ended()
        name = self.vm.name
        if self.job_id is not None:
            spec = self.spec
            ended = unfinished(name, self.verb, last, spec.progressive.lower(), spec.title.lower())
            if ended is not None:
                return ended
        return ActionOutcome(name, self.verb, "completed", f"{name} {self.spec.done}", last)
