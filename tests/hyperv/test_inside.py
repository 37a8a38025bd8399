"""Inside a VM, read by HyperVHost from the simulator over real sockets: devices, disk files,
NICs and switches, the guest's facts and addresses, and what they cost in round trips."""

from __future__ import annotations

import pytest

from hvtui.hyperv import guest
from hvtui.hyperv.host import HyperVHost, find_in
from hvtui.uri import parse_uri
from tests.conftest import SIM_PASSWORD
from tests.support.inside import inside_scenario


@pytest.fixture
def inside(make_sim, tmp_path):
    return make_sim(scenario=inside_scenario(tmp_path)).hosts[0]


def host_for(sim_host) -> HyperVHost:
    return HyperVHost(parse_uri(sim_host.uri + "&auth=basic"), SIM_PASSWORD)


async def test_every_guest_s_addresses_and_name_come_with_the_inventory(inside):
    async with host_for(inside) as host:
        snap = await host.snapshot()
    vms = {vm.name: vm for vm in snap.vms}
    assert vms["web-01"].ips == ("192.0.2.10", "2001:db8::10")
    assert vms["web-01"].fqdn == "web-01.example.org"
    assert vms["web-01"].guest_os == "Ubuntu 24.04 LTS"
    assert vms["v6-only"].ips == ("2001:db8:1::7", "fe80::7")
    assert vms["router"].ips == ("192.0.2.1", "198.51.100.1", "10.9.0.1")
    # A guest without integration services, and an off VM, report nothing, as on Windows.
    for name in ("no-services", "cold"):
        assert vms[name].ips == () and vms[name].fqdn is None


async def test_switches_with_their_kind_and_connected_vms(inside):
    async with host_for(inside) as host:
        snap = await host.snapshot()
    names = {vm.guid: vm.name for vm in snap.vms}
    switches = {s.name: s for s in snap.switches}
    assert {n: s.kind for n, s in switches.items()} == {
        "LAN": "external",
        "Lab": "internal",
        "Storage": "private",
    }
    assert sorted(names[g] for g in switches["LAN"].vms) == ["cold", "no-services", "router", "web-01"]
    assert sorted(names[g] for g in switches["Storage"].vms) == ["router"]
    assert all(len(s.guid) == 36 for s in switches.values())


async def test_one_vm_in_full(inside):
    async with host_for(inside) as host:
        snap = await host.snapshot()
        before = host.stats.round_trips
        web = await host.details(find_in(snap, "web-01"))
        cost = host.stats.round_trips - before
    assert [(c.bus, c.index) for c in web.controllers] == [("ide", 0), ("ide", 1), ("scsi", 0)]
    disk, data = web.disks
    assert (disk.target, disk.bus, disk.path) == ("hda", "ide", "D:\\VMs\\web-01.vhdx")
    assert disk.file is not None and disk.file.kind == "differencing" and disk.file.format == "VHDX"
    assert disk.file.parent == "D:\\Templates\\ubuntu.vhdx"
    assert disk.file.size_bytes == 40 << 30 and 0 < (disk.file.file_bytes or 0) < 40 << 30
    assert data.target == "hdb" and data.file is not None and data.file.kind == "fixed"
    assert (data.file.file_bytes or 0) > 100 << 30
    (dvd,) = web.dvds
    assert (dvd.path, dvd.target) == ("D:\\ISO\\ubuntu.iso", "hdc")
    lan, loose = web.nics
    assert (lan.mac, lan.switch, lan.connected) == ("00:15:5d:0a:0b:0c", "LAN", True)
    assert lan.guest is not None and lan.guest.addresses == ("192.0.2.10/24", "2001:db8::10/64")
    assert lan.guest.gateways == ("192.0.2.1",)
    assert (loose.switch, loose.connected, loose.ips) == (None, False, ())
    assert [(p.port, p.connection) for p in web.serial_ports] == [(1, "\\\\.\\pipe\\web-01"), (2, "")]
    assert web.guest is not None and web.guest.fqdn == "web-01.example.org"
    assert web.guest.os_name == "Ubuntu 24.04 LTS" and web.guest.services_version
    # Eight enumerations (each an Enumerate and at most one Pull) and two Invokes per disk file.
    assert cost <= 8 * 2 + 2 * len(web.disks)


async def test_guests_that_do_not_report(inside):
    async with host_for(inside) as host:
        snap = await host.snapshot()
        cold = await host.details(find_in(snap, "cold"))
        plain = await host.details(find_in(snap, "no-services"))
        v6 = await host.details(find_in(snap, "v6-only"), disk_files=False)
    for details in (cold, plain):
        assert details.guest is None
        assert details.nics[0].switch == "LAN" and details.nics[0].ips == ()
    assert v6.nics[0].guest is not None
    assert v6.nics[0].guest.addresses == ("2001:db8:1::7/64", "fe80::7/64")
    assert all(d.file is None for d in v6.drives)


async def _inventory_cost(sim_host) -> tuple[dict[str, int], int]:
    """The requests one read of the inventory (the guests' addresses among it) costs, and the
    bytes of their replies."""
    async with host_for(sim_host) as host:
        await host.snapshot()
        host.invalidate_inventory()
        sim_host.reset_counters()
        before = host.stats.bytes_received
        await host.snapshot()
        received = host.stats.bytes_received - before
    return sim_host.counters.as_dict(), received


