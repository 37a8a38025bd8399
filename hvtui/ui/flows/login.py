"""Logging in to hosts: one dialog at a time, queued, and never twice on its own for one host.

A host asks for a password once by itself; after that only when the person asks (``l``), or
when the password they just typed was refused. A password goes to the keyring only once it
has worked, and only when asked to.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial

from hvtui.ui.flows.context import FlowContext
from hvtui.ui.flows.hosts import HostsFlow
from hvtui.ui.hoststatus import HostStatus, StatusReport
from hvtui.ui.screens.login import LoginResult, LoginScreen


class LoginFlow:
    def __init__(self, app: FlowContext, hosts: HostsFlow) -> None:
        self.app = app
        self.hosts = hosts
        self._queue: list[str] = []
        self._open: str | None = None
        self._prompted: set[str] = set()
        self._interactive: set[str] = set()  # hosts whose credentials were just typed
        self._remember: set[str] = set()  # hosts whose password goes to the keyring once it works

    def auth_needed(self, key: str) -> None:
        """A host refused its password, or has none: ask, unless it has asked by itself before."""
        if key in self._interactive or key not in self._prompted:
            self.prompt(key)

    def refreshed(self, key: str) -> None:
        """A host answered: the password that was just typed works (keep it, if asked to)."""
        if key in self._remember:
            self._remember.discard(key)
            self.app.run_worker(self._store_password(key), group="keyring", exit_on_error=False)
        self._interactive.discard(key)

    def prompt(self, key: str | None = None) -> None:
        """Queue the login dialog for a host, or for the first host that needs one (one at a time)."""
        hosts = self.app.hosts
        if key is None:
            key = next((k for k, v in hosts.items() if v.status is HostStatus.AUTH_NEEDED), None)
            if key is None:
                return
        view = hosts.get(key)
        if view is None or view.uri is None:
            return
        if key != self._open and key not in self._queue:
            self._queue.append(key)
        self._next()

    def _next(self) -> None:
        app = self.app
        while self._open is None and self._queue:
            key = self._queue.pop(0)
            view = app.hosts.get(key)
            if view is None or view.uri is None:
                continue
            self._open = key
            self._prompted.add(key)
            note = None if app.credentials.keyring_available else app.credentials.reason
            reason = view.report.error if view.status is HostStatus.AUTH_NEEDED else None
            user = view.uri.user.casefold()
            others = sum(
                1 for k, v in app.hosts.items() if k != key and v.uri and v.uri.user.casefold() == user
            )
            app.push_screen(
                LoginScreen(view.uri, reason=reason, keyring_note=note, others=others),
                partial(self._done, key),
            )

    def _same_user(self, key: str, user: str) -> list[str]:
        """The other hosts with ``user`` in their URI that wait for a password."""
        return [
            k
            for k, v in self.app.hosts.items()
            if k != key
            and v.uri is not None
            and v.status is HostStatus.AUTH_NEEDED
            and v.uri.user.casefold() == user.casefold()
        ]

    def _done(self, key: str, result: LoginResult | None) -> None:
        app = self.app
        self._open = None
        view = app.hosts.get(key)
        if result is None or view is None or view.uri is None:
            self._interactive.discard(key)
            if view is not None and view.status is HostStatus.AUTH_NEEDED:
                app.note(f"{view.short_name}: not logged in; press l on it to log in later", "warning")
        else:
            others = self._same_user(key, result.user) if result.for_all else []
            self._log_in(key, result)
            for other in others:
                # The same password for these too: each keeps its own URI (and auth scheme).
                if other in self._queue:
                    self._queue.remove(other)
                self._prompted.add(other)
                uri = app.hosts[other].uri
                self._log_in(other, replace(result, auth=uri.auth) if uri is not None else result)
        self._next()

    def _log_in(self, key: str, result: LoginResult) -> None:
        """Give a host the credentials typed; another user or scheme makes it another host."""
        app = self.app
        view = app.hosts[key]
        assert view.uri is not None
        uri = replace(view.uri, user=result.user, auth=result.auth)
        if uri.canonical != key:
            key = self.hosts.rekey(key, uri, result.password)
        else:
            app.scheduler.set_password(key, result.password)
        if result.password is None:  # the Kerberos ticket: no password to keep
            app.credentials.forget(key, from_keyring=False)
        else:
            app.credentials.remember(key, result.password, persist=False)
        if result.remember:
            self._remember.add(key)
        else:
            self._remember.discard(key)
        self._interactive.add(key)
        app.hosts[key].report = StatusReport(HostStatus.CONNECTING)
        main = app.main
        if main is not None:
            main.host_changed(key)

    async def _store_password(self, key: str) -> None:
        app = self.app
        password = app.credentials.get(key)
        view = app.hosts.get(key)
        if password is None or view is None:
            return
        warning = await asyncio.to_thread(app.credentials.remember, key, password, persist=True)
        if warning:
            app.note(f"{view.short_name}: password not saved: {warning}", "warning")
        else:
            app.note(f"{view.short_name}: password saved in the system keyring", "information")
