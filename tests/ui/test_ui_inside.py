"""Inside a VM in the TUI: the VM screen's Devices, Network and Guest, the IP and FQDN columns,
the filter on addresses and names, copying an IP, and the host's switches."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from hvtui.ui.screens.vm_detail import VMDetailScreen
from hvtui.ui.widgets.host_detail import HostDetail
from tests.support.inside import inside_scenario
from tests.ui.driving import all_ok, rows_where, wait_for

SIZE = (120, 36)


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    from hvtui.sim import SimOptions, Simulator

    scenario = inside_scenario(tmp_path_factory.mktemp("inside-ui"))
    with Simulator(SimOptions(password="Inside-Passw0rd", allow_unencrypted=True, scenario=scenario)) as sim:
        yield sim


def key_named(app, name: str) -> str:
    return rows_where(app, lambda row: row.vm.name == name)[0].key


def names(app) -> list[str]:
    return sorted(app.model.rows[k].vm.name for k in app.model.order)


async def open_vm(app, pilot, name: str) -> VMDetailScreen:
    app.open_vm(key_named(app, name))
    await wait_for(app, lambda: isinstance(app.top, VMDetailScreen) and app.top.inside_read, 30)
    await pilot.pause()
    return app.top


async def test_the_vm_screen_shows_devices_network_and_guest(ui, inside):
    app = ui(inside.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        screen = await open_vm(app, pilot, "web-01")
        text = str(screen.query_one("#vm-inside", Static).content)
        for section in ("Devices", "Network", "Guest"):
            assert f"\n{section}\n" in f"\n{text}"
        assert "D:\\VMs\\web-01.vhdx (differencing VHDX; 40 GiB" in text
        assert "parent D:\\Templates\\ubuntu.vhdx" in text
        assert "00:15:5d:0a:0b:0c on LAN: 192.0.2.10/24, 2001:db8::10/64" in text
        assert "00:15:5d:0a:0b:0d not connected" in text
        assert "web-01.example.org" in text
        await pilot.press("escape")
        cold = await open_vm(app, pilot, "cold")
        assert "not reporting" in str(cold.query_one("#vm-inside", Static).content)


async def test_devices_are_read_again_with_the_inventory_only(ui, inside):
    app = ui(inside.hosts)
    reads = []
    original = app.vm_details

    async def counted(vm):
        reads.append(vm.name)
        return await original(vm)

    app.vm_details = counted
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await open_vm(app, pilot, "router")
        assert reads == ["router"]
        app.action_refresh_now()  # a refresh that does not read the inventory: no new read
        await pilot.pause(0.5)
        assert reads == ["router"]
        link = next(iter(app.scheduler.links.values()))
        link.host.invalidate_inventory()
        app.action_refresh_now()
        await wait_for(app, lambda: len(reads) == 2, 30)


async def test_ip_and_fqdn_columns_and_the_filter_matches_them(ui, inside):
    app = ui(inside.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        assert "ip" not in app.model.columns and "fqdn" not in app.model.columns
        app.toggle_column("ip")
        app.toggle_column("fqdn")
        await pilot.pause()
        columns = app.model.columns
        assert "ip" in columns and "fqdn" in columns
        from hvtui.ui.columns import COLUMN_INDEX

        row = app.model.rows[key_named(app, "v6-only")]
        assert row.cells[COLUMN_INDEX["ip"]] == "2001:db8:1::7"  # addresses with the first refresh
        assert app.model.rows[key_named(app, "router")].cells[COLUMN_INDEX["ip"]] == "192.0.2.1"

        def fqdn() -> str:
            return app.model.rows[key_named(app, "v6-only")].cells[COLUMN_INDEX["fqdn"]]

        await wait_for(app, lambda: fqdn() != "")  # the guests' names with the next one
        assert fqdn() == "v6-only.example.org"
        await pilot.press("slash", *"198.51.100")
        assert names(app) == ["router"]
        app.main.query_one("#filter").value = "example.org"
        await pilot.pause()
        assert names(app) == ["router", "v6-only", "web-01"]
        app.main.query_one("#filter").value = "2001:db8:1::7"
        await pilot.pause()
        assert names(app) == ["v6-only"]


async def test_c_copies_the_first_ip_with_osc_52(ui, inside):
    app = ui(inside.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        await open_vm(app, pilot, "web-01")
        await pilot.press("c")
        assert app.clipboard == "192.0.2.10"
        assert app.events[-1] == ("information", "Copied 192.0.2.10 (web-01)")
        await pilot.press("escape")
        app.model.focus_key(key_named(app, "v6-only"))
        await pilot.press("c")
        assert app.clipboard == "2001:db8:1::7"
        app.model.focus_key(key_named(app, "cold"))
        await pilot.press("c")
        assert app.clipboard == "2001:db8:1::7"
        assert app.events[-1] == ("warning", "cold: its guest reports no IP address")


async def test_the_host_detail_lists_the_switches(ui, inside):
    app = ui(inside.hosts)
    async with app.run_test(size=SIZE) as pilot:
        await all_ok(app)
        if not app.show_host_detail:
            await pilot.press("i")
        await pilot.pause()
        detail = app.main.query_one(HostDetail)
        text = " ".join(detail.text.split())
        assert "Switches Lab (internal, 2 VMs), LAN (external, 4 VMs), Storage (private, 1 VM)" in text
