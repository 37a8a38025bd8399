"""A fleet: the hosts on screen refresh every interval, the rest less often, and the pane says so.

Who was asked is read from the simulator's request counters, not from the clock: each test
waits for a host on screen to be refreshed several times, then compares the others with it.
"""

from __future__ import annotations

import gc
import logging
import time

import pytest

from hvtui.ui.messages import Arrivals
from hvtui.ui.onscreen import cadence_text
from hvtui.ui.scheduler import OFF_SCREEN_FACTOR, SHUTDOWN_WAIT, off_screen_interval
from tests.ui.driving import all_ok, key_of, wait_for

SIZE = (80, 24)
HOSTS = 60
INTERVAL = 0.5
SUMMARY = "Invoke:GetSummaryInformation"


@pytest.fixture
def fleet(make_sim):
    return make_sim(hosts=HOSTS, vms=2, seed=3)


def summaries(host) -> int:
    return host.counters[SUMMARY]


async def settle_focus(app, pilot) -> frozenset[str]:
    """Scope the table to the first host, so what is on screen is the hosts pane's window alone
    (in All hosts, the VMs on screen move as the hosts' rows arrive)."""
    pane = app.main.hosts_pane
    pane.focus()
    await pilot.press("j")
    scope = app.model.scope
    assert scope is not None

    def settled() -> bool:
        return app.on_screen.focused == frozenset(pane.visible_keys() | {scope})

    await wait_for(app, settled, 20)
    focused = app.on_screen.focused
    assert focused is not None
    return focused


async def test_hosts_off_screen_refresh_less_often_and_the_pane_says_how_often(ui, fleet):
    app = ui(fleet.hosts, refresh=INTERVAL)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app, 90)
        focused = await settle_focus(app, pilot)
        assert 0 < len(focused) < HOSTS
        shown = [h for h in fleet.hosts if key_of(h) in focused]
        hidden = [h for h in fleet.hosts if key_of(h) not in focused]
        for host in fleet.hosts:
            host.counters.reset()
        await wait_for(app, lambda: min(summaries(h) for h in shown) >= 5, 60)
        # Five refreshes of every host on screen took more than 2 s; one off screen waits 7.5 s.
        assert max(summaries(h) for h in hidden) <= 1
        assert app.scheduler.focused == focused
        await pilot.pause()
        text = " ".join(str(app.main.hosts_pane.get_option_at_index(0).prompt).split())
        rest = off_screen_interval(INTERVAL, len(hidden))
        assert f"{len(focused)} on screen every 0.5 s, the rest every {rest:.0f} s" in text


async def test_hosts_scrolled_to_refresh_at_once_then_every_interval(ui, fleet):
    app = ui(fleet.hosts, refresh=INTERVAL)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app, 90)
        focused = await settle_focus(app, pilot)
        last = fleet.hosts[-1]
        assert key_of(last) not in focused
        before = summaries(last)
        await pilot.press("G")  # the end of the list: the last hosts come on screen
        await wait_for(app, lambda: key_of(last) in (app.on_screen.focused or ()))
        await wait_for(app, lambda: summaries(last) >= before + 3, 30)
        # ... and the first ones went off screen.
        assert key_of(fleet.hosts[0]) not in app.scheduler.focused


async def test_few_hosts_are_all_on_screen_and_nothing_is_said(ui, make_sim):
    sim = make_sim(hosts=3, vms=2)
    app = ui(sim.hosts, refresh=INTERVAL)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.pause(2 * INTERVAL)
        assert app.on_screen.focused is None and app.scheduler.focused is None
        assert "on screen" not in str(app.main.hosts_pane.get_option_at_index(0).prompt)


def test_the_rest_refresh_at_a_factor_of_the_interval_or_within_a_budget():
    assert off_screen_interval(2.0, 10) == 2.0 * OFF_SCREEN_FACTOR
    assert off_screen_interval(2.0, 976) > 2.0 * OFF_SCREEN_FACTOR - 6
    assert off_screen_interval(2.0, 100_000) > 1000
    assert cadence_text(24, 2.0, 376) == "24 on screen every 2 s, the rest every 30 s"
    assert cadence_text(24, 2.0, 976) == "24 on screen every 2 s, the rest every 39 s"


async def test_a_fleets_refreshes_arrive_in_batches_and_the_table_keeps_its_order(ui, fleet):
    app = ui(fleet.hosts, refresh=INTERVAL)
    batches: list[int] = []
    post = app.feed._post

    def counting(message):
        if isinstance(message, Arrivals):
            batches.append(len(message.items))
        return post(message)

    app.feed._post = counting
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app, 90)
        await wait_for(app, lambda: len(app.model.order) == HOSTS * 2)
        await pilot.pause()
        assert max(batches) > 1  # several hosts' results taken in, and redrawn, at once
        merged = list(app.model.order)
        app.model.rebuild()  # what sorting every row from scratch gives
        assert merged == app.model.order
        shown = app.main.table.render_line(1).text
        assert app.model.rows[merged[0]].vm.name in shown


async def test_quitting_with_hosts_mid_refresh_is_quick_and_says_nothing(ui, make_sim, capfd, caplog):
    fleet = make_sim(hosts=HOSTS, vms=2, seed=3, latency_ms=150)
    app = ui(fleet.hosts, refresh=INTERVAL)
    caplog.set_level(logging.DEBUG)
    async with app.run_test(size=SIZE):
        await wait_for(app, lambda: sum(v.snapshot is not None for v in app.hosts.values()) >= HOSTS // 3, 90)
        started = time.monotonic()  # the rest still in their first read, or refreshing
    assert time.monotonic() - started < SHUTDOWN_WAIT + 1.0
    gc.collect()  # anything left pending would report itself now
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert capfd.readouterr().err == ""
