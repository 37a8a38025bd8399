"""Faults met by a refresh and by every action, through HyperVHost against the simulator.

For each fault: the right HyperVError (its Problem decides the TUI's status and the CLI's
exit code) with a one-line message that names the host; the same HyperVHost recovers on its
own once the fault clears; and no Invoke is ever sent twice -- counted by the simulator,
which counts every request that reached it, whatever became of the reply.
"""

from __future__ import annotations

from typing import Any

import pytest

from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import HyperVError, Problem
from hvtui.hyperv.states import VMState
from hvtui.hyperv.vm_lookup import find_in

from .catalogue import EXPIRED_CONTEXT, FAULTS, FROM_STATE, action_cases, method_of

MAY_HAVE_RUN = "the request may have reached the host"


def assert_one_line_naming(error: HyperVError, port: int) -> None:
    text = str(error)
    assert "\n" not in text
    assert f"127.0.0.1:{port}" in text, text
    assert "Traceback" not in text


def summary_calls(h: Any) -> int:
    return h.counters["Invoke:GetSummaryInformation"]


@pytest.mark.parametrize("fault", [*FAULTS, EXPIRED_CONTEXT], ids=str)
@pytest.mark.parametrize("phase", ["connect", "refresh"])
async def test_refresh_survives_or_fails_clearly_then_recovers(harness, fault, phase):
    h = harness.h
    async with harness.host() as host:
        if phase == "refresh":
            await host.snapshot()
            host.invalidate_inventory()  # read everything again: enumerations with Pulls too
        summaries = summary_calls(h)
        harness.inject(fault)
        if fault.refresh is None:
            snapshot = await host.snapshot()
            assert len(snapshot.vms) == len(h.model.vms)
        else:
            with pytest.raises(HyperVError) as caught:
                await host.snapshot()
            assert caught.value.problem is fault.refresh, str(caught.value)
            assert_one_line_naming(caught.value, harness.port)
        # GetSummaryInformation is an Invoke too: never resent within a refresh.
        assert summary_calls(h) - summaries <= 1

        harness.clear()
        snapshot = await host.snapshot()  # the same object, without being told anything
    truth = {vm.guid: vm.enabled_state for vm in h.model.vms}
    assert {vm.guid: vm.enabled_state for vm in snapshot.vms} == truth


async def test_a_transient_expired_context_is_invisible(harness):
    async with harness.host() as host:
        await host.snapshot()
        host.invalidate_inventory()
        harness.h.faults.add("expire-contexts:op=Pull:count=1")
        snapshot = await host.snapshot()
        assert host.stats.retries >= 1  # the enumeration was started again, once
    assert len(snapshot.vms) == len(harness.h.model.vms)


def jobs_of(h: Any, guid: str) -> set[str]:
    return {job.instance_id for job in h.model.jobs if (job.vm_guid or "").upper() == guid.upper()}


@pytest.mark.parametrize(("verb", "fault"), action_cases(), ids=[f"{v.value}-{f}" for v, f in action_cases()])
async def test_action_is_sent_at_most_once_and_recovers(harness, fault, verb):
    h = harness.h
    counter = f"Invoke:{method_of(verb)}"
    async with harness.host() as host:
        vm = find_in(await host.snapshot(), verb.value)
        assert vm.state is VMState(FROM_STATE[verb])
        before = h.counters[counter]
        jobs = jobs_of(h, vm.guid)
        harness.inject(fault, op=counter)

        error: HyperVError | None = None
        try:
            await host.request(vm, verb)
        except HyperVError as exc:
            error = exc
        sent = h.counters[counter] - before
        ran = bool(jobs_of(h, vm.guid) - jobs)

        if fault.action is None:
            assert error is None, str(error)
            assert (sent, ran) == (1, True)
        else:
            assert error is not None
            assert error.problem is fault.action, str(error)
            assert_one_line_naming(error, harness.port)
            # Nothing is ever resent on its own; a host that refused before running got nothing.
            assert sent == (0 if fault.rule is None else 1)
            if ran or fault.after_processing:
                assert MAY_HAVE_RUN in str(error)
                assert "retry" not in str(error).rsplit(";", 1)[0][-12:]

        harness.clear()
        fresh = find_in(await host.snapshot(), vm.guid)  # recovered, on its own
        if not ran:
            action = await host.request(fresh, verb)
            assert h.counters[counter] - before == sent + 1
            assert action.job_id in {job.instance_id for job in h.model.jobs}


async def test_refused_connection_before_the_action_sends_nothing(harness):
    async with harness.host() as host:
        vm = find_in(await host.snapshot(), "start")
        harness.relay.down()
        with pytest.raises(HyperVError) as caught:
            await host.request(vm, Verb.START)
        assert caught.value.problem is Problem.UNREACHABLE
        assert "refused the connection" in str(caught.value)
        assert harness.h.counters["Invoke:RequestStateChange"] == 0
