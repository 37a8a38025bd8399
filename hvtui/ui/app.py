"""The hvtui terminal app: hosts, their VMs, and what can be done to them.

The app owns the state every screen shares (hosts, the VM table model, marks, the refresh
scheduler) and the flows that span screens: logging in, adding and removing hosts, actions
with their confirmations and progress. Screens render that state and call back here.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Literal

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from hvtui.config import Config, ConfigError, ConfigStore, default_path
from hvtui.hyperv.actions import VERBS, Verb, VerbSpec
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.models import Connection, HostSnapshot
from hvtui.hyperv.session import DEFAULT_TIMEOUT
from hvtui.secrets import CredentialStore
from hvtui.ui.commands import HvtuiCommands
from hvtui.ui.describe import Pair, vm_lines
from hvtui.ui.hoststatus import HostStatus, StatusReport
from hvtui.ui.hostview import HostView
from hvtui.ui.messages import HostStatusChanged, JobUpdate, SnapshotReady
from hvtui.ui.options import TuiOptions
from hvtui.ui.rows import Row, RowBuilder, host_label
from hvtui.ui.scheduler import DEFAULT_INTERVAL, Scheduler
from hvtui.ui.screens.add_host import AddHostResult, AddHostScreen
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.help import HelpEntry, HelpScreen, entries_from
from hvtui.ui.screens.login import LoginResult, LoginScreen
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.screens.verbs import VERB_BINDINGS, VerbScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.tablemodel import TableModel
from hvtui.ui.widgets.vm_table import VMTable
from hvtui.uri import ConnectionURI

_log = logging.getLogger(__name__)

Severity = Literal["information", "warning", "error"]
ANSI_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"
DETAIL_FROM_HEIGHT = 30  # the host detail pane starts shown on terminals at least this tall
LIST_LIMIT = 8  # names listed in a bulk confirmation before "and N more"


def sixteen_colours(env: Mapping[str, str]) -> bool:
    """True when the terminal says it has only the 16 ANSI colours (no 256-colour TERM, no COLORTERM)."""
    term = env.get("TERM", "")
    colorterm = env.get("COLORTERM", "").lower()
    rich = colorterm in ("truecolor", "24bit") or any(m in term for m in ("256color", "truecolor", "direct"))
    return not rich


def choose_theme(requested: str | None, configured: str, env: Mapping[str, str]) -> str:
    """``--theme`` wins; else the terminal's ANSI colours when it has only 16; else the config."""
    if requested:
        return requested
    if sixteen_colours(env) and not configured.startswith("ansi-"):
        return ANSI_THEME
    return configured


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


