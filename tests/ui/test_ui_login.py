"""Logging in from the dialog: right, wrong, cancelled, remembered, without a keyring, and again later."""

from __future__ import annotations

import json

import keyring
import keyring.backends.fail
import pytest
from textual.widgets import Checkbox, Input, Static

from hvtui.secrets import NO_BACKEND, SERVICE, CredentialStore
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.main import MainScreen
from tests.ui.driving import all_ok, key_of, wait_for

SIZE = (100, 32)


@pytest.fixture
def sim(make_sim):
    return make_sim(hosts=1, vms=3, seed=5)


async def login_dialog(app, pilot) -> LoginScreen:
    await wait_for(app, lambda: isinstance(app.top, LoginScreen))
    await pilot.pause()  # let it take the focus
    return app.top


async def type_password(pilot, screen: LoginScreen, password: str, *, keys: bool = False) -> None:
    """Fill the password in (key by key when ``keys``) and press enter."""
    box = screen.query_one("#password", Input)
    box.focus()
    if keys:
        box.value = ""
        await pilot.press(*password)
    else:
        box.value = password
    await pilot.press("enter")


async def test_right_password_connects_and_is_not_stored(ui, sim, config_path, keyring_backend):
    host = sim.hosts[0]
    app = ui(sim.hosts, passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await login_dialog(app, pilot)
        assert dialog.query_one("#login-title").content == f"Log in to 127.0.0.1:{host.port}"
        assert dialog.query_one("#user", Input).value == "administrator"
        assert dialog.focused is dialog.query_one("#password", Input)
        assert dialog.query_one("#password", Input).password  # masked
        await type_password(pilot, dialog, host.password, keys=True)
        await all_ok(app)
        assert isinstance(app.top, MainScreen)
    assert keyring_backend.store == {}
    assert not config_path.exists() or host.password not in config_path.read_text()


async def test_wrong_password_brings_the_dialog_back_with_the_hosts_reason(ui, sim):
    host = sim.hosts[0]
    app = ui(sim.hosts, passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await login_dialog(app, pilot)
        await type_password(pilot, dialog, "not-the-password")
        await wait_for(app, lambda: isinstance(app.top, LoginScreen) and app.top is not dialog)
        again = app.top
        reason = again.query_one("#login-reason", Static)
        assert reason.display
        assert "not-the-password" not in str(reason.content)
        assert str(reason.content)
        assert app.hosts[key_of(host)].status is HostStatus.AUTH_NEEDED
        await type_password(pilot, again, host.password)
        await all_ok(app)


async def test_cancel_leaves_the_host_waiting_and_l_asks_again(ui, sim):
    host = sim.hosts[0]
    app = ui(sim.hosts, passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        await login_dialog(app, pilot)
        await pilot.press("escape")
        await wait_for(app, lambda: isinstance(app.top, MainScreen))
        assert app.hosts[key_of(host)].status is HostStatus.AUTH_NEEDED
        assert app.events[-1][0] == "warning"
        assert "press l" in app.events[-1][1]
        app.main.hosts_pane.select_key(key_of(host))
        await pilot.pause()
        assert app.main.check_action("login", ()) is True
        await pilot.press("l")
        dialog = await login_dialog(app, pilot)
        await type_password(pilot, dialog, host.password)
        await all_ok(app)


async def test_remember_stores_in_the_keyring_once_the_password_works(ui, sim, config_path, keyring_backend):
    host = sim.hosts[0]
    app = ui(sim.hosts, passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await login_dialog(app, pilot)
        box = dialog.query_one("#remember", Checkbox)
        assert not box.disabled
        box.focus()
        await pilot.press("space")
        assert box.value
        await type_password(pilot, dialog, host.password)
        await wait_for(app, lambda: any("saved in the system keyring" in t for _, t in app.events))
    assert keyring_backend.store == {(SERVICE, key_of(host)): host.password}
    # Next time the keyring answers: no dialog.
    again = ui(sim.hosts, passwords=False)
    async with again.run_test(size=SIZE):
        await all_ok(again)
        assert not any(isinstance(s, LoginScreen) for s in again.screen_stack)
    assert not config_path.exists() or host.password not in config_path.read_text()


async def test_without_a_keyring_the_checkbox_is_disabled_and_says_why(ui, sim):
    host = sim.hosts[0]
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the store looks for one on first use
    try:
        store = CredentialStore()
        app = ui(sim.hosts, passwords=False, credentials=store)
        async with app.run_test(size=SIZE) as pilot:
            dialog = await login_dialog(app, pilot)
            assert dialog.query_one("#remember", Checkbox).disabled
            assert dialog.query_one("#keyring-note", Static).content == NO_BACKEND
            await type_password(pilot, dialog, host.password)
            await all_ok(app)
            assert store.get(key_of(host)) == host.password  # memory, for this session
    finally:
        keyring.set_keyring(previous)


async def test_a_password_changed_on_the_host_asks_again(ui, sim):
    host = sim.hosts[0]
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        host.set_password("Changed-Passw0rd")
        dialog = await login_dialog(app, pilot)
        assert app.hosts[key_of(host)].status is HostStatus.AUTH_NEEDED
        assert str(dialog.query_one("#login-reason", Static).content)
        await type_password(pilot, dialog, "Changed-Passw0rd")
        await all_ok(app)


async def test_a_different_user_is_another_uri(ui, sim, make_sim):
    host = sim.hosts[0]
    app = ui(sim.hosts, passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await login_dialog(app, pilot)
        user = dialog.query_one("#user", Input)
        user.value = "operator"
        await type_password(pilot, dialog, host.password)
        # The simulator knows only "administrator": the host refuses, and asks under the new URI.
        again = await login_dialog(app, pilot)
        assert again.uri.user == "operator"
        assert list(app.hosts) == [again.uri.canonical]
        again.query_one("#user", Input).value = "administrator"
        await type_password(pilot, again, host.password)
        await all_ok(app)
        assert list(app.hosts) == [key_of(host)]


async def test_one_password_for_every_host_with_this_user(ui, make_sim):
    sim = make_sim(hosts=3, vms=2, seed=5)
    app = ui(sim.hosts, passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(app, lambda: sum(v.status is HostStatus.AUTH_NEEDED for v in app.hosts.values()) == 3)
        dialog = await login_dialog(app, pilot)
        dialog.query_one("#for-all", Checkbox).value = True
        await type_password(pilot, dialog, sim.hosts[0].password)
        await all_ok(app)  # one dialog for the three of them
        assert isinstance(app.top, MainScreen)


def config_with(path, hosts, command: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    top = f"password_command = {json.dumps(command)}\n" if command else ""
    path.write_text(top + "".join(f'[[hosts]]\nuri = "{key_of(h)}"\n' for h in hosts))


def private_file(path, text: str):
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


async def test_a_password_command_logs_in_without_a_dialog(ui, sim, config_path, tmp_path):
    host = sim.hosts[0]
    secret = private_file(tmp_path / "secret", host.password)
    config_with(config_path, sim.hosts, f"cat {secret}")
    app = ui()
    async with app.run_test(size=SIZE):
        await all_ok(app)
        assert not any(isinstance(s, LoginScreen) for s in app.screen_stack)


async def test_a_password_command_that_fails_says_why_and_the_dialog_asks(ui, sim, config_path):
    config_with(config_path, sim.hosts, "false")
    app = ui()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await login_dialog(app, pilot)
        assert any(
            "password_command for administrator" in text and "failed" in text for _, text in app.events
        )
        await type_password(pilot, dialog, sim.hosts[0].password)
        await all_ok(app)


async def test_the_password_file_serves_the_hosts_of_the_config(ui, sim, config_path, tmp_path):
    config_with(config_path, sim.hosts)
    app = ui(password_file=private_file(tmp_path / "pw", sim.hosts[0].password))
    async with app.run_test(size=SIZE):
        await all_ok(app)
        assert not any(isinstance(s, LoginScreen) for s in app.screen_stack)
