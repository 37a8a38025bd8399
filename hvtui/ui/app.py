"""The hvtui terminal app: hosts, their VMs, and what can be done to them.

The app owns the state every screen shares (hosts, the VM table model, marks, the refresh
scheduler, the settings) and hands the flows that span screens to their own objects:
logging in (:mod:`~hvtui.ui.flows.login`), the host list (:mod:`~hvtui.ui.flows.hosts`) and
verbs on VMs (:mod:`~hvtui.ui.flows.verbs`). Screens see it through
:class:`~hvtui.ui.facade.AppFacade`; the scheduler reaches it only through
:class:`~hvtui.ui.feed.RefreshFeed`, as messages.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal

from hvtui.config import ConfigStore
from hvtui.hyperv.actions import Verb
from hvtui.hyperv.devices import VMDetails
from hvtui.hyperv.models import VM
from hvtui.hyperv.session import DEFAULT_TIMEOUT
from hvtui.secrets import CredentialStore
from hvtui.ui.columns import first_ip
from hvtui.ui.feed import RefreshFeed
from hvtui.ui.flows.changes import ChangeFlow
from hvtui.ui.flows.checkpoints import CheckpointFlow
from hvtui.ui.flows.context import Severity
from hvtui.ui.flows.help import help_screen
from hvtui.ui.flows.hosts import HostsFlow
from hvtui.ui.flows.login import LoginFlow
from hvtui.ui.flows.verbs import VerbFlow
from hvtui.ui.graphics.detect import forced_graphics, terminal_graphics
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.hostview import HostView
from hvtui.ui.launch import TuiOptions
from hvtui.ui.messages import Arrivals, HostStatusChanged, JobUpdate, SnapshotReady
from hvtui.ui.onscreen import LOOK_EVERY, OnScreen
from hvtui.ui.palette import PaletteCommands
from hvtui.ui.redraw import Redraw
from hvtui.ui.rows import Row
from hvtui.ui.scheduler import DEFAULT_INTERVAL, Scheduler
from hvtui.ui.screens.console import ConsoleScreen
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.screens.task_log import TaskLogScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.screenshot import save_private, screenshot_folder, screenshot_name
from hvtui.ui.settings import Settings
from hvtui.ui.tablemodel import Change, TableModel
from hvtui.ui.themes import starting_theme

_log = logging.getLogger(__name__)

DETAIL_FROM_HEIGHT = 30  # the host detail pane starts shown on terminals at least this tall


class HvtuiApp(App[int]):
    """One run of the terminal UI, on the hosts its :class:`TuiOptions` name.

    Collaborators come in as arguments (a config store, a credential store, the environment,
    host timeouts) so that tests, benchmarks and the screenshots run the real app on their own
    files and keyring, against simulated hosts.
    """

    CSS_PATH = Path(__file__).with_name("hvtui.tcss")  # absolute: subclasses elsewhere find it too
    TITLE = "hvtui"
    COMMANDS = App.COMMANDS | {PaletteCommands}
    NOTIFICATION_TIMEOUT = 6
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh_now", "Refresh now", show=False, id="refresh"),
        Binding("p", "toggle_pause", "Pause live refresh", show=False, id="pause"),
        Binding("question_mark", "help", "Help", show=False, id="help"),
        Binding("t", "task_log", "Task log: this session's actions, the hosts' jobs", show=False, id="tasks"),
    ]

    def __init__(
        self,
        options: TuiOptions,
        *,
        config_store: ConfigStore | None = None,
        credentials: CredentialStore | None = None,
        host_timeout: float = DEFAULT_TIMEOUT,
        backoff_cap: float = 60.0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.options = options
        self.read_only = options.read_only
        self.settings = Settings(options, config_store, lambda text: self.note(text, "warning"))
        config = self.settings.config
        self.credentials = credentials or CredentialStore(use_keyring=options.persist)
        self.model = TableModel(config.columns, config.sort_column, config.sort_reverse)
        self.hosts: dict[str, HostView] = {}
        self.feed = RefreshFeed(self.post_message)
        interval = options.refresh or config.refresh_interval or DEFAULT_INTERVAL
        self.scheduler = Scheduler(
            self.feed, interval=interval, host_timeout=host_timeout, backoff_cap=backoff_cap
        )
        self.paused = False
        self.show_host_detail = True
        self.events: deque[tuple[Severity, str]] = deque(maxlen=500)
        # Published after every refresh, status change and note: how an observer outside the
        # app (a test, the screenshot script, a benchmark) follows its state without polling.
        self.state_changed: Signal[None] = Signal(self, "state-changed")
        self.host_list = HostsFlow(self, options)
        self.logins = LoginFlow(self, self.host_list)
        self.verbs = VerbFlow(self, self.feed)
        self.checkpoints = CheckpointFlow(self, self.feed)
        self.changes = ChangeFlow(self, self.verbs.log)
        self.on_screen = OnScreen(self)
        self.redraw = Redraw(self)
        self._settled: dict[str, HostStatus] = {}  # per host: the last status that was not in passing
        self._theme_ready = False
        env = os.environ if environ is None else environ
        theme, problem = starting_theme(options.theme, config.theme, env, self.available_themes)
        if problem:
            self.settings.problems.append(problem)
        self.theme = theme
        self.graphics = forced_graphics(options.graphics)
        self.update_subtitle()

    @property
    def config_path(self) -> Path:
        return self.settings.path

    # -- start and stop -----------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen()

    def on_mount(self) -> None:
        self._theme_ready = True
        self.show_host_detail = self.size.height >= DETAIL_FROM_HEIGHT
        for problem in self.settings.problems:
            self.note(problem, "warning")
        self.scheduler.start()
        self.host_list.start_initial()
        self.set_interval(LOOK_EVERY, self.on_screen.look)

    async def on_unmount(self) -> None:
        await self.scheduler.aclose()

    # -- screens ------------------------------------------------------------------------------

    @property
    def main(self) -> MainScreen | None:
        """The main screen, once it is mounted (until then it reads the state when it mounts)."""
        if not self.is_running:
            return None  # shutting down: results may still arrive, widgets are going
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen if screen.is_mounted and not screen._closing else None
        return None

    @property
    def top(self) -> Screen[Any] | None:
        """The active screen, or None while the app starts or shuts down (results still arrive)."""
        if not self.is_running or not self.screen_stack:
            return None
        return self.screen_stack[-1]

    # -- messages from the refresh feed -------------------------------------------------------

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        view = self.hosts.get(message.key)
        if view is None:
            return  # removed meanwhile
        view.take(message.snapshot, message.counts)
        view.connection = message.connection
        change: Change | None = self.model.apply(message.key, message.rows)
        if self.model.set_stale(message.key, None):
            change = None  # live again: every row of the host is drawn anew
        self.verbs.refreshed(message.key, message.rows)
        if self.main is not None:
            self.redraw.rows(change)
            self.redraw.host(message.key)
        screen = self.top
        if isinstance(screen, VMDetailScreen):
            screen.host_refreshed(message.key)
        self.logins.refreshed(message.key)
        self.redraw.totals()
        self.redraw.changed()

    def on_host_status_changed(self, message: HostStatusChanged) -> None:
        view = self.hosts.get(message.key)
        if view is None:
            return
        view.report = message.report
        main = self.main
        read_at = view.snapshot.taken_at if view.stale and view.snapshot else None
        if self.model.set_stale(message.key, read_at):
            if view.stale:
                self.verbs.host_silent(message.key)
            if main is not None:
                self.redraw.rows(None)
        if main is not None:
            self.redraw.host(message.key)
        status = message.report.status
        settled = self._settled.get(message.key)
        if status is HostStatus.AUTH_NEEDED:
            self.logins.auth_needed(message.key)
        elif status in (HostStatus.UNREACHABLE, HostStatus.TLS_UNTRUSTED, HostStatus.ERROR):
            # Once per change of trouble, not at every retry of the backoff.
            if settled is not status:
                self.note(f"{view.short_name}: {message.report.text()}", "error")
        elif status is HostStatus.OK and settled in (HostStatus.UNREACHABLE, HostStatus.ERROR):
            self.note(f"{view.short_name} answers again", "information")
        if status not in (HostStatus.CONNECTING, HostStatus.REFRESHING):
            self._settled[message.key] = status
        self.redraw.totals()
        self.redraw.changed()

    def on_arrivals(self, message: Arrivals) -> None:
        """A fleet's results of the last moment: taken in one by one, redrawn once."""
        for item in message.items:
            if isinstance(item, SnapshotReady):
                self.on_snapshot_ready(item)
            else:
                self.on_host_status_changed(item)
        self.redraw.flush()

    def on_job_update(self, message: JobUpdate) -> None:
        self.verbs.job_update(message)
        self.checkpoints.job_update(message)

    def update_subtitle(self) -> None:
        views = list(self.hosts.values())
        live = [v for v in views if not v.stale]  # a silent host's VMs may no longer run
        running = sum(v.running for v in live)
        total = sum(v.total for v in live)
        parts = [f"{len(views)} host{'s' if len(views) != 1 else ''}", f"{running}/{total} VMs running"]
        stale = sum(v.total for v in views if v.stale)
        if stale:
            parts.append(f"{stale} VM{'s' if stale != 1 else ''} stale")
        parts.append("live refresh paused (p)" if self.paused else f"refresh {self.scheduler.interval:g} s")
        if self.read_only:
            parts.append("read-only")
        if self.options.title_note:
            parts.append(self.options.title_note)
        self.sub_title = " · ".join(parts)

    def note(self, message: str, severity: Severity = "information", *, timeout: float | None = None) -> None:
        """Notify, and keep the message in :attr:`events` (the session's log of results and errors)."""
        self.events.append((severity, message))
        _log.info("%s: %s", severity, message)
        self.notify(message, severity=severity, markup=False, timeout=timeout)
        self.state_changed.publish(None)

    # -- what screens and the palette ask for (see AppFacade) ---------------------------------

    def request_verb(self, verb: Verb, rows: Iterable[Row]) -> None:
        self.verbs.request(verb, rows)

    def edit_vm_settings(self, key: str | None) -> None:
        self.changes.edit_settings(key)

    def change_vm_devices(self, key: str | None, kind: str) -> None:
        self.changes.change_devices(key, kind)

    def new_vm_dialog(self, host: str | None) -> None:
        self.changes.new_vm(host)

    def delete_vm_dialog(self, key: str | None) -> None:
        self.changes.delete(key)

    def prompt_login(self, key: str | None = None) -> None:
        self.logins.prompt(key)

    def add_host_dialog(self) -> None:
        self.host_list.add_dialog()

    def remove_host_dialog(self, key: str) -> None:
        self.host_list.remove_dialog(key)

    def edit_host_dialog(self, key: str) -> None:
        self.host_list.edit_dialog(key)

    def trust_dialog(self, key: str) -> None:
        self.host_list.trust_dialog(key)

    def explain(self, what: str, key: str | None) -> None:
        self.host_list.explain(what, key)

    def show_host(self, key: str | None) -> None:
        self.host_list.show(key)

    def open_vm(self, key: str, *, reveal: bool = False) -> None:
        if key not in self.model.rows:
            return
        if reveal and self.main is not None and not self.model.focus_key(key):
            self.show_host(None)
            self.model.focus_key(key)
        if self.main is not None:
            self.main.table.update_view()
        if isinstance(self.top, VMDetailScreen):
            self.pop_screen()
        self.push_screen(VMDetailScreen(key))

    def open_checkpoints(self, key: str) -> None:
        self.checkpoints.open(key)

    def open_console(self, key: str) -> None:
        if key in self.model.rows and not isinstance(self.top, ConsoleScreen):
            self.push_screen(ConsoleScreen(key))

    async def vm_details(self, vm: VM) -> VMDetails:
        return await self.scheduler.run(self.scheduler.details(vm.host, vm))

    def copy_ip(self, row: Row | None) -> None:
        """OSC 52 (Textual's copy_to_clipboard): the terminal sets its clipboard, over SSH too;
        inside tmux, only with ``set-clipboard on``."""
        if row is None:
            return
        ip = first_ip(row.vm)
        if ip is None:
            self.note(f"{row.vm.name}: its guest reports no IP address", "warning")
            return
        self.copy_to_clipboard(ip)
        self.note(f"Copied {ip} ({row.vm.name})")

    def set_sort(self, column: str, reverse: bool) -> None:
        self.model.set_sort(column, reverse)
        main = self.main
        if main is not None:
            main.sort_changed()
        self.settings.save(replace(self.settings.config, sort_column=column, sort_reverse=reverse))

    def toggle_column(self, key: str) -> None:
        if self.model.toggle_column(key):
            self.settings.save(replace(self.settings.config, columns=self.model.chosen))
            main = self.main
            if main is not None:
                main.sort_changed()

    def clear_marks(self) -> None:
        main = self.main
        if main is not None:
            main.clear_marks()

    def toggle_host_detail(self) -> None:
        main = self.main
        if main is not None:
            main.toggle_detail()

    def vm_label(self, row: Row) -> str:
        return self.verbs.label(row)

    def vm_history(self, host: str, key: str) -> list[tuple[int, int]]:
        return self.feed.history(host, key)

    def show_task_log(self) -> None:
        if not isinstance(self.top, TaskLogScreen):
            self.push_screen(TaskLogScreen(self.verbs.log))

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: saved privately in a folder that exists (see :mod:`.screenshot`)."""
        try:
            if path is not None:
                folder, why = Path(path).expanduser(), "as asked"
            else:
                folder, why = screenshot_folder()
            name = filename or screenshot_name(datetime.now(), time_format)
            saved = save_private(folder, name, self.export_screenshot())
        except OSError as exc:
            self.note(f"Screenshot not saved: {exc.strerror or exc}", "error")
            return None
        self.note(f"Screenshot saved to {saved} ({why}; readable by you only)")
        return None

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready and theme != self.settings.config.theme:
            self.settings.save(replace(self.settings.config, theme=theme))

    # -- app-wide keys ------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        self.scheduler.refresh()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.scheduler.set_paused(self.paused)
        self.update_subtitle()
        self.note(
            "Live refresh paused (p resumes, ctrl+r refreshes once)"
            if self.paused
            else "Live refresh resumed"
        )

    def action_task_log(self) -> None:
        self.show_task_log()

    def action_help(self) -> None:
        self.push_screen(help_screen(self.screen, self.BINDINGS, read_only=self.read_only))


def build_app(options: TuiOptions, **kwargs: Any) -> HvtuiApp:
    """The app, ready to run (tests and the screenshot script use this without running it)."""
    return HvtuiApp(options, **kwargs)


def run(options: TuiOptions) -> int:
    """Run the terminal UI until the user quits; the return value is the exit status."""
    app = build_app(options)
    app.graphics = terminal_graphics(options.graphics)  # before Textual reads the terminal
    app.run()
    return app.return_code or 0
