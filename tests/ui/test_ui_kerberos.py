"""The TUI with Kerberos: the ticket from kinit logs in with no dialog; when it expires, the dialog
asks once, and a fresh ticket (password left empty) or a password logs in again."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from textual.widgets import Input, RadioSet, Static

from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.main import MainScreen
from tests.kerberos.test_client_kerberos import kerberos_uri
from tests.support.tui import all_ok, wait_for

pytest.importorskip("gssapi")

SIZE = (100, 32)


def kerberos_hosts(sim) -> list[SimpleNamespace]:
    return [SimpleNamespace(uri=kerberos_uri(h), password=None) for h in sim.hosts]


async def test_a_ticket_logs_in_without_the_dialog_or_the_keyring(
    ui, kerberos_sim, krb5_ticket, keyring_backend
):
    looked_up = []
    original = keyring_backend.get_password
    keyring_backend.get_password = lambda service, key: looked_up.append(key) or original(service, key)
    app = ui(kerberos_hosts(kerberos_sim), passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.pause()
        assert isinstance(app.top, MainScreen)
        view = next(iter(app.hosts.values()))
        assert view.connection is not None and view.connection.auth == "kerberos"
    assert looked_up == []


async def test_an_expired_ticket_asks_once_and_a_fresh_one_logs_in_again(ui, kerberos_sim, krb5_env, kdc):
    kdc.kinit(krb5_env, lifetime="3s")
    app = ui(kerberos_hosts(kerberos_sim), passwords=False, refresh=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await wait_for(app, lambda: isinstance(app.top, LoginScreen), timeout=30)
        await pilot.pause()
        dialog = app.top
        assert "has expired: run `kinit alice@HVTUI.TEST`" in str(
            dialog.query_one("#login-reason", Static).content
        )
        assert dialog.query_one(RadioSet).pressed_button.name == "kerberos"
        assert "empty for the kinit ticket" in dialog.query_one("#password", Input).placeholder
        await asyncio.to_thread(kdc.kinit, krb5_env)
        dialog.query_one("#password", Input).focus()
        await pilot.press("enter")  # empty: the fresh ticket
        await wait_for(app, lambda: all(v.status is HostStatus.OK for v in app.hosts.values()))
        assert isinstance(app.top, MainScreen)
