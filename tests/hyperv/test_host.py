"""HyperVHost against the simulator over real sockets: facts, inventory, cost, lookups."""

from __future__ import annotations

import pytest

from hvtui.hyperv import summaries as summaries_module
from hvtui.hyperv.errors import AmbiguousName, AuthenticationFailed, ConnectionFailed, VMNotFound
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.states import VMState
from hvtui.hyperv.vm_lookup import find_in
from hvtui.uri import parse_uri
from tests.conftest import SIM_PASSWORD
from tests.support.scenarios import write_scenario


def host_for(sim_host, *, password: str = SIM_PASSWORD, auth: str = "auto", **kwargs) -> HyperVHost:
    uri = parse_uri(sim_host.uri + f"&auth={auth}" if auth != "auto" else sim_host.uri)
    return HyperVHost(uri, password, **kwargs)


RELEASES = [
    ("2012r2", "Windows Server 2012 R2", "6.3.9600", 603009600, "603.9.600"),
    ("2016", "Windows Server 2016", "10.0.14393", 1000014393, "1000.14.393"),
    ("2019", "Windows Server 2019", "10.0.17763", 1000017763, "1000.17.763"),
    ("2022", "Windows Server 2022", "10.0.20348", 1000020348, "1000.20.348"),
    ("2025", "Windows Server 2025", "10.0.26100", 1000026100, "1000.26.100"),
    ("win10", "Windows 10", "10.0.19045", 1000019045, "1000.19.45"),
    ("win11", "Windows 11", None, None, None),
]


@pytest.mark.parametrize(("release", "name", "version", "packed", "packed_text"), RELEASES)
async def test_facts_and_packed_version_of_every_release(
    make_sim, release, name, version, packed, packed_text
):
    sim = make_sim(release=release, vms=2)
    async with host_for(sim.hosts[0]) as host:
        facts = await host.connect()
    model = sim.hosts[0].model.host
    assert facts.release.name == name
    assert facts.release.display_name.startswith("Microsoft Windows")
    if version is not None:
        assert str(facts.release.kernel) == version
        assert facts.release.libvirt_version == packed
        assert facts.release.libvirt_version_text == packed_text
    assert facts.release.supported
    assert facts.hostname.split(".")[0].upper() == sim.hosts[0].name.upper()
    assert facts.sockets and facts.sockets >= 1
    assert facts.cores and facts.threads
    assert facts.cpu_model and "(R)" not in facts.cpu_model and "@" not in facts.cpu_model
    assert facts.memory_mib and facts.free_memory_mib is not None
    assert facts.free_memory_mib < facts.memory_mib
    assert facts.uuid
    assert facts.uptime is not None
    assert model is not None


async def test_snapshot_matches_the_hosts_vms(sim_host):
    async with host_for(sim_host) as host:
        snap = await host.snapshot()
    model = {vm.guid: vm for vm in sim_host.model.vms}
    assert len(snap.vms) == len(model)
    for vm in snap.vms:
        truth = model[vm.guid]
        assert vm.name == truth.name
        assert vm.enabled_state == truth.enabled_state
        assert vm.vcpus == truth.vcpus
        assert vm.generation in (1, 2)
        assert vm.version
        if vm.state is VMState.RUNNING:
            assert vm.id is not None and vm.id > 0
            assert vm.uptime is not None and vm.uptime.total_seconds() > 0
            assert vm.cpu_load is not None
            assert vm.memory_mib
        if vm.power.is_active:  # paused VMs keep their worker process, as libvirt's IDs do
            assert vm.id is not None
        else:
            assert vm.id is None
    assert snap.facts.release.name == "Windows Server 2022"
    assert sum(snap.counts().values()) == len(snap.vms)


async def _steady_refresh_cost(sim_host) -> tuple[int, int]:
    """(WS-Man requests, HTTP round trips) of one refresh after the first."""
    async with host_for(sim_host, auth="basic") as host:
        await host.snapshot()
        sim_host.reset_counters()
        snap = await host.snapshot()
    return sim_host.counters.total, snap.round_trips