async def test_addresses_of_1000_vms_cost_what_10_cost_up_to_paging(make_sim):
    small, _ = await _inventory_cost(make_sim(vms=10).hosts[0])
    large, received = await _inventory_cost(make_sim(vms=1000).hosts[0])
    # The same questions whatever the VM count: one Enumerate each, never one request per VM.
    assert large["Enumerate"] == small["Enumerate"]
    # Only the pages grow, with the bytes: the simulator, like WinRM, fills a page up to about
    # 76 KB (its envelope), so each Pull past the first of a question brings at least ~40 KB.
    assert large["Pull"] - small["Pull"] <= received // 40_000


async def test_a_guest_read_the_host_refuses_leaves_the_names_out_not_the_vms_or_addresses(make_sim):
    # The 13th enumeration of the first refresh (after the host's facts, 5, the inventory's first
    # 6 and the guests' addresses) is the guests' KVP read: the host answers it with a fault.
    h = make_sim(vms=5, faults="fault:code=InvalidSelectors:op=Enumerate:after=12:count=1").hosts[0]
    async with host_for(h) as host:
        first = await host.snapshot()
        host.invalidate_inventory()
        second = await host.snapshot()
    assert len(first.vms) == 5 and all(vm.fqdn is None for vm in first.vms)
    assert any(vm.ips for vm in first.vms)  # the addresses are another question, answered
    assert first.switches  # read after the refused question, on the same refresh
    assert any(vm.fqdn for vm in second.vms)  # the next inventory asks the running VMs again


async def _reread(host: HyperVHost, sim_host) -> tuple[dict[str, str | None], int]:
    """The guests' names after one more read of the inventory, and the Pulls it took."""
    host.invalidate_inventory()
    sim_host.reset_counters()
    snap = await host.snapshot()
    return {vm.name: vm.fqdn for vm in snap.vms}, sim_host.counters["Pull"]


async def test_guest_names_are_carried_between_inventories_and_read_again_after_a_while(
    make_sim, monkeypatch
):
    sim_host = make_sim(vms=400).hosts[0]
    async with host_for(sim_host) as host:
        snap = await host.snapshot()
        named = next(vm for vm in snap.vms if vm.fqdn)
        sim_host.model.set_guest_fqdn(named.guid, "renamed.example.org")
        carried, carried_pulls = await _reread(host, sim_host)
        assert carried[named.name] == named.fqdn  # the KVP items were not read again
        monkeypatch.setattr(guest, "FACTS_INTERVAL", 0.0)
        fresh, fresh_pulls = await _reread(host, sim_host)
    assert fresh[named.name] == "renamed.example.org"
    # Every guest's KVP items are most of an inventory: pages of them that carrying saves.
    assert fresh_pulls >= carried_pulls + 10


async def test_a_vm_started_between_full_reads_is_asked_for_its_name_at_the_next_inventory(
    make_sim, tmp_path, monkeypatch
):
    inside = make_sim(scenario=inside_scenario(tmp_path), time_scale=500).hosts[0]
    async with host_for(inside) as host:
        snap = await host.snapshot()
        assert find_in(snap, "cold").fqdn is None
        outcome = await (await host.request(find_in(snap, "cold"), "start")).wait(timeout=30)
        assert outcome.ok
        names, _ = await _reread(host, inside)
        assert (names["cold"] or "").startswith("cold.")  # the simulator names a guest after its VM
        assert names["no-services"] is None
        # A VM that says nothing is asked again only after a while, not at every inventory.
        monkeypatch.setattr(guest, "ASK_AGAIN", 3600.0)
        before = dict(host._inventory.guests.asked) if host._inventory else {}
        await _reread(host, inside)
        after = host._inventory.guests.asked if host._inventory else {}
    assert before and after == before


async def test_a_screen_gets_the_vms_first_and_their_guests_names_with_the_next_refresh(make_sim):
    sim_host = make_sim(vms=300).hosts[0]
    async with host_for(sim_host) as eager:
        named = {vm.name: vm.fqdn for vm in (await eager.snapshot()).vms}
    async with host_for(sim_host) as host:
        host.guest_names_later = True
        sim_host.reset_counters()
        first = await host.snapshot()
        first_pulls = sim_host.counters["Pull"]
        assert first.inventory_refreshed and all(vm.fqdn is None for vm in first.vms)
        assert any(vm.ips for vm in first.vms)  # the addresses come at once
        second = await host.snapshot()
        assert not second.inventory_refreshed
        assert {vm.name: vm.fqdn for vm in second.vms} == named
        sim_host.reset_counters()
        await host.snapshot()  # steady again: nothing more is asked of the guests
        assert sim_host.counters["Enumerate"] == 1  # the host's clock and free memory alone
    sim_host.reset_counters()
    async with host_for(sim_host) as eager:
        await eager.snapshot()
    assert sim_host.counters["Pull"] >= first_pulls + 10  # the KVP items' pages the first screen skips
