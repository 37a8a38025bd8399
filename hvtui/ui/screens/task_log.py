"""``t``: this session's actions and how they ended, and the jobs the hosts are running themselves.

Notifications go after a few seconds; this screen keeps them, with the time, host, VM, verb,
result and duration of each action (newest first). The hosts' own jobs (a backup, a
migration) come from the refreshes already made: no extra round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from hvtui.ui.facade import AppFacade
from hvtui.ui.tasklog import DONE, FAILED, RUNNING, TaskLog, TaskRecord, duration_text

HEADINGS = ("Time", "Host", "VM", "Action", "Result", "Took")
RESULT_STYLE = {DONE: "$text-success", FAILED: "$text-error", RUNNING: "$text-accent"}
HEADING = "bold $text-accent"
MUTED = "$text-muted"


def columns(rows: Sequence[Sequence[str]], headings: Sequence[str]) -> list[int]:
    return [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headings)]


def table(
    headings: Sequence[str], rows: Sequence[tuple[Sequence[str], str, str]], styled: int = -1
) -> Content:
    """Aligned columns; each row is (cells, the style of cell ``styled``, a detail line or "")."""
    widths = columns([cells for cells, _, _ in rows], headings)
    gap = "  "
    lines = [Content.styled(gap.join(h.ljust(w) for h, w in zip(headings, widths, strict=True)), "bold")]
    for cells, style, detail in rows:
        parts: list[str | tuple[str, str]] = []
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            if index:
                parts.append(gap)
            parts.append((cell.ljust(width), style) if index == styled and style else cell.ljust(width))
        lines.append(Content.assemble(*parts))
        if detail:
            lines.append(Content.styled("  " + detail, MUTED))
    return Content("\n").join(lines)


def action_rows(records: Sequence[TaskRecord], now: datetime) -> list[tuple[Sequence[str], str, str]]:
    rows: list[tuple[Sequence[str], str, str]] = []
    for record in reversed(records):  # newest first
        result = record.result
        if result == RUNNING and record.detail:
            result = f"{RUNNING} {record.detail}"
        cells = (
            record.started.strftime("%H:%M:%S"),
            record.host,
            record.vm,
            record.verb,
            result,
            duration_text(record.duration(now)),
        )
        detail = record.detail if record.result not in (DONE, RUNNING) else ""
        rows.append((cells, RESULT_STYLE.get(record.result, "$text-warning"), detail))
    return rows


class TaskLogScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,t", "app.pop_screen", "Back", id="back"),
        Binding("question_mark", "app.help", "Help", id="help"),
    ]

    def __init__(self, log: TaskLog) -> None:
        super().__init__()
        self.tasks = log

    @property
    def hvtui(self) -> AppFacade:
        return cast(AppFacade, self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="task-log"):
            yield Static(id="actions")
            yield Static(id="host-jobs")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#task-log").border_title = "Task log"
        self.update_log()
        self.set_interval(1.0, self.update_log)  # durations of running actions, jobs of new refreshes

    def update_log(self) -> None:
        records = list(self.tasks.records)
        title = Content.assemble(("This session's actions", HEADING))
        if records:
            body = table(HEADINGS, action_rows(records, self.tasks.clock()), styled=HEADINGS.index("Result"))
        else:
            body = Content.styled("None yet: s, d, T, v, z, r, R and X act on VMs.", MUTED)
        self.query_one("#actions", Static).update(Content("\n").join([title, body]))
        self.query_one("#host-jobs", Static).update(self._host_jobs())

    def _host_jobs(self) -> Content:
        rows: list[tuple[Sequence[str], str, str]] = []
        for view in self.hvtui.hosts.values():
            if view.snapshot is None:
                continue
            suffix = " (stale)" if view.stale else ""
            for vm in sorted(view.snapshot.vms, key=lambda v: v.name.casefold()):
                if vm.host_job:
                    rows.append(((view.short_name + suffix, vm.name, vm.host_job), "", ""))
        title = Content.assemble(("Jobs the hosts are running", HEADING))
        if not rows:
            body = Content.styled("None at the last refresh of each host.", MUTED)
        else:
            body = table(("Host", "VM", "Job"), rows)
        return Content("\n").join([title, body])
