"""A long-running TUI must not grow with every refresh: what each status report leaves behind.

Textual's Footer (8.2) keeps the keys it drew before alive through their data bindings, so a
footer redrawn at every status report of every host grew the app by megabytes a minute in the
soak benchmark. The footer is redrawn only when the keys it shows change.
"""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey

from hvtui.ui.hoststatus import HostStatus, StatusReport

from .tui import SIZE, all_ok, key_of, make_app


def detached_footer_keys() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey) and not o.is_attached)


async def settled_footer(pilot) -> None:
    count = -1
    for _ in range(50):
        await pilot.pause(0.1)
        now = detached_footer_keys()
        if now == count:
            return
        count = now


async def test_status_reports_do_not_pile_up_footer_keys(make_sim):
    h = make_sim(vms=2).hosts[0]
    app = make_app([(h.uri, h.password)], refresh=60)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        view = app.hosts[key_of(h.uri)]
        await settled_footer(pilot)  # the footer redrawn while the app starts up is not a leak
        before = detached_footer_keys()
        for n in range(30):  # what a host that keeps failing, then answering, reports
            view.report = StatusReport(HostStatus.REFRESHING, f"no answer for {n} s")
            app.main.host_changed(view.key)
            await pilot.pause()
        assert detached_footer_keys() - before < 5  # a redraw per report would leave 30 footers
