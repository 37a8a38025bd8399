"""Every power verb from every state against the simulator: allowed, refused, jobs, sent once."""

from __future__ import annotations

import pytest

from hvtui.hyperv.actions import VERBS, Verb
from hvtui.hyperv.errors import ActionRefused, ConnectionFailed
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.states import VMState
from hvtui.hyperv.vm_lookup import find_in
from hvtui.uri import parse_uri
from tests.conftest import SIM_PASSWORD
from tests.support.scenarios import write_scenario

STATES = ["running", "off", "saved", "paused"]
# What each verb leads to when the host carries it out.
END_STATE = {
    Verb.START: VMState.RUNNING,
    Verb.SHUTDOWN: VMState.OFF,
    Verb.TURN_OFF: VMState.OFF,
    Verb.RESET: VMState.RUNNING,
    Verb.REBOOT: VMState.RUNNING,
    Verb.PAUSE: VMState.PAUSED,
    Verb.RESUME: VMState.RUNNING,
    Verb.SAVE: VMState.SAVED,
    Verb.DISCARD_SAVE: VMState.OFF,
}


def _host(sim) -> HyperVHost:
    return HyperVHost(parse_uri(sim.hosts[0].uri + "&auth=basic"), SIM_PASSWORD)


@pytest.fixture(scope="module")
def every_state_sim(tmp_path_factory):
    """One host with one VM per (verb, state) pair, so every case runs against a fresh VM."""
    from hvtui.sim import SimOptions, Simulator
    from tests.conftest import SIM_DEFAULTS

    vms = [(f"{verb.value}-{state}", state) for verb in Verb for state in STATES]
    path = write_scenario(vms, tmp=tmp_path_factory.mktemp("scenario"))
    with Simulator(SimOptions(**{**SIM_DEFAULTS, "scenario": path, "time_scale": 100.0})) as sim:
        yield sim


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("verb", list(Verb))
async def test_every_verb_from_every_state(every_state_sim, verb, state):
    h = every_state_sim.hosts[0]
    name = f"{verb.value}-{state}"
    spec = VERBS[verb]
    async with _host(every_state_sim) as host:
        snap = await host.snapshot()
        vm = find_in(snap, name)
        before = h.counters["Invoke:RequestStateChange"] + h.counters["Invoke:InitiateShutdown"]
        allowed = vm.state in spec.allowed_from
        if not allowed:
            with pytest.raises(ActionRefused) as info:
                await host.request(vm, verb)
            assert name in str(info.value)
            after = h.counters["Invoke:RequestStateChange"] + h.counters["Invoke:InitiateShutdown"]
            assert after == before, "a refused verb must not reach the host"
            return
        action = await host.request(vm, verb)
        outcome = await action.wait(timeout=60)
        assert outcome.ok, outcome.message
        after = h.counters["Invoke:RequestStateChange"] + h.counters["Invoke:InitiateShutdown"]
        assert after == before + 1, "an action is sent exactly once"
        assert h.model.vm(name).enabled_state is not None
        snap = await host.snapshot()
        assert find_in(snap, name).state is END_STATE[verb]


async def test_progress_is_reported_while_the_job_runs(make_sim, tmp_path):
    sim = make_sim(scenario=write_scenario([("big", "running")], tmp=tmp_path), time_scale=5.0)
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "big")
        action = await host.request(vm, Verb.SAVE)
        assert action.job_id
        seen = []
        outcome = await action.wait(timeout=60, on_progress=lambda job: seen.append(job.percent))
    assert outcome.ok, outcome.message
    assert seen[-1] == 100
    assert len(seen) >= 2
    assert seen == sorted(seen)


async def test_failed_job_reports_the_hosts_error(make_sim, tmp_path):
    sim = make_sim(scenario=write_scenario([("web", "running")], tmp=tmp_path), faults="fail-jobs:p=1")
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "web")
        action = await host.request(vm, Verb.SAVE)
        outcome = await action.wait(timeout=60)
    assert outcome.status == "failed"
    assert outcome.job is not None and outcome.job.error_description
    assert outcome.job.error_description in outcome.message


async def test_job_outlasting_the_timeout_is_still_running(make_sim, tmp_path):
    sim = make_sim(
        scenario=write_scenario([("web", "running")], tmp=tmp_path),
        time_scale=1.0,
        faults="slow-jobs:factor=100",
    )
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "web")
        action = await host.request(vm, Verb.SAVE)
        outcome = await action.wait(timeout=0.5)
    assert outcome.status == "running"
    assert "still running" in outcome.message
    assert "failed" not in outcome.message


async def test_shutdown_without_the_integration_service(make_sim, tmp_path):
    sim = make_sim(
        scenario=write_scenario([("legacy", "running", {"shutdown_service": False})], tmp=tmp_path)
    )
    h = sim.hosts[0]
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "legacy")
        assert vm.has_shutdown_service is False
        with pytest.raises(ActionRefused) as info:
            await host.request(vm, Verb.SHUTDOWN)
    assert "shutdown integration service" in str(info.value)
    assert h.counters["Invoke:InitiateShutdown"] == 0


async def test_host_refusal_32775_is_honoured(make_sim, tmp_path):
    sim = make_sim(
        scenario=write_scenario([("web", "running")], tmp=tmp_path),
        time_scale=1.0,
        faults="slow-jobs:factor=100",
    )
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "web")
        await host.request(vm, Verb.SAVE)  # the VM is now "saving" for a long time
        snap = await host.snapshot()
        saving = find_in(snap, "web")
        assert saving.state is VMState.SAVING
        with pytest.raises(ActionRefused):
            await host.request(saving, Verb.PAUSE)


async def test_an_action_is_never_resent_after_a_broken_connection(make_sim, tmp_path):
    sim = make_sim(
        scenario=write_scenario([("web", "running")], tmp=tmp_path),
        faults="reset:at=mid:op=Invoke:RequestStateChange:count=1",
    )
    h = sim.hosts[0]
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "web")
        with pytest.raises(ConnectionFailed) as info:
            await host.request(vm, Verb.PAUSE)
    assert h.counters["Invoke:RequestStateChange"] == 1
    assert "check the VM's state" in str(info.value)


async def test_settings_changes(make_sim, tmp_path):
    sim = make_sim(scenario=write_scenario([("web", "off", {"vcpus": 2, "memory": 2048})], tmp=tmp_path))
    h = sim.hosts[0]
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "web")
        assert (await host.set_vcpus(vm, 4)).ok
        assert (await host.set_memory(vm, 4095)).ok
        assert (await host.set_autostart(vm, True)).ok
        vm = find_in(await host.snapshot(), "web")
    assert vm.vcpus == 4
    assert vm.startup_memory_mib == 4096
    assert vm.autostart == 4
    assert h.model.vm("web").vcpus == 4


async def test_turn_off_a_vm_whose_shutdown_hangs(make_sim, tmp_path):
    sim = make_sim(
        scenario=write_scenario([("stuck", "running")], tmp=tmp_path),
        time_scale=1.0,
        faults="slow-jobs:factor=100",
    )
    async with _host(sim) as host:
        vm = find_in(await host.snapshot(), "stuck")
        shutdown = await host.request(vm, Verb.SHUTDOWN)
        stopping = find_in(await host.snapshot(), "stuck")
        assert stopping.state is VMState.STOPPING
        turn_off = await host.request(stopping, Verb.TURN_OFF)
        first = await shutdown.wait(timeout=5)
    assert turn_off.job_id
    assert first.status == "failed"
    assert "turned off" in first.message
