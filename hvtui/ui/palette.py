"""The command palette (ctrl+p): hosts, VMs, verbs on what is selected, and the view's settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from hvtui.hyperv.actions import VERBS
from hvtui.ui.columns import COLUMNS
from hvtui.ui.facade import AppFacade
from hvtui.ui.screens.changes import ChangeScreen
from hvtui.ui.screens.verbs import VERB_KEYS, VerbScreen, applicable

Command = tuple[str, Callable[[], object], str]

MAX_VM_HITS = 40


class PaletteCommands(Provider):
    """What ctrl+p offers: built from the state at the moment it opens, so it lists only what applies."""

    @property
    def hvtui(self) -> AppFacade:
        return cast(AppFacade, self.app)

    def _verbs(self) -> Iterator[Command]:
        screen = self.screen
        if not isinstance(screen, VerbScreen) or self.hvtui.read_only:
            return
        targets = screen.verb_targets()
        for verb in VERB_KEYS:
            rows = applicable(verb, targets)
            if not rows:
                continue
            spec = VERBS[verb]
            what = self.hvtui.vm_label(rows[0]) if len(rows) == 1 else f"{len(rows)} marked VMs"
            yield (
                f"{spec.title} {what}",
                partial(self.hvtui.request_verb, verb, targets),
                spec.note or f"{spec.title} ({VERB_KEYS[verb]})",
            )

    def _changes(self) -> Iterator[Command]:
        """The VM's settings, devices and deletion, and a new VM on each host (none when read-only)."""
        screen, app = self.screen, self.hvtui
        if not isinstance(screen, ChangeScreen) or app.read_only:
            return
        key = screen.change_key()
        row = app.model.rows.get(key) if key is not None else None
        if row is not None:
            name = app.vm_label(row)
            yield (
                f"Settings of {name}…",
                partial(app.edit_vm_settings, key),
                "vCPUs, memory, name, notes (E)",
            )
            for kind, title, help_text in (
                ("media", "Media", "insert an ISO, eject (m on the VM screen)"),
                ("disk", "Disks", "add or remove a disk (h on the VM screen)"),
                ("nic", "Network adapters", "add, remove, connect to a switch (w on the VM screen)"),
            ):
                yield (f"{title} of {name}…", partial(app.change_vm_devices, key, kind), help_text)
            yield (f"Delete {name}…", partial(app.delete_vm_dialog, key), "type its name to confirm (x)")
        for view in app.hosts.values():
            yield (
                f"New VM on {view.short_name}…",
                partial(app.new_vm_dialog, view.key),
                "the fields of hvtui create (n)",
            )

    def _general(self) -> Iterator[Command]:
        app = self.hvtui
        yield ("Add host…", app.add_host_dialog, "add a Hyper-V host by its URI (a)")
        yield ("Refresh now", app.action_refresh_now, "refresh every host at once (ctrl+r)")
        paused = app.paused
        yield (
            "Resume live refresh" if paused else "Pause live refresh",
            app.action_toggle_pause,
            "p",
        )
        yield (
            "Hide host details" if app.show_host_detail else "Show host details",
            app.toggle_host_detail,
            "i",
        )
        if app.model.marks:
            yield ("Clear marks", app.clear_marks, f"unmark {len(app.model.marks)} VMs (U)")
        yield ("Task log", app.show_task_log, "this session's actions and the hosts' own jobs (t)")
        yield ("Help: keys", app.action_help, "?")

    def _hosts(self) -> Iterator[Command]:
        app = self.hvtui
        yield ("Host: All hosts", partial(app.show_host, None), "every VM of every host")
        for view in app.hosts.values():
            yield (
                f"Host: {view.short_name}",
                partial(app.show_host, view.key),
                f"{view.key} — {view.report.text()}",
            )
            if view.uri is not None:
                yield (
                    f"Log in again to {view.short_name}",
                    partial(app.prompt_login, view.key),
                    "another user name, password or auth scheme",
                )

    def _view(self) -> Iterator[Command]:
        app = self.hvtui
        shown = set(app.model.columns)
        for column in COLUMNS:
            if column.key in ("host",):
                continue
            yield (f"Sort by {column.title}", partial(app.set_sort, column.key, False), column.help)
            if column.key != "name":
                verb = "Hide" if column.key in shown else "Show"
                yield (f"{verb} column {column.title}", partial(app.toggle_column, column.key), column.help)

    async def discover(self) -> Hits:
        for title, callback, help_text in (
            *self._verbs(),
            *self._changes(),
            *self._general(),
            *self._hosts(),
        ):
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in (
            *self._verbs(),
            *self._changes(),
            *self._general(),
            *self._hosts(),
            *self._view(),
        ):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        if len(query.strip()) < 2:
            return
        hits = 0
        app = self.hvtui
        for row in list(app.model.rows.values()):
            title = f"VM {row.vm.name}"
            score = matcher.match(title)
            if score <= 0:
                continue
            view = app.hosts.get(row.host)
            where = view.short_name if view else row.host
            yield Hit(
                score,
                matcher.highlight(title),
                partial(app.open_vm, row.key, reveal=True),
                help=f"on {where} · {row.vm.power.label} · show its details",
            )
            hits += 1
            if hits >= MAX_VM_HITS:
                return
