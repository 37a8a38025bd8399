"""Creating, configuring and deleting VMs from the TUI, against the simulator over real sockets."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Button, Input, Select

from hvtui.hyperv.states import VMState
from hvtui.ui.flows.changes import READ_ONLY
from hvtui.ui.screens.delete_vm import DeleteVMScreen
from hvtui.ui.screens.device_dialogs import DiskDialog, MediaDialog, NicDialog
from hvtui.ui.screens.main import MainScreen
from hvtui.ui.screens.new_vm import NewVMScreen
from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.screens.vm_settings import SettingsScreen
from hvtui.ui.tasklog import DONE, FAILED
from tests.ui.driving import all_ok, rows_where, sim_host_of, wait_for

SIZE = (100, 32)


@pytest.fixture
def sim(make_sim):
    return make_sim(hosts=1, vms=6, seed=11, time_scale=200.0)


CHANGES = ("DefineSystem", "DestroySystem", "ResourceSettings", "ModifySystemSettings", "VirtualHardDisk")


def changes_sent(sim_host) -> int:
    """Requests that change a VM (the VM screen's own reads invoke methods too)."""
    counts = sim_host.counters.as_dict()
    return sum(n for name, n in counts.items() if name.startswith("Invoke:") and name.endswith(CHANGES))


async def until(pilot, predicate, timeout: float = 20.0) -> None:
    """Wait for what no refresh announces (a screen pushed after a read of the host)."""
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        await pilot.pause(0.05)


async def on_vm(app, pilot, row) -> None:
    assert app.model.focus_key(row.key)
    app.main.table.update_view()
    await pilot.pause()


def fill(screen, **values: str) -> None:
    for key, value in values.items():
        screen.query_one(f"#{key}", Input).value = value


async def noted(app, text: str, timeout: float = 30.0) -> tuple[str, str]:
    try:
        await wait_for(app, lambda: any(text in message for _, message in app.events), timeout)
    except TimeoutError:
        raise AssertionError(f"no {text!r} among {list(app.events)}") from None
    return next((sev, message) for sev, message in app.events if text in message)


async def test_a_vm_created_from_the_form_is_listed(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewVMScreen))
        form = app.screen
        switches, where = form.choices.switches, form.choices.name
        assert switches, "the host's switches are offered"
        assert "Virtual Hard Disks" in form.choices.vhd_folder
        await pilot.press(*"fresh-01")
        fill(form, vcpus="2", memory="2048", disk="8", iso="C:\\ISO\\setup.iso")
        form.query_one("#switch", Select).value = switches[0]
        await pilot.click("#create")
        assert await noted(app, "fresh-01 created") == ("information", f"fresh-01 created on {where}")
        await wait_for(app, lambda: bool(rows_where(app, lambda r: r.vm.name == "fresh-01")), 30)
        row = rows_where(app, lambda r: r.vm.name == "fresh-01")[0]
        await wait_for(app, lambda: app.model.rows[row.key].vm.vcpus == 2, 30)
        assert app.model.rows[row.key].vm.startup_memory_mib == 2048
        record = app.verbs.log.records[-1]
        assert (record.verb, record.vm, record.result) == ("Create", "fresh-01", DONE)


async def test_the_form_refuses_what_the_host_would_and_a_failed_step_is_undone(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        host = sim.hosts[0]
        before = len(host.model.vms)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewVMScreen))
        form = app.screen
        await pilot.press(*"broken")
        fill(form, memory="1023")
        await pilot.click("#create")
        assert "even number of MiB" in str(form.query_one("#new-vm-error").content)
        fill(form, memory="1024", disk="C:\\nowhere\\missing.vhdx")
        form.query_one("#disk").focus()
        await pilot.press("enter")  # a button clicked again at once is still "active", and ignores it
        severity, message = await noted(app, "creating broken failed")
        assert severity == "error"
        assert "undone: nothing of it is left" in message
        assert app.verbs.log.records[-1].result == FAILED
        assert len(host.model.vms) == before


