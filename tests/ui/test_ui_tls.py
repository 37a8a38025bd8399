"""HTTPS hosts as the UI shows them: verified, not verified (no_verify=1), and not trusted."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hvtui.ui.hoststatus import HostStatus
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
        assert "TLS verified" in str(app.main.query_one(HostDetail).render())
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
        assert "TLS NOT verified (no_verify=1)" in str(app.main.query_one(HostDetail).render())


async def test_an_untrusted_certificate_is_refused_and_says_what_to_do(ui, https_sim):
    host = https_sim.hosts[0]
    app = ui([host])
    async with app.run_test(size=SIZE):
        view = app.hosts[key_of(host)]
        await wait_for(app, lambda: view.status is HostStatus.TLS_UNTRUSTED)
        assert view.snapshot is None
        assert view.report.error
        assert any(severity == "error" and "TLS" in text for severity, text in app.events)
