"""The terminal UI under every fault: the row says why within one refresh, keys keep working,
the other host is not held up, and the host comes back on its own (with backoff) -- or, for a
changed password, asks for the new one. An action under a fault is sent once and reported.

One app serves the whole fault table in turn (faults on host A, behind a relay that can go
down; host B stays healthy), because starting an app per fault would cost more than the
faults themselves. Each assertion names the fault it was checking.
"""

from __future__ import annotations

from textual.widgets import Input

from hvtui.hyperv.states import VMState
from hvtui.ui.hostlink import backoff_delay
from hvtui.ui.hoststatus import HostStatus, status_for
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.login import LoginScreen
from tests.conftest import SIM_PASSWORD

from .catalogue import BY_NAME, FAULTS
from .conftest import through
from .tui import SIZE, all_ok, key_of, make_app, wait_for

SUMMARY = "Invoke:GetSummaryInformation"


def inject(fault, a, relay) -> None:
    if fault.name == "connection-refused":
        relay.down()
    elif fault.name == "host-restart":
        a.restart()
    elif fault.name == "password-changed":
        a.set_password("Changed-" + SIM_PASSWORD)
    else:
        a.faults.add(f"{fault.rule}:op=*")


async def expect(app, predicate, at: str, timeout: float = 10.0) -> None:
    """Wait for the app's state; a timeout names the fault being checked."""
    try:
        await wait_for(app, predicate, timeout)
    except TimeoutError:
        raise AssertionError(f"{at}: still not so after {timeout:g}s") from None


def clear(a, relay) -> None:
    a.faults.clear()
    relay.up()


async def test_each_fault_on_the_row_keys_answered_others_on_time_and_recovery(make_sim, relay):
    sim = make_sim(hosts=2, vms=4, seed=3)
    a, b = sim.hosts
    r = relay(a.port)
    a_uri = through(r, a.uri, a.port)
    hosts = [(a_uri, a.password), (b.uri, b.password)]
    app = make_app(hosts, refresh=0.25, host_timeout=0.5, backoff_cap=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        view_a, view_b = app.hosts[key_of(a_uri)], app.hosts[key_of(b.uri)]
        for fault in FAULTS:
            if fault.name == "password-changed":
                continue  # below: it needs the user, by design
            at = f"[{fault.name}]"
            a_before, b_before = a.counters[SUMMARY], b.counters[SUMMARY]
            seen = view_a.snapshot
            inject(fault, a, r)
            if fault.refresh is None:
                await expect(app, lambda s=seen: view_a.snapshot is not s, at)
                assert view_a.status is HostStatus.OK, at
            else:
                expected = status_for(fault.refresh)
                await expect(app, lambda e=expected: view_a.status is e, at)
                # Shown at the first refresh that met the fault, not after several:
                assert a.counters[SUMMARY] - a_before <= 1, at
                if fault.slow:  # while A kept its refresh waiting, B refreshed again and again
                    assert b.counters[SUMMARY] - b_before >= 2, at
                text = view_a.report.text()
                assert view_a.report.error and "\n" not in text and "Traceback" not in text, at
                # Keys are answered meanwhile (the next sort column, one key):
                column = app.model.sort_column
                await pilot.press("o")
                assert app.model.sort_column != column, at
                assert "Traceback" not in app.export_screenshot(), at
            # The other host went on refreshing all along:
            await expect(app, lambda n=b_before: b.counters[SUMMARY] >= n + 1, f"{at} other host", 5)
            assert view_b.status in (HostStatus.OK, HostStatus.REFRESHING), at
            clear(a, r)
            await expect(app, lambda: view_a.status is HostStatus.OK, f"{at} recovery")  # on its own

        # A changed password is never tried again on its own: the login dialog asks for it.
        a.set_password("Changed-" + SIM_PASSWORD)
        await wait_for(app, lambda: isinstance(app.top, LoginScreen))
        assert view_a.status is HostStatus.AUTH_NEEDED
        await pilot.pause()
        app.top.query_one("#password", Input).value = "Changed-" + SIM_PASSWORD
        await pilot.press("enter")
        await wait_for(app, lambda: view_a.status is HostStatus.OK)


async def test_failures_back_off_and_recover_on_their_own(make_sim):
    a = make_sim(vms=2).hosts[0]
    app = make_app([(a.uri, a.password)], refresh=0.25, backoff_cap=1.0)
    async with app.run_test(size=SIZE):
        await all_ok(app)
        view = app.hosts[key_of(a.uri)]
        a.faults.add("http500")
        # Each failure doubles the wait before the next attempt (the row says how long):
        await wait_for(app, lambda: view.report.retry_in == 0.5)
        await wait_for(app, lambda: view.report.retry_in == 1.0)
        assert view.status is HostStatus.ERROR
        a.faults.clear()
        await wait_for(app, lambda: view.status is HostStatus.OK, 10)
        assert any("answers again" in text for _, text in app.events)


def test_backoff_doubles_up_to_its_cap():
    assert [backoff_delay(2.0, n, 60.0) for n in range(7)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert backoff_delay(120.0, 3, 60.0) == 120.0  # never shorter than the refresh interval itself


async def test_an_action_under_a_fault_is_sent_once_and_its_error_shown(make_sim):
    sim = make_sim(vms=6, seed=3, time_scale=200.0)
    a = sim.hosts[0]
    app = make_app([(a.uri, a.password)], refresh=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        used: set[str] = set()  # a VM an earlier fault turned off may still report late
        for name in ("reset-mid-reply", "malformed-xml", "read-timeout", "winrm-AccessDenied", "http-503"):
            fault = BY_NAME[name]
            row = next(
                r
                for r in app.model.rows.values()
                if r.vm.state is VMState.RUNNING and r.key not in app.model.jobs and r.key not in used
            )
            used.add(row.key)
            sent = a.counters["Invoke:RequestStateChange"]
            seen = len(app.events)
            a.faults.add(f"{fault.rule}:op=Invoke:RequestStateChange")
            assert app.model.focus_key(row.key)
            app.main.table.update_view()
            await pilot.pause()
            await pilot.press("T")  # turn off: asks first
            await wait_for(app, lambda: isinstance(app.top, ConfirmScreen))
            await pilot.press("y")
            await wait_for(
                app,
                lambda n=seen, vm=row.vm.name: any(vm in t for s, t in list(app.events)[n:] if s == "error"),
                15,
            )
            new = list(app.events)[seen:]
            message = [text for sev, text in new if sev == "error" and row.vm.name in text][-1]
            assert row.vm.name in message, message
            if fault.after_processing:
                assert "may have reached the host" in message, message
            # The host may read the request after the client gave up on it (a read timeout):
            # wait until it has, then check that nothing was sent again.
            await wait_for(app, lambda n=sent: a.counters["Invoke:RequestStateChange"] > n, 5)
            await pilot.pause(0.3)
            assert a.counters["Invoke:RequestStateChange"] == sent + 1, name  # once, never again
            a.faults.clear()
            await wait_for(app, lambda: app.hosts[key_of(a.uri)].status is HostStatus.OK, 10)