async def test_memory_of_an_off_vm_changes_and_a_running_ones_is_greyed(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        off = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        running = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)[0]
        host = sim_host_of(sim, off)

        await on_vm(app, pilot, off)
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        form = app.screen
        assert not form.query_one("#memory", Input).disabled
        target = (off.vm.startup_memory_mib or 1024) + 512
        before = changes_sent(host)
        fill(form, memory=str(target))
        await pilot.click("#apply")
        await noted(app, f"{off.vm.name}: memory changed")
        assert changes_sent(host) == before + 1, "one change, sent once"
        await wait_for(app, lambda: app.model.rows[off.key].vm.startup_memory_mib == target, 30)

        await on_vm(app, pilot, running)
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        form = app.screen
        for field in ("vcpus", "memory"):
            assert form.query_one(f"#{field}", Input).disabled
        assert "only while the VM is off" in str(form.query_one("#memory-why").content)
        await pilot.click("#apply")
        assert "Nothing changed yet" in str(form.query_one("#settings-error").content)
        fill(form, notes="patched on Tuesday")
        form.query_one("#notes").focus()
        await pilot.press("enter")
        await noted(app, f"{running.vm.name}: notes changed")
        await wait_for(app, lambda: app.model.rows[running.key].vm.notes == "patched on Tuesday", 30)
        assert app.model.rows[running.key].vm.state is VMState.RUNNING


async def test_media_disks_and_adapters_from_the_vm_screen(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        row = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        await on_vm(app, pilot, row)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, VMDetailScreen))

        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MediaDialog))
        await pilot.press(*"C:\\ISO\\tools.iso", "enter")
        await noted(app, "C:\\ISO\\tools.iso inserted")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MediaDialog))
        assert "C:\\ISO\\tools.iso" in str(app.screen.query_one("#devices-now").content)
        await pilot.click("#eject")
        await noted(app, "ejected C:\\ISO\\tools.iso")

        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, DiskDialog))
        await pilot.press("4", "enter")
        await noted(app, "(new, 4 GiB)")

        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, NicDialog))
        dialog = app.screen
        switch = sorted(dialog.devices.switches)[0]
        dialog.query_one("#switch", Select).value = switch
        await pilot.click("#add")
        await noted(app, f"network adapter added, connected to {switch}")
        assert [r.result for r in list(app.verbs.log.records)[-4:]] == [DONE] * 4
        assert isinstance(app.screen, VMDetailScreen)


async def test_delete_asks_for_the_name_and_refuses_a_running_vm(ui, sim):
    app = ui(sim.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        running = rows_where(app, lambda r: r.vm.state is VMState.RUNNING)[0]
        await on_vm(app, pilot, running)
        await pilot.press("x")
        _, message = await noted(app, f"Cannot delete {running.vm.name}")
        assert "turn it off" in message
        assert isinstance(app.screen, MainScreen)

        off = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        await on_vm(app, pilot, off)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, DeleteVMScreen))
        dialog = app.screen
        await pilot.press(*off.vm.name[:-1], "enter")
        assert dialog.query_one("#delete", Button).disabled, "not until the whole name is typed"
        assert isinstance(app.screen, DeleteVMScreen)
        await pilot.press(off.vm.name[-1], "enter")
        await noted(app, f"{off.vm.name} deleted from {app.hosts[off.host].short_name}")
        await wait_for(app, lambda: off.key not in app.model.rows, 30)
        assert all(v.guid != off.vm.guid for v in sim.hosts[0].model.vms)


async def test_read_only_refuses_every_change_and_sends_nothing(ui, sim):
    app = ui(sim.hosts, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        host = sim.hosts[0]
        off = rows_where(app, lambda r: r.vm.state is VMState.OFF)[0]
        await on_vm(app, pilot, off)
        main = app.screen
        for action in ("edit_settings", "new_vm", "delete_vm"):
            assert main.check_action(action, ()) is None, "shown greyed"
        for key in ("E", "n", "x"):
            app.events.clear()
            await pilot.press(key)
            await pilot.pause()
            assert app.events[-1] == ("warning", READ_ONLY)
            assert isinstance(app.screen, MainScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, VMDetailScreen))
        for key in ("e", "m", "h", "w", "x"):
            app.events.clear()
            await pilot.press(key)
            await pilot.pause()
            assert app.events[-1] == ("warning", READ_ONLY)
            assert isinstance(app.screen, VMDetailScreen)
        assert changes_sent(host) == 0