async def test_refresh_cost_does_not_grow_with_vms(make_sim):
    small = make_sim(vms=10)
    large = make_sim(vms=2000)
    small_requests, small_trips = await _steady_refresh_cost(small.hosts[0])
    large_requests, _large_trips = await _steady_refresh_cost(large.hosts[0])
    assert small_requests == 2  # one GetSummaryInformation, one read of the host's clock and memory
    assert small_trips == small_requests
    # At 2,000 VMs the summary no longer fits one 512,000-byte envelope: it comes in batches (paging by
    # size), never one request per VM. libvirt's "virsh list --all" would make about 6,000.
    assert large_requests <= 2 + 2000 * 2600 // 512000 + 1
    assert large_requests < 40


async def test_a_refresh_without_live_facts_reads_the_summary_alone_and_keeps_the_last(make_sim):
    sim_host = make_sim(vms=10).hosts[0]
    async with host_for(sim_host, auth="basic") as host:
        first = await host.snapshot()
        host.live_facts = False  # a fleet's host off screen: its memory and clock are shown nowhere
        sim_host.reset_counters()
        snap = await host.snapshot()
        assert sim_host.counters.total == 1  # the summary's Invoke
        assert snap.facts == first.facts
        host.live_facts = True
        sim_host.reset_counters()
        await host.snapshot()
        assert sim_host.counters.total == 2


async def test_refresh_batches_fill_the_envelope(make_sim):
    # Batches are sized from the bytes per VM the replies measured, so a refresh costs about
    # one round trip per envelope-full of reply, plus the host's clock and memory.
    sim = make_sim(vms=1500)
    async with host_for(sim.hosts[0], auth="basic") as host:
        await host.snapshot()
        before = host.stats.bytes_received
        snap = await host.snapshot()
        received = host.stats.bytes_received - before
    assert len(snap.vms) == 1500
    assert snap.round_trips <= 3 + received / 512_000


