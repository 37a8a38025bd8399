"""Verbs on VMs: checked, confirmed when destructive or bulk, run, followed, and reported once.

A bulk request is one :class:`Batch`: each VM's outcome is collected, and one summary says
how it went, with every failure named by its VM. An action is sent once; it is never retried.

A VM is named with its host wherever its name alone could be another VM's (always in the
all-hosts view). Acting on what the screen may show wrongly asks first: VMs of a host that
stopped answering (their data is old), and marked VMs the view does not show. When an action
ends its host is refreshed at once, and the VM's Status cell keeps saying what happened
("Started · refreshing…") until a refresh made after the action shows the VM, so the row
never looks as if nothing happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from hvtui.hyperv.actions import VERBS, Verb, VerbSpec
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.models import JobProgress
from hvtui.hyperv.outcomes import ActionOutcome
from hvtui.hyperv.states import VMState
from hvtui.present.formats import age_text
from hvtui.ui.feed import RefreshFeed
from hvtui.ui.flows.context import FlowContext
from hvtui.ui.messages import JobUpdate
from hvtui.ui.rows import HostRows, Row
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.tasklog import DONE, FAILED, STILL_RUNNING, TaskLog, TaskRecord

_log = logging.getLogger(__name__)

LIST_LIMIT = 8  # names listed in a bulk confirmation before "and N more"


@dataclass
class Batch:
    """One request of a verb on one or more VMs: collects outcomes for one summary."""

    spec: VerbSpec
    total: int
    hosts: int
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    where: str = ""  # the one host's name when there is one, for the summary

    @property
    def finished(self) -> bool:
        return len(self.done) + len(self.failed) + len(self.running) >= self.total


@dataclass(frozen=True)
class Settling:
    """An action that ended, waiting for a refresh made after it to show its VM."""

    host: str
    state: VMState  # the VM's state when the action was asked
    generation: int  # the host's refreshes made when the action ended (see RefreshFeed)


def question(spec: VerbSpec, what: str) -> str:
    """ "Turn off web-01 on hv01?", "Delete the saved state of 3 VMs on 3 hosts?"."""
    if spec.verb is Verb.DISCARD_SAVE:
        return f"Delete the saved state of {what}?"
    return f"{spec.title} {what}?"


class VerbFlow:
    def __init__(self, app: FlowContext, feed: RefreshFeed) -> None:
        self.app = app
        self.feed = feed
        self.acting: set[str] = set()  # VMs with an action of ours in flight
        self.settling: dict[str, Settling] = {}  # VMs whose action ended, until a refresh shows them
        self.log = TaskLog()
        self._records: dict[str, TaskRecord] = {}  # VMs with an action in flight -> its record

    # -- naming -------------------------------------------------------------------------------

    def host_name(self, host: str) -> str:
        view = self.app.hosts.get(host)
        return view.short_name if view else host

    def label(self, row: Row) -> str:
        """The VM's name, with its host when the name alone could mean another VM on screen."""
        scope = self.app.model.scope
        if scope is not None and row.host == scope:
            return row.vm.name  # the host is on screen, in the table's title
        return f"{row.vm.name} on {self.host_name(row.host)}"

    def _named(self, row: Row, message: str) -> str:
        """A message about a VM ("web-01 started"), with the VM named as :meth:`label` names it."""
        name, label = row.vm.name, self.label(row)
        if label != name and message.startswith(name):
            return label + message[len(name) :]
        return message

    # -- asking -------------------------------------------------------------------------------

    def request(self, verb: Verb, rows: Iterable[Row]) -> None:
        """Check, confirm when destructive, bulk or on doubtful data, then run a verb on VMs."""
        app = self.app
        spec = VERBS[verb]
        rows = list(rows)
        if app.read_only:
            app.note("Read-only mode (--read-only): actions are disabled", "warning")
            return
        if not rows:
            app.note("No VM selected", "warning")
            return
        allowed: list[Row] = []
        refused: list[str] = []
        busy: list[str] = []
        for row in rows:
            reason = spec.check(row.vm.name, row.vm.power)
            if reason:
                refused.append(self._named(row, reason))
            elif row.key in self.acting:
                busy.append(f"{self.label(row)} already has an action running")
            else:
                allowed.append(row)
        skipped = refused + busy
        if not allowed:
            if len(rows) == 1:
                app.note(f"Cannot {spec.title.lower()}: {skipped[0]}", "warning")
            else:
                app.note(
                    f"Cannot {spec.title.lower()} any of the {len(rows)} marked VMs: {skipped[0]}"
                    + (f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""),
                    "warning",
                )
            return
        hosts = {row.host for row in allowed}
        stale = self._stale_text(allowed)
        model = app.model
        hidden = sum(1 for row in allowed if row.key in model.marks and model.index_of(row.key) is None)
        if not spec.destructive and len(allowed) == 1 and not skipped and not stale and not hidden:
            self._run(spec, allowed, hosts)
            return
        if len(allowed) == 1:
            what = self.label(allowed[0])
        elif len(hosts) == 1:
            what = f"{len(allowed)} VMs on {self.host_name(next(iter(hosts)))}"
        else:
            what = f"{len(allowed)} VMs on {len(hosts)} hosts"
        detail = []
        if stale:
            detail.append(stale)
        if hidden:
            detail.append(
                f"{hidden} of them {'is' if hidden == 1 else 'are'} not on screen (another host, or "
                "hidden by the filter)."
                if len(allowed) > 1
                else "It is marked but not on screen (another host, or hidden by the filter)."
            )
        if spec.note:
            detail.append(spec.note[0].upper() + spec.note[1:] + ".")
        if len(allowed) > 1:
            detail.append(self._names_by_host(allowed))
        if skipped:
            detail.append(f"Skipped {len(skipped)}: {skipped[0]}" + (" …" if len(skipped) > 1 else ""))
        app.push_screen(
            ConfirmScreen(question(spec, what), "\n".join(detail), yes=spec.title, danger=spec.destructive),
            partial(self._confirmed, spec, allowed, hosts),
        )

    def _stale_text(self, rows: list[Row]) -> str:
        """ "Stale data: hv02 has not answered (stale 2 min); what it shows may be over." or ""."""
        stale = self.app.model.stale
        now = datetime.now(UTC)
        ages = {
            self.host_name(row.host): age_text((now - stale[row.host]).total_seconds())
            for row in rows
            if row.host in stale
        }
        if not ages:
            return ""
        hosts = ", ".join(f"{host} ({age})" for host, age in ages.items())
        verb = "has" if len(ages) == 1 else "have"
        return f"Stale data: {hosts} {verb} stopped answering; the VMs may no longer be as shown."

    def _names_by_host(self, rows: list[Row]) -> str:
        """ "hv01: web-01, web-02 · hv02: db-01 and 3 more": which VMs, on which host."""
        groups: dict[str, list[str]] = {}
        for row in rows:
            groups.setdefault(self.host_name(row.host), []).append(row.vm.name)
        parts, shown = [], 0
        for host, names in groups.items():
            room = LIST_LIMIT - shown
            if room <= 0:
                break
            parts.append(f"{host}: {', '.join(names[:room])}")
            shown += min(room, len(names))
        more = len(rows) - shown
        return " · ".join(parts) + (f" and {more} more" if more else "")

    def _confirmed(self, spec: VerbSpec, rows: list[Row], hosts: set[str], yes: bool | None) -> None:
        if yes:
            self._run(spec, rows, hosts)

    # -- running ------------------------------------------------------------------------------

    def _run(self, spec: VerbSpec, rows: list[Row], hosts: set[str]) -> None:
        where = f" on {self.host_name(next(iter(hosts)))}" if len(hosts) == 1 else f" on {len(hosts)} hosts"
        batch = Batch(spec, len(rows), len(hosts), where=where)
        for row in rows:
            self.acting.add(row.key)
            self.settling.pop(row.key, None)
            self._set_job(row.key, f"{spec.progressive}…")
            record = self.log.begin(self.host_name(row.host), row.vm.name, spec.title)
            self._records[row.key] = record
            self.app.run_worker(
                self._act(batch, row, record),
                name=f"{spec.verb.value} {row.vm.name}",
                group=f"act:{row.key}",
                exit_on_error=False,
            )

    async def _act_there(
        self, row: Row, verb: Verb, progress: Callable[[JobProgress], None]
    ) -> tuple[ActionOutcome, int]:
        """On the scheduler's loop: the action, then a refresh of its host at once."""
        scheduler = self.app.scheduler
        try:
            outcome = await scheduler.act(row.host, row.vm, verb, progress)
        finally:
            scheduler.refresh(row.host)
        return outcome, self.feed.generation(row.host)

    async def _act(self, batch: Batch, row: Row, record: TaskRecord) -> None:
        spec = batch.spec
        key = row.key
        progress = self.feed.job_progress(key, spec.progressive)  # called on the scheduler's thread
        settling: Settling | None = None
        try:
            outcome, generation = await self.app.scheduler.run(self._act_there(row, spec.verb, progress))
        except HyperVError as exc:
            message = str(exc)  # a bulk action's errors must say which VM each is about
            message = message if row.vm.name in message else f"{row.vm.name}: {message}"
            batch.failed.append(self._named(row, message))
            self.log.end(record, FAILED, message)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback on screen
            _log.exception("action %s on %s failed", spec.verb.value, row.vm.name)
            message = f"{row.vm.name}: {spec.title.lower()} failed: {type(exc).__name__}: {exc}"
            batch.failed.append(self._named(row, message))
            self.log.end(record, FAILED, message)
        else:
            message = self._named(row, outcome.message)
            if outcome.status == "completed":
                batch.done.append(message)
                self.log.end(record, DONE, outcome.message)
                settling = Settling(row.host, row.vm.state, generation)
            elif outcome.status == "running":
                batch.running.append(message)
                self.log.end(record, STILL_RUNNING, outcome.message)
            else:
                batch.failed.append(message)
                self.log.end(record, FAILED, outcome.message)
        finally:
            self.acting.discard(key)
            self._records.pop(key, None)
            if settling is not None and row.host not in self.app.model.stale:
                self.settling[key] = settling
                self._set_job(key, f"{spec.done[:1].upper()}{spec.done[1:]} · refreshing…")
            else:
                self._set_job(key, None)
        if batch.finished:
            self._report(batch)

    def _report(self, batch: Batch) -> None:
        note = self.app.note
        spec = batch.spec
        for message in batch.failed:
            note(message, "error", timeout=12)
        for message in batch.running:
            note(message, "warning")
        if batch.total == 1:
            if batch.done:
                note(batch.done[0])  # "web-01 started": a VM's name is never re-cased
            return
        where = batch.where
        if not batch.failed and not batch.running:
            note(f"{spec.title}: all {batch.total} VMs {spec.done}{where}")
        else:
            note(
                f"{spec.title}: {len(batch.done)} of {batch.total} VMs {spec.done}{where}"
                + (f", {len(batch.failed)} failed" if batch.failed else "")
                + (f", {len(batch.running)} still running" if batch.running else ""),
                "warning",
            )

    # -- following ----------------------------------------------------------------------------

    def job_update(self, message: JobUpdate) -> None:
        """Progress of one of our jobs, in the VM's status cell ("Saving 35%")."""
        if message.vm_key not in self.acting:
            return
        job = message.job
        text = (
            f"{message.progressive} {job.percent}%" if job.percent is not None else f"{message.progressive}…"
        )
        self._set_job(message.vm_key, text)
        record = self._records.get(message.vm_key)
        if record is not None and job.percent is not None:
            record.detail = f"{job.percent}%"

    def refreshed(self, host: str, rows: HostRows) -> None:
        """A refresh of ``host`` arrived: release the VMs it shows as they are after our action.

        A refresh counted after the action ended may have started before it (refreshes of a
        host never overlap, so the one after that did not): it settles a VM only when it shows
        the VM changed state; the next one settles it anyway (a reset keeps it running).
        """
        for key, settling in list(self.settling.items()):
            if settling.host != host:
                continue
            row = rows.rows.get(key)
            later = rows.generation - settling.generation
            if row is None or later >= 2 or (later >= 1 and row.vm.state is not settling.state):
                del self.settling[key]
                self._set_job(key, None)

    def host_silent(self, host: str) -> None:
        """The host stopped answering: no refresh will settle its VMs; their rows say stale."""
        for key, settling in list(self.settling.items()):
            if settling.host == host:
                del self.settling[key]
                self._set_job(key, None)

    def _set_job(self, key: str, text: str | None) -> None:
        app = self.app
        app.model.set_job(key, text)
        main = app.main
        if main is not None:
            main.job_changed(key)
        screen = app.top
        if isinstance(screen, VMDetailScreen) and screen.key == key:
            screen.update_vm()
