"""The host list: the hosts a run starts with, adding and removing them, and their refreshes.

The list, the table model, the config file and the scheduler must agree on which hosts
there are: every change to the list goes through here so they do.
"""

from __future__ import annotations

import asyncio
from functools import partial

from hvtui.hyperv.tickets import uses_ticket
from hvtui.password_command import PasswordCommandError, unattended_password
from hvtui.password_file import PasswordFileError
from hvtui.ui.flows.context import FlowContext
from hvtui.ui.hoststatus import HostStatus
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
        configured = {e.parsed: e for e in self.app.settings.config.hosts if e.parsed is not None}
        if self.options.hosts:
            for spec in self.options.hosts:
                key = spec.uri.canonical
                if key not in seen:
                    seen.add(key)
                    # A host the config also holds keeps the certificate pinned for it there.
                    entry = configured.get(spec.uri)
                    pin = entry.tls_pin if entry is not None else None
                    ca_file = spec.ca_file or (entry.ca_file if entry is not None else None)
                    views.append(HostView(key, spec.uri, ca_file, pin, from_config=entry is not None))
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
                views.append(HostView(uri.canonical, uri, entry.ca_file, entry.tls_pin, from_config=True))
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
                self.app.scheduler.add_host(view.key, view.uri, known[view.key], view.ca_file, view.tls_pin)
        if missing:
            self.app.run_worker(self._start_from_keyring(missing), group="keyring", exit_on_error=False)

    async def _start_from_keyring(self, views: list[HostView]) -> None:
        # A keyring lookup may wait on D-Bus (or an unlock prompt), a password command on the
        # user's password manager: never on the UI thread. Each host looks on its own, at once.
        found = await asyncio.gather(*(asyncio.to_thread(self._lookup, v) for v in views))
        app = self.app
        for view, (password, problem) in zip(views, found, strict=True):
            if problem is not None:
                app.note(f"{view.short_name}: {problem}", "warning")
            if view.key in app.hosts and view.uri is not None:
                if password is not None:
                    app.credentials.remember(view.key, password, persist=False)
                app.scheduler.add_host(view.key, view.uri, password, view.ca_file, view.tls_pin)

    def _lookup(self, view: HostView) -> tuple[str | None, str | None]:
        """(password, why there is none) for a host with nobody at the keyboard, in the command
        line's order: the ``--password-file``, the keyring, the config's password_command.

        No password (and no reason) leaves the host to the login dialog; so does a host the
        user's Kerberos ticket logs in to, for which nothing is looked up. Runs in a thread.
        """
        uri = view.uri
        if uri is None or uses_ticket(uri):
            return None, None
        app = self.app
        try:
            if self.options.password_file is not None:
                return unattended_password(uri, password_file=self.options.password_file), None
            found = app.credentials.get(view.key)
            return found or unattended_password(uri, config=app.settings.config), None
        except (PasswordFileError, PasswordCommandError) as exc:
            return None, str(exc)

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
        view = HostView(key, result.uri, result.ca_file, result.tls_pin, from_config=app.settings.persist)
        app.hosts[key] = view
        app.settings.save(app.settings.config.with_host(result.uri, result.ca_file, result.tls_pin))
        main = app.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(key)
        app.update_subtitle()
        self._start([view], {})

    def edit_dialog(self, key: str) -> None:
        """Change a host's URI, CA file or pin: the host keeps its place, and is not added twice."""
        app = self.app
        view = app.hosts.get(key)
        if view is None:
            return
        if view.uri is None:
            app.note(f"{view.key}: fix this URI in {app.settings.path}", "warning")
            return
        known = [k for k in app.hosts if k != key]
        editing = AddHostResult(view.uri, view.ca_file, view.tls_pin)
        app.push_screen(AddHostScreen(known=known, editing=editing), partial(self._edited, key))

    def _edited(self, key: str, result: AddHostResult | None) -> None:
        app = self.app
        view = app.hosts.get(key)
        if result is None or view is None or view.uri is None:
            return
        old = view.uri
        if view.from_config:
            app.settings.save(
                app.settings.config.edited_host(old, result.uri, result.ca_file, result.tls_pin)
            )
        new = result.uri.canonical
        if new == key:
            view.ca_file, view.tls_pin = result.ca_file, result.tls_pin
            app.scheduler.set_trust(key, result.ca_file, result.tls_pin)
        else:
            password = app.credentials.get(key) if result.uri.user == old.user else None
            self._replace(key, HostView(new, result.uri, result.ca_file, result.tls_pin, view.from_config))
            if password is None:
                self._start([app.hosts[new]], {})
            else:
                app.scheduler.add_host(new, result.uri, password, result.ca_file, result.tls_pin)
        main = app.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(new)
        app.note(f"{result.uri.display_host}: host changed", "information")

    def trust_dialog(self, key: str) -> None:
        """Offer to pin the certificate an untrusted host showed, after showing what it is."""
        app = self.app
        view = app.hosts.get(key)
        certificate = view.report.certificate if view is not None else None
        if view is None or certificate is None:
            return
        changed = view.tls_pin is not None
        where = (
            f"saved as tls_pin in {app.settings.path}"
            if view.from_config and app.settings.persist
            else "kept for this run only (the host is not in the config file)"
        )
        detail = (
            f"{certificate.fingerprint}\n{certificate.subject}\nValid {certificate.validity()}\n\n"
            "Compare the fingerprint with the host's own before you trust it. From then on hvtui "
            f"accepts this certificate, and only this one, for this host ({where})."
        )
        if changed:
            detail = f"This host's certificate CHANGED since you trusted it.\n{detail}"
        title = f"Trust the certificate of {view.name}?"
        app.push_screen(
            ConfirmScreen(title, detail, yes="Trust", danger=changed),
            partial(self._trusted, key, certificate.fingerprint),
        )

    def _trusted(self, key: str, pin: str, yes: bool | None) -> None:
        app = self.app
        view = app.hosts.get(key)
        if not yes or view is None or view.uri is None:
            return
        view.tls_pin = pin
        if view.from_config:
            config = app.settings.config
            app.settings.save(config.edited_host(view.uri, view.uri, view.ca_file, pin))
        app.scheduler.set_trust(key, view.ca_file, pin)
        app.note(f"{view.short_name}: certificate trusted ({pin[:23]}…)", "information")

    def _replace(self, old: str, view: HostView) -> None:
        """Put ``view`` in the place of the host ``old`` (another URI is another host)."""
        app = self.app
        app.scheduler.remove_host(old)
        app.model.remove_host(old)
        app.credentials.forget(old, from_keyring=False)
        app.hosts = {(view.key if k == old else k): (view if k == old else v) for k, v in app.hosts.items()}

    def remove_dialog(self, key: str) -> None:
        app = self.app
        view = app.hosts.get(key)
        if view is None:
            return
        persist = app.settings.persist and view.from_config
        if persist:
            where = f" and from {app.settings.path}"
        elif app.settings.persist:
            where = f" of this run (it came from the command line; {app.settings.path} does not hold it)"
        else:
            where = ""
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
        if view.from_config:
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
        self._replace(old, HostView(new, uri, view.ca_file, view.tls_pin, view.from_config))
        config = app.settings.config
        if view.uri is not None and config.has_host(view.uri):
            app.settings.save(config.edited_host(view.uri, uri, view.ca_file, view.tls_pin))
        app.scheduler.add_host(new, uri, password, view.ca_file, view.tls_pin)
        main = app.main
        if main is not None:
            main.hosts_changed()
            main.hosts_pane.select_key(new)
        return new

    def explain(self, what: str, key: str | None) -> None:
        """A host key pressed where it does not apply: say why, and what would work."""
        app = self.app
        view = app.hosts.get(key) if key is not None else None
        if what == "host":
            text = "Select a host in the hosts pane first: D removes it, e edits it (All hosts is not one)"
        elif what == "login" and view is None:
            text = "No host is waiting for a login; to log in to one again: ctrl+p, Log in again to …"
        elif what == "login" and view is not None and view.status is HostStatus.TLS_UNTRUSTED:
            text = (
                f"{view.short_name}: its certificate is not trusted, so no password is asked: "
                "compare its fingerprint, then C trusts it"
            )
        elif what == "login" and view is not None:
            text = (
                f"{view.short_name} does not need a login now ({view.report.text()}); ctrl+p, Log in again …"
            )
        elif view is None:
            text = "Select the host whose certificate is not trusted, then press C"
        elif view.uri is not None and view.uri.transport != "https":
            text = f"{view.short_name} uses plain HTTP: it has no certificate to trust"
        else:
            text = f"{view.short_name}: no untrusted certificate to trust ({view.report.text()})"
        app.note(text, "information")

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
