"""Hosts: adding (URI checked as you type), removing, the config file, and hosts that fail."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Button, Input, Static

from hvtui.config import ConfigStore
from hvtui.secrets import SERVICE
from hvtui.ui import hostlink
from hvtui.ui.hoststatus import HostStatus, StatusReport
from hvtui.ui.hostview import HostView
from hvtui.ui.screens.add_host import AddHostScreen
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.widgets.hosts_pane import all_hosts_prompt, host_prompt
from hvtui.uri import parse_uri
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
        # Said on its row, beside the status its last refresh left (no flicker to "refreshing"):
        assert waiting.status is HostStatus.OK
        assert "no answer for" in str(host_prompt(waiting, 30))
        hung.faults.clear()


async def test_vim_keys_move_in_the_hosts_pane(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        pane = app.main.hosts_pane
        pane.focus()
        await pilot.pause()
        assert pane.highlighted == 0
        await pilot.press("j")
        assert pane.highlighted == 1
        await pilot.press("G")
        assert pane.highlighted == 2
        await pilot.press("k")
        assert pane.highlighted == 1
        await pilot.press("g")
        assert pane.highlighted == 0


async def test_all_hosts_says_what_each_host_waits_for(ui, make_sim, sim):
    untrusted = make_sim(https=True, vms=1).hosts[0]
    locked = sim.hosts[0]
    app = ui([locked, untrusted], passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(app, lambda: isinstance(app.top, LoginScreen))
        await pilot.press("escape")  # no password for now
        await wait_for(app, lambda: app.hosts[key_of(untrusted)].status is HostStatus.TLS_UNTRUSTED)
        await pilot.pause()
        text = app.main.table.empty_text
        assert "Waiting for the first refresh" not in text
        assert f"{app.hosts[key_of(locked)].short_name}: needs a login" in text
        assert f"{app.hosts[key_of(untrusted)].short_name}: its TLS certificate is not trusted" in text


async def test_keys_that_do_not_apply_say_why(ui, sim, config_path):
    _first, second = sim.hosts
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("l")  # no host needs a login
        assert any("No host is waiting for a login" in text for _, text in app.events)
        await pilot.press("D")  # on All hosts
        assert any("Select a host in the hosts pane first" in text for _, text in app.events)
        app.main.hosts_pane.select_key(key_of(second))
        await pilot.pause()
        await pilot.press("D")  # a host named on the command line: the config file does not hold it
        await wait_for(app, lambda: isinstance(app.top, ConfirmScreen))
        detail = str(app.top.query_one("#detail", Static).content)
        assert "came from the command line" in detail
        assert f"and from {config_path}" not in detail
        await pilot.press("y")
        await wait_for(app, lambda: key_of(second) not in app.hosts)
    assert not config_path.exists() or key_of(second) not in config_path.read_text()


async def test_a_bare_host_name_becomes_a_uri_and_says_so(ui, sim):
    app = ui(sim.hosts[:1])
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("a")
        await wait_for(app, lambda: isinstance(app.top, AddHostScreen))
        await pilot.pause()
        await pilot.press(*"hv07")
        check = str(app.top.query_one("#uri-check", Static).content)
        assert check.startswith("✓ hyperv://administrator@hv07/")
        assert "read as hyperv://administrator@hv07/" in check
        assert not app.top.query_one("#ok", Button).disabled


async def test_a_host_that_streams_reads_as_reading_not_as_silent(ui, make_sim, monkeypatch):
    monkeypatch.setattr(hostlink, "STEADY_SLOW_AFTER", 0.3)
    host = make_sim(vms=3).hosts[0]
    app = ui([host], refresh=0.3)
    async with app.run_test(size=SIZE):
        await all_ok(app)
        view = app.hosts[key_of(host)]
        host.faults.add("drip:bytes_per_s=2000:op=Invoke")
        await wait_for(app, lambda: (view.report.activity or "").startswith("reading ("), 10)
        assert view.status is HostStatus.OK
        assert "no answer" not in (view.report.activity or "")


async def test_a_failing_host_counts_as_not_ok_while_it_is_retried_and_says_when(ui, sim):
    down, _up = sim.hosts
    app = ui(sim.hosts, refresh=0.3, backoff_cap=5.0)
    async with app.run_test(size=SIZE):
        await all_ok(app)
        # The refresh after the first reads the guests' names; the faults are for a steady one.
        await wait_for(
            app, lambda: any(row.vm.fqdn for row in app.model.rows.values() if row.host == key_of(down))
        )
        view = app.hosts[key_of(down)]
        down.faults.add("no-answer:after=1")  # fails once... then hangs on its retry
        down.faults.add("http500:count=1")
        await wait_for(app, lambda: view.status is HostStatus.ERROR)
        assert "retry in" in str(host_prompt(view, 30))
        await wait_for(app, lambda: view.report.activity is not None, 10)  # retrying: still not ok
        assert view.status is HostStatus.ERROR
        assert "1 not ok" in str(all_hosts_prompt(app.hosts.values(), 30))
        down.faults.clear()


def test_the_hosts_pane_wraps_a_reason_without_the_hosts_own_address():
    uri = parse_uri("hyperv://administrator@hv03.example.com/?transport=http")
    error = "hv03.example.com:5985 refused the connection: is WinRM listening on that port?"
    view = HostView(uri.canonical, uri, report=StatusReport(HostStatus.UNREACHABLE, error, 8.0, None, 100.0))
    lines = str(host_prompt(view, 24, now=92.0)).splitlines()
    assert all(len(line) <= 24 for line in lines)
    text = " ".join(line.strip() for line in lines)
    assert "unreachable Refused the connection: is WinRM listening" in text
    assert "hv03.example.com:5985" not in text
    assert "retry in 8 s" in text
