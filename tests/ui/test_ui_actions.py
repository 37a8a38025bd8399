"""Power actions from the keyboard, on the simulator: confirmations, progress, results, bulk, read-only."""

from __future__ import annotations

import pytest

from hvtui.hyperv.states import VMState
from hvtui.ui.messages import JobUpdate
from hvtui.ui.screens.confirm import ConfirmScreen
from hvtui.ui.screens.main import MainScreen
from tests.ui.driving import all_ok, invokes, rows_where, sim_host_of, sim_vm, wait_for

# Seed 11 gives both hosts every state an action needs: running (with and without the
# shutdown service), off, saved and paused.
SEED = 11
SIZE = (120, 36)


@pytest.fixture
def sim(make_sim):
    return make_sim(hosts=2, vms=8, release="2019,2022", seed=SEED, time_scale=200.0)


def state_of(app, row) -> VMState:
    return app.model.rows[row.key].vm.state


def on_host(app, row) -> str:
    """How the all-hosts view names a VM: with its host, since the name alone may be another's."""
    return f"{row.vm.name} on {app.hosts[row.host].short_name}"


async def on_vm(app, pilot, row) -> None:
    """Put the cursor on a VM, as a person would: All hosts, then down to it."""
    assert app.model.focus_key(row.key)
    app.main.table.update_view()
    await pilot.pause()


@pytest.mark.parametrize(
    ("verb_key", "start", "end", "confirm"),
    [
        ("s", VMState.OFF, VMState.RUNNING, False),
        ("d", VMState.RUNNING, VMState.OFF, False),
        ("T", VMState.RUNNING, VMState.OFF, True),
        ("v", VMState.RUNNING, VMState.SAVED, False),
        ("z", VMState.RUNNING, VMState.PAUSED, False),
        ("r", VMState.PAUSED, VMState.RUNNING, False),
        ("R", VMState.RUNNING, VMState.RUNNING, True),
        ("X", VMState.SAVED, VMState.OFF, True),
        ("s", VMState.SAVED, VMState.RUNNING, False),
    ],
)
async def test_each_verb_runs_once_and_reports(ui, sim, verb_key, start, end, confirm):
    app = ui(sim.hosts)
    messages = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await all_ok(app)
        candidates = rows_where(
            app, lambda r: r.vm.state is start and (verb_key != "d" or r.vm.has_shutdown_service)
        )
        row = candidates[0]
        host = sim_host_of(sim, row)
        before = invokes(host)
        await on_vm(app, pilot, row)
        await pilot.press(verb_key)
        if confirm:
            await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
            assert app.screen.focused is app.screen.query_one("#no")
            await pilot.press("y")
        await wait_for(app, lambda: any(sev == "information" for sev, _ in app.events), 30)
        assert row.vm.name in app.events[-1][1]
        assert invokes(host) == before + 1, "an action is sent exactly once"
        if verb_key == "R":
            assert sim_vm(host, row).state == 2
        else:
            await wait_for(app, lambda: state_of(app, row) is end)
        # Released once a refresh made after the job shows the VM as it is now:
        await wait_for(app, lambda: row.key not in app.model.jobs)
    assert [m for m in messages if isinstance(m, JobUpdate)], "the job's progress reaches the UI"


async def test_no_is_the_default_and_sends_nothing(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)[0]
        before = sum(invokes(h) for h in sim.hosts)
        await on_vm(app, pilot, row)
        await pilot.press("T")
        await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.query_one("#question").content == f"Turn off {on_host(app, row)}?"
        await pilot.press("enter")  # on No
        await wait_for(app, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("T", "escape")
        await pilot.pause()
        assert sum(invokes(h) for h in sim.hosts) == before
        assert state_of(app, row) is VMState.RUNNING


async def test_bulk_turn_off_across_hosts_asks_once_with_a_summary(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        running = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)
        by_host: dict[str, list] = {}
        for row in running:
            by_host.setdefault(row.host, []).append(row)
        first, second = list(by_host.values())[:2]
        chosen = [*first[:2], second[0]]
        off = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        for row in [*chosen, off]:
            await on_vm(app, pilot, row)
            await pilot.press("space")
        assert len(app.model.marks) == 4
        before = sum(invokes(h) for h in sim.hosts)
        await pilot.press("T")
        await wait_for(app, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.query_one("#question").content == "Turn off 3 VMs on 2 hosts?"
        assert "Skipped 1" in app.screen.query_one("#detail").content
        await pilot.press("y")
        await wait_for(app, lambda: any("all 3 VMs turned off" in text for _, text in app.events), 30)
        await wait_for(app, lambda: all(state_of(app, r) is VMState.OFF for r in chosen))
        assert sum(invokes(h) for h in sim.hosts) == before + 3
        await pilot.press("U")
        assert not app.model.marks


async def test_a_verb_that_does_not_apply_says_why(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        await on_vm(app, pilot, row)
        assert app.screen.check_action("verb", ("pause",)) is False  # hidden from the footer
        await pilot.press("z")
        await wait_for(app, lambda: bool(app.events))
        assert app.events[-1] == ("warning", f"Cannot pause: {on_host(app, row)} is not running (it is off)")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_failed_job_shows_the_hosts_error_description(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        host = sim_host_of(sim, row)
        host.faults.add("fail-jobs:p=1")
        await on_vm(app, pilot, row)
        await pilot.press("s")
        await wait_for(app, lambda: any(sev == "error" for sev, _ in app.events), 30)
        text = next(text for severity, text in app.events if severity == "error")
        assert text.startswith(f"{on_host(app, row)}: start failed: ")
        job = host.model.jobs[-1]
        assert job.error_description in text


async def test_read_only_greys_every_action_and_sends_nothing(ui, sim):
    app = ui(sim.hosts, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        assert "read-only" in app.sub_title
        row = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)[0]
        await on_vm(app, pilot, row)
        bindings = app.screen.active_bindings
        turn_off = next(b for b in bindings.values() if b.binding.action == "verb('off')")
        assert turn_off.enabled is False  # shown, greyed out
        before = sum(invokes(h) for h in sim.hosts)
        for key in ("T", "d", "v", "z", "R"):
            await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert sum(invokes(h) for h in sim.hosts) == before
        assert app.events[-1] == ("warning", "Read-only mode (--read-only): actions are disabled")
