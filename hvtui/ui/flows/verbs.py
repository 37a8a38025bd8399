"""Verbs on VMs: checked, confirmed when destructive or bulk, run, followed, and reported once.

A bulk request is one :class:`Batch`: each VM's outcome is collected, and one summary says
how it went, with every failure named by its VM. An action is sent once; it is never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from hvtui.hyperv.actions import VERBS, Verb, VerbSpec
from hvtui.hyperv.errors import HyperVError
from hvtui.ui.feed import RefreshFeed
from hvtui.ui.flows.context import FlowContext
from hvtui.ui.messages import JobUpdate
from hvtui.ui.rows import Row
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen

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

    @property
    def finished(self) -> bool:
        return len(self.done) + len(self.failed) + len(self.running) >= self.total


class VerbFlow:
    def __init__(self, app: FlowContext, feed: RefreshFeed) -> None:
        self.app = app
        self.feed = feed
        self.acting: set[str] = set()  # VMs with an action of ours in flight

    def request(self, verb: Verb, rows: Iterable[Row]) -> None:
        """Check, confirm when destructive or bulk, then run a verb on VMs."""
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
                refused.append(reason)
            elif row.key in self.acting:
                busy.append(f"{row.vm.name} already has an action running")
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
        if not spec.destructive and len(allowed) == 1 and not skipped:
            self._run(spec, allowed, hosts)
            return
        if len(allowed) == 1:
            question = f"{spec.title} {allowed[0].vm.name}?"
        else:
            question = (
                f"{spec.title} {len(allowed)} VMs on {len(hosts)} host{'s' if len(hosts) != 1 else ''}?"
            )
        detail = []
        if spec.note:
            detail.append(spec.note[0].upper() + spec.note[1:] + ".")
        if len(allowed) > 1:
            detail.append(self._names_by_host(allowed))
        if skipped:
            detail.append(f"Skipped {len(skipped)}: {skipped[0]}" + (" …" if len(skipped) > 1 else ""))
        app.push_screen(
            ConfirmScreen(question, "\n".join(detail), yes=spec.title, danger=spec.destructive),
            partial(self._confirmed, spec, allowed, hosts),
        )

    def _names_by_host(self, rows: list[Row]) -> str:
        """ "hv01: web-01, web-02 · hv02: db-01 and 3 more": which VMs, on which host."""
        groups: dict[str, list[str]] = {}
        for row in rows:
            view = self.app.hosts.get(row.host)
            groups.setdefault(view.short_name if view else row.host, []).append(row.vm.name)
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

    def _run(self, spec: VerbSpec, rows: list[Row], hosts: set[str]) -> None:
        batch = Batch(spec, len(rows), len(hosts))
        for row in rows:
            self.acting.add(row.key)
            self._set_job(row.key, f"{spec.progressive}…")
            self.app.run_worker(
                self._act(batch, row),
                name=f"{spec.verb.value} {row.vm.name}",
                group=f"act:{row.key}",
                exit_on_error=False,
            )

    async def _act(self, batch: Batch, row: Row) -> None:
        spec = batch.spec
        key = row.key
        scheduler = self.app.scheduler
        progress = self.feed.job_progress(key, spec.progressive)  # called on the scheduler's thread
        try:
            outcome = await scheduler.run(scheduler.act(row.host, row.vm, spec.verb, progress))
        except HyperVError as exc:
            message = str(exc)  # a bulk action's errors must say which VM each is about
            batch.failed.append(message if row.vm.name in message else f"{row.vm.name}: {message}")
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback on screen
            _log.exception("action %s on %s failed", spec.verb.value, row.vm.name)
            batch.failed.append(f"{row.vm.name}: {spec.title.lower()} failed: {type(exc).__name__}: {exc}")
        else:
            if outcome.status == "completed":
                batch.done.append(outcome.message)
            elif outcome.status == "running":
                batch.running.append(outcome.message)
            else:
                batch.failed.append(outcome.message)
        finally:
            self.acting.discard(key)
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
        where = f" on {batch.hosts} host{'s' if batch.hosts != 1 else ''}"
        if not batch.failed and not batch.running:
            note(f"{spec.title}: all {batch.total} VMs {spec.done}{where}")
        else:
            note(
                f"{spec.title}: {len(batch.done)} of {batch.total} VMs {spec.done}{where}"
                + (f", {len(batch.failed)} failed" if batch.failed else "")
                + (f", {len(batch.running)} still running" if batch.running else ""),
                "warning",
            )

    def job_update(self, message: JobUpdate) -> None:
        """Progress of one of our jobs, in the VM's status cell ("Saving 35%")."""
        if message.vm_key not in self.acting:
            return
        job = message.job
        text = (
            f"{message.progressive} {job.percent}%" if job.percent is not None else f"{message.progressive}…"
        )
        self._set_job(message.vm_key, text)

    def _set_job(self, key: str, text: str | None) -> None:
        app = self.app
        app.model.set_job(key, text)
        main = app.main
        if main is not None:
            main.job_changed(key)
        screen = app.top
        if isinstance(screen, VMDetailScreen) and screen.key == key:
            screen.update_vm()
