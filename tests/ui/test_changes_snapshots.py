"""SVG snapshots at 80×24 of the VM settings screen and the New VM form, on the frozen simulator
(see :mod:`tests.ui.test_snapshots` for what keeps them the same from run to run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvtui.sim import SimOptions, Simulator
from hvtui.ui.screens.new_vm import NewVMScreen
from hvtui.ui.screens.vm_settings import SettingsScreen
from tests.ui.test_snapshots import free_ports, settled, snapshot_app


@pytest.fixture(scope="module")
def frozen() -> Iterator[Simulator]:
    options = SimOptions(
        hosts=1,
        vms=6,
        release="2022",
        seed=7,
        password="Snapshot-Passw0rd",
        allow_unencrypted=True,
        frozen_clock=True,
        port=free_ports(1),
    )
    with Simulator(options) as sim:
        yield sim


async def until(pilot, predicate) -> None:
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


def test_settings_of_a_running_vm(snap_compare, frozen):
    """What a running VM does not let change is greyed, with why."""

    async def run_before(pilot):
        app = pilot.app
        await settled(pilot)
        key = next(k for k in app.model.order if app.model.rows[k].vm.state.value == "running")
        app.model.focus_key(key)
        app.main.table.update_view()
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await pilot.pause()

    assert snap_compare(snapshot_app(frozen), terminal_size=(80, 24), run_before=run_before)


def test_new_vm_form(snap_compare, frozen):
    async def run_before(pilot):
        app = pilot.app
        await settled(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewVMScreen))
        await pilot.press(*"web-03")
        await pilot.pause()

    assert snap_compare(snapshot_app(frozen), terminal_size=(80, 24), run_before=run_before)
