"""Checkpoints of a VM in the TUI: the view's reads, and each change confirmed, sent once,
followed in the VM's Status cell and reported as one notification.

Reads and changes run on the scheduler's loop (:meth:`Scheduler.with_host`); a change counts
as one of the host's actions, and the host refreshes when it ends, so the checkpoint count in
the table follows. One checkpoint change at a time per VM, as Hyper-V takes them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from hvtui.hyperv.checkpoints import Checkpoint, CheckpointJob, Checkpoints, CheckpointTree
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.outcomes import ActionOutcome
from hvtui.present.checkpoints import default_name
from hvtui.ui.feed import RefreshFeed
from hvtui.ui.flows.context import FlowContext, Severity
from hvtui.ui.messages import JobUpdate
from hvtui.ui.rows import Row
from hvtui.ui.screens.checkpoint_dialogs import CHECKPOINT_THEN_APPLY, ApplyScreen, NameScreen
from hvtui.ui.screens.checkpoints import CheckpointsScreen
from hvtui.ui.screens.confirm import ConfirmScreen

_log = logging.getLogger(__name__)

JOB_TIMEOUT = 1800.0  # follow a job this long before reporting it as still running
Start = Callable[[Checkpoints], Awaitable[CheckpointJob]]


class CheckpointFlow:
    def __init__(self, app: FlowContext, feed: RefreshFeed) -> None:
        self.app = app
        self.feed = feed
        self.acting: set[str] = set()  # VMs with a checkpoint change of ours in flight

    def open(self, key: str) -> None:
        """The checkpoints view of the VM with this row key."""
        row = self.app.model.rows.get(key)
        if row is None:
            self.app.note("No VM selected", "warning")
            return
        view = self.app.hosts.get(row.host)
        title = f"Checkpoints of {row.vm.name} on {view.short_name if view else row.host}"
        self.app.push_screen(CheckpointsScreen(key, title, self, read_only=self.app.read_only))

    # -- reading ------------------------------------------------------------------------------

    def reload(self, screen: CheckpointsScreen) -> None:
        self.app.run_worker(self._load(screen), name="checkpoints", group=f"ckpt-read:{screen.key}")

    async def _load(self, screen: CheckpointsScreen) -> None:
        row = self.app.model.rows.get(screen.key)
        if row is None:
            screen.show_error("This VM is no longer on its host.")
            return
        vm = row.vm
        scheduler = self.app.scheduler

        async def read(host: HyperVHost) -> CheckpointTree:
            return await Checkpoints(host).tree(vm)

        try:
            tree = await scheduler.run(scheduler.with_host(row.host, read))
        except HyperVError as exc:
            if screen.is_mounted:
                screen.show_error(f"Could not read the checkpoints: {exc}")
            return
        if screen.is_mounted:
            screen.show_tree(tree)

    # -- changes ------------------------------------------------------------------------------

    def _row(self, screen: CheckpointsScreen) -> Row | None:
        app = self.app
        if app.read_only:
            app.note("Read-only mode (--read-only): actions are disabled", "warning")
            return None
        row = app.model.rows.get(screen.key)
        if row is None:
            app.note("This VM is no longer on its host", "warning")
        elif screen.key in self.acting:
            app.note(f"{row.vm.name} already has a checkpoint change running", "warning")
            return None
        return row

    def create(self, screen: CheckpointsScreen) -> None:
        row = self._row(screen)
        if row is None:
            return
        name = default_name(row.vm.name, datetime.now().astimezone())

        def chosen(value: str | None) -> None:
            if value:
                self._run(screen, row, "Checkpointing", lambda ops: ops.create(row.vm, value))

        self.app.push_screen(NameScreen(f"New checkpoint of {row.vm.name}", name, ok="Create"), chosen)

    def apply(self, screen: CheckpointsScreen, checkpoint: Checkpoint) -> None:
        row = self._row(screen)
        if row is None:
            return
        if row.vm.power.is_active:
            self.app.note(
                f"{row.vm.name} is {row.vm.power.label}: turn it off or save it before applying a checkpoint",
                "warning",
            )
            return

        def chosen(answer: str | None) -> None:
            if answer == CHECKPOINT_THEN_APPLY:
                name = default_name(row.vm.name, datetime.now().astimezone())
                self._run(screen, row, "Checkpointing", lambda ops: ops.create(row.vm, name), then=checkpoint)
            elif answer:
                self._run(screen, row, "Applying checkpoint", lambda ops: ops.apply(row.vm, checkpoint))

        self.app.push_screen(ApplyScreen(row.vm.name, checkpoint.name), chosen)

    def delete(self, screen: CheckpointsScreen, checkpoint: Checkpoint, *, subtree: bool) -> None:
        row = self._row(screen)
        if row is None:
            return
        tree = screen.checkpoints
        below = len(tree.subtree(checkpoint.id)) - 1 if tree else 0
        if subtree:
            question = f"Delete checkpoint {checkpoint.name!r} and everything below it?"
            detail = f"{below} more checkpoint{'s' if below != 1 else ''} below it will be deleted too."
        else:
            question = f"Delete checkpoint {checkpoint.name!r}?"
            detail = "Its children move up to its parent; the VM itself does not change."
        word = "Deleting checkpoints" if subtree and below else "Deleting checkpoint"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(screen, row, word, lambda ops: ops.delete(row.vm, checkpoint, subtree=subtree))

        self.app.push_screen(ConfirmScreen(question, detail, yes="Delete", danger=True), confirmed)

    def rename(self, screen: CheckpointsScreen, checkpoint: Checkpoint) -> None:
        row = self._row(screen)
        if row is None:
            return

        def chosen(value: str | None) -> None:
            if value and value != checkpoint.name:
                self.acting.add(screen.key)
                self.app.run_worker(self._rename(screen, row, checkpoint, value), group=f"ckpt:{row.key}")

        self.app.push_screen(
            NameScreen(f"Rename checkpoint {checkpoint.name!r}", checkpoint.name, ok="Rename"), chosen
        )

    async def _rename(self, screen: CheckpointsScreen, row: Row, checkpoint: Checkpoint, name: str) -> None:
        scheduler = self.app.scheduler

        async def work(host: HyperVHost) -> ActionOutcome:
            return await Checkpoints(host).rename(row.vm, checkpoint, name)

        try:
            outcome = await scheduler.run(scheduler.with_host(row.host, work, change=True))
        except HyperVError as exc:
            self.app.note(str(exc), "error", timeout=12)
        else:
            self.app.note(outcome.message)
        finally:
            self.acting.discard(row.key)
        if screen.is_mounted:
            self.reload(screen)

    def _run(
        self,
        screen: CheckpointsScreen,
        row: Row,
        progressive: str,
        start: Start,
        then: Checkpoint | None = None,
    ) -> None:
        self.acting.add(row.key)
        self._set_job(screen, row.key, f"{progressive}…")
        self.app.run_worker(
            self._act(screen, row, progressive, start, then),
            name=f"checkpoint {row.vm.name}",
            group=f"ckpt:{row.key}",
            exit_on_error=False,
        )

    async def _act(
        self, screen: CheckpointsScreen, row: Row, progressive: str, start: Start, then: Checkpoint | None
    ) -> None:
        scheduler = self.app.scheduler
        progress = self.feed.job_progress(row.key, progressive)  # called on the scheduler's thread

        async def work(host: HyperVHost) -> ActionOutcome:
            job = await start(Checkpoints(host))
            return await job.wait(timeout=JOB_TIMEOUT, on_progress=progress)

        try:
            outcome = await scheduler.run(scheduler.with_host(row.host, work, change=True))
        except HyperVError as exc:
            message = str(exc)
            self.app.note(
                message if row.vm.name in message else f"{row.vm.name}: {message}", "error", timeout=12
            )
            outcome = None
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback on screen
            _log.exception("checkpoint change on %s failed", row.vm.name)
            self.app.note(
                f"{row.vm.name}: the checkpoint change failed: {type(exc).__name__}: {exc}", "error"
            )
            outcome = None
        finally:
            self.acting.discard(row.key)
            self._set_job(screen, row.key, None)
        if outcome is not None:
            severity: Severity = (
                "information" if outcome.ok else "warning" if outcome.status == "running" else "error"
            )
            self.app.note(outcome.message, severity, timeout=None if outcome.ok else 12)
            if outcome.ok and then is not None:
                target = then
                self._run(screen, row, "Applying checkpoint", lambda ops: ops.apply(row.vm, target))
                return
        if screen.is_mounted:
            self.reload(screen)

    def job_update(self, message: JobUpdate) -> None:
        """Progress of one of our jobs: the VM's Status cell and the view's note ("Checkpointing 35%")."""
        if message.vm_key not in self.acting:
            return
        job = message.job
        percent = f" {job.percent}%" if job.percent is not None else "…"
        screen = self.app.top
        view = screen if isinstance(screen, CheckpointsScreen) and screen.key == message.vm_key else None
        self._set_job(view, message.vm_key, f"{message.progressive}{percent}")

    def _set_job(self, screen: CheckpointsScreen | None, key: str, text: str | None) -> None:
        app = self.app
        app.model.set_job(key, text)
        main = app.main
        if main is not None:
            main.job_changed(key)
        if screen is not None and screen.is_mounted:
            screen.set_busy(text)