async def test_a_summary_too_large_for_one_reply_is_asked_for_in_halves(make_sim, monkeypatch):
    # A first guess far too small: the all-VMs call passes the envelope, and so does its first half.
    monkeypatch.setattr(summaries_module, "SUMMARY_BYTES_ESTIMATE", 100)
    sim = make_sim(vms=600)
    h = sim.hosts[0]
    async with host_for(h, auth="basic") as host:
        first = await host.snapshot()
        calls_first = h.counters["Invoke:GetSummaryInformation"]
        h.reset_counters()
        before = host.stats.bytes_received
        second = await host.snapshot()
        received = host.stats.bytes_received - before
    assert len(first.vms) == len(second.vms) == 600
    assert {vm.guid for vm in first.vms} == {vm.guid for vm in second.vms}
    calls_second = h.counters["Invoke:GetSummaryInformation"]
    assert calls_first > calls_second >= 2  # the overflowing calls, then the batches that fit
    # Sized from what it measured: nothing overflows now, and the batches fill the envelope.
    assert calls_second <= -(-received // int(512_000 * 0.9)) + 1


async def test_a_cold_listing_sizes_its_batches_from_the_first(make_sim):
    # Too many VMs for one reply: the first batch goes at the guessed size while the VMs' IDs
    # still page, and the others are sized from what its reply measured.
    sim = make_sim(vms=1500)
    h = sim.hosts[0]
    async with host_for(h, auth="basic") as host:
        vms = await host.list_vms(full=False)
        received = host.stats.bytes_received
    assert len({vm.guid for vm in vms}) == len(vms) == 1500
    calls = h.counters["Invoke:GetSummaryInformation"]
    # The whole try that did not fit, the first batch, then batches that fill 90% of the envelope.
    assert calls <= 2 + -(-received // int(512_000 * 0.9))


async def test_a_cold_listing_whose_enumeration_starts_over_asks_for_each_vm_once(make_sim):
    sim = make_sim(vms=1500)
    h = sim.hosts[0]
    h.faults.add("fault:code=InvalidEnumerationContext:op=Pull:count=1:after=1")
    async with host_for(h, auth="basic") as host:
        vms = await host.list_vms(full=False)
        received = host.stats.bytes_received
        assert host.stats.retries == 1  # the VMs' class read again from its Enumerate
    assert len({vm.guid for vm in vms}) == len(vms) == 1500
    assert h.counters["Invoke:GetSummaryInformation"] <= 2 + -(-received // int(512_000 * 0.9))


async def test_first_refresh_reads_the_inventory_once(make_sim):
    sim = make_sim(vms=30)
    h = sim.hosts[0]
    async with host_for(h, auth="basic") as host:
        first = await host.snapshot()
        second = await host.snapshot()
    assert first.inventory_refreshed
    assert not second.inventory_refreshed
    assert h.counters["Invoke:GetSummaryInformation"] == 2


async def test_started_vm_gets_its_id_in_the_same_refresh(make_sim, tmp_path):
    scenario_sim = make_sim(scenario=write_scenario([("web", "off")], tmp=tmp_path))
    sh = scenario_sim.hosts[0]
    async with host_for(sh, auth="basic") as host:
        snap = await host.snapshot()
        web = find_in(snap, "web")
        assert web.id is None
        action = await host.request(web, "start")
        outcome = await action.wait(timeout=30)
        assert outcome.ok, outcome.message
        snap = await host.snapshot()
        web = find_in(snap, "web")
        assert web.state is VMState.RUNNING
        assert web.id is not None


async def test_lookups(make_sim, tmp_path):
    sim = make_sim(
        scenario=write_scenario(
            [("web", "running"), ("db", "off"), ("twin", "off"), ("twin", "off")], tmp=tmp_path
        )
    )
    async with host_for(sim.hosts[0]) as host:
        snap = await host.snapshot()
    web = find_in(snap, "web")
    assert find_in(snap, web.guid.lower()) is web
    assert find_in(snap, "{" + web.guid + "}") is web
    assert find_in(snap, str(web.id)) is web
    assert find_in(snap, "WEB") is web  # a unique case-insensitive match is accepted
    with pytest.raises(AmbiguousName) as info:
        find_in(snap, "twin")
    twins = [vm.guid for vm in snap.vms if vm.name == "twin"]
    for guid in twins:
        assert guid in str(info.value)
    with pytest.raises(VMNotFound):
        find_in(snap, "nope")


@pytest.mark.parametrize("legacy", [False, True])
async def test_both_state_value_sets(make_sim, tmp_path, legacy):
    sim = make_sim(
        legacy_states=legacy,
        scenario=write_scenario(
            [("a", "running"), ("b", "off"), ("c", "saved"), ("d", "paused")], tmp=tmp_path
        ),
    )
    async with host_for(sim.hosts[0]) as host:
        snap = await host.snapshot()
    states = {vm.name: (vm.state, vm.enabled_state) for vm in snap.vms}
    assert states["a"] == (VMState.RUNNING, 2)
    assert states["b"] == (VMState.OFF, 3)
    assert states["c"] == (VMState.SAVED, 32769 if legacy else 6)
    assert states["d"] == (VMState.PAUSED, 32768 if legacy else 9)


async def test_wrong_password(sim_host):
    async with host_for(sim_host, password="not-the-password") as host:
        with pytest.raises(AuthenticationFailed) as info:
            await host.snapshot()
    assert "not-the-password" not in str(info.value)


async def test_unreachable_host():
    uri = parse_uri("hyperv://127.0.0.1:9/?transport=http")
    async with HyperVHost(uri, "pw", timeout=3) as host:
        with pytest.raises(ConnectionFailed):
            await host.snapshot()


async def test_https_with_a_trusted_ca(https_sim, sim_ca_file):
    h = https_sim.hosts[0]
    async with HyperVHost(parse_uri(h.uri), SIM_PASSWORD, ca_file=str(sim_ca_file)) as host:
        snap = await host.snapshot()
        assert host.connection.tls_verified
    assert snap.vms
