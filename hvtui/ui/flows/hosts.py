"""The host list: the hosts a run starts with, adding and removing them, and their refreshes.

The list, the table model, the config file and the scheduler must agree on which hosts
there are: every change to the list goes through here so they do.
"""

from __future__ import annotations

import asyncio
from functools import partial

from hvtui.hyperv.tickets import uses_ticket
from hvtui.ui.flows.context import FlowContext
from hvtui.ui.hostview import HostView
from hvtui.ui.launch import TuiOptions
from hvtui.ui.screens.add_host import AddHostResult, AddHostScreen
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.uri import ConnectionURI


class HostsFlow:
    def __init__(self, app: FlowContext, options: TuiOptions) -> None:
        self.app = app
        self.options = options

    # -- the hosts a run starts with ----------------------------------------------------------

    def start_initial(self) -> None:
        """Show the hosts of the command line (or of the config file) and start refreshing them."""
        app = self.app
        views = self._initial_hosts()
        for view in views:
            app.hosts[view.key] = view
        main = app.main
        if main is not None:
            main.hosts_changed()
        self._start([v for v in views if v.uri is not None], self._initial_passwords())

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
        for entry in self.app.settings.config.hosts:
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
                self.app.credentials.remember(spec.uri.canonical, spec.password, persist=False)
        return passwords

    def _start(self, views: list[HostView], known: dict[str, str]) -> None:
        """Start refreshing hosts; passwords not given come from the keyring, off the UI thread."""
        missing = [v for v in views if v.key not in known]
        for view in views:
            if view.key in known and view.uri is not None:
                self.app.scheduler.add_host(view.key, view.uri, known[view.key], view.ca_file)
        if missing:
            self.app.run_worker(self._start_from_keyring(missing), group="keyring", exit_on_error=False)

    async def _start_from_keyring(self, views: list[HostView]) -> None:
        # A keyring lookup may wait on D-Bus (or an unlock prompt): never on the UI thread.
        # A host the user's Kerberos ticket logs in to needs no password: none is looked up.
        credentials = self.app.credentials

        def lookup(view: HostView) -> str | None:
            return None if view.uri is None or uses_ticket(view.uri) else credentials.get(view.key)

        found = await asyncio.to_thread(lambda: {v.key: lookup(v) for v in views})
        for view in views:
            if view.key in self.app.hosts and view.uri is not None:
                self.app.scheduler.add_host(view.key, view.uri, found.get(view.key), view.ca_file)

    # -- adding, removing, re-keying ----------------------------------------------------------

    def add_dialog(self) -> None:
        self.app.push_screen(AddHostScreen(known=self.app.hosts.keys()), self._added)

    def _added(self, result: AddHostResult | None) -> None:
        if result is None:
            return
        app = self.app
        key = result.uri.canonical
        if key in app.hosts:
            app.note(f"{key} is already in the list", "warning")
            return
        view = HostView(key, result.uri, result.ca_file)
        app.hosts[key] = view
        app.settings.save(app.settings.config.with_host(result.uri, result.ca_file))
        main = app.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(key)
        app.update_subtitle()
        self._start([view], {})

    def remove_dialog(self, key: str) -> None:
        app = self.app
        view = app.hosts.get(key)
        if view is None:
            return
        persist = app.settings.persist
        where = f" and from {app.settings.path}" if persist else ""
        detail = f"{view.key}\nIts VMs are not touched: the host only leaves this list{where}."
        if persist and app.credentials.keyring_available:
            # The command line shares the keyring: say what stays, and how to remove it too.
            detail += (
                f"\nA stored password stays in the keyring for the command line: hvtui logout '{view.key}'"
            )
        app.push_screen(
            ConfirmScreen(f"Remove {view.name} from hvtui?", detail, yes="Remove", danger=True),
            partial(self._remove_confirmed, key),
        )

    def _remove_confirmed(self, key: str, yes: bool | None) -> None:
        if not yes:
            return
        app = self.app
        view = app.hosts.pop(key, None)
        if view is None:
            return
        app.scheduler.remove_host(key)
        app.model.remove_host(key)
        app.credentials.forget(key, from_keyring=False)
        app.settings.save(app.settings.config.without_host(view.uri if view.uri is not None else key))
        main = app.main
        if main is not None:
            main.hosts_changed()
        app.update_subtitle()
        app.note(f"{view.short_name} removed from the list", "information")

    def rekey(self, old: str, uri: ConnectionURI, password: str | None) -> str:
        """The user name or auth scheme changed: that is another URI, so another host entry."""
        app = self.app
        view = app.hosts[old]
        new = uri.canonical
        app.scheduler.remove_host(old)
        app.model.remove_host(old)
        app.credentials.forget(old, from_keyring=False)
        app.hosts = {
            (new if k == old else k): (HostView(new, uri, view.ca_file) if k == old else v)
            for k, v in app.hosts.items()
        }
        config = app.settings.config
        if view.uri is not None and any(h.parsed == view.uri for h in config.hosts):
            app.settings.save(config.without_host(view.uri).with_host(uri, view.ca_file))
        app.scheduler.add_host(new, uri, password, view.ca_file)
        main = app.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(new)
        return new

    def show(self, key: str | None) -> None:
        """Back to the main screen, scoped to one host (or to all of them)."""
        app = self.app
        main = app.main
        if main is None:
            return
        while app.top is not main and len(app.screen_stack) > 1:
            app.pop_screen()
        main.hosts_pane.select_key(key)
        main.table.focus()
