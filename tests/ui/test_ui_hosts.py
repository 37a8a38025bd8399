"""Hosts: adding (URI checked as you type), removing, the config file, and hosts that fail."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Button, Input, Static

from hvtui.config import ConfigStore
from hvtui.secrets import SERVICE
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.add_host import AddHostScreen
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.main import MainScreen
from tests.ui.driving import all_ok, key_of, wait_for

SIZE = (100, 30)


@pytest.fixture
def sim(make_sim):
    return make_sim(hosts=2, vms=3, release="2019,2022", seed=5)


def write_config(path, *uris: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f'[[hosts]]\nuri = "{uri}"\n\n' for uri in uris))


async def test_add_host_checks_the_uri_as_you_type_then_asks_for_the_password(ui, sim, config_path):
    first, second = sim.hosts
    app = ui([first])
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("a")
        await wait_for(app, lambda: isinstance(app.top, AddHostScreen))
        await pilot.pause()
        dialog = app.top
        check = dialog.query_one("#uri-check", Static)
        await pilot.press(*"hyperv://admin:secret@hv01/")
        assert "password in the URI is not accepted" in str(check.content)
        assert "secret" not in str(check.content)
        assert dialog.query_one("#ok", Button).disabled
        dialog.query_one("#uri", Input).value = "http://hv01/"
        await pilot.pause()
        assert str(check.content).startswith("✗ ")
        dialog.query_one("#uri", Input).value = first.uri
        await pilot.pause()
        assert "already in the list" in str(check.content)
        dialog.query_one("#uri", Input).value = second.uri
        await pilot.pause()
        assert str(check.content).startswith(f"✓ {key_of(second)}")
        await pilot.press("enter")
        await wait_for(app, lambda: isinstance(app.top, LoginScreen))
        await pilot.pause()
        app.top.query_one("#password", Input).value = second.password
        await pilot.press("enter")
        await all_ok(app)
        assert list(app.hosts) == [key_of(first), key_of(second)]
    saved = ConfigStore(config_path).load().config
    assert [h.uri for h in saved.hosts] == [key_of(second)]
    assert second.password not in config_path.read_text()


async def test_remove_host_asks_then_forgets_it_in_the_config(ui, sim, config_path, keyring_backend):
    first, second = sim.hosts
    write_config(config_path, key_of(first), key_of(second))
    for host in sim.hosts:
        keyring_backend.set_password(SERVICE, key_of(host), host.password)
    app = ui()
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        assert len(app.model.rows) == 6
        app.main.hosts_pane.select_key(key_of(second))
        await pilot.pause()
        await pilot.press("D")
        await wait_for(app, lambda: isinstance(app.top, ConfirmScreen))
        await pilot.pause()
        assert app.top.focused.id == "no"
        assert f"hvtui logout '{key_of(second)}'" in str(app.top.query_one("#detail", Static).content)
        await pilot.press("y")
        await wait_for(app, lambda: key_of(second) not in app.hosts)
        assert all(row.host == key_of(first) for row in app.model.rows.values())
        assert app.model.scope is None
    assert [h.uri for h in ConfigStore(config_path).load().config.hosts] == [key_of(first)]
    assert (SERVICE, key_of(second)) in keyring_backend.store  # the CLI may still use it


async def test_a_corrupt_config_is_reported_kept_aside_and_not_overwritten(ui, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("refresh_interval = [oops\n")
    app = ui()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("is not valid TOML" in text for severity, text in app.events if severity == "warning")
        assert app.main.query_one("#first-run").display
        assert "Press a to add one" in str(app.main.query_one("#first-run", Static).content)
    assert config_path.read_text() == "refresh_interval = [oops\n"
    kept = list(config_path.parent.glob("config.toml.damaged-*"))
    assert [p.read_text() for p in kept] == ["refresh_interval = [oops\n"]


async def test_an_invalid_uri_in_the_config_is_shown_not_dropped(ui, config_path):
    write_config(config_path, "hyperv://hv01:99999/")
    app = ui()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (view,) = app.hosts.values()
        assert view.status is HostStatus.INVALID
        assert "out of range" in view.report.text()
    assert "hyperv://hv01:99999/" in config_path.read_text()


async def test_a_host_that_goes_down_shows_why_and_comes_back_without_delaying_the_others(ui, sim):
    down, up = sim.hosts
    app = ui(sim.hosts, refresh=0.3)
    async with app.run_test(size=SIZE):
        await all_ok(app)
        down.faults.add("reset:at=start")
        view = app.hosts[key_of(down)]
        await wait_for(app, lambda: view.status is HostStatus.UNREACHABLE)
        assert view.report.error
        assert any(severity == "error" and view.short_name in text for severity, text in app.events)
        other = app.hosts[key_of(up)]
        seen = other.snapshot
        await wait_for(app, lambda: other.snapshot is not seen, 5)  # the other host goes on
        assert app.model.by_host[key_of(down)], "the last known VMs stay on screen"
        down.faults.clear()
        await wait_for(app, lambda: view.status is HostStatus.OK, 15)
        assert any("answers again" in text for _, text in app.events)


async def test_keys_keep_working_while_a_host_hangs(ui, sim):
    hung, fine = sim.hosts
    # A host timeout well past the waits below: the hung request must still be pending when the
    # row is read, however slowly a loaded machine runs the test.
    app = ui(sim.hosts, refresh=0.3, host_timeout=30.0)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        hung.reset_counters()
        hung.faults.add("no-answer")
        await wait_for(app, lambda: hung.counters.total > 0)  # a refresh is now waiting forever
        other = app.hosts[key_of(fine)]
        start = time.monotonic()
        await pilot.press("slash", *"01", "enter")
        assert app.model.filter.text == "01"
        await pilot.press("o")
        assert app.model.sort_column == "host"
        await pilot.press("escape")
        assert not app.model.filter.active
        assert time.monotonic() - start < 5
        seen = other.snapshot
        await wait_for(app, lambda: other.snapshot is not seen, 5)
        assert isinstance(app.top, MainScreen)
        waiting = app.hosts[key_of(hung)]
        await wait_for(app, lambda: "no answer for" in waiting.report.text(), 10)
        assert waiting.status is HostStatus.REFRESHING
        hung.faults.clear()
