"""The terminal UI with a config it cannot read or write, and a keyring that fails.

Each is reported once, in one line; the app goes on working (hosts given on the command line
or read from the file, passwords kept in memory); and the user's files are byte-identical
afterwards, although the test changes a setting the app would save. Runs as root too:
``support.permissions.enforced`` makes file modes bite.
"""

from __future__ import annotations

import json

import keyring.core
import pytest
from support.keyrings import LockedKeyring
from support.permissions import enforced
from textual.widgets import Input

from hvtui.config import ConfigStore
from hvtui.secrets import CredentialStore
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.login import LoginScreen
from hvtui.uri import parse_uri

from .tui import SIZE, all_ok, make_app, wait_for


def mine(uri: str) -> bytes:
    return f'# my settings\nrefresh_interval = 5.0\ntheme = "nord"\n\n[[hosts]]\nuri = "{uri}"\n'.encode()


def warnings(app) -> list[str]:
    return [text for severity, text in app.events if severity == "warning"]


@pytest.mark.parametrize(
    ("damage", "said_on_start", "said_on_save"),
    [
        ("unreadable", "cannot read", "could not be read"),
        ("read-only file", None, "it is read-only"),
        ("read-only directory", None, "cannot write"),
        ("not TOML", "is not valid TOML", None),
    ],
)
async def test_a_config_that_cannot_be_used_is_reported_and_left_as_it_was(
    make_sim, tmp_path, damage, said_on_start, said_on_save
):
    h = make_sim(vms=2).hosts[0]
    config = tmp_path / "hvtui" / "config.toml"
    config.parent.mkdir()
    original = mine(parse_uri(h.uri).canonical) if damage != "not TOML" else b"theme = [oops\n"
    config.write_bytes(original)
    mode = {"unreadable": 0, "read-only file": 0o444}.get(damage, 0o600)
    config.chmod(mode)
    if damage == "read-only directory":
        config.parent.chmod(0o555)
    try:
        with enforced():
            # Hosts from the command line when the file cannot tell them; else from the file.
            hosts = [(h.uri, h.password)] if damage in ("unreadable", "not TOML") else []
            credentials = CredentialStore(use_keyring=False)
            credentials.remember(parse_uri(h.uri).canonical, h.password, persist=False)
            app = make_app(hosts, config_path=config, credentials=credentials)
            async with app.run_test(size=SIZE) as pilot:
                await all_ok(app)
                if said_on_start:
                    assert len([w for w in warnings(app) if said_on_start in w]) == 1, warnings(app)
                for _ in range(2):  # two settings changes the app tries to save
                    column = app.model.sort_column
                    await pilot.press("o")
                    assert app.model.sort_column != column
                if said_on_save:
                    await wait_for(app, lambda: any(said_on_save in w for w in warnings(app)))
                    assert len([w for w in warnings(app) if said_on_save in w]) == 1  # said once
                assert all("\n" not in w for w in warnings(app))
                assert app.hosts[parse_uri(h.uri).canonical].status is HostStatus.OK
    finally:
        config.parent.chmod(0o700)
        config.chmod(0o600)
    if damage == "not TOML":
        # Kept aside byte for byte before the app wrote its settings in its place.
        kept = list(config.parent.glob("config.toml.damaged-*"))
        assert [p.read_bytes() for p in kept] == [original]
        assert ConfigStore(config).load().problems == []
    else:
        assert config.read_bytes() == original
        assert sorted(p.name for p in config.parent.iterdir()) == ["config.toml"]


async def test_a_failing_keyring_leaves_passwords_in_memory_and_the_store_untouched(
    make_sim, tmp_path, monkeypatch
):
    h = make_sim(vms=2).hosts[0]
    key = parse_uri(h.uri).canonical
    store = tmp_path / "keyring.json"
    store.write_text(json.dumps({"hvtui|hyperv://administrator@other/": "Other-Pw"}))
    before = store.read_bytes()
    monkeypatch.setenv("HVTUI_TEST_KEYRING", str(store))
    monkeypatch.setattr(keyring.core, "_keyring_backend", LockedKeyring())
    config = tmp_path / "config.toml"
    config.write_bytes(mine(key))
    app = make_app(config_path=config, credentials=CredentialStore())  # the system keyring: locked
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(app, lambda: isinstance(app.top, LoginScreen))  # nothing from the keyring
        await pilot.pause()
        dialog = app.top
        note = str(dialog.query_one("#keyring-note").content)
        assert "KeyringLocked" in note and "memory for this session only" in note
        dialog.query_one("#password", Input).value = h.password
        await pilot.press("enter")
        await all_ok(app)  # works, with the password in memory
    assert store.read_bytes() == before
    assert config.read_bytes() == mine(key)
