"""The simulator's frozen clock, which the UI's snapshot tests and screenshots rely on."""

from __future__ import annotations

from hvtui.sim import SimOptions, Simulator


def test_a_frozen_clock_stands_still_until_advanced():
    options = SimOptions(hosts=1, vms=4, seed=3, password="Frozen-Passw0rd", frozen_clock=True)
    with Simulator(options) as sim:
        model = sim.hosts[0].model
        before = [(vm.uptime_ms, vm.cpu_load) for vm in model.vms]
        again = [(vm.uptime_ms, vm.cpu_load) for vm in model.vms]
        assert before == again
        running = [vm for vm in model.vms if vm.uptime_ms]
        assert running, "the seed should give at least one running VM"
        model.advance(60)
        later = [model.vm(vm.guid).uptime_ms for vm in running]
        assert later == [vm.uptime_ms + 60_000 for vm in running]