class HvtuiApp(App[int]):
    CSS_PATH = Path(__file__).with_name("hvtui.tcss")  # absolute: subclasses elsewhere find it too
    TITLE = "hvtui"
    COMMANDS = App.COMMANDS | {HvtuiCommands}
    NOTIFICATION_TIMEOUT = 6
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh_now", "Refresh now", show=False, id="refresh"),
        Binding("p", "toggle_pause", "Pause live refresh", show=False, id="pause"),
        Binding("question_mark", "help", "Help", show=False, id="help"),
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
        self.persist = options.persist
        self.store: ConfigStore | None = None
        self.config = Config()
        self._config_problems: list[str] = []
        if options.persist:
            self.store = config_store or ConfigStore(options.config_path)
            loaded = self.store.load()
            self.config = loaded.config
            self._config_problems = list(loaded.problems)
        self.config_path: Path = self.store.path if self.store else (options.config_path or default_path())
        self.credentials = credentials or CredentialStore(use_keyring=options.persist)
        self.model = TableModel(self.config.columns, self.config.sort_column, self.config.sort_reverse)
        self.hosts: dict[str, HostView] = {}
        self._builders: dict[str, RowBuilder] = {}  # touched only on the scheduler's thread
        interval = options.refresh or self.config.refresh_interval or DEFAULT_INTERVAL
        self.scheduler = Scheduler(
            self, interval=interval, host_timeout=host_timeout, backoff_cap=backoff_cap
        )
        self.paused = False
        self.show_host_detail = True
        self.events: deque[tuple[Severity, str]] = deque(maxlen=500)
        self._login_queue: list[str] = []
        self._login_open: str | None = None
        self._prompted: set[str] = set()
        self._interactive: set[str] = set()  # hosts whose credentials were just typed
        self._remember: set[str] = set()  # hosts whose password goes to the keyring once it works
        self._acting: set[str] = set()  # VMs with an action of ours in flight
        self._settled: dict[str, HostStatus] = {}  # per host: the last status that was not in passing
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._config_warned = False
        self._theme_ready = False
        env = os.environ if environ is None else environ
        theme = choose_theme(options.theme, self.config.theme, env)
        if theme not in self.available_themes:
            self._config_problems.append(
                f"unknown theme '{theme}': using {DEFAULT_THEME} (ctrl+p → 'theme' lists the others)"
            )
            theme = DEFAULT_THEME
        self.theme = theme
        self._update_subtitle()

    # -- start and stop -----------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen()

    def on_mount(self) -> None:
        self._theme_ready = True
        self.show_host_detail = self.size.height >= DETAIL_FROM_HEIGHT
        main = self.main
        for problem in self._config_problems:
            self.note(problem, "warning")
        self.scheduler.start()
        views = self._initial_hosts()
        for view in views:
            self.hosts[view.key] = view
        if main is not None:
            main.hosts_changed()
        self._start_hosts([v for v in views if v.uri is not None], self._initial_passwords())

    async def on_unmount(self) -> None:
        await self.scheduler.aclose()

    def _initial_hosts(self) -> list[HostView]:
        views: list[HostView] = []
        seen: set[str] = set()
        if self.options.hosts:
            for spec in self.options.hosts:
                key = spec.uri.canonical
                if key not in seen:
                    seen.add(key)
                    views.append(HostView(key, spec.uri, spec.ca_file))
            return views
        if not self.options.from_config:
            return views
        for entry in self.config.hosts:
            uri = entry.parsed
            if uri is None:
                views.append(HostView.invalid(entry.uri, entry.error or "invalid URI"))
                continue
            if uri.canonical not in seen:
                seen.add(uri.canonical)
                views.append(HostView(uri.canonical, uri, entry.ca_file))
        return views

    def _initial_passwords(self) -> dict[str, str]:
        passwords = {}
        for spec in self.options.hosts:
            if spec.password:
                passwords[spec.uri.canonical] = spec.password
                self.credentials.remember(spec.uri.canonical, spec.password, persist=False)
        return passwords

    def _start_hosts(self, views: list[HostView], known: dict[str, str]) -> None:
        """Start refreshing hosts; passwords not given come from the keyring, off the UI thread."""
        missing = [v for v in views if v.key not in known]
        for view in views:
            if view.key in known and view.uri is not None:
                self.scheduler.add_host(view.key, view.uri, known[view.key], view.ca_file)
        if missing:
            self.run_worker(self._start_from_keyring(missing), group="keyring", exit_on_error=False)

    async def _start_from_keyring(self, views: list[HostView]) -> None:
        # A keyring lookup may wait on D-Bus (or an unlock prompt): never on the UI thread.
        found = await asyncio.to_thread(lambda: {v.key: self.credentials.get(v.key) for v in views})
        for view in views:
            if view.key in self.hosts and view.uri is not None:
                self.scheduler.add_host(view.key, view.uri, found.get(view.key), view.ca_file)

    # -- the scheduler's listener (called on its thread: hand over, nothing else) ---------------

    def host_status(self, key: str, report: StatusReport) -> None:
        self.post_message(HostStatusChanged(key, report))

    def host_snapshot(self, key: str, snapshot: HostSnapshot, connection: Connection | None) -> None:
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = RowBuilder(key)
        rows = builder.build(snapshot, host_label(snapshot, builder.uri_host))
        self.post_message(SnapshotReady(key, snapshot, rows, connection, snapshot.counts()))

    def host_removed(self, key: str) -> None:
        self._builders.pop(key, None)

    # -- messages -----------------------------------------------------------------------------

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

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        view = self.hosts.get(message.key)
        if view is None:
            return  # removed meanwhile
        view.take(message.snapshot, message.counts)
        view.connection = message.connection
        change = self.model.apply(message.key, message.rows)
        main = self.main
        if main is not None:
            main.rows_changed(change)
            main.host_changed(message.key)
        self._update_detail_screen(message.key)
        if message.key in self._remember:
            self._remember.discard(message.key)
            self.run_worker(self._store_password(message.key), group="keyring", exit_on_error=False)
        self._interactive.discard(message.key)
        self._update_subtitle()
        self._check_waiters()

    def on_host_status_changed(self, message: HostStatusChanged) -> None:
        view = self.hosts.get(message.key)
        if view is None:
            return
        view.report = message.report
        main = self.main
        if main is not None:
            main.host_changed(message.key)
        status = message.report.status
        settled = self._settled.get(message.key)
        if status is HostStatus.AUTH_NEEDED:
            self._auth_needed(message.key, message.report)
        elif status in (HostStatus.UNREACHABLE, HostStatus.TLS_UNTRUSTED, HostStatus.ERROR):
            # Once per change of trouble, not at every retry of the backoff.
            if settled is not status:
                self.note(f"{view.short_name}: {message.report.text()}", "error")
        elif status is HostStatus.OK and settled in (HostStatus.UNREACHABLE, HostStatus.ERROR):
            self.note(f"{view.short_name} answers again", "information")
        if status not in (HostStatus.CONNECTING, HostStatus.REFRESHING):
            self._settled[message.key] = status
        self._update_subtitle()
        self._check_waiters()

    def on_job_update(self, message: JobUpdate) -> None:
        if message.vm_key not in self._acting:
            return
        job = message.job
        text = (
            f"{message.progressive} {job.percent}%" if job.percent is not None else f"{message.progressive}…"
        )
        self._set_job(message.vm_key, text)

    def _set_job(self, key: str, text: str | None) -> None:
        self.model.set_job(key, text)
        main = self.main
        if main is not None:
            main.job_changed(key)
        screen = self.top
        if isinstance(screen, VMDetailScreen) and screen.key == key:
            screen.update_vm()

    def _update_detail_screen(self, host: str) -> None:
        screen = self.top
        if isinstance(screen, VMDetailScreen):
            screen.host_refreshed(host)

    def _update_subtitle(self) -> None:
        views = list(self.hosts.values())
        running = sum(v.running for v in views)
        total = sum(v.total for v in views)
        parts = [f"{len(views)} host{'s' if len(views) != 1 else ''}", f"{running}/{total} VMs running"]
        parts.append("live refresh paused (p)" if self.paused else f"refresh {self.scheduler.interval:g} s")
        if self.read_only:
            parts.append("read-only")
        if self.options.title_note:
            parts.append(self.options.title_note)
        self.sub_title = " · ".join(parts)

    # -- notifications and waiting (for people, and for tests) ---------------------------------

    def note(self, message: str, severity: Severity = "information", *, timeout: float | None = None) -> None:
        """Notify, and keep the message in :attr:`events` (the session's log of results and errors)."""
        self.events.append((severity, message))
        _log.info("%s: %s", severity, message)
        self.notify(message, severity=severity, markup=False, timeout=timeout)
        self._check_waiters()

    def _check_waiters(self) -> None:
        for waiter in list(self._waiters):
            predicate, future = waiter
            if future.done():
                self._waiters.remove(waiter)
            elif predicate():
                future.set_result(None)
                self._waiters.remove(waiter)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until ``predicate()`` holds, re-checked after every refresh, status change and note."""
        if predicate():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            if (predicate, future) in self._waiters:
                self._waiters.remove((predicate, future))

    # -- logging in ---------------------------------------------------------------------------

    def _auth_needed(self, key: str, report: StatusReport) -> None:
        if key in self._interactive or key not in self._prompted:
            self.prompt_login(key)

    def prompt_login(self, key: str | None = None) -> None:
        """Queue the login dialog for a host, or for the first host that needs one (one at a time)."""
        if key is None:
            key = next((k for k, v in self.hosts.items() if v.status is HostStatus.AUTH_NEEDED), None)
            if key is None:
                return
        view = self.hosts.get(key)
        if view is None or view.uri is None:
            return
        if key != self._login_open and key not in self._login_queue:
            self._login_queue.append(key)
        self._next_login()

    def _next_login(self) -> None:
        while self._login_open is None and self._login_queue:
            key = self._login_queue.pop(0)
            view = self.hosts.get(key)
            if view is None or view.uri is None:
                continue
            self._login_open = key
            self._prompted.add(key)
            note = None if self.credentials.keyring_available else self.credentials.reason
            reason = view.report.error if view.status is HostStatus.AUTH_NEEDED else None
            self.push_screen(
                LoginScreen(view.uri, reason=reason, keyring_note=note), partial(self._login_done, key)
            )

    def _login_done(self, key: str, result: LoginResult | None) -> None:
        self._login_open = None
        view = self.hosts.get(key)
        if result is None or view is None or view.uri is None:
            self._interactive.discard(key)
            if view is not None and view.status is HostStatus.AUTH_NEEDED:
                self.note(f"{view.short_name}: not logged in; press l on it to log in later", "warning")
        else:
            uri = replace(view.uri, user=result.user, auth=result.auth)
            if uri.canonical != key:
                key = self._rekey(key, uri, result.password)
            else:
                self.scheduler.set_password(key, result.password)
            self.credentials.remember(key, result.password, persist=False)
            if result.remember:
                self._remember.add(key)
            else:
                self._remember.discard(key)
            self._interactive.add(key)
            self.hosts[key].report = StatusReport(HostStatus.CONNECTING)
            if self.main is not None:
                self.main.host_changed(key)
        self._next_login()

    def _rekey(self, old: str, uri: ConnectionURI, password: str) -> str:
        """The user name or auth scheme changed: that is another URI, so another host entry."""
        view = self.hosts[old]
        new = uri.canonical
        self.scheduler.remove_host(old)
        self.model.remove_host(old)
        self.credentials.forget(old, from_keyring=False)
        self.hosts = {
            (new if k == old else k): (HostView(new, uri, view.ca_file) if k == old else v)
            for k, v in self.hosts.items()
        }
        if view.uri is not None and any(h.parsed == view.uri for h in self.config.hosts):
            self._save(self.config.without_host(view.uri).with_host(uri, view.ca_file))
        self.scheduler.add_host(new, uri, password, view.ca_file)
        main = self.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(new)
        return new

    async def _store_password(self, key: str) -> None:
        password = self.credentials.get(key)
        view = self.hosts.get(key)
        if password is None or view is None:
            return
        warning = await asyncio.to_thread(self.credentials.remember, key, password, persist=True)
        if warning:
            self.note(f"{view.short_name}: password not saved: {warning}", "warning")
        else:
            self.note(f"{view.short_name}: password saved in the system keyring", "information")

    # -- hosts --------------------------------------------------------------------------------

    def add_host_dialog(self) -> None:
        self.push_screen(AddHostScreen(known=self.hosts.keys()), self._host_added)

    def _host_added(self, result: AddHostResult | None) -> None:
        if result is None:
            return
        key = result.uri.canonical
        if key in self.hosts:
            self.note(f"{key} is already in the list", "warning")
            return
        view = HostView(key, result.uri, result.ca_file)
        self.hosts[key] = view
        self._save(self.config.with_host(result.uri, result.ca_file))
        main = self.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(key)
        self._update_subtitle()
        self._start_hosts([view], {})

    def remove_host_dialog(self, key: str) -> None:
        view = self.hosts.get(key)
        if view is None:
            return
        where = f" and from {self.config_path}" if self.persist else ""
        detail = f"{view.key}\nIts VMs are not touched: the host only leaves this list{where}."
        if self.persist and self.credentials.keyring_available:
            # The command line shares the keyring: say what stays, and how to remove it too.
            detail += (
                f"\nA stored password stays in the keyring for the command line: hvtui logout '{view.key}'"
            )
        self.push_screen(
            ConfirmScreen(
                f"Remove {view.name} from hvtui?",
                detail,
                yes="Remove",
                danger=True,
            ),
            partial(self._remove_confirmed, key),
        )

    def _remove_confirmed(self, key: str, yes: bool | None) -> None:
        if not yes:
            return
        view = self.hosts.pop(key, None)
        if view is None:
            return
        self.scheduler.remove_host(key)
        self.model.remove_host(key)
        self.credentials.forget(key, from_keyring=False)
        self._save(self.config.without_host(view.uri if view.uri is not None else key))
        main = self.main
        if main is not None:
            main.hosts_changed()
        self._update_subtitle()
        self.note(f"{view.short_name} removed from the list", "information")

    def show_host(self, key: str | None) -> None:
        main = self.main
        if main is None:
            return
        while self.top is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        main.hosts_pane.select_key(key)
        main.table.focus()

    # -- config -------------------------------------------------------------------------------

    def _save(self, config: Config) -> None:
        """Keep a settings change; write it unless this run persists nothing (``--demo``)."""
        if config == self.config:
            return
        self.config = config
        if not self.persist or self.store is None:
            return
        try:
            self.store.save(config)
        except ConfigError as exc:
            if not self._config_warned:
                self._config_warned = True
                self.note(str(exc), "warning")

    def set_sort(self, column: str, reverse: bool) -> None:
        self.model.set_sort(column, reverse)
        main = self.main
        if main is not None:
            main.sort_changed()
        self._save(replace(self.config, sort_column=column, sort_reverse=reverse))

    def toggle_column(self, key: str) -> None:
        if self.model.toggle_column(key):
            self._save(replace(self.config, columns=self.model.chosen))
            main = self.main
            if main is not None:
                main.sort_changed()

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready and theme != self.config.theme:
            self._save(replace(self.config, theme=theme))

    # -- VMs ----------------------------------------------------------------------------------

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

    def describe_vm(self, row: Row, host_name: str) -> list[Pair]:
        return vm_lines(row.vm, host_name, self.model.jobs.get(row.key))

    def clear_marks(self) -> None:
        main = self.main
        if main is not None:
            main.action_clear_marks()

    def toggle_host_detail(self) -> None:
        main = self.main
        if main is not None:
            main.action_toggle_detail()

    # -- actions ------------------------------------------------------------------------------

    def request_verb(self, verb: Verb, rows: Iterable[Row]) -> None:
        """Check, confirm when destructive or bulk, then run a verb on VMs."""
        spec = VERBS[verb]
        rows = list(rows)
        if self.read_only:
            self.note("Read-only mode (--read-only): actions are disabled", "warning")
            return
        if not rows:
            self.note("No VM selected", "warning")
            return
        allowed: list[Row] = []
        refused: list[str] = []
        busy: list[str] = []
        for row in rows:
            reason = spec.check(row.vm.name, row.vm.power)
            if reason:
                refused.append(reason)
            elif row.key in self._acting:
                busy.append(f"{row.vm.name} already has an action running")
            else:
                allowed.append(row)
        skipped = refused + busy
        if not allowed:
            if len(rows) == 1:
                self.note(f"Cannot {spec.title.lower()}: {skipped[0]}", "warning")
            else:
                self.note(
                    f"Cannot {spec.title.lower()} any of the {len(rows)} marked VMs: {skipped[0]}"
                    + (f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""),
                    "warning",
                )
            return
        hosts = {row.host for row in allowed}
        if not spec.destructive and len(allowed) == 1 and not skipped:
            self._run_verb(spec, allowed, hosts)
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
        self.push_screen(
            ConfirmScreen(question, "\n".join(detail), yes=spec.title, danger=spec.destructive),
            partial(self._verb_confirmed, spec, allowed, hosts),
        )

    def _names_by_host(self, rows: list[Row]) -> str:
        """ "hv01: web-01, web-02 · hv02: db-01 and 3 more": which VMs, on which host."""
        groups: dict[str, list[str]] = {}
        for row in rows:
            view = self.hosts.get(row.host)
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

    def _verb_confirmed(self, spec: VerbSpec, rows: list[Row], hosts: set[str], yes: bool | None) -> None:
        if yes:
            self._run_verb(spec, rows, hosts)

    def _run_verb(self, spec: VerbSpec, rows: list[Row], hosts: set[str]) -> None:
        batch = Batch(spec, len(rows), len(hosts))
        for row in rows:
            self._acting.add(row.key)
            self._set_job(row.key, f"{spec.progressive}…")
            self.run_worker(
                self._act(batch, row),
                name=f"{spec.verb.value} {row.vm.name}",
                group=f"act:{row.key}",
                exit_on_error=False,
            )

    async def _act(self, batch: Batch, row: Row) -> None:
        spec = batch.spec
        key = row.key

        def progress(job: Any) -> None:  # on the scheduler's thread
            self.post_message(JobUpdate(key, spec.progressive, job))

        try:
            outcome = await self.scheduler.run(self.scheduler.act(row.host, row.vm, spec.verb, progress))
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
            self._acting.discard(key)
            self._set_job(key, None)
        if batch.finished:
            self._report(batch)

    def _report(self, batch: Batch) -> None:
        spec = batch.spec
        for message in batch.failed:
            self.note(message, "error", timeout=12)
        for message in batch.running:
            self.note(message, "warning")
        if batch.total == 1:
            if batch.done:
                self.note(batch.done[0])  # "web-01 started": a VM's name is never re-cased
            return
        where = f" on {batch.hosts} host{'s' if batch.hosts != 1 else ''}"
        if not batch.failed and not batch.running:
            self.note(f"{spec.title}: all {batch.total} VMs {spec.done}{where}")
        else:
            self.note(
                f"{spec.title}: {len(batch.done)} of {batch.total} VMs {spec.done}{where}"
                + (f", {len(batch.failed)} failed" if batch.failed else "")
                + (f", {len(batch.running)} still running" if batch.running else ""),
                "warning",
            )

    # -- app-wide keys ------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        self.scheduler.refresh()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.scheduler.set_paused(self.paused)
        self._update_subtitle()
        self.note(
            "Live refresh paused (p resumes, ctrl+r refreshes once)"
            if self.paused
            else "Live refresh resumed"
        )

    def action_help(self) -> None:
        screen = self.screen
        disabled: set[str] = set()
        if self.read_only:
            disabled = {b.action for b in VERB_BINDINGS}
        sections: list[tuple[str, list[HelpEntry]]] = []
        if isinstance(screen, VerbScreen):
            bindings = list(type(screen).BINDINGS)
            verbs = [b for b in bindings if isinstance(b, Binding) and b.action.startswith("verb(")]
            others = [b for b in bindings if isinstance(b, Binding) and not b.action.startswith("verb(")]
            sections.append(
                (
                    "Actions on the VM under the cursor, or on every marked VM",
                    entries_from(verbs, disabled=disabled),
                )
            )
            if isinstance(screen, MainScreen):
                table = [b for b in VMTable.BINDINGS if isinstance(b, Binding)]
                sections.append(("Moving around", entries_from(table)))
            sections.append(("This screen", entries_from(others)))
        app_bindings = [b for b in self.BINDINGS if isinstance(b, Binding)]
        app_bindings = [b for b in app_bindings if b.action not in ("help", "command_palette")] + [
            Binding("tab", "focus_next", "Next pane"),
            Binding("ctrl+p", "command_palette", "Command palette: hosts, VMs, verbs"),
            Binding("question_mark", "help", "This help"),
        ]
        sections.append(("Everywhere", entries_from(app_bindings)))
        note = "Mouse: click a row to select it, click a header to sort, double-click for details."
        if self.read_only:
            note = "Read-only mode: the actions are disabled. " + note
        self.push_screen(HelpScreen(sections, note))


def build_app(options: TuiOptions, **kwargs: Any) -> HvtuiApp:
    """The app, ready to run (tests and the screenshot script use this without running it)."""
    return HvtuiApp(options, **kwargs)


def run(options: TuiOptions) -> int:
    """Run the terminal UI until the user quits; the return value is the exit status."""
    app = build_app(options)
    app.run()
    return app.return_code or 0
