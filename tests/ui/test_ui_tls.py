"""HTTPS hosts as the UI shows them: verified, not verified (no_verify=1), not trusted, and pinned."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from textual.widgets import Input, Static

from hvtui.config import ConfigStore
from hvtui.hyperv.errors import CertificateNotTrusted
from hvtui.hyperv.host import HyperVHost
from hvtui.secrets import SERVICE
from hvtui.ui.hoststatus import HostStatus
from hvtui.ui.screens.add_host import AddHostScreen
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.login import LoginScreen
from hvtui.ui.widgets.host_detail import HostDetail
from hvtui.ui.widgets.hosts_pane import host_prompt
from hvtui.uri import parse_uri
from tests.ui.driving import all_ok, key_of, wait_for

SIZE = (120, 36)


@dataclass
class Host:
    """A simulated host as the app is told of it: a URI, a password, a CA bundle to trust."""

    uri: str
    password: str
    ca_file: str | None = None


async def test_a_host_checked_against_its_ca_reads_tls_verified(ui, https_sim, sim_ca_file):
    host = https_sim.hosts[0]
    app = ui([Host(host.uri, host.password, str(sim_ca_file))])
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        view = app.hosts[key_of(host)]
        assert view.tls_verified is True
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        assert "TLS verified" in app.main.query_one(HostDetail).text
        assert "TLS not verified" not in str(host_prompt(view, 40))


async def test_no_verify_is_marked_wherever_the_host_is_shown(ui, https_sim):
    host = https_sim.hosts[0]
    unchecked = replace(parse_uri(host.uri), no_verify=True)
    app = ui([Host(unchecked.canonical, host.password)])
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        (view,) = app.hosts.values()
        assert view.tls_verified is False
        assert "TLS not verified" in str(host_prompt(view, 60))
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        assert "TLS NOT verified (no_verify=1)" in app.main.query_one(HostDetail).text


async def test_an_untrusted_certificate_is_refused_and_says_what_to_do(ui, https_sim):
    host = https_sim.hosts[0]
    app = ui([host])
    async with app.run_test(size=SIZE):
        view = app.hosts[key_of(host)]
        await wait_for(app, lambda: view.status is HostStatus.TLS_UNTRUSTED)
        assert view.snapshot is None
        assert view.report.error
        assert any(severity == "error" and "TLS" in text for severity, text in app.events)


# -- an untrusted certificate: checked first, shown, trusted by its pin -----------------------------


def write_config(path, uri: str, pin: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = f'tls_pin = "{pin}"\n' if pin else ""
    path.write_text(f'[[hosts]]\nuri = "{uri}"\n{extra}')


async def test_an_untrusted_host_shows_its_certificate_and_is_never_asked_a_password(ui, make_sim):
    sim = make_sim(https=True, vms=2)
    host = sim.hosts[0]
    app = ui([host], passwords=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.hosts[key_of(host)]
        await wait_for(app, lambda: view.report.certificate is not None)
        assert view.status is HostStatus.TLS_UNTRUSTED
        await pilot.pause(0.5)
        assert not isinstance(app.top, LoginScreen)  # no password is asked for an untrusted host
        assert host.counters.total == 0  # nor anything sent: a TLS handshake alone decided
        assert view.report.certificate.fingerprint == "sha256:" + sim.fingerprint
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        text = app.main.query_one(HostDetail).text
        assert "TLS verified" not in text and "TLS certificate NOT trusted" in text
        digest = sim.fingerprint
        assert digest[:47] in text and digest[48:] in text  # the fingerprint, on two lines
        assert "hvtui simulated Hyper-V host (self-signed)" in text
        assert "c trust this certificate" in text


async def test_trusting_the_certificate_pins_it_in_the_config_without_a_second_entry(
    ui, make_sim, config_path, keyring_backend
):
    sim = make_sim(https=True, vms=2)
    host = sim.hosts[0]
    write_config(config_path, key_of(host))
    keyring_backend.set_password(SERVICE, key_of(host), host.password)
    app = ui()
    async with app.run_test(size=SIZE) as pilot:
        view = app.hosts[key_of(host)]
        await wait_for(app, lambda: view.report.certificate is not None)
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        await pilot.press("C")
        await wait_for(app, lambda: isinstance(app.top, ConfirmScreen))
        await pilot.pause()
        detail = str(app.top.query_one("#detail", Static).content)
        assert sim.fingerprint in detail and "Compare the fingerprint" in detail
        await pilot.press("y")
        await all_ok(app)
        assert app.hosts[view.key].connection.tls_pin == "sha256:" + sim.fingerprint
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        assert "TLS verified (pinned certificate)" in app.main.query_one(HostDetail).text
    saved = ConfigStore(config_path).load().config.hosts
    assert [(h.uri, h.tls_pin) for h in saved] == [(key_of(host), "sha256:" + sim.fingerprint)]


async def test_a_changed_certificate_fails_loudly_and_nothing_is_sent(
    ui, make_sim, config_path, keyring_backend
):
    sim = make_sim(https=True, vms=2)
    host = sim.hosts[0]
    write_config(config_path, key_of(host), "sha256:" + ":".join(["AB"] * 32))
    keyring_backend.set_password(SERVICE, key_of(host), host.password)
    app = ui()
    async with app.run_test(size=SIZE):
        view = app.hosts[key_of(host)]
        await wait_for(app, lambda: view.status is HostStatus.TLS_UNTRUSTED)
        assert "CHANGED" in view.report.text()
        assert view.report.certificate.fingerprint == "sha256:" + sim.fingerprint
        assert any(severity == "error" and "CHANGED" in text for severity, text in app.events)
    assert host.counters.total == 0


async def test_the_pin_is_checked_by_every_connection_not_only_the_first_handshake(make_sim):
    sim = make_sim(https=True, vms=2)
    host = sim.hosts[0]
    good = HyperVHost(parse_uri(host.uri), host.password, tls_pin="sha256:" + sim.fingerprint)
    async with good:
        assert len((await good.snapshot()).vms) == 2
    bad = HyperVHost(parse_uri(host.uri), host.password, tls_pin="sha256:" + "00" * 32)
    async with bad:
        with pytest.raises(CertificateNotTrusted, match="CHANGED") as caught:
            await bad.snapshot()
    assert caught.value.pinned


async def test_editing_a_host_gives_it_a_ca_file_in_its_place(
    ui, https_sim, sim_ca_file, make_sim, config_path
):
    other = make_sim(vms=1).hosts[0]
    host = https_sim.hosts[0]
    write_config(config_path, key_of(host))
    with config_path.open("a") as config:
        config.write(f'\n[[hosts]]\nuri = "{key_of(other)}"\n')
    app = ui([host, other])  # named on the command line too: the config's entries are kept
    async with app.run_test(size=SIZE) as pilot:
        view = app.hosts[key_of(host)]
        await wait_for(app, lambda: view.status is HostStatus.TLS_UNTRUSTED)
        app.main.hosts_pane.select_key(view.key)
        await pilot.pause()
        await pilot.press("e")
        await wait_for(app, lambda: isinstance(app.top, AddHostScreen))
        await pilot.pause()
        dialog = app.top
        assert dialog.query_one("#uri", Input).value == key_of(host)
        dialog.query_one("#ca-file", Input).value = str(sim_ca_file)
        await pilot.click("#ok")
        await all_ok(app)
        assert list(app.hosts) == [key_of(host), key_of(other)]
    saved = ConfigStore(config_path).load().config.hosts
    assert [(h.uri, h.ca_file) for h in saved] == [(key_of(host), str(sim_ca_file)), (key_of(other), None)]
