"""A host the TUI cannot even set up (its CA file is unusable) shows why, instead of waiting forever."""

from __future__ import annotations

from hvtui.ui.hoststatus import HostStatus

from .tui import SIZE, key_of, make_app, wait_for


async def test_an_unusable_ca_file_is_an_error_on_the_row(make_sim, tmp_path):
    good = make_sim(vms=2).hosts[0]
    not_pem = tmp_path / "not-a-ca.pem"
    not_pem.write_text("not a certificate")
    broken = "hyperv://administrator@127.0.0.1:5986/"
    app = make_app([(broken, "pw"), (good.uri, good.password)], ca_files={broken: str(not_pem)})
    async with app.run_test(size=SIZE):
        view = app.hosts[key_of(broken)]
        await wait_for(app, lambda: view.status is HostStatus.ERROR, 10)
        assert "cannot be used" in view.report.text() and str(not_pem) in view.report.text()
        await wait_for(app, lambda: app.hosts[key_of(good.uri)].status is HostStatus.OK)
